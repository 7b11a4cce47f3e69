"""The read models post only what moved from one date to the next; skipping the totals the fold
lends unchanged gives exactly the rows of diffing every total at every date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from events import Event, parse_event, states_by_date, with_id
from events.fold import CommitmentState
from projections.fold.exact_amounts import split
from projections.fold.rows import Posting
from projections.read_models.built_in_models import (
    MEASURES,
    PositionPostings,
    TrancheSchedule,
    scheduled_by_due,
)
from tests.bench.synth import synthetic_events

States = list[tuple[date, CommitmentState]]


def _streams(seed: int) -> dict[str, list[Event]]:
    streams: dict[str, list[Event]] = defaultdict(list)
    for data in synthetic_events(400, seed=seed, active=12):
        event = with_id(parse_event(data))
        streams[event.commitment].append(event)
    return streams


def _diffs(
    before: dict[object, object], after: dict[object, object]
) -> list[tuple[object, int, int]]:
    zero = 0
    out = []
    for key in before.keys() | after.keys():
        change = after.get(key, zero) - before.get(key, zero)  # type: ignore[operator]
        if change:
            out.append((key, *split(change)))
    return out


def _totals(state: CommitmentState, measure: str) -> dict[object, object]:
    if measure != "excess":
        return dict(getattr(state, measure))
    over = {r: d - state.committed.get(r, 0) for r, d in state.delivered.items()}
    return {r: amount for r, amount in over.items() if amount > 0}


def naive_positions(commitment: str, states: States) -> set[Posting]:
    wanted: set[Posting] = set()
    previous: CommitmentState | None = None
    for day, state in states:
        for measure in MEASURES:
            before = _totals(previous, measure) if previous else {}
            for resource, units, nanos in _diffs(before, _totals(state, measure)):
                parties = (commitment, state.holder, state.provider, state.kind)
                wanted.add((*parties, resource, measure, day, units, nanos))
        previous = state
    return wanted


def naive_schedule(commitment: str, states: States) -> set[Posting]:
    wanted: set[Posting] = set()
    before: dict[object, object] = {}
    for day, state in states:
        after: dict[object, object] = dict(scheduled_by_due(state))
        for (due, resource), units, nanos in _diffs(before, after):  # type: ignore[misc]
            parties = (commitment, state.holder, state.provider, state.kind)
            wanted.add((*parties, resource, day, due, units, nanos))
        before = after
    return wanted


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_postings_equal_a_diff_of_every_total_at_every_date(seed: int) -> None:
    for commitment, events in _streams(seed).items():
        states = list(states_by_date(events))
        assert PositionPostings().from_states(commitment, states) == naive_positions(
            commitment, states
        )
        assert TrancheSchedule().from_states(commitment, states) == naive_schedule(
            commitment, states
        )


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=40))
def test_postings_from_a_date_on_are_those_of_the_whole_stream_from_that_date(
    seed: int, cut: int
) -> None:
    for commitment, events in _streams(seed).items():
        states = list(states_by_date(events))
        since = states[min(cut, len(states) - 1)][0]
        for projection in (PositionPostings(), TrancheSchedule()):
            effective = projection.columns.index("effective")
            whole = {p for p in projection.from_states(commitment, states) if p[effective] >= since}
            assert projection.from_states(commitment, states, since) == whole
