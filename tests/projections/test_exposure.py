"""Exposure: each provider's holders' shares (or each holder's providers'), the HHI, and the
parts of each total that are ceilings and floors, as of a date and known at an instant."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger import Ledger
from projections import exposure, exposure_by_period

from .conftest import SetClock, amended, delivered, event, made

B = Decimal(1_000_000_000)


def book(led: Ledger, clock: SetClock) -> None:
    """Amazon: $30B spend from anthropic (a floor), $10B exact from openai; 3 GW of capacity
    up to, for anthropic; an investment in anthropic (investment dollars are not spend)."""
    clock.set("2026-05-01T00:00:00")
    led.record(
        [
            made("aws-anthropic-spend", "2026-01-10", kind="spend", bound="at_least", usd="30e9"),
            made(
                "aws-openai-spend",
                "2026-02-10",
                holder="openai",
                kind="spend",
                bound="exact",
                usd="10e9",
            ),
            made("aws-anthropic-gw", "2026-01-10", kind="capacity", bound="up_to", gw="3"),
            made("aws-anthropic-equity", "2026-03-01", kind="investment", usd="8e9"),
            delivered("aws-anthropic-spend", "2026-04-01", usd="6e9"),
        ]
    )


def test_a_providers_holders_have_shares_of_its_total_per_kind_and_resource(
    led: Ledger, clock: SetClock
) -> None:
    book(led, clock)
    rows = exposure(led, as_of=date(2026, 6, 30))
    spend = next(row for row in rows if row.kind == "spend")
    assert (spend.party, spend.resource, spend.total) == ("amazon", "usd", 40 * B)
    assert [(part.party, part.amount, part.share) for part in spend.counterparties] == [
        ("anthropic", 30 * B, Decimal("0.75")),
        ("openai", 10 * B, Decimal("0.25")),
    ]
    assert spend.top.party == "anthropic"
    assert spend.hhi == 75**2 + 25**2
    # Investment dollars are a row of their own, never added to spend dollars.
    assert sorted((row.kind, row.resource, row.total) for row in rows) == [
        ("capacity", "gw", 3),
        ("investment", "usd", 8 * B),
        ("spend", "usd", 40 * B),
    ]


def test_ceilings_and_floors_are_shown_beside_the_total(led: Ledger, clock: SetClock) -> None:
    book(led, clock)
    rows = {row.kind: row for row in exposure(led, as_of=date(2026, 6, 30))}
    assert (rows["spend"].ceiling, rows["spend"].floor) == (0, 30 * B)
    assert (rows["capacity"].ceiling, rows["capacity"].floor) == (3, 0)
    assert (rows["investment"].ceiling, rows["investment"].floor) == (8 * B, 0)
    parts = {part.party: part for part in rows["spend"].counterparties}
    assert (parts["anthropic"].floor, parts["openai"].floor) == (30 * B, 0)


def test_an_amended_bound_counts_from_its_date_and_as_known_then(
    led: Ledger, clock: SetClock
) -> None:
    book(led, clock)
    clock.set("2026-07-01T00:00:00")
    led.record([{**amended("aws-anthropic-gw", "2026-06-01", gw="4"), "bound": "exact"}])
    before, after = date(2026, 5, 31), date(2026, 6, 30)
    (earlier,) = exposure(led, as_of=before, kind="capacity")
    (later,) = exposure(led, as_of=after, kind="capacity")
    (then,) = exposure(led, as_of=after, kind="capacity", known_at=date(2026, 6, 1))
    assert (earlier.total, earlier.ceiling) == (3, 3)
    assert (later.total, later.ceiling) == (4, 0)
    assert (then.total, then.ceiling) == (3, 3)


def test_a_corrected_bound_is_the_bound(led: Ledger, clock: SetClock) -> None:
    book(led, clock)
    (opening,) = [row for row in led.read_stream("aws-openai-spend")]
    replacement = {**made("aws-openai-spend", "2026-02-10", holder="openai", kind="spend")}
    replacement |= {"bound": "up_to", "amounts": {"usd": "10e9"}}
    clock.set("2026-07-01T00:00:00")
    led.record(
        [
            event(
                "EventCorrected",
                "aws-openai-spend",
                target=str(opening.event_id),
                replacement=replacement,
            )
        ]
    )
    (spend,) = exposure(led, as_of=date(2026, 6, 30), kind="spend")
    assert (spend.ceiling, spend.floor) == (10 * B, 30 * B)


def test_the_ceiling_and_floor_are_of_committed_whatever_the_measure(
    led: Ledger, clock: SetClock
) -> None:
    book(led, clock)
    (outstanding,) = exposure(led, as_of=date(2026, 6, 30), kind="spend", measure="outstanding")
    parts = {part.party: part for part in outstanding.counterparties}
    assert (parts["anthropic"].amount, parts["anthropic"].floor) == (24 * B, 30 * B)
    assert (outstanding.total, outstanding.floor) == (34 * B, 30 * B)


def test_a_cancelled_commitment_is_no_longer_a_ceiling(led: Ledger, clock: SetClock) -> None:
    book(led, clock)
    clock.set("2026-07-01T00:00:00")
    led.record([event("CommitmentCancelled", "aws-anthropic-gw", effective="2026-06-01")])
    assert exposure(led, as_of=date(2026, 6, 30), kind="capacity") == []
    (before,) = exposure(led, as_of=date(2026, 5, 31), kind="capacity")
    assert (before.total, before.ceiling) == (3, 3)


def test_measures_and_the_holder_side(led: Ledger, clock: SetClock) -> None:
    book(led, clock)
    (outstanding,) = exposure(led, as_of=date(2026, 6, 30), kind="spend", measure="outstanding")
    assert [(p.party, p.amount) for p in outstanding.counterparties] == [
        ("anthropic", 24 * B),
        ("openai", 10 * B),
    ]
    (paid,) = exposure(led, as_of=date(2026, 6, 30), kind="spend", measure="delivered")
    assert [(p.party, p.share) for p in paid.counterparties] == [("anthropic", 1)]
    assert paid.hhi == 10_000
    rows = exposure(led, as_of=date(2026, 6, 30), side="holder", kind="spend")
    assert [(row.party, row.total, row.top.party) for row in rows] == [
        ("anthropic", 30 * B, "amazon"),
        ("openai", 10 * B, "amazon"),
    ]
    assert rows[0].as_dict()["top_provider"] == "amazon"


def test_nothing_to_share_is_an_empty_answer_not_a_division_by_zero(
    led: Ledger, clock: SetClock
) -> None:
    assert exposure(led) == []
    book(led, clock)
    assert exposure(led, as_of=date(2025, 12, 31)) == []
    assert exposure(led, provider="nobody") == []
    assert exposure(led, as_of=date(2026, 6, 30), kind="capacity", measure="delivered") == []
    assert exposure_by_period(led, "nobody") == []


def test_a_bad_side_or_measure_is_refused(led: Ledger) -> None:
    with pytest.raises(ValueError, match="side"):
        exposure(led, side="lab")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="measure"):
        exposure(led, measure="scheduled")  # type: ignore[arg-type]


def test_one_providers_shares_quarter_by_quarter(led: Ledger, clock: SetClock) -> None:
    book(led, clock)
    history = exposure_by_period(led, "amazon", kind="spend", resource="usd", end=date(2026, 6, 30))
    assert [(period.period, period.as_of) for period in history] == [
        ("2026-Q1", date(2026, 3, 31)),
        ("2026-Q2", date(2026, 6, 30)),
    ]
    shares = [
        {part.party: part.share for row in period.rows for part in row.counterparties}
        for period in history
    ]
    assert shares == [
        {"anthropic": Decimal("0.75"), "openai": Decimal("0.25")},
        {"anthropic": Decimal("0.75"), "openai": Decimal("0.25")},
    ]
