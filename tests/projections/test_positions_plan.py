"""Positions as of a date late in a month or a year subtract what follows it from the month's or
the year's bucket, and every way of summing gives the fold's answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ledger import Ledger
from projections import attach, positions
from projections.queries import position_sums
from tests.histories import expected_positions, found_positions

from .conftest import SetClock, delivered, event, made, scheduled


def test_a_date_early_in_a_month_adds_the_months_before_and_its_postings_up_to_the_date() -> None:
    chosen = position_sums.plan(date(2029, 3, 2), first_year=2027)
    assert chosen.years == (date(2027, 1, 1), date(2028, 1, 1))
    assert chosen.months_plus == (date(2029, 1, 1), date(2029, 2, 1))
    assert chosen.months_minus == ()
    assert (chosen.days_plus, chosen.days_minus) == ((date(2029, 3, 1), date(2029, 3, 2)), None)


def test_a_date_late_in_a_month_subtracts_the_postings_after_it_from_the_months_bucket() -> None:
    chosen = position_sums.plan(date(2029, 3, 29), first_year=2027)
    assert chosen.months_plus == (date(2029, 1, 1), date(2029, 2, 1), date(2029, 3, 1))
    assert (chosen.days_plus, chosen.days_minus) == (None, (date(2029, 3, 30), date(2029, 3, 31)))


def test_a_date_late_in_a_year_subtracts_the_months_after_it_from_the_years_bucket() -> None:
    chosen = position_sums.plan(date(2029, 11, 3), first_year=2027)
    assert chosen.years == (date(2027, 1, 1), date(2028, 1, 1), date(2029, 1, 1))
    assert chosen.months_plus == ()
    assert chosen.months_minus == (date(2029, 11, 1), date(2029, 12, 1))
    assert chosen.days_plus == (date(2029, 11, 1), date(2029, 11, 3))


def test_the_last_day_of_a_year_reads_its_bucket_and_no_postings() -> None:
    chosen = position_sums.plan(date(2029, 12, 31), first_year=2029)
    assert chosen.years == (date(2029, 1, 1),)
    assert (chosen.months_plus, chosen.months_minus) == ((), ())
    assert (chosen.days_plus, chosen.days_minus) == (None, None)


def test_a_plan_never_reads_more_than_the_plain_sum_of_months_before_and_days_up_to_the_date() -> (
    None
):
    day = date(2028, 1, 1)
    while day < date(2029, 1, 1):
        plain, *_ = position_sums.plans(day, first_year=2020)
        assert position_sums.plan(day, first_year=2020).cost() <= plain.cost()
        assert plain.months_minus == () and plain.days_minus is None
        day += timedelta(days=1)


AS_OF = [
    date(2024, 11, 29),
    date(2024, 12, 2),
    date(2024, 12, 28),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 1, 2),
    date(2025, 1, 30),
    date(2025, 2, 27),
    date(2025, 10, 31),
    date(2025, 12, 30),
]
KEYS = [("holder", "provider", "kind", "resource"), ("kind", "resource")]


@pytest.mark.parametrize("way", range(4), ids=["plain", "less-days", "less-months", "less-both"])
def test_every_way_of_summing_gives_the_fold_at_dates_late_and_early_and_known_between(
    led: Ledger, clock: SetClock, monkeypatch: pytest.MonkeyPatch, way: int
) -> None:
    monkeypatch.setattr(
        position_sums, "plan", lambda day, first_year: position_sums.plans(day, first_year)[way]
    )
    attach(led)
    clock.set("2026-01-10T09:00:00")
    wrong = "00000000-0000-4000-8000-0000000000b1"
    batches: list[list[dict[str, Any]]] = [
        [
            made("deal", "2024-11-30", usd="1000", gw="2"),
            scheduled("deal", "2024-12-01", "t1", due="2025-01-15", gw="1"),
            delivered("deal", "2024-12-29", tranche="t1", gw="0.5"),
            {**delivered("deal", "2024-12-31", usd="250.25"), "id": wrong},
            made("floor", "2025-01-01", provider="google", bound="at_least", usd="100"),
            delivered("floor", "2025-01-31", usd="140"),
        ],
        [
            event(
                "EventCorrected",
                "deal",
                target=wrong,
                replacement=delivered("deal", "2025-01-02", usd="250.5"),
            ),
            delivered("deal", "2025-02-28", tranche="t1", gw="0.25"),
            delivered("floor", "2025-12-31", usd="1.5"),
        ],
    ]
    instants: list[datetime] = []
    for batch in batches:
        instants.append(led.record(batch).recorded_at)
        clock.tick(days=1)
    between = instants[0] + timedelta(hours=12)
    for as_of in AS_OF:
        for known_at in (None, instants[0], between):
            for keys in KEYS:
                rows = positions(led, as_of=as_of, known_at=known_at, by=keys)
                want = expected_positions(batches, instants, as_of, known_at, keys)
                assert found_positions(rows, keys) == want, (as_of, known_at)
