"""How much of committed is a ceiling (`up_to`) or a floor (`at_least`): per position row, as
bounds are amended and commitments cancelled, through the buckets and the postings alike."""

from __future__ import annotations

from datetime import date

import pytest

from ledger import Ledger
from projections import attach, positions, project

from .conftest import SetClock, delivered, event, made

AS_OF = date(2026, 6, 30)


def bounded_deals(led: Ledger, clock: SetClock) -> None:
    """Up to $25B of equity, at least $100B of spend and an exact $30B spend, from Amazon; a
    firm $10B of equity from Google, amended to "up to" on 2026-03-01."""
    clock.set("2026-05-01T00:00:00")
    led.record(
        [
            made("aws-equity", "2026-01-10", bound="up_to", usd="25"),
            delivered("aws-equity", "2026-02-01", usd="5"),
            made("aws-floor", "2026-01-15", kind="spend", bound="at_least", usd="100"),
            made("aws-exact", "2026-01-20", kind="spend", bound="exact", usd="30"),
            made("google-equity", "2026-01-05", provider="google", bound="exact", usd="10"),
            event("CommitmentAmended", "google-equity", effective="2026-03-01", bound="up_to"),
        ]
    )


@pytest.mark.parametrize("by", [("provider", "kind", "resource"), ("commitment", "resource")])
def test_ceiling_and_floor_are_the_bounded_part_of_committed(
    led: Ledger, clock: SetClock, by: tuple[str, ...]
) -> None:
    attach(led)
    bounded_deals(led, clock)
    rows = positions(led, as_of=AS_OF, by=by)
    figures = {row.as_dict()[by[0]] + "/" + str(row.kind): row for row in rows}
    if by[0] == "provider":
        assert {key: (r.committed, r.ceiling, r.floor) for key, r in figures.items()} == {
            "amazon/investment": (25, 25, 0),
            "amazon/spend": (130, 0, 100),
            "google/investment": (10, 10, 0),
        }
    else:
        assert {key: (r.committed, r.ceiling, r.floor) for key, r in figures.items()} == {
            "aws-equity/None": (25, 25, 0),
            "aws-exact/None": (30, 0, 0),
            "aws-floor/None": (100, 0, 100),
            "google-equity/None": (10, 10, 0),
        }


def test_an_amended_bound_counts_from_its_date_and_a_cancellation_ends_it(
    led: Ledger, clock: SetClock
) -> None:
    bounded_deals(led, clock)
    google = {"provider": "google", "resource": "usd", "kind": "investment"}
    (before,) = positions(led, as_of=date(2026, 2, 28), **google)
    (after,) = positions(led, as_of=date(2026, 3, 1), **google)
    assert (before.ceiling, after.ceiling) == (0, 10)
    clock.tick(days=1)
    led.record([event("CommitmentCancelled", "aws-equity", effective="2026-04-01")])
    (equity,) = positions(led, as_of=AS_OF, commitment="aws-equity", resource="usd")
    assert (equity.committed, equity.ceiling) == (5, 0)  # what was delivered: a fact
    (known_then,) = positions(
        led, as_of=AS_OF, commitment="aws-equity", resource="usd", known_at=date(2026, 5, 1)
    )
    assert known_then.ceiling == 25


def test_rows_carry_ceiling_and_floor_as_exact_strings_and_a_rebuild_keeps_them(
    led: Ledger, clock: SetClock
) -> None:
    bounded_deals(led, clock)
    by = ("provider", "kind", "resource")
    kept = positions(led, as_of=AS_OF, by=by)
    assert kept[1].as_dict() == {
        "provider": "amazon",
        "kind": "spend",
        "resource": "usd",
        "committed": "130",
        "scheduled": "0",
        "delivered": "0",
        "outstanding": "130",
        "ceiling": "0",
        "floor": "100",
    }
    project(led, rebuild=True)
    assert positions(led, as_of=AS_OF, by=by) == kept
