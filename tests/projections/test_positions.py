"""Positions as of a date, known at an instant: the Amazon -> Anthropic worked example."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from ledger import Ledger
from projections import PositionRow, attach, changes, positions

from .conftest import SetClock, amended, delivered, made, scheduled

DEAL = "amazon-anthropic-investment"


def record_the_deal(led: Ledger, clock: SetClock) -> dict[str, datetime]:
    """Amazon's investment in Anthropic as reported, with a misreported delivery later fixed."""
    at: dict[str, datetime] = {}
    clock.set("2023-09-26T12:00:00")
    made_and_first = [
        made(DEAL, "2023-09-25", usd="4000000000"),
        delivered(DEAL, "2023-09-25", usd="1250000000"),
    ]
    at["made"] = led.record(made_and_first).recorded_at  # type: ignore[assignment]
    clock.set("2024-03-28T09:00:00")
    wrong = delivered(DEAL, "2024-03-27", usd="2500000000")
    at["misreported"] = led.record([wrong]).recorded_at  # type: ignore[assignment]
    clock.set("2024-04-02T09:00:00")
    target = list(led.read_all())[-1]
    fix = {
        "type": "EventCorrected",
        "commitment": DEAL,
        "target": str(target.event_id),
        "replacement": delivered(DEAL, "2024-03-27", usd="2750000000"),
    }
    at["corrected"] = led.record([fix]).recorded_at  # type: ignore[assignment]
    clock.set("2024-11-23T09:00:00")
    at["8B"] = led.record([amended(DEAL, "2024-11-22", usd="8000000000")]).recorded_at  # type: ignore[assignment]
    clock.set("2026-04-21T09:00:00")
    at["33B"] = led.record([amended(DEAL, "2026-04-20", usd="33000000000")]).recorded_at  # type: ignore[assignment]
    clock.set("2026-05-01T12:00:00")
    return at


def usd(committed: str, delivered_: str, outstanding: str) -> list[dict[str, str]]:
    return [
        {
            "holder": "anthropic",
            "provider": "amazon",
            "kind": "investment",
            "resource": "usd",
            "committed": committed,
            "scheduled": "0",
            "delivered": delivered_,
            "outstanding": outstanding,
            "ceiling": committed,  # the deal is "up to"
            "floor": "0",
        }
    ]


def table(led: Ledger, **query: object) -> list[dict[str, str]]:
    return [row.as_dict() for row in positions(led, **query)]  # type: ignore[arg-type]


@pytest.mark.parametrize("attached", [True, False], ids=["attached", "caught-up"])
def test_the_worked_example_as_of_several_dates(
    led: Ledger, clock: SetClock, attached: bool
) -> None:
    if attached:
        attach(led)
    record_the_deal(led, clock)
    assert table(led, as_of=date(2023, 9, 24)) == []
    assert table(led, as_of=date(2023, 9, 25)) == usd("4000000000", "1250000000", "2750000000")
    assert table(led, as_of=date(2024, 6, 30)) == usd("4000000000", "4000000000", "0")
    assert table(led, as_of=date(2025, 1, 1)) == usd("8000000000", "4000000000", "4000000000")
    assert table(led, as_of=date(2026, 4, 20)) == usd("33000000000", "4000000000", "29000000000")


def test_as_of_defaults_to_today_by_the_ledger_clock(led: Ledger, clock: SetClock) -> None:
    record_the_deal(led, clock)
    clock.set("2026-04-19T23:00:00")
    assert table(led) == usd("8000000000", "4000000000", "4000000000")
    clock.set("2026-04-20T00:00:00")
    assert table(led) == usd("33000000000", "4000000000", "29000000000")


def test_a_correction_changes_positions_known_after_it_but_not_before(
    led: Ledger, clock: SetClock
) -> None:
    at = record_the_deal(led, clock)
    as_of = date(2024, 6, 30)
    before = table(led, as_of=as_of, known_at=at["corrected"] - timedelta(microseconds=1))
    assert before == usd("4000000000", "3750000000", "250000000")
    assert table(led, as_of=as_of, known_at=at["corrected"]) == usd("4000000000", "4000000000", "0")
    assert table(led, as_of=as_of, known_at=at["misreported"]) == before


