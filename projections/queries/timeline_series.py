"""A timeline's running totals from the read models: committed and delivered from the
position postings, scheduled from the tranche schedule by due date, each summed per day and
breakdown key, so that the total as of any date is a walk along the days."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, case, func, select

from ledger import Ledger

from ..fold import join
from ..read_models import position_postings, tranche_schedule
from ..upkeep import ensure_current
from .known_at import known_instant, known_rows

__all__ = ["Key", "Running", "Totals", "series"]

Key = tuple[str, ...]


def series(
    ledger: Ledger,
    by: Key,
    filters: dict[str, str | None],
    start: date | None,
    end: date,
    known_at: date | datetime | None,
) -> tuple[date, dict[Key, Totals]] | None:
    """The first day of the span (`start`, or the earliest effective date that matches) and,
    per breakdown key (the values of `by`, sorted), running committed, scheduled and
    delivered up to `end`; None when nothing matches."""
    instant = known_instant(known_at)
    ensure_current(ledger)
    with ledger.engine.connect() as connection:
        postings = _where(position_postings, filters, instant)
        if start is None:
            first = select(func.min(position_postings.c.effective)).where(*postings)
            start = connection.execute(first).scalar_one_or_none()
            if start is None:
                return None
        committed = _by_day(connection, _measure_steps(postings, "committed", end, by))
        delivered = _by_day(connection, _measure_steps(postings, "delivered", end, by))
        schedule = _where(tranche_schedule, filters, instant)
        scheduled = _by_day(connection, _due_steps(schedule, end, by))
    keys = sorted(committed.keys() | delivered.keys() | scheduled.keys())
    if not keys:
        return None
    nothing: list[tuple[date, int, int]] = []
    return start, {
        key: (
            committed.get(key) or Running(nothing),
            scheduled.get(key) or Running(nothing),
            delivered.get(key) or Running(nothing),
        )
        for key in keys
    }


def _where(
    table: Table, filters: dict[str, str | None], instant: datetime | None
) -> list[ColumnElement[bool]]:
    chosen = [table.c[name] == value for name, value in filters.items() if value is not None]
    return [*chosen, known_rows(table, instant)]


def _measure_steps(
    where: list[ColumnElement[bool]], measure: str, last: date, by: Key
) -> Select[Any]:
    """One measure's changes summed per effective date and breakdown key, up to `last`."""
    table = position_postings
    keys = [table.c[name] for name in by]
    return (
        select(table.c.effective, *keys, func.sum(table.c.units), func.sum(table.c.nanos))
        .where(*where, table.c.measure == measure, table.c.effective <= last)
        .group_by(table.c.effective, *keys)
    )


def _due_steps(where: list[ColumnElement[bool]], last: date, by: Key) -> Select[Any]:
    """Scheduled changes summed per the day they count from and breakdown key: a row counts as
    of D once both its effective date and its due date are on or before D, that is from the
    later of the two."""
    table = tranche_schedule
    keys = [table.c[name] for name in by]
    counts_from = case((table.c.due > table.c.effective, table.c.due), else_=table.c.effective)
    return (
        select(counts_from, *keys, func.sum(table.c.units), func.sum(table.c.nanos))
        .where(*where, table.c.effective <= last, table.c.due <= last)
        .group_by(counts_from, *keys)
    )


class Running:
    """Totals as of any date, from changes per day, asked for in increasing dates."""

    def __init__(self, steps: list[tuple[date, int, int]]) -> None:
        self._steps = sorted(steps)
        self._next = 0
        self._units = 0
        self._nanos = 0

    @property
    def days(self) -> list[date]:
        """The days on which the total changes."""
        return [day for day, _, _ in self._steps]

    def total(self, as_of: date) -> Decimal:
        steps = self._steps
        while self._next < len(steps) and steps[self._next][0] <= as_of:
            _, units, nanos = steps[self._next]
            self._units += units
            self._nanos += nanos
            self._next += 1
        return join(self._units, self._nanos)


Totals = tuple[Running, Running, Running]
"""Running committed, scheduled and delivered."""


def _by_day(connection: Connection, query: Select[Any]) -> dict[Key, Running]:
    """Per breakdown key (the columns between the day and the sums), its running total."""
    steps: dict[Key, list[tuple[date, int, int]]] = {}
    for day, *key, units, nanos in connection.execute(query):
        steps.setdefault(tuple(key), []).append((day, int(units or 0), int(nanos or 0)))
    return {key: Running(found) for key, found in steps.items()}
