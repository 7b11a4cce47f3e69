"""The read models are checked against the reference fold over random, valid histories."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import fold
from ledger import Ledger
from projections import attach, positions, timeline
from tests.histories import (
    BASE,
    FIRST_INSTANT,
    expected_positions,
    found_positions,
    histories,
    known_streams,
)

from .conftest import SetClock, fresh_store


def expected_timeline(
    batches: list[list[dict[str, Any]]],
    instants: list[datetime],
    as_of: date,
    known_at: datetime | None,
    resource: str,
    kind: str,
) -> tuple[Decimal, Decimal, Decimal]:
    """Committed, scheduled by due date (live tranches due by `as_of`, undated ones counting
    from their scheduled date, plus what cancelled ones delivered) and delivered, of one
    kind."""
    committed = scheduled = delivered = Decimal(0)
    for stream in known_streams(batches, instants, known_at).values():
        state = fold(stream, as_of)
        if state is None or state.kind != kind:
            continue
        committed += state.committed.get(resource, Decimal(0))
        delivered += state.delivered.get(resource, Decimal(0))
        for tranche in state.tranches.values():
            if tranche.cancelled_on is not None:
                scheduled += tranche.delivered.get(resource, Decimal(0))
            elif (tranche.due or tranche.scheduled_on) <= as_of:
                scheduled += tranche.amounts.get(resource, Decimal(0))
    return committed, scheduled, delivered


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=histories(),
    attached=st.booleans(),
    queries=st.lists(
        st.tuples(st.integers(-5, 110), st.integers(-1, 13), st.integers(0, 2)),
        min_size=1,
        max_size=4,
    ),
)
def test_positions_and_timeline_equal_the_fold_at_any_as_of_and_known_at(
    store_url: str,
    tmp_path: Path,
    batches: list[list[dict[str, Any]]],
    attached: bool,
    queries: list[tuple[int, int, int]],
) -> None:
    clock = SetClock(FIRST_INSTANT)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        if attached:
            attach(led)
        instants = []
        for batch in batches:
            receipt = led.record(batch)
            assert receipt.recorded == len(batch)
            assert receipt.recorded_at is not None
            instants.append(receipt.recorded_at)
            clock.tick(hours=1)
        for as_of_days, known_index, shift in queries:
            as_of = BASE + timedelta(days=as_of_days)
            known_at: datetime | None = None
            if known_index >= 0:
                # Before, at, or between the recording instants.
                known_at = FIRST_INSTANT + timedelta(hours=known_index, minutes=30 * shift - 30)
            for keys in (("holder", "provider", "kind", "resource"), ("commitment", "resource")):
                rows = positions(led, as_of=as_of, known_at=known_at, by=keys)
                found = found_positions(rows, keys)
                assert found == expected_positions(batches, instants, as_of, known_at, keys)
            for resource in ("usd", "gw"):
                rows_ = timeline(
                    led,
                    resource=resource,
                    every="month",
                    start=as_of,
                    end=as_of,
                    known_at=known_at,
                )
                assert all(period.as_of == as_of for period in rows_)
                found_ = {
                    period.kind: (period.committed, period.scheduled, period.delivered)
                    for period in rows_
                    if period.committed or period.scheduled or period.delivered
                }
                per_kind = {
                    kind: expected_timeline(batches, instants, as_of, known_at, resource, kind)
                    for kind in ("investment", "spend", "capacity")
                }
                assert found_ == {kind: totals for kind, totals in per_kind.items() if any(totals)}
