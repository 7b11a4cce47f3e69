"""Positions as of a date, known at an instant: one SQL query over the position postings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from events import canonical
from events.amounts import minus, plus
from ledger import Ledger

from .bitemporal import as_of_date, known_instant, known_rows
from .builtins import ensure_current
from .models import MEASURES
from .nanos import join, text
from .tables import position_postings

__all__ = ["KEYS", "PositionRow", "positions"]

KEYS = ("holder", "provider", "kind", "resource", "commitment")
_COMMITMENT_KEYS = ("commitment", "holder", "provider", "kind", "resource")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PositionRow:
    """One row of the positions table: its grouping keys (others None) and four totals."""

    committed: Decimal
    scheduled: Decimal
    delivered: Decimal
    outstanding: Decimal
    holder: str | None = None
    provider: str | None = None
    kind: str | None = None
    resource: str | None = None
    commitment: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The grouping keys present, then the totals as exact decimal strings."""
        keys = {name: getattr(self, name) for name in KEYS if getattr(self, name) is not None}
        totals = ("committed", "scheduled", "delivered", "outstanding")
        return keys | {name: text(getattr(self, name)) for name in totals}


def positions(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    known_at: date | datetime | None = None,
    holder: str | None = None,
    provider: str | None = None,
    kind: str | None = None,
    resource: str | None = None,
    commitment: str | None = None,
    by: Sequence[str] = ("holder", "provider", "kind", "resource"),
) -> list[PositionRow]:
    """Committed, scheduled, delivered and outstanding as of `as_of` (included), known at
    `known_at` (a date: the end of that day, UTC), summed over commitments per `by`."""
    if isinstance(by, str) or not by or any(name not in KEYS for name in by):
        raise ValueError(f"by must name one or more of {', '.join(KEYS)}; got {by!r}")
    if "resource" not in by and resource is None:
        raise ValueError(
            "by must include resource unless one resource is chosen: "
            "amounts of different resources are never added together"
        )
    day, instant = as_of_date(ledger, as_of), known_instant(known_at)
    ensure_current(ledger)
    table = position_postings
    grouped = [table.c[name] for name in (*_COMMITMENT_KEYS, "measure")]
    query = (
        select(*grouped, func.sum(table.c.units), func.sum(table.c.nanos))
        .where(table.c.effective <= day, known_rows(table, instant))
        .group_by(*grouped)
    )
    filters = dict(
        holder=holder, provider=provider, kind=kind, resource=resource, commitment=commitment
    )
    for name, wanted in filters.items():
        if wanted is not None:
            query = query.where(table.c[name] == wanted)
    # Per commitment and resource first: outstanding is clamped at zero per commitment.
    per_commitment: dict[tuple[str, ...], dict[str, Decimal]] = defaultdict(dict)
    with ledger.engine.connect() as connection:
        for row in connection.execute(query):
            per_commitment[tuple(row[:5])][row.measure] = join(row[6], row[7])
    totals: dict[tuple[str, ...], list[Decimal]] = {}
    for names, measures in per_commitment.items():
        values = dict(zip(_COMMITMENT_KEYS, names, strict=True))
        committed, scheduled, delivered = (measures.get(m, _ZERO) for m in MEASURES)
        outstanding = max(minus(committed, delivered), _ZERO)
        running = totals.setdefault(tuple(values[name] for name in by), [_ZERO] * 4)
        for index, amount in enumerate((committed, scheduled, delivered, outstanding)):
            running[index] = plus(running[index], amount)
    return [_row(by, key, amounts) for key, amounts in sorted(totals.items()) if any(amounts)]


def _row(by: Sequence[str], key: tuple[str, ...], amounts: list[Decimal]) -> PositionRow:
    committed, scheduled, delivered, outstanding = (canonical(amount) for amount in amounts)
    keys: dict[str, Any] = dict(zip(by, key, strict=True))
    return PositionRow(committed, scheduled, delivered, outstanding, **keys)
