"""Concentration: how much of each provider's book one holder takes (or, seen from the holder,
how its commitments spread across providers), with the Herfindahl-Hirschman index and the
part of each total that is only a ceiling (`up_to`) or a floor (`at_least`).

One read of the position sums per provider, holder, kind and resource (`positions`, from the
buckets), never a replay of the log: the ceiling and floor are measures of the read models like
committed, so the amounts and the bounds come from one statement and agree (a batch recorded
meanwhile is in both or in neither). Amounts of different kinds or resources are never added:
a row is one party, kind and resource.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ledger import Ledger

from ..fold import text
from .positions import PositionRow, positions

__all__ = [
    "EXPOSURE_MEASURES",
    "SIDES",
    "Counterparty",
    "ExposureRow",
    "Measure",
    "Side",
    "exposure",
    "exposure_rows",
]

Side = Literal["provider", "holder"]
Measure = Literal["committed", "outstanding", "delivered"]
SIDES: tuple[Side, ...] = ("provider", "holder")
EXPOSURE_MEASURES: tuple[Measure, ...] = ("committed", "outstanding", "delivered")
_OTHER: dict[str, str] = {"provider": "holder", "holder": "provider"}
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Counterparty:
    """One counterparty's part of a row: its amount, its share of the row's total, and how
    much of its committed amount is an `up_to` ceiling or an `at_least` floor (as in
    `PositionRow`: of committed, whatever the measure)."""

    party: str
    amount: Decimal
    share: Decimal
    ceiling: Decimal
    floor: Decimal

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts and the share as exact decimal strings."""
        return {
            "party": self.party,
            "amount": text(self.amount),
            "share": text(self.share),
            "ceiling": text(self.ceiling),
            "floor": text(self.floor),
        }


@dataclass(frozen=True, slots=True)
class ExposureRow:
    """One party (a provider, or a holder with `side="holder"`), kind and resource: its total
    in the measure, how much of its committed amount is a ceiling or a floor, its
    counterparties (largest first) and the Herfindahl-Hirschman index of their shares (0 to
    10,000)."""

    side: Side
    party: str
    kind: str
    resource: str
    measure: Measure
    total: Decimal
    ceiling: Decimal
    floor: Decimal
    counterparties: tuple[Counterparty, ...]
    hhi: Decimal

    @property
    def top(self) -> Counterparty:
        """The counterparty with the largest amount (by name among equals)."""
        return self.counterparties[0]

    def as_dict(self, *, detail: bool = False) -> dict[str, Any]:
        """JSON-ready, named from the side: a provider row has `holders` and `top_holder`;
        with `detail`, every counterparty's amount and share."""
        other = _OTHER[self.side]
        row: dict[str, Any] = {
            self.side: self.party,
            "kind": self.kind,
            "resource": self.resource,
            "measure": self.measure,
            "total": text(self.total),
            "ceiling": text(self.ceiling),
            "floor": text(self.floor),
            f"{other}s": len(self.counterparties),
            f"top_{other}": self.top.party,
            "top_share": text(self.top.share),
            "hhi": text(self.hhi),
        }
        if detail:
            row["detail"] = [
                {other: part.party} | {k: v for k, v in part.as_dict().items() if k != "party"}
                for part in self.counterparties
            ]
        return row


def exposure(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    known_at: date | datetime | None = None,
    side: Side = "provider",
    measure: Measure = "committed",
    resource: str | None = None,
    kind: str | None = None,
    provider: str | None = None,
    holder: str | None = None,
) -> list[ExposureRow]:
    """Per provider (or holder), kind and resource: the total `measure` as of `as_of`, known
    at `known_at`, each counterparty's share of it, the HHI, and how much of committed is a
    ceiling or a floor. Rows whose total is zero are left out, so an empty ledger, a date
    before any deal or a party with no commitments gives an empty list."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}; got {side!r}")
    if measure not in EXPOSURE_MEASURES:
        raise ValueError(f"measure must be one of {', '.join(EXPOSURE_MEASURES)}; got {measure!r}")
    rows = positions(
        ledger,
        as_of=as_of,
        known_at=known_at,
        resource=resource,
        kind=kind,
        provider=provider,
        holder=holder,
        by=("provider", "holder", "kind", "resource"),
    )
    return exposure_rows(rows, side=side, measure=measure)


def exposure_rows(
    rows: Iterable[PositionRow], *, side: Side, measure: Measure
) -> list[ExposureRow]:
    """Exposure rows from position rows that name provider, holder, kind and resource; a
    counterparty whose `measure` is zero is left out, and so is a row with none left."""
    other = _OTHER[side]
    groups: dict[tuple[str, str, str], dict[str, list[Decimal]]] = {}
    for row in rows:
        amount = getattr(row, measure)
        if not amount:
            continue
        key = (getattr(row, side), row.kind or "", row.resource or "")
        parts = groups.setdefault(key, {}).setdefault(getattr(row, other), [_ZERO] * 3)
        parts[0] += amount
        parts[1] += row.ceiling
        parts[2] += row.floor
    return [
        _row(side, measure, key, parts)
        for key, parts in sorted(groups.items(), key=lambda item: item[0])
    ]


def _row(
    side: Side,
    measure: Measure,
    key: tuple[str, str, str],
    parts: dict[str, list[Decimal]],
) -> ExposureRow:
    total = sum((amount for amount, _, _ in parts.values()), _ZERO)
    counterparties = tuple(
        Counterparty(party, amount, amount / total, ceiling, floor)
        for party, (amount, ceiling, floor) in sorted(
            parts.items(), key=lambda item: (-item[1][0], item[0])
        )
    )
    return ExposureRow(
        side=side,
        party=key[0],
        kind=key[1],
        resource=key[2],
        measure=measure,
        total=total,
        ceiling=sum((part.ceiling for part in counterparties), _ZERO),
        floor=sum((part.floor for part in counterparties), _ZERO),
        counterparties=counterparties,
        hhi=herfindahl(part.share for part in counterparties),
    )


def herfindahl(shares: Iterable[Decimal]) -> Decimal:
    """The Herfindahl-Hirschman index of shares summing to 1: the sum of the squared shares
    in percent, from 10,000 / n (n equal parts) to 10,000 (one party holds everything)."""
    return sum(((share * _HUNDRED) ** 2 for share in shares), _ZERO)
