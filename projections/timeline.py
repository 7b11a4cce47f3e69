"""Reserved versus built, period by period: committed, scheduled by due date, and delivered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Table, func, select

from ledger import Ledger

from .bitemporal import known_instant, known_rows
from .builtins import ensure_current
from .nanos import join, text
from .tables import position_postings, tranche_schedule

__all__ = ["Every", "TimelineRow", "periods", "timeline"]

Every = Literal["month", "quarter", "year"]
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One period: the totals as of its last day (or as of `end`, for a period still open).

    `scheduled` is what the tranches say should exist by then: live tranches due on or before
    `as_of` (undated ones from the day they were scheduled), plus what cancelled ones delivered.
    """

    period: str
    start: date
    end: date
    as_of: date
    resource: str
    committed: Decimal
    scheduled: Decimal
    delivered: Decimal

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO 8601, amounts as exact decimal strings."""
        return {
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "resource": self.resource,
            "committed": text(self.committed),
            "scheduled": text(self.scheduled),
            "delivered": text(self.delivered),
        }


def periods(every: Every, start: date, end: date) -> Iterator[tuple[str, date, date]]:
    """(label, first day, last day) of each period from the one holding `start` to `end`'s."""
    if every not in _MONTHS:
        raise ValueError(f"every must be month, quarter or year; got {every!r}")
    step = _MONTHS[every]
    index = start.year * 12 + (start.month - 1) // step * step
    while True:
        first = date(index // 12, index % 12 + 1, 1)
        if first > end:
            return
        index += step
        last = date(index // 12, index % 12 + 1, 1) - timedelta(days=1)
        if every == "month":
            label = f"{first:%Y-%m}"
        elif every == "quarter":
            label = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        else:
            label = str(first.year)
        yield label, first, last


def timeline(
    ledger: Ledger,
    *,
    resource: str,
    every: Every = "quarter",
    start: date | None = None,
    end: date | None = None,
    known_at: date | datetime | None = None,
    holder: str | None = None,
    provider: str | None = None,
    kind: str | None = None,
) -> list[TimelineRow]:
    """Committed, scheduled (by tranche due date) and delivered of one resource, per period.

    `start` defaults to the earliest effective date of the matching commitments, `end` to today.
    """
    instant = known_instant(known_at)
    end = end if end is not None else ledger.clock().date()
    filters = {"resource": resource, "holder": holder, "provider": provider, "kind": kind}
    ensure_current(ledger)
    rows: list[TimelineRow] = []
    with ledger.engine.connect() as connection:
        postings = _where(position_postings, filters, instant)
        if start is None:
            first = select(func.min(position_postings.c.effective)).where(*postings)
            start = connection.execute(first).scalar_one_or_none()
            if start is None:
                return []
        schedule = _where(tranche_schedule, filters, instant)
        for label, first_day, last_day in periods(every, start, end):
            as_of = min(last_day, end)
            measures = _measures(connection, postings, as_of)
            due = select(func.sum(tranche_schedule.c.units), func.sum(tranche_schedule.c.nanos))
            due = due.where(
                *schedule, tranche_schedule.c.effective <= as_of, tranche_schedule.c.due <= as_of
            )
            units, nanos = connection.execute(due).one()
            rows.append(
                TimelineRow(
                    period=label,
                    start=first_day,
                    end=last_day,
                    as_of=as_of,
                    resource=resource,
                    committed=measures.get("committed", Decimal(0)),
                    scheduled=join(units, nanos),
                    delivered=measures.get("delivered", Decimal(0)),
                )
            )
    return rows


def _where(
    table: Table, filters: dict[str, str | None], instant: datetime | None
) -> list[ColumnElement[bool]]:
    chosen = [table.c[name] == value for name, value in filters.items() if value is not None]
    return [*chosen, known_rows(table, instant)]


def _measures(
    connection: Connection, where: list[ColumnElement[bool]], as_of: date
) -> dict[str, Decimal]:
    table = position_postings
    query = (
        select(table.c.measure, func.sum(table.c.units), func.sum(table.c.nanos))
        .where(*where, table.c.effective <= as_of, table.c.measure.in_(("committed", "delivered")))
        .group_by(table.c.measure)
    )
    return {measure: join(units, nanos) for measure, units, nanos in connection.execute(query)}
