"""The two times of a read-model query: which rows were the ledger's word at `known_at`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, Table, and_, or_

from ledger import Ledger, as_utc

__all__ = ["as_of_date", "known_instant", "known_rows"]


def as_of_date(ledger: Ledger, as_of: date | None) -> date:
    """The as-of date, today by the ledger's clock (UTC) by default."""
    if isinstance(as_of, datetime):
        raise TypeError("as_of is a date, not a date and time")
    return as_of if as_of is not None else ledger.clock().date()


def known_instant(known_at: date | datetime | None) -> datetime | None:
    """An aware UTC instant; a date means the end of that day, UTC; None means now."""
    if known_at is None:
        return None
    if isinstance(known_at, datetime):
        return as_utc(known_at)
    return datetime.combine(known_at, time.max, tzinfo=UTC)


def known_rows(table: Table, known_at: datetime | None) -> ColumnElement[bool]:
    """The rows that were current at `known_at` (None: the rows current now)."""
    if known_at is None:
        return table.c.known_until.is_(None)
    return and_(
        table.c.known_from <= known_at,
        or_(table.c.known_until.is_(None), table.c.known_until > known_at),
    )
