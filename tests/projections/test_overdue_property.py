"""Late tranches equal what the reference fold says, as of any date and known at any instant,
whatever the read models' narrowing leaves out."""

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
from projections import attach, overdue
from tests.histories import BASE, FIRST_INSTANT, Batches, histories, known_streams

from .conftest import SetClock, fresh_store

Late = tuple[str, str, str, date, int, Decimal, Decimal, Decimal]


def expected_overdue(
    batches: Batches, instants: list[datetime], as_of: date, known_at: datetime | None
) -> list[Late]:
    """From the reference fold of each stream known at `known_at`, as of `as_of`: each live
    tranche due before `as_of`, per resource not delivered in full."""
    late: list[Late] = []
    for stream in known_streams(batches, instants, known_at).values():
        state = fold(stream, as_of)
        if state is None:
            continue
        for tranche in state.tranches.values():
            if tranche.cancelled_on is not None or tranche.due is None or tranche.due >= as_of:
                continue
            for resource, amount in tranche.amounts.items():
                got = tranche.delivered.get(resource, Decimal(0))
                if got < amount:
                    days = (as_of - tranche.due).days
                    row = (state.commitment, tranche.tranche, resource, tranche.due, days)
                    late.append((*row, amount, got, amount - got))
    return sorted(late, key=lambda r: (-r[4], r[0], r[1], r[2]))


@st.composite
def asked_of_histories(draw: st.DrawFn) -> tuple[Batches, list[tuple[date, int | None]]]:
    """A history, and questions of it: as-of dates on and just after the due dates its
    tranches name (so that tranches are often late), or any day; known now or at a half-hour
    step from before the first batch to after the last."""
    batches = draw(histories())
    dues = {
        date.fromisoformat(dated["due"])
        for batch in batches
        for data in batch
        for dated in (data, data.get("replacement", {}))
        if "due" in dated
    }
    near = sorted({due + timedelta(days=n) for due in dues for n in (0, 1, 30)})
    any_day = st.integers(-5, 160).map(lambda n: BASE + timedelta(days=n))
    as_of = st.sampled_from(near) | any_day if near else any_day
    known = st.none() | st.integers(-1, 2 * len(batches))
    return batches, draw(st.lists(st.tuples(as_of, known), min_size=1, max_size=4))


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=asked_of_histories(), attached=st.booleans())
def test_late_tranches_equal_the_reference_fold_at_any_as_of_and_known_at(
    store_url: str,
    tmp_path: Path,
    history: tuple[Batches, list[tuple[date, int | None]]],
    attached: bool,
) -> None:
    batches, questions = history
    clock = SetClock(FIRST_INSTANT)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        if attached:
            attach(led)
        instants: list[datetime] = []
        for batch in batches:
            instants.append(led.record(batch).recorded_at)  # type: ignore[arg-type]
            clock.tick(hours=1)
        for as_of, step in questions:
            # Before, at, or between the recording instants.
            known_at = None if step is None else FIRST_INSTANT + timedelta(minutes=30 * step)
            found = [_late(row) for row in overdue(led, as_of=as_of, known_at=known_at)]
            assert found == expected_overdue(batches, instants, as_of, known_at)


def _late(row: Any) -> Late:
    days = (row.commitment, row.tranche, row.resource, row.due, row.days_late)
    return (*days, row.scheduled, row.delivered, row.outstanding)
