"""What the public record says, asked of the demo ledger: who holds each provider's book, and
where money goes round (cli/demo/public-deals.jsonl, recorded as reported)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cli.demo.command import load_deals
from ledger import Ledger
from projections import exposure, flows

B = Decimal(1_000_000_000)
MID_2026 = date(2026, 6, 30)


@pytest.fixture
def demo(ledger: Ledger) -> Ledger:
    """The demo ledger on each backend, each event known from the day it was reported."""
    ledger.record_stream(load_deals(), as_reported=True)
    return ledger


def test_openai_holds_all_of_oracles_contracted_capacity(demo: Ledger) -> None:
    rows = {row.kind: row for row in exposure(demo, as_of=MID_2026, provider="oracle")}
    capacity, spend = rows["capacity"], rows["spend"]
    assert (capacity.resource, capacity.total, capacity.top.party) == (
        "gw",
        Decimal("4.5"),
        "openai",
    )
    assert (capacity.top.share, capacity.hhi) == (1, 10_000)
    assert (spend.total, spend.top.party, spend.top.share) == (300 * B, "openai", 1)
    assert (spend.ceiling, spend.floor) == (0, 0)  # both reported as exact figures


def test_anthropic_holds_most_of_amazons_gigawatts_and_most_are_bounds(demo: Ledger) -> None:
    (row,) = exposure(demo, as_of=MID_2026, provider="amazon", resource="gw")
    shares = {part.party: part.share for part in row.counterparties}
    assert row.total == Decimal("9.2")
    assert shares["anthropic"] == Decimal("7.2") / Decimal("9.2")
    assert row.top.party == "anthropic"
    # Up to 5 GW of Trainium (2026) is a ceiling, Project Rainier's 2.2 GW a floor.
    assert (row.ceiling, row.floor) == (5, Decimal("2.2"))


def test_amazon_invests_in_openai_and_openai_commits_to_spend_with_amazon(demo: Ledger) -> None:
    pairs = {(pair.a, pair.b): pair for pair in flows(demo, as_of=MID_2026).pairs}
    pair = pairs[("amazon", "openai")]
    assert pair.a_to_b == {"investment": 50 * B}  # up to $50B, February 2026
    assert pair.b_to_a == {"spend": 138 * B}  # $38B (November 2025) and $100B (February 2026)
    assert pair.round_trip == Decimal(50) / Decimal(138)
    (investment,) = exposure(demo, as_of=MID_2026, provider="amazon", kind="investment")
    openai = next(part for part in investment.counterparties if part.party == "openai")
    assert openai.ceiling == 50 * B  # "up to": a ceiling, not a sum paid


def test_before_the_investment_was_reported_only_the_spend_was_known(demo: Ledger) -> None:
    then = flows(demo, as_of=MID_2026, known_at=date(2025, 12, 31))
    pair = next(pair for pair in then.pairs if {pair.a, pair.b} == {"amazon", "openai"})
    assert (pair.a_to_b, pair.b_to_a, pair.round_trip) == ({}, {"spend": 38 * B}, 0)


def test_money_goes_round_from_amazon_through_both_labs_and_microsoft(demo: Ledger) -> None:
    found = flows(demo, as_of=MID_2026, cycles=True)
    rings = {cycle.parties: cycle.smallest for cycle in found.cycles or ()}
    assert rings[("amazon", "openai")].amount == 50 * B
    # Amazon invests in Anthropic, which spends with Microsoft, which invests in OpenAI,
    # which spends with Amazon: at most Microsoft's $10B in OpenAI goes all the way round.
    smallest = rings[("amazon", "anthropic", "microsoft", "openai")]
    assert (smallest.source, smallest.target, smallest.amount) == ("microsoft", "openai", 10 * B)


def test_before_any_deal_there_is_nothing_to_share_or_to_go_round(demo: Ledger) -> None:
    assert exposure(demo, as_of=date(2022, 12, 31)) == []
    early = flows(demo, as_of=date(2022, 12, 31), cycles=True)
    assert (early.edges, early.pairs, early.cycles) == ((), (), ())
