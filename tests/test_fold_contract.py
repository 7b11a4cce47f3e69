"""Every fold gives the reference fold's positions: the read models kept up batch by batch,
rebuilt in this process and rebuilt by forked workers, each read through the postings (per
commitment) and through the year and month buckets summed each of the four ways, as of
dates on and across month and year ends, known at instants before, at and between batches."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from projections import attach, positions, project, rebuild
from tests.histories import (
    BASE,
    FIRST_INSTANT,
    Batches,
    expected_positions,
    found_positions,
    histories,
    moved,
)
from tests.projections.conftest import SetClock, fresh_store
from tests.read_model_internals import (
    BUILT_IN_PROJECTIONS,
    WAYS_OF_SUMMING,
    can_fork,
    forked_rebuilds,
    summed_the_way,
)

# Moved back 45 days, the histories cross a year's end (2024 into 2025) and several months'.
EARLIER = timedelta(days=-45)
PER_COMMITMENT = ("commitment", "resource")
THROUGH_BUCKETS = ("holder", "provider", "kind", "resource")
EDGES = [date(2024, 11, 30), date(2024, 12, 31), date(2025, 1, 1), date(2025, 2, 28)]
Query = tuple[date, datetime | None]

contract = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def questions(draw: st.DrawFn, batches: Batches) -> list[tuple[date, int | None]]:
    """As-of dates (edges of months and years, days of the history's events and the days
    before them, or any day) with a known-at: None (now), or a half-hour step from before
    the first batch to after the last."""
    days = {
        date.fromisoformat(dated["effective"])
        for batch in batches
        for data in batch
        for dated in (data, data.get("replacement", {}))
        if "effective" in dated
    }
    near = sorted(days | {day - timedelta(days=1) for day in days})
    as_of = (
        st.sampled_from(EDGES)
        | st.sampled_from(near)
        | st.integers(-60, 120).map(lambda n: BASE + timedelta(n))
    )
    known = st.none() | st.integers(-1, 2 * len(batches))
    return draw(st.lists(st.tuples(as_of, known), min_size=2, max_size=4))


@st.composite
def asked_of_histories(draw: st.DrawFn) -> tuple[Batches, list[tuple[date, int | None]]]:
    batches = moved(draw(histories()), EARLIER)
    return batches, draw(questions(batches))


def instant(step: int | None) -> datetime | None:
    return None if step is None else FIRST_INSTANT + timedelta(minutes=30 * step)


def mismatches(
    led: Ledger, batches: Batches, instants: list[datetime], asked: list[Query], fold: str
) -> list[str]:
    """Where the read models, read every way, differ from the reference fold."""
    wrong = []
    for as_of, known_at in asked:
        for keys in (PER_COMMITMENT, THROUGH_BUCKETS):
            want = expected_positions(batches, instants, as_of, known_at, keys)
            ways = range(len(WAYS_OF_SUMMING)) if keys == THROUGH_BUCKETS else [None]
            for way in ways:
                with pytest.MonkeyPatch.context() as patch:
                    if way is not None:
                        summed_the_way(patch, way)
                    rows = positions(led, as_of=as_of, known_at=known_at, by=keys)
                if found_positions(rows, keys) != want:
                    how = "postings" if way is None else f"buckets, {WAYS_OF_SUMMING[way]}"
                    wrong.append(f"{fold}, read by {keys} ({how}) as of {as_of}, known {known_at}")
    return wrong


@pytest.mark.slow
@contract
@given(history=asked_of_histories())
def test_every_fold_gives_the_positions_of_the_reference_fold(
    store_url: str, tmp_path: Path, history: tuple[Batches, list[tuple[date, int | None]]]
) -> None:
    batches, asked = history
    clock = SetClock(FIRST_INSTANT)
    questions = [(as_of, instant(step)) for as_of, step in asked]
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        attach(led)
        instants = []
        for batch in batches:
            instants.append(led.record(batch).recorded_at)
            clock.tick(hours=1)
        questions.append((BASE + timedelta(days=400), None))  # all of it, now
        assert mismatches(led, batches, instants, questions, "kept up batch by batch") == []
        for projection in BUILT_IN_PROJECTIONS:
            rebuild(led, projection)
        assert mismatches(led, batches, instants, questions, "rebuilt in this process") == []
        if not can_fork():
            return  # no worker processes on this platform
        with pytest.MonkeyPatch.context() as patch:
            forked = forked_rebuilds(patch)
            project(led, rebuild=True)
        assert forked == [2]
        assert mismatches(led, batches, instants, questions, "rebuilt by workers") == []
