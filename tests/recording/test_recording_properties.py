"""Properties through the store, on both backends: random valid histories always land, and
random rule-breaking events are always refused without changing the ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from events import Event, RuleViolation, check_stream, fold
from ledger import Ledger
from tests.events.test_event_properties import breakers
from tests.histories import one_stream

through_the_store = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FAR_FUTURE = date(2099, 12, 31)


def _valid(events: list[Event]) -> bool:
    try:
        check_stream([], events, [None] * len(events))
    except RuleViolation:
        return False
    return True


@through_the_store
@given(history=one_stream(), data=st.data())
def test_random_valid_histories_land_whole_and_fold_back_the_same(
    new_store: Callable[[], str], history: list[Event], data: st.DataObject
) -> None:
    split = data.draw(st.integers(1, len(history)), label="batch split")
    # A history may record a fact before the one it depends on: only split where the first
    # batch is valid on its own, as it must be when it is recorded.
    assume(_valid(history[:split]))
    with Ledger.open(new_store()) as ledger:
        ledger.record(history[:split])
        ledger.record(history[split:])
        stored = [row.event for row in ledger.read_stream(history[0].commitment)]
        assert ledger.verify().intact
    assert len(stored) == len(history)
    assert fold(stored, FAR_FUTURE) == fold(history, FAR_FUTURE)


@through_the_store
@given(history=one_stream(), data=st.data())
def test_random_rule_breaking_events_are_refused_and_change_nothing(
    new_store: Callable[[], str], history: list[Event], data: st.DataObject
) -> None:
    _, bad = data.draw(st.sampled_from(breakers(history)), label="breaker")
    with Ledger.open(new_store()) as ledger:
        ledger.record(history)
        head = ledger.verify().head_hash
        with pytest.raises(RuleViolation):
            ledger.record([bad])
        assert ledger.count() == len(history)
        assert ledger.verify().head_hash == head