def test_an_amendment_recorded_later_is_unknown_before_it_was_recorded(
    led: Ledger, clock: SetClock
) -> None:
    at = record_the_deal(led, clock)
    as_of = date(2026, 5, 1)
    known_then = table(led, as_of=as_of, known_at=date(2026, 4, 20))
    assert known_then == usd("8000000000", "4000000000", "4000000000")
    assert table(led, as_of=as_of, known_at=at["33B"]) == usd(
        "33000000000", "4000000000", "29000000000"
    )


def test_known_at_as_a_date_means_the_end_of_that_day_utc(led: Ledger, clock: SetClock) -> None:
    record_the_deal(led, clock)  # the 33B amendment was recorded 2026-04-21 09:00 UTC
    as_of = date(2026, 5, 1)
    assert table(led, as_of=as_of, known_at=date(2026, 4, 21))[0]["committed"] == "33000000000"
    assert table(led, as_of=as_of, known_at=date(2026, 4, 20))[0]["committed"] == "8000000000"
    assert table(led, as_of=as_of, known_at=date(2023, 9, 25)) == []


def test_a_back_dated_delivery_changes_the_past_only_as_known_after_it(
    led: Ledger, clock: SetClock
) -> None:
    at = record_the_deal(led, clock)
    clock.set("2026-06-01T00:00:00")
    led.record([delivered(DEAL, "2025-01-15", usd="1000000000")])
    as_of = date(2025, 2, 1)
    assert table(led, as_of=as_of)[0]["delivered"] == "5000000000"
    assert table(led, as_of=as_of, known_at=at["33B"])[0]["delivered"] == "4000000000"


def test_a_retraction_removes_the_event_from_positions_known_after_it(
    led: Ledger, clock: SetClock
) -> None:
    record_the_deal(led, clock)
    amendment = list(led.read_all())[-1]
    clock.set("2026-06-01T00:00:00")
    retract = {"type": "EventRetracted", "commitment": DEAL, "target": str(amendment.event_id)}
    led.record([retract])
    assert table(led, as_of=date(2026, 5, 1))[0]["committed"] == "8000000000"
    assert table(led, as_of=date(2026, 5, 1), known_at=date(2026, 5, 1))[0]["committed"] == (
        "33000000000"
    )


def portfolio(led: Ledger, clock: SetClock) -> None:
    clock.set("2026-04-21T09:00:00")
    led.record(
        [
            made(DEAL, "2023-09-25", usd="8000000000"),
            delivered(DEAL, "2023-09-25", usd="4000000000"),
            made("google-anthropic", "2023-10-27", provider="google", usd="2000000000"),
            delivered("google-anthropic", "2023-10-27", usd="500000000"),
            made("aws-capacity", "2026-04-20", kind="capacity", gw="5", usd="100000000000"),
            scheduled("aws-capacity", "2026-04-20", "phase-1", due="2027-06-30", gw="1.5"),
            delivered("aws-capacity", "2026-04-20", tranche="phase-1", gw="0.25"),
            made(
                "azure-openai",
                "2025-01-01",
                provider="microsoft",
                holder="openai",
                kind="spend",
                bound="at_least",
                usd="250000000000",
            ),
        ]
    )


