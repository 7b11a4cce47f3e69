"""Positions as of a date, known at an instant: one SQL query over the position postings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, case, func, select, union_all

from ledger import Ledger

from .bitemporal import as_of_date, known_instant, known_rows
from .buckets import AMOUNTS
from .builtins import ensure_current
from .models import MEASURES
from .nanos import join, text
from .tables import position_buckets, position_postings

__all__ = ["KEYS", "PositionRow", "positions"]

KEYS = ("holder", "provider", "kind", "resource", "commitment")
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
    """One query: the four measures summed per `by`.

    Outstanding is clamped at zero per commitment, which is not a sum; but the postings carry
    the excess (delivered beyond committed, per commitment), so committed - delivered + excess
    is. Grouped by parties and resources only, the query reads the year and month buckets
    before D's month and the postings of D's month alone; by commitment, all the postings.
    """
    if "commitment" in by or "commitment" in wanted:
        parts = [_postings(by, None, day, instant, wanted)]
    else:
        year, month = date(day.year, 1, 1), day.replace(day=1)
        parts = [
            _buckets(by, "year", None, year, instant, wanted),
            _buckets(by, "month", year, month, instant, wanted),
            _postings(by, month, day, instant, wanted),
        ]
    both = union_all(*parts).subquery()
    sums = [func.sum(both.c[name]) for name in AMOUNTS]
    return select(*(both.c[name] for name in by), *sums).group_by(*(both.c[name] for name in by))


def _buckets(
    by: Sequence[str],
    level: str,
    first: date | None,
    before: date,
    instant: datetime | None,
    wanted: dict[str, str],
) -> Select[Any]:
    """The `level` buckets from `first` (None: any) up to, not including, `before`."""
    table = position_buckets
    since = [] if first is None else [table.c.period >= first]
    return (
        select(*(table.c[name] for name in by), *(table.c[name] for name in AMOUNTS))
        .where(table.c.level == level, *since, table.c.period < before)
        .where(known_rows(table, instant))
        .where(*(table.c[name] == value for name, value in wanted.items()))
    )


def _postings(
    by: Sequence[str],
    first: date | None,
    day: date,
    instant: datetime | None,
    wanted: dict[str, str],
) -> Select[Any]:
    """The postings effective from `first` (None: any) to `day`, one column per measure."""
    table = position_postings
    since = [] if first is None else [table.c.effective >= first]
    per_measure = [
        case((table.c.measure == measure, table.c[part]), else_=0).label(f"{measure}_{part}")
        for measure in MEASURES
        for part in ("units", "nanos")
    ]
    return (
        select(*(table.c[name] for name in by), *per_measure)
        .where(*since, table.c.effective <= day, known_rows(table, instant))
        .where(*(table.c[name] == value for name, value in wanted.items()))
    )


def _row(by: Sequence[str], found: Row[Any]) -> PositionRow | None:
    keys: dict[str, Any] = dict(zip(by, found[: len(by)], strict=True))
    cu, cn, su, sn, du, dn, xu, xn = (int(value or 0) for value in found[len(by) :])
    committed, scheduled, delivered = join(cu, cn), join(su, sn), join(du, dn)
    outstanding = join(cu - du + xu, cn - dn + xn)
    if not (committed or scheduled or delivered or outstanding):
        return None
    return PositionRow(committed, scheduled, delivered, outstanding, **keys)
