"""The timeline: committed, scheduled by tranche due date and delivered, period by period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger import Ledger
from projections import positions, timeline, timeline_steps
from projections.queries.timeline import periods

from .conftest import SetClock, delivered, made, scheduled


def build_out(led: Ledger, clock: SetClock) -> None:
    clock.set("2026-05-01T00:00:00")
    led.record(
        [
            made("aws-capacity", "2026-04-20", kind="capacity", gw="5"),
            scheduled("aws-capacity", "2026-04-20", "phase-1", due="2026-12-31", gw="1"),
            scheduled("aws-capacity", "2026-04-20", "phase-2", due="2027-06-30", gw="2"),
            delivered("aws-capacity", "2026-11-15", tranche="phase-1", gw="0.5"),
            scheduled("aws-capacity", "2026-08-01", "pilot", gw="0.25"),
            {
                "type": "TrancheCancelled",
                "commitment": "aws-capacity",
                "effective": "2027-02-01",
                "tranche": "phase-1",
            },
            made("gcp-capacity", "2026-06-01", provider="google", kind="capacity", gw="1"),
        ]
    )


def test_scheduled_counts_tranches_by_their_due_date(led: Ledger, clock: SetClock) -> None:
    build_out(led, clock)
    rows = timeline(led, resource="gw", start=date(2026, 4, 1), end=date(2027, 9, 30))
    assert [(r.period, r.committed, r.scheduled, r.delivered) for r in rows] == [
        ("2026-Q2", 6, 0, 0),
        ("2026-Q3", 6, Decimal("0.25"), 0),  # the undated pilot, from the day it was scheduled
        ("2026-Q4", 6, Decimal("1.25"), Decimal("0.5")),  # phase-1 was due by year end
        ("2027-Q1", 6, Decimal("0.75"), Decimal("0.5")),  # phase-1 lapsed: its 0.5 delivered
        ("2027-Q2", 6, Decimal("2.75"), Decimal("0.5")),  # phase-2 falls due
        ("2027-Q3", 6, Decimal("2.75"), Decimal("0.5")),
    ]
    (far,) = positions(led, as_of=date(2030, 1, 1), by=("kind", "resource"))
    assert rows[-1].scheduled == far.scheduled


def test_start_defaults_to_the_earliest_effective_date_and_end_to_today(
    led: Ledger, clock: SetClock
) -> None:
    build_out(led, clock)
    clock.set("2026-08-15T10:00:00")
    rows = timeline(led, resource="gw", every="month", provider="google")
    assert [row.period for row in rows] == ["2026-06", "2026-07", "2026-08"]
    assert rows[-1].end == date(2026, 8, 31)
    assert rows[-1].as_of == date(2026, 8, 15)
    assert rows[-1].as_dict() == {
        "period": "2026-08",
        "start": "2026-08-01",
        "end": "2026-08-31",
        "as_of": "2026-08-15",
        "kind": "capacity",
        "resource": "gw",
        "committed": "1",
        "scheduled": "0",
        "delivered": "0",
    }


def test_a_timeline_known_at_an_earlier_instant_leaves_out_later_events(
    led: Ledger, clock: SetClock
) -> None:
    build_out(led, clock)
    assert timeline(led, resource="gw", known_at=date(2026, 4, 30), end=date(2027, 1, 1)) == []
    assert timeline(led, resource="usd", end=date(2027, 1, 1)) == []


def test_periods_are_labelled_by_month_quarter_and_year() -> None:
    start, end = date(2025, 11, 20), date(2026, 2, 1)
    assert [p[0] for p in periods("month", start, end)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert list(periods("quarter", start, end)) == [
        ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ]
    assert [p[0] for p in periods("year", start, end)] == ["2025", "2026"]
    with pytest.raises(ValueError, match="every"):
        list(periods("week", start, end))  # type: ignore[arg-type]


def dollars(led: Ledger, clock: SetClock) -> None:
    """An investment and a spend floor from one provider, and a spend from another."""
    clock.set("2026-05-01T00:00:00")
    led.record(
        [
            made("aws-equity", "2026-01-10", usd="25"),
            delivered("aws-equity", "2026-02-20", usd="5"),
            made("aws-spend", "2026-03-01", kind="spend", bound="at_least", usd="100"),
            made("oracle-spend", "2026-04-15", provider="oracle", kind="spend", usd="30"),
        ]
    )


def test_a_timeline_never_adds_kinds_together(led: Ledger, clock: SetClock) -> None:
    dollars(led, clock)
    rows = timeline(led, resource="usd", every="year", end=date(2026, 12, 31))
    assert [(row.kind, row.committed, row.delivered) for row in rows] == [
        ("investment", 25, 5),
        ("spend", 130, 0),
    ]
    with pytest.raises(ValueError, match="investment, spend and capacity are never added"):
        timeline(led, resource="usd", by=("provider",))
    spend = timeline(led, resource="usd", kind="spend", by=(), every="year")
    assert [(row.kind, row.committed) for row in spend] == [(None, 130)]


def test_a_timeline_breaks_down_by_provider_in_every_period(led: Ledger, clock: SetClock) -> None:
    dollars(led, clock)
    rows = timeline(
        led, resource="usd", kind="spend", by=("provider",), every="month", end=date(2026, 4, 30)
    )
    assert [(row.period, row.provider, row.committed) for row in rows] == [
        ("2026-03", "amazon", 100),
        ("2026-03", "oracle", 0),
        ("2026-04", "amazon", 100),
        ("2026-04", "oracle", 30),
    ]
    assert rows[0].as_dict()["provider"] == "amazon" and "holder" not in rows[0].as_dict()


def test_timeline_steps_put_each_change_on_its_own_date(led: Ledger, clock: SetClock) -> None:
    dollars(led, clock)
    steps = timeline_steps(led, resource="usd", start=date(2026, 1, 1), end=date(2026, 4, 30))
    assert [(row.as_of, row.kind, row.committed, row.delivered) for row in steps] == [
        (date(2026, 1, 1), "investment", 0, 0),
        (date(2026, 1, 1), "spend", 0, 0),
        (date(2026, 1, 10), "investment", 25, 0),
        (date(2026, 2, 20), "investment", 25, 5),
        (date(2026, 3, 1), "spend", 100, 0),
        (date(2026, 4, 15), "spend", 130, 0),
    ]
    by_quarter = timeline(led, resource="usd", every="quarter", end=date(2026, 4, 30))
    assert (by_quarter[0].as_of, by_quarter[0].delivered) == (date(2026, 3, 31), 5)
