"""Late tranches: every live tranche due before the date asked about, not delivered in full."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ledger import Ledger
from projections import overdue

from .conftest import SetClock, delivered, event, made, scheduled


def _reported(data: dict[str, Any], publisher: str, day: str) -> dict[str, Any]:
    return {**data, "source": {"publisher": publisher, "date": day}}


def _seen(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (r.commitment, r.tranche, r.resource, r.days_late, r.scheduled, r.delivered, r.outstanding)
        for r in rows
    ]


def _two_deals(led: Ledger) -> None:
    led.record(
        [
            made("gpus", "2024-01-01", kind="capacity", gw="5", usd="1000"),
            _reported(
                scheduled("gpus", "2024-01-01", "phase-1", due="2024-06-30", gw="2", usd="100"),
                "Reuters",
                "2024-01-02",
            ),
            delivered("gpus", "2024-05-01", tranche="phase-1", gw="0.5", usd="100"),
            scheduled("gpus", "2024-01-01", "phase-2", due="2024-09-30", gw="1"),
            scheduled("gpus", "2024-01-01", "phase-3", gw="1"),  # no due date: never late
            made("cash", "2024-01-01", provider="google", usd="500"),
            scheduled("cash", "2024-02-01", "first", due="2024-03-31", usd="200"),
            delivered("cash", "2024-03-01", tranche="first", usd="200"),
            scheduled("cash", "2024-02-01", "second", due="2024-08-31", usd="300"),
            event("TrancheCancelled", "cash", effective="2024-10-15", tranche="second"),
        ]
    )


def test_late_tranches_are_listed_the_latest_first_with_what_they_still_owe(led: Ledger) -> None:
    _two_deals(led)
    rows = overdue(led, as_of=date(2024, 10, 1))
    assert _seen(rows) == [
        ("gpus", "phase-1", "gw", 93, Decimal(2), Decimal("0.5"), Decimal("1.5")),
        ("cash", "second", "usd", 31, Decimal(300), Decimal(0), Decimal(300)),
        ("gpus", "phase-2", "gw", 1, Decimal(1), Decimal(0), Decimal(1)),
    ]
    first = rows[0]
    assert (first.holder, first.provider, first.kind, first.due) == (
        "anthropic",
        "amazon",
        "capacity",
        date(2024, 6, 30),
    )
    assert (first.publisher, first.source_date) == ("Reuters", date(2024, 1, 2))
    assert first.as_dict()["outstanding"] == "1.5" and first.as_dict()["due"] == "2024-06-30"
    assert rows[1].publisher is None and rows[1].as_dict()["source_date"] is None


def test_a_tranche_due_on_the_day_asked_about_is_not_late_yet(led: Ledger) -> None:
    _two_deals(led)
    assert _seen(overdue(led, as_of=date(2024, 6, 30))) == []
    assert [r.days_late for r in overdue(led, as_of=date(2024, 7, 1))] == [1]


def test_a_cancelled_tranche_owes_nothing_from_its_cancellation_on(led: Ledger) -> None:
    _two_deals(led)
    late = overdue(led, as_of=date(2024, 10, 15))
    assert [(r.commitment, r.tranche) for r in late] == [("gpus", "phase-1"), ("gpus", "phase-2")]
    led.record([event("CommitmentCancelled", "gpus", effective="2024-10-20")])
    assert overdue(led, as_of=date(2024, 10, 21)) == []
    assert len(overdue(led, as_of=date(2024, 10, 19))) == 2


def test_filters_narrow_the_tranches_as_they_narrow_positions(led: Ledger) -> None:
    _two_deals(led)
    as_of = date(2024, 10, 1)
    assert [r.tranche for r in overdue(led, as_of=as_of, provider="google")] == ["second"]
    assert [r.tranche for r in overdue(led, as_of=as_of, resource="usd")] == ["second"]
    assert [r.tranche for r in overdue(led, as_of=as_of, commitment="gpus")] == [
        "phase-1",
        "phase-2",
    ]
    assert overdue(led, as_of=as_of, kind="spend") == []
    assert overdue(led, as_of=as_of, holder="openai") == []


def test_late_as_the_ledger_knew_it_and_after_a_correction_moved_the_due_date(
    led: Ledger, clock: SetClock
) -> None:
    clock.set("2024-07-02T09:00:00")
    _two_deals(led)
    phase_1 = next(s for s in led.read_all() if getattr(s.event, "tranche", "") == "phase-1")
    clock.set("2024-07-10T09:00:00")
    fix = {
        "type": "EventCorrected",
        "commitment": "gpus",
        "target": str(phase_1.event_id),
        "replacement": scheduled(
            "gpus", "2024-01-01", "phase-1", due="2024-12-31", gw="2", usd="100"
        ),
        "source": {"publisher": "Bloomberg", "date": "2024-07-09"},
    }
    led.record([fix])
    as_of = date(2024, 10, 1)
    assert [r.tranche for r in overdue(led, as_of=as_of)] == ["second", "phase-2"]
    before = overdue(led, as_of=as_of, known_at=date(2024, 7, 5))
    assert [(r.tranche, r.publisher) for r in before] == [
        ("phase-1", "Reuters"),
        ("second", None),
        ("phase-2", None),
    ]
    # The replacement names no source: the correction's is the schedule's source.
    moved = overdue(led, as_of=date(2025, 1, 2), commitment="gpus", resource="gw")
    assert [(r.tranche, r.days_late, r.publisher, r.source_date) for r in moved] == [
        ("phase-2", 94, None, None),
        ("phase-1", 2, "Bloomberg", date(2024, 7, 9)),
    ]


def test_a_replacement_with_a_source_of_its_own_is_the_schedules_source(led: Ledger) -> None:
    led.record(
        [
            made("deal", "2024-01-01", usd="500"),
            scheduled("deal", "2024-01-01", "t", due="2024-02-01", usd="50"),
        ]
    )
    target = list(led.read_all())[-1]
    replacement = _reported(
        scheduled("deal", "2024-01-01", "t", due="2024-03-01", usd="60"), "FT", "2024-01-15"
    )
    fix = {
        "type": "EventCorrected",
        "commitment": "deal",
        "target": str(target.event_id),
        "replacement": replacement,
        "source": {"publisher": "a blog", "date": "2024-01-16"},
    }
    led.record([fix])
    (row,) = overdue(led, as_of=date(2024, 4, 1))
    assert (row.due, row.scheduled, row.publisher, row.source_date) == (
        date(2024, 3, 1),
        Decimal(60),
        "FT",
        date(2024, 1, 15),
    )
