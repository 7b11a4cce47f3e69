"""Positions as of a date, known at an instant: one SQL query over the position postings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, or_, select

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
    with ledger.engine.connect() as connection:
        wanted = filters(
            holder=holder, provider=provider, kind=kind, resource=resource, commitment=commitment
        )
        found = [_row(by, row) for row in connection.execute(_query(by, day, instant, wanted))]
    # Sorted here, not in SQL: the order must not depend on the database's collation.
    return sorted(
        (row for row in found if row is not None),
        key=lambda row: tuple(getattr(row, name) for name in by),
    )


def filters(**wanted: str | None) -> dict[str, str]:
    """The filters given, by column."""
    return {name: value for name, value in wanted.items() if value is not None}


def _query(
    by: Sequence[str], day: date, instant: datetime | None, wanted: dict[str, str]
) -> Select[Any]:
    """One query: totals per commitment and resource inside, summed per `by` outside.

    Outstanding is clamped at zero per commitment, which is not a sum; but it only differs from
    committed - delivered where delivered exceeds committed (an `at_least` floor), so the outer
    query also sums, over just those, the excess to add back, exactly, as (units, nanos).
    """
    table = position_postings
    per_measure = []
    for measure in MEASURES:
        for part in ("units", "nanos"):
            amount = case((table.c.measure == measure, table.c[part]), else_=0)
            per_measure.append(func.sum(amount).label(f"{measure}_{part}"))
    inner = (
        select(*(table.c[name] for name in _COMMITMENT_KEYS), *per_measure)
        .where(table.c.effective <= day, known_rows(table, instant))
        .where(*(table.c[name] == value for name, value in wanted.items()))
        .group_by(*(table.c[name] for name in _COMMITMENT_KEYS))
        .subquery()
    )
    c = inner.c
    # Compare delivered with committed exactly: carry whole units out of the nanos first.
    billion = 1_000_000_000
    delivered_units = c.delivered_units + c.delivered_nanos // billion
    committed_units = c.committed_units + c.committed_nanos // billion
    over = or_(
        delivered_units > committed_units,
        and_(
            delivered_units == committed_units,
            c.delivered_nanos % billion > c.committed_nanos % billion,
        ),
    )
    excess_units = case((over, c.delivered_units - c.committed_units), else_=0)
    excess_nanos = case((over, c.delivered_nanos - c.committed_nanos), else_=0)
    sums = [func.sum(c[f"{measure}_{part}"]) for measure in MEASURES for part in ("units", "nanos")]
    return select(
        *(c[name] for name in by), *sums, func.sum(excess_units), func.sum(excess_nanos)
    ).group_by(*(c[name] for name in by))


def _row(by: Sequence[str], found: Row[Any]) -> PositionRow | None:
    keys: dict[str, Any] = dict(zip(by, found[: len(by)], strict=True))
    cu, cn, su, sn, du, dn, xu, xn = (int(value or 0) for value in found[len(by) :])
    committed, scheduled, delivered = join(cu, cn), join(su, sn), join(du, dn)
    outstanding = join(cu - du + xu, cn - dn + xn)
    if not (committed or scheduled or delivered or outstanding):
        return None
    return PositionRow(committed, scheduled, delivered, outstanding, **keys)
