"""Reserved versus built, period by period: committed, scheduled by due date, and delivered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Select, Table, case, func, select

from ledger import Ledger

from ..fold import join, text
from ..read_models import position_postings, tranche_schedule
from ..upkeep import ensure_current
from .known_at import known_instant, known_rows

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
    with ledger.engine.connect() as connection:
        postings = _where(position_postings, filters, instant)
        if start is None:
            first = select(func.min(position_postings.c.effective)).where(*postings)
            start = connection.execute(first).scalar_one_or_none()
            if start is None:
                return []
        spans = list(periods(every, start, end))
        last = min(spans[-1][2], end) if spans else end
        committed = _by_day(connection, _measure_steps(postings, "committed", last))
        delivered = _by_day(connection, _measure_steps(postings, "delivered", last))
        schedule = _where(tranche_schedule, filters, instant)
        scheduled = _by_day(connection, _due_steps(schedule, last))
    rows: list[TimelineRow] = []
    for label, first_day, last_day in spans:
        as_of = min(last_day, end)
        rows.append(
            TimelineRow(
                period=label,
                start=first_day,
                end=last_day,
                as_of=as_of,
                resource=resource,
                committed=committed.total(as_of),
                scheduled=scheduled.total(as_of),
                delivered=delivered.total(as_of),
            )
        )
    return rows


def _where(
    table: Table, filters: dict[str, str | None], instant: datetime | None
) -> list[ColumnElement[bool]]:
    chosen = [table.c[name] == value for name, value in filters.items() if value is not None]
    return [*chosen, known_rows(table, instant)]


def _measure_steps(where: list[ColumnElement[bool]], measure: str, last: date) -> Select[Any]:
    """One measure's changes summed per effective date, up to `last`."""
    table = position_postings
    return (
        select(table.c.effective, func.sum(table.c.units), func.sum(table.c.nanos))
        .where(*where, table.c.measure == measure, table.c.effective <= last)
        .group_by(table.c.effective)
    )


def _due_steps(where: list[ColumnElement[bool]], last: date) -> Select[Any]:
    """Scheduled changes summed per the day they count from: a row counts as of D once both
    its effective date and its due date are on or before D, that is from the later of the two."""
    table = tranche_schedule
    counts_from = case((table.c.due > table.c.effective, table.c.due), else_=table.c.effective)
    return (
        select(counts_from, func.sum(table.c.units), func.sum(table.c.nanos))
        .where(*where, table.c.effective <= last, table.c.due <= last)
        .group_by(counts_from)
    )


class _Running:
    """Totals as of any date, from changes per day, asked for in increasing dates."""

    def __init__(self, steps: list[tuple[date, int, int]]) -> None:
        self._steps = sorted(steps)
        self._next = 0
        self._units = 0
        self._nanos = 0

    def total(self, as_of: date) -> Decimal:
        steps = self._steps
        while self._next < len(steps) and steps[self._next][0] <= as_of:
            _, units, nanos = steps[self._next]
            self._units += units
            self._nanos += nanos
            self._next += 1
        return join(self._units, self._nanos)


def _by_day(connection: Connection, query: Select[Any]) -> _Running:
    return _Running(
        [(day, int(units or 0), int(nanos or 0)) for day, units, nanos in connection.execute(query)]
    )
