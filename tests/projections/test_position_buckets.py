"""The year and month buckets hold the position postings summed, and appending keeps them as a
rebuild from zero makes them: whatever the number and size of the transactions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ledger import Ledger
from projections import attach, positions, project
from projections.read_models.bucket_upkeep import AMOUNTS, LEVELS, period_of
from projections.read_models.tables import position_buckets, position_postings

from .conftest import SetClock, amended, delivered, event, fresh_store, made, scheduled

BILLION = 1_000_000_000
moved = "00000000-0000-4000-8000-000000000001"
retracted = "00000000-0000-4000-8000-000000000002"


def history() -> list[list[dict[str, Any]]]:
    """Transactions whose events cross months and years, and are corrected across them."""
    return [
        [
            made("deal", "2024-11-20", usd="1000"),
            made("floor", "2024-12-30", bound="at_least", provider="google", usd="10"),
            scheduled("deal", "2024-12-01", "t1", due="2025-02-01", usd="300"),
            {**delivered("deal", "2024-12-31", usd="100.5"), "id": moved},
        ],
        [
            delivered("floor", "2025-01-01", usd="25.125"),
            amended("deal", "2025-01-31", usd="2000"),
            {**delivered("deal", "2025-02-01", tranche="t1", usd="50"), "id": retracted},
        ],
        [
            event(
                "EventCorrected",
                "deal",
                target=moved,
                replacement=delivered("deal", "2025-01-01", usd="100.75"),
            ),
            event("EventRetracted", "deal", target=retracted),
            amended("floor", "2025-03-01", usd="40"),
        ],
        [made("cap", "2025-12-31", kind="capacity", holder="openai", gw="5")],
    ]


def bucket_rows(led: Ledger) -> list[tuple[Any, ...]]:
    with led.engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(select(position_buckets)))


def record_each(led: Ledger, clock: SetClock, transactions: list[list[dict[str, Any]]]) -> None:
    for transaction in transactions:
        led.record(transaction)
        clock.tick(hours=1)


def sums_of_postings(led: Ledger, known_at: datetime) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The postings known at `known_at` summed per parties, resource and period, in nanos."""
    table = position_postings
    known = (table.c.known_from <= known_at) & (
        table.c.known_until.is_(None) | (table.c.known_until > known_at)
    )
    measures = ("committed", "scheduled", "delivered", "excess", "ceiling", "floor")
    totals: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * len(measures))
    with led.engine.connect() as connection:
        for row in connection.execute(select(table).where(known)):
            for level in LEVELS:
                key = (row.holder, row.provider, row.kind, row.resource, level)
                total = totals[(*key, period_of(level, row.effective))]
                total[measures.index(row.measure)] += row.units * BILLION + row.nanos
    return {key: tuple(value) for key, value in totals.items() if any(value)}


def buckets_known_at(led: Ledger, known_at: datetime) -> dict[tuple[Any, ...], tuple[int, ...]]:
    table = position_buckets
    known = (table.c.known_from <= known_at) & (
        table.c.known_until.is_(None) | (table.c.known_until > known_at)
    )
    found = {}
    with led.engine.connect() as connection:
        for row in connection.execute(select(table).where(known)):
            values = [getattr(row, name) for name in AMOUNTS]
            key = (row.holder, row.provider, row.kind, row.resource, row.level, row.period)
            assert key not in found, "one row per bucket at any instant"
            found[key] = tuple(
                values[i] * BILLION + values[i + 1] for i in range(0, len(values), 2)
            )
    return found


def test_buckets_hold_the_postings_summed_per_year_and_month_at_every_instant(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    instants = []
    for transaction in history():
        instants.append(led.record(transaction).recorded_at)
        clock.tick(hours=1)
    for instant in instants:
        assert instant is not None
        assert buckets_known_at(led, instant) == sums_of_postings(led, instant)
    assert ("anthropic", "amazon", "investment", "usd", "year", date(2024, 1, 1)) in (
        buckets_known_at(led, clock.now)
    )


def test_a_rebuild_from_zero_gives_the_buckets_that_appending_kept(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    record_each(led, clock, history())
    kept = bucket_rows(led)
    project(led, rebuild=True)
    assert kept and bucket_rows(led) == kept


def test_many_small_transactions_leave_the_buckets_a_rebuild_gives(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    record_each(led, clock, [[one] for transaction in history() for one in transaction])
    kept = bucket_rows(led)
    project(led, rebuild=True)
    assert bucket_rows(led) == kept
    # Transactions that net to nothing in a bucket leave no new row there.
    assert len(kept) < 2 * len({row[:6] for row in kept}) + 10


def test_one_transaction_in_many_chunks_leaves_the_buckets_of_one_chunk(
    store_url: str, tmp_path: Path, clock: SetClock
) -> None:
    everything = [one for transaction in history() for one in transaction]
    found = []
    for chunk in (1, 3, len(everything)):
        with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
            attach(led)
            led.record_stream(((one, None) for one in everything), chunk=chunk)
            found.append(bucket_rows(led))
            project(led, rebuild=True)
            assert bucket_rows(led) == found[-1]
    assert found[0] == found[1] == found[2]


def test_appending_caught_up_without_hooks_keeps_the_buckets_a_rebuild_gives(
    led: Ledger, clock: SetClock
) -> None:
    first, *rest = history()
    record_each(led, clock, [first])
    positions(led, as_of=date(2025, 1, 1))  # catches up from zero: the postings are replayed
    record_each(led, clock, rest)
    positions(led, as_of=date(2025, 1, 1))  # catches up instant by instant
    kept = bucket_rows(led)
    project(led, rebuild=True)
    assert kept and bucket_rows(led) == kept


def test_an_instant_that_undoes_itself_in_later_chunks_revives_the_rows_it_closed(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    alone, beside = (f"00000000-0000-4000-8000-00000000000{n}" for n in (3, 4))
    led.record(
        [
            made("deal", "2024-06-01", usd="100"),
            {**delivered("deal", "2025-03-10", usd="5"), "id": alone},
            made("pair", "2024-06-01", holder="openai", usd="100"),
            delivered("pair", "2025-03-01", usd="1"),
            {**delivered("pair", "2025-03-10", usd="5"), "id": beside},
        ]
    )
    first = clock.now
    clock.tick(hours=1)
    away, back = (delivered("x", day, usd="5") for day in ("2025-04-10", "2025-03-10"))
    corrections = [
        event(
            "EventCorrected",
            commitment,
            target=target,
            replacement={**moved, "commitment": commitment},
        )
        for moved in (away, back, away, back)
        for commitment, target in (("deal", alone), ("pair", beside))
    ]
    led.record_stream(((one, None) for one in corrections), chunk=1)
    kept = bucket_rows(led)
    # Each March bucket went to zero (deal) or changed (pair) and came back: the same row again.
    march = [row for row in kept if row[4:6] == ("month", date(2025, 3, 1))]
    assert [(row[0], row[-2], row[-1]) for row in march] == [
        ("anthropic", first, None),
        ("openai", first, None),
    ]
    project(led, rebuild=True)
    assert bucket_rows(led) == kept
