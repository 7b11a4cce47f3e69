"""Positions read from year and month buckets equal the fold on and across their edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from projections import attach, positions, project
from tests.histories import FIRST_INSTANT, expected_positions, found_positions, histories, moved

from .conftest import SetClock, amended, delivered, event, fresh_store, made
from .test_position_buckets import bucket_rows

KEYS = (
    ("holder", "provider", "kind", "resource"),
    ("kind", "resource"),
    ("commitment", "resource"),
)
# The generated histories span 2025-01-01 .. 2025-04-10; moved back they cross a year's end.
SHIFT = timedelta(days=-45)
EDGES = [
    date(2024, 11, 16),
    date(2024, 11, 30),
    date(2024, 12, 1),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 1, 31),
    date(2025, 2, 1),
    date(2025, 2, 28),
    date(2025, 3, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
]


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # In recording order (every prefix valid): a chunk of a batch is recorded on its own.
    batches=histories(in_any_order=False).map(lambda batches: moved(batches, SHIFT)),
    chunk=st.sampled_from([1, 2, 1000]),
    queries=st.lists(
        st.tuples(
            st.sampled_from(EDGES)
            | st.integers(-60, 120).map(lambda n: date(2025, 1, 1) + timedelta(n)),
            st.integers(-1, 13),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_positions_across_months_and_years_equal_the_fold(
    store_url: str,
    tmp_path: Path,
    batches: list[list[dict[str, Any]]],
    chunk: int,
    queries: list[tuple[date, int, int]],
) -> None:
    clock = SetClock(FIRST_INSTANT)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        attach(led)
        instants = []
        for batch in batches:
            receipt = led.record_stream(((e, None) for e in batch), chunk=chunk)
            assert receipt.recorded_at is not None
            instants.append(receipt.recorded_at)
            clock.tick(hours=1)
        for as_of, known_index, shift in queries:
            known_at: datetime | None = None
            if known_index >= 0:
                known_at = FIRST_INSTANT + timedelta(hours=known_index, minutes=30 * shift - 30)
            for keys in KEYS:
                resource = "usd" if keys == ("kind", "resource") else None
                rows = positions(led, as_of=as_of, known_at=known_at, by=keys, resource=resource)
                want = expected_positions(batches, instants, as_of, known_at, keys)
                if resource:
                    want = {key: value for key, value in want.items() if key[-1] == "usd"}
                assert found_positions(rows, keys) == want
        kept = bucket_rows(led)
        project(led, rebuild=True)
        assert bucket_rows(led) == kept


def test_a_correction_that_moves_a_delivery_into_another_year_moves_it_from_then_on(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    clock.set("2026-01-10T09:00:00")
    wrong = "00000000-0000-4000-8000-00000000000a"
    led.record(
        [
            made("deal", "2024-06-01", usd="100"),
            {**delivered("deal", "2024-12-31", usd="40"), "id": wrong},
        ]
    )
    before = clock.now
    clock.tick(days=1)
    corrected = delivered("deal", "2025-01-01", usd="40.5")
    led.record([event("EventCorrected", "deal", target=wrong, replacement=corrected)])
    between = before + timedelta(hours=12)

    def delivered_as_of(as_of: date, known_at: datetime | None) -> Any:
        rows = positions(
            led, as_of=as_of, known_at=known_at, by=("kind", "resource"), resource="usd"
        )
        return (rows[0].delivered, rows[0].outstanding)

    assert delivered_as_of(date(2024, 12, 31), between) == (40, 60)
    assert delivered_as_of(date(2024, 12, 31), None) == (0, 100)
    assert delivered_as_of(date(2025, 1, 1), None) == (Decimal("40.5"), Decimal("59.5"))
    assert delivered_as_of(date(2025, 1, 1), between) == (40, 60)


def test_an_at_least_commitment_delivered_over_committed_is_not_outstanding_below_zero(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    clock.set("2026-01-10T09:00:00")
    led.record(
        [
            made("floor", "2024-11-15", bound="at_least", usd="100"),
            delivered("floor", "2024-12-20", usd="150"),
            made("cap", "2024-11-15", usd="100"),
            delivered("cap", "2025-01-05", usd="30"),
        ]
    )
    clock.tick(hours=1)
    led.record([amended("floor", "2025-02-10", usd="400")])
    for as_of, outstanding in (
        (date(2024, 12, 19), 200),
        (date(2024, 12, 20), 100),  # the floor is 50 over: nothing outstanding, not -50
        (date(2025, 1, 31), 70),
        (date(2025, 2, 10), 320),
    ):
        (row,) = positions(led, as_of=as_of, by=("kind", "resource"), resource="usd")
        assert row.outstanding == outstanding
