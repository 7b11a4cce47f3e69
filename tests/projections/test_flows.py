"""Money flows: investments run from investor to investee, spend and capacity priced in dollars
from customer to provider; pairs with their round trip, and the cycles."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

import pytest

from ledger import Ledger
from projections import MissingExtra, flows

from .conftest import SetClock, delivered, made

B = Decimal(1_000_000_000)


def ring(led: Ledger, clock: SetClock) -> None:
    """Nvidia invests in openai, openai spends with microsoft, microsoft buys nvidia's chips
    (a capacity deal priced in dollars); microsoft also invests in openai."""
    clock.set("2026-05-01T00:00:00")
    led.record(
        [
            made("nv-oai", "2026-01-05", provider="nvidia", holder="openai", usd="30e9"),
            made(
                "oai-azure",
                "2026-01-10",
                provider="microsoft",
                holder="openai",
                kind="spend",
                bound="exact",
                usd="250e9",
            ),
            made(
                "ms-nv-chips",
                "2026-02-01",
                provider="nvidia",
                holder="microsoft",
                kind="capacity",
                usd="20e9",
                gw="1",
            ),
            made("ms-oai", "2026-03-01", provider="microsoft", holder="openai", usd="10e9"),
            made(
                "oai-gw-only",
                "2026-03-01",
                provider="oracle",
                holder="openai",
                kind="capacity",
                gw="4.5",
            ),
            delivered("nv-oai", "2026-04-01", usd="5e9"),
        ]
    )


def test_money_runs_from_investor_to_investee_and_from_customer_to_provider(
    led: Ledger, clock: SetClock
) -> None:
    ring(led, clock)
    found = flows(led, as_of=date(2026, 6, 30))
    assert [(e.source, e.target, e.kind, e.amount) for e in found.edges] == [
        ("microsoft", "nvidia", "capacity", 20 * B),
        ("microsoft", "openai", "investment", 10 * B),
        ("nvidia", "openai", "investment", 30 * B),
        ("openai", "microsoft", "spend", 250 * B),
    ]
    # A deal with no dollars (oracle's gigawatts) moves no money.
    assert "oracle" not in found.parties()


def test_a_pair_puts_the_investor_first_and_its_round_trip_is_the_smaller_over_the_larger(
    led: Ledger, clock: SetClock
) -> None:
    ring(led, clock)
    pairs = {(pair.a, pair.b): pair for pair in flows(led, as_of=date(2026, 6, 30)).pairs}
    assert set(pairs) == {("microsoft", "nvidia"), ("microsoft", "openai"), ("nvidia", "openai")}
    both = pairs[("microsoft", "openai")]
    assert both.a_to_b == {"investment": 10 * B}
    assert both.b_to_a == {"spend": 250 * B}
    assert both.round_trip == Decimal("0.04")
    assert pairs[("nvidia", "openai")].round_trip == 0
    assert both.as_dict()["b_to_a_spend"] == "250000000000"


def test_the_measure_chooses_the_amounts(led: Ledger, clock: SetClock) -> None:
    ring(led, clock)
    paid = flows(led, as_of=date(2026, 6, 30), measure="delivered")
    assert [(e.source, e.target, e.amount) for e in paid.edges] == [("nvidia", "openai", 5 * B)]
    owed = flows(led, as_of=date(2026, 6, 30), measure="outstanding")
    assert {(e.source, e.amount) for e in owed.edges if e.target == "openai"} == {
        ("microsoft", 10 * B),
        ("nvidia", 25 * B),
    }


def test_cycles_go_round_and_their_smallest_edge_is_what_can_go_all_the_way(
    led: Ledger, clock: SetClock
) -> None:
    ring(led, clock)
    found = flows(led, as_of=date(2026, 6, 30), cycles=True)
    assert found.cycles is not None
    assert [(c.parties, c.smallest.amount, c.smallest.kind) for c in found.cycles] == [
        (("microsoft", "nvidia", "openai"), 20 * B, "capacity"),
        (("microsoft", "openai"), 10 * B, "investment"),
    ]
    # Before microsoft's chips and its investment, no money went round.
    early = flows(led, as_of=date(2026, 1, 31), cycles=True)
    assert early.cycles == ()
    # As known before anything was recorded, nothing at all.
    assert flows(led, as_of=date(2026, 6, 30), known_at=date(2026, 4, 30)).edges == ()


def test_no_deals_no_flows(led: Ledger) -> None:
    found = flows(led, cycles=True)
    assert (found.edges, found.pairs, found.cycles) == ((), (), ())


def test_cycles_without_networkx_name_the_extra_to_install(
    led: Ledger, clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring(led, clock)
    monkeypatch.setitem(sys.modules, "networkx", None)  # import networkx now fails
    assert flows(led, as_of=date(2026, 6, 30)).pairs  # pairs need no graph library
    with pytest.raises(MissingExtra, match=r"capacity-ledger\[graphs\]"):
        flows(led, as_of=date(2026, 6, 30), cycles=True)
