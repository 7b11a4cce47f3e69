"""Properties over random histories: valid ones pass, broken ones are refused, order is moot."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from events import (
    Event,
    InvalidEvent,
    RuleViolation,
    check_stream,
    fold,
    parse_event,
    states_by_date,
)
from tests.histories import BASE, LAST_DAY, one_stream

from .event_streams import STREAM, event

modest = settings(max_examples=60, deadline=None)


@modest
@given(one_stream(), st.data())
def test_random_valid_histories_never_trip_a_rule(
    history: list[Event], data: st.DataObject
) -> None:
    check_stream([], history, [None] * len(history))
    split = data.draw(st.integers(1, len(history)))
    check_stream(history[:split], history[split:], [None] * (len(history) - split))


@modest
@given(one_stream(), st.data())
def test_the_rules_walk_sees_the_states_by_date_of_the_reference_fold(
    history: list[Event], data: st.DataObject
) -> None:
    split = data.draw(st.integers(1, len(history)))
    walked = check_stream(history[:split], history[split:], [None] * (len(history) - split))
    assert walked.states == list(states_by_date(history))


@modest
@given(one_stream(), st.data())
def test_a_walk_resumed_from_an_earlier_check_sees_what_a_whole_walk_sees(
    history: list[Event], data: st.DataObject
) -> None:
    first = data.draw(st.integers(1, len(history)))
    second = data.draw(st.integers(first, len(history)))
    walk = None
    for start, end in ((0, first), (first, second), (second, len(history))):
        known, new, origins = history[:start], history[start:end], [f"line {i}" for i in range(end)]
        try:
            whole = check_stream(known, new, origins[start:])
        except RuleViolation as refused:  # a prefix of a valid history need not be valid
            with pytest.raises(RuleViolation) as resumed:
                check_stream(known, new, origins[start:], resume=walk)
            assert str(resumed.value) == str(refused)
            return
        walk = check_stream(known, new, origins[start:], resume=walk)
        assert walk.states == whole.states == list(states_by_date(history[:end]))
        if start and walk.changed_from is not None:  # resumed: whatever came before it is kept
            kept = [state for state in walk.states if state[0] < walk.changed_from]
            assert walk.states[: len(kept)] == kept


def breakers(history: list[Event]) -> list[tuple[str, Event]]:
    """Events that each break a rule when appended to the history, with the field named."""

    def on(type_name: str, **fields: Any) -> Event:
        return event(type_name, commitment=history[0].commitment, **fields)

    after = (LAST_DAY + timedelta(days=1)).isoformat()  # after any date of the history
    before = (BASE - timedelta(days=1)).isoformat()  # before the commitment was made
    state = fold(history, LAST_DAY)
    assume(state is not None)  # its commitment retracted, a stream has nothing left to break
    assert state is not None
    r = state.resources[0]
    broken = [
        (
            "amounts.chips:nope",
            on("DeliveryRecorded", effective=after, amounts={"chips:nope": "1"}),
        ),
        ("effective", on("DeliveryRecorded", effective=before, amounts={r: "0"})),
        ("tranche", on("TrancheCancelled", effective=after, tranche="nowhere")),
        (
            "type",
            on(
                "CommitmentMade",
                effective=after,
                provider="a",
                holder="b",
                kind="spend",
                bound="exact",
                amounts={r: "1"},
            ),
        ),
        ("target", on("EventRetracted", target="00000000-0000-4000-8000-000000000000")),
    ]
    if state.bound != "at_least":
        over = state.committed.get(r, Decimal(0)) - state.delivered.get(r, Decimal(0)) + 1
        broken.append(
            (f"amounts.{r}", on("DeliveryRecorded", effective=after, amounts={r: str(over)}))
        )
    if state.delivered.get(r, 0) > 0 and state.cancelled_on is None:
        cut = (state.delivered[r] / 2).quantize(Decimal("1e-9"), rounding=ROUND_DOWN)
        broken.append(
            (f"amounts.{r}", on("CommitmentAmended", effective=after, amounts={r: str(cut)}))
        )
    scheduled = sorted(state.tranches)  # those retracted are not: their names are free again
    if scheduled:
        broken.append(
            (
                "tranche",
                on(
                    "TrancheScheduled",
                    effective=after,
                    tranche=scheduled[0],
                    amounts={r: "0"},
                ),
            )
        )
    return broken


@modest
@given(one_stream(), st.data())
def test_random_invalid_events_are_always_refused(
    history: list[Event], data: st.DataObject
) -> None:
    field, bad = data.draw(st.sampled_from(breakers(history)))
    split = data.draw(st.integers(1, len(history)))
    new = [*history[split:], bad]
    with pytest.raises(RuleViolation) as raised:
        check_stream(history[:split], new, [f"line {i}" for i in range(len(new))])
    assert raised.value.origin == f"line {len(new) - 1}"
    if state_is_open(history):
        assert raised.value.field == field
    walked = check_stream([], history, [None] * len(history))
    with pytest.raises(RuleViolation) as resumed:
        check_stream(history, [bad], ["the last line"], resume=walked)
    assert (resumed.value.field, resumed.value.rule) == (raised.value.field, raised.value.rule)


def state_is_open(history: list[Event]) -> bool:
    return not any(e.type == "CommitmentCancelled" for e in history)


@modest
@given(one_stream(corrections=False), st.data())
def test_without_corrections_the_fold_ignores_recording_order(
    history: list[Event], data: st.DataObject
) -> None:
    # Only events of the same date keep their order: the fold takes them in recording order.
    shuffled = same_dates_in_order(data.draw(st.permutations(history)), history)
    days = [BASE + timedelta(days=n) for n in range(-1, 200, 7)]
    for day in days:
        assert fold(shuffled, day) == fold(history, day)


def same_dates_in_order(shuffled: list[Event], history: list[Event]) -> list[Event]:
    """The shuffled events, those of one date put back in the order the history has them."""
    by_date: dict[date, list[Event]] = {}
    for event_ in history:
        by_date.setdefault(event_.effective, []).append(event_)  # type: ignore[union-attr]
    return [by_date[e.effective].pop(0) for e in shuffled]  # type: ignore[union-attr]


@modest
@given(one_stream())
def test_the_walk_by_date_agrees_with_the_fold(history: list[Event]) -> None:
    for day, state in states_by_date(history):
        assert fold(history, day) == state
        scheduled: dict[str, Decimal] = {}
        for tranche in state.tranches.values():
            part = tranche.amounts if tranche.cancelled_on is None else tranche.delivered
            for resource, amount in part.items():
                scheduled[resource] = scheduled.get(resource, Decimal(0)) + amount
        assert {r: v for r, v in state.scheduled.items() if v} == {
            r: v for r, v in scheduled.items() if v
        }


VALID: dict[str, Any] = {
    "type": "CommitmentMade",
    "commitment": STREAM,
    "effective": "2026-04-20",
    "provider": "amazon",
    "holder": "anthropic",
    "kind": "capacity",
    "bound": "up_to",
    "amounts": {"gw": "5"},
}
GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


SLUG_FIELDS = ("commitment", "provider", "holder")


@modest
@given(st.sampled_from(sorted(VALID)), GARBAGE)
def test_random_invalid_fields_are_always_refused(field: str, value: object) -> None:
    try:
        parse_event({**VALID, field: value}, origin="x.json:1")
    except InvalidEvent as e:
        assert e.origin == "x.json:1"
        assert e.field.split(".")[0] in (field, "holder")
        return
    # Only a string that happens to be a slug is a valid garbage value.
    assert field in SLUG_FIELDS
    assert isinstance(value, str)