def test_positions_are_grouped_by_the_keys_asked_for(led: Ledger, clock: SetClock) -> None:
    portfolio(led, clock)
    rows = positions(led, as_of=date(2026, 5, 1), by=("holder", "kind", "resource"))
    assert [(row.holder, row.kind, row.resource) for row in rows] == [
        ("anthropic", "capacity", "gw"),
        ("anthropic", "capacity", "usd"),
        ("anthropic", "investment", "usd"),
        ("openai", "spend", "usd"),
    ]
    assert rows[2] == PositionRow(
        committed=Decimal("10000000000"),
        scheduled=Decimal(0),
        delivered=Decimal("4500000000"),
        outstanding=Decimal("5500000000"),
        ceiling=Decimal("10000000000"),
        holder="anthropic",
        kind="investment",
        resource="usd",
    )
    assert rows[0].as_dict() == {
        "holder": "anthropic",
        "kind": "capacity",
        "resource": "gw",
        "committed": "5",
        "scheduled": "1.5",
        "delivered": "0.25",
        "outstanding": "4.75",
        "ceiling": "5",
        "floor": "0",
    }


def test_filters_narrow_the_commitments_summed(led: Ledger, clock: SetClock) -> None:
    portfolio(led, clock)
    as_of = date(2026, 5, 1)
    by_kind = positions(led, as_of=as_of, holder="anthropic", resource="usd", by=("kind",))
    assert [(row.kind, row.committed) for row in by_kind] == [
        ("capacity", Decimal("100000000000")),
        ("investment", Decimal("10000000000")),
    ]
    assert [row.provider for row in positions(led, as_of=as_of, provider="google")] == ["google"]
    assert positions(led, as_of=as_of, kind="spend")[0].holder == "openai"
    one = positions(led, as_of=as_of, commitment=DEAL, by=("commitment", "resource"))
    assert [row.as_dict()["commitment"] for row in one] == [DEAL]


def test_outstanding_is_clamped_per_commitment_before_summing(led: Ledger, clock: SetClock) -> None:
    clock.set("2026-01-01T00:00:00")
    led.record(
        [
            made("floor", "2025-01-01", bound="at_least", usd="100"),
            delivered("floor", "2025-02-01", usd="150"),
            made("ceiling", "2025-01-01", provider="google", usd="100"),
            delivered("ceiling", "2025-02-01", usd="40"),
        ]
    )
    (row,) = positions(led, as_of=date(2025, 3, 1), by=("holder", "kind", "resource"))
    assert (row.committed, row.delivered, row.outstanding) == (200, 190, 60)


def test_a_cancelled_commitment_keeps_only_what_was_delivered(led: Ledger, clock: SetClock) -> None:
    portfolio(led, clock)
    clock.tick(days=1)
    led.record(
        [{"type": "CommitmentCancelled", "commitment": "aws-capacity", "effective": "2026-06-01"}]
    )
    rows = positions(led, as_of=date(2026, 6, 1), commitment="aws-capacity", resource="gw")
    assert [(r.committed, r.scheduled, r.delivered, r.outstanding) for r in rows] == [
        (Decimal("0.25"), Decimal("0.25"), Decimal("0.25"), Decimal(0))
    ]


def test_grouping_by_an_unknown_key_or_across_resources_is_refused(led: Ledger) -> None:
    with pytest.raises(ValueError, match="by must name"):
        positions(led, by=("site",))
    with pytest.raises(ValueError, match="resource"):
        positions(led, by=("holder", "kind"))
    assert positions(led, by=("holder", "kind"), resource="usd") == []


def test_grouping_across_kinds_is_refused_unless_one_kind_is_chosen(
    led: Ledger, clock: SetClock
) -> None:
    portfolio(led, clock)
    as_of = date(2026, 5, 1)
    with pytest.raises(ValueError, match="investment, spend and capacity are never added"):
        positions(led, as_of=as_of, resource="usd", by=("holder",))
    with pytest.raises(ValueError, match="by must include kind"):
        changes(led, known_from=date(2026, 1, 1), resource="usd", by=("holder", "resource"))
    spend = positions(led, as_of=as_of, resource="usd", kind="spend", by=("holder",))
    assert [(row.holder, row.committed) for row in spend] == [("openai", 250_000_000_000)]
    per_deal = positions(led, as_of=as_of, resource="usd", by=("commitment",))
    assert len(per_deal) == 4  # a commitment has one kind
