"""`changes`: what changed between two readings is the difference of the two positions, row by
row, and the events that explain it are exactly those whose inclusion differs between the
readings; a question that is not a change is refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from projections import ChangeRow, NotAChange, changes
from tests.histories import BASE, FIRST_INSTANT, Batches, expected_positions, histories

from .conftest import SetClock, fresh_store

Reading = tuple[date, datetime | None]
ZERO = (Decimal(0),) * 4


def instant(hours: int, shift: int) -> datetime:
    """Before, at, or between the recording instants (one an hour from FIRST_INSTANT)."""
    return FIRST_INSTANT + timedelta(hours=hours, minutes=30 * shift - 30)


def in_force(batches: Batches, instants: list[datetime], known_at: datetime | None) -> dict:
    """Each event known at `known_at` and not retracted then (corrections and retractions
    themselves left out): its commitment and its effective date after the corrections."""
    events: dict[str, tuple[str, date]] = {}
    for batch, recorded in zip(batches, instants, strict=True):
        if known_at is not None and recorded > known_at:
            continue
        for data in batch:
            if data["type"] == "EventRetracted":
                events.pop(data["target"], None)
            elif data["type"] == "EventCorrected":
                if data["target"] in events:
                    moved = date.fromisoformat(data["replacement"]["effective"])
                    events[data["target"]] = (data["commitment"], moved)
            else:
                events[data["id"]] = (data["commitment"], date.fromisoformat(data["effective"]))
    return events


def differing_events(
    batches: Batches, instants: list[datetime], before: Reading, after: Reading
) -> dict[str, set[str]]:
    """By commitment, the ids of the events in one reading and not the other: recorded
    between the two instants, or (as corrected) effective between the two dates."""
    found: dict[str, set[str]] = {}
    if before[1] != after[1]:
        for batch, recorded in zip(batches, instants, strict=True):
            if (before[1] is None or recorded > before[1]) and (
                after[1] is None or recorded <= after[1]
            ):
                for data in batch:
                    found.setdefault(data["commitment"], set()).add(data["id"])
    else:
        for event_id, (name, effective) in in_force(batches, instants, after[1]).items():
            if before[0] < effective <= after[0]:
                found.setdefault(name, set()).add(event_id)
    return found


def expected_changes(
    batches: Batches,
    instants: list[datetime],
    before: Reading,
    after: Reading,
    keys: tuple[str, ...],
) -> dict[tuple[Any, ...], tuple[tuple[Decimal, ...], tuple[Decimal, ...], set[str]]]:
    """Per row that differs: the reference positions before and after, and the events of its
    commitments whose own rows differ that are in one reading and not the other."""
    first = _totals(expected_positions(batches, instants, *before, keys))
    last = _totals(expected_positions(batches, instants, *after, keys))
    fine = (*[k for k in keys if k != "commitment"], "commitment")
    fine_first = _totals(expected_positions(batches, instants, *before, fine))
    fine_last = _totals(expected_positions(batches, instants, *after, fine))
    events = differing_events(batches, instants, before, after)
    expected = {}
    for key in first.keys() | last.keys():
        if first.get(key, ZERO) == last.get(key, ZERO):
            continue
        named = set()
        for fine_key in fine_first.keys() | fine_last.keys():
            row_key = tuple(fine_key[fine.index(k)] for k in keys)
            if row_key == key and fine_first.get(fine_key, ZERO) != fine_last.get(fine_key, ZERO):
                named |= events.get(fine_key[-1], set())
        expected[key] = (first.get(key, ZERO), last.get(key, ZERO), named)
    return expected


def _totals(
    positions: dict[tuple[Any, ...], tuple[Decimal, ...]],
) -> dict[tuple[Any, ...], tuple[Decimal, ...]]:
    """The four totals a change compares (not the ceiling and floor)."""
    return {key: figures[:4] for key, figures in positions.items()}


def found_changes(rows: list[ChangeRow], keys: tuple[str, ...]) -> dict:
    measures = ("committed", "scheduled", "delivered", "outstanding")
    return {
        tuple(getattr(row, k) for k in keys): (
            tuple(getattr(row.before, m) for m in measures),
            tuple(getattr(row.after, m) for m in measures),
            {str(event.event_id) for event in row.events},
        )
        for row in rows
    }


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=histories(),
    queries=st.lists(
        st.tuples(
            st.booleans(),
            st.integers(-5, 110),
            st.integers(-5, 110),
            st.integers(-1, 6),
            st.integers(-1, 6),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_changes_are_the_difference_of_two_readings_explained_by_the_events_between_them(
    store_url: str,
    tmp_path: Path,
    batches: Batches,
    queries: list[tuple[bool, int, int, int, int, int]],
) -> None:
    clock = SetClock(FIRST_INSTANT)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        instants = []
        for batch in batches:
            receipt = led.record(batch)
            assert receipt.recorded_at is not None
            instants.append(receipt.recorded_at)
            clock.tick(hours=1)
        for knowledge_moves, day_a, day_b, hour_a, hour_b, shift in queries:
            first_day, last_day = sorted((day_a, day_b))
            first_hour, last_hour = sorted((hour_a, hour_b))
            known_from = instant(first_hour, shift)
            known_to: datetime | None = instant(last_hour, shift) if last_hour >= 0 else None
            if known_to is None:
                known_from = instant(first_hour, 0)
            for keys in (("holder", "provider", "kind", "resource"), ("commitment", "resource")):
                if knowledge_moves:
                    day = BASE + timedelta(days=first_day)
                    before: Reading = (day, known_from)
                    after: Reading = (day, known_to)
                    rows = changes(
                        led,
                        known_from=known_from,
                        known_to=known_to,
                        as_of=day,
                        by=keys,
                        explain=True,
                    )
                else:
                    start, end = (BASE + timedelta(days=d) for d in (first_day, last_day))
                    before, after = (start, known_to), (end, known_to)
                    rows = changes(
                        led,
                        as_of_from=start,
                        as_of_to=end,
                        known_at=known_to,
                        by=keys,
                        explain=True,
                    )
                expected = expected_changes(batches, instants, before, after, keys)
                assert found_changes(rows, keys) == expected
                for row in rows:
                    assert row.events, "every change has an event behind it"


@pytest.mark.parametrize(
    "asked",
    [
        {},
        {"known_from": date(2026, 2, 1), "known_to": date(2026, 1, 1)},
        {"as_of_from": date(2026, 2, 1), "as_of_to": date(2026, 1, 1)},
        {"known_from": date(2026, 1, 1), "as_of_from": date(2025, 1, 1)},
        {"known_to": date(2026, 1, 1)},
        {"as_of_from": date(2025, 1, 1), "as_of": date(2025, 6, 1)},
        {"known_from": date(2026, 1, 1), "known_at": date(2026, 1, 1)},
    ],
)
def test_a_question_that_is_not_a_change_is_refused(led: Ledger, asked: dict[str, Any]) -> None:
    with pytest.raises(NotAChange):
        changes(led, **asked)
