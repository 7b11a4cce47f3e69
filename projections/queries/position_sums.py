"""The positions query: the four measures summed per `by`, from the buckets and at most a month
of postings (or from all the postings, when commitments are asked for).

As of a day D, the sum is the years before D's year, the months of D's year before D's month,
and the postings of D's month up to D. Each of the last two may instead be read as its
complement, whichever reads fewer rows: D's year less the months from D's month on, and D's
month less its postings after D. So a date late in a month or a year reads a few buckets and a
few days of postings, not eleven months and thirty days (`plan` chooses).

Built once per shape (the `by` keys, the filters named, known now or at an instant, the plan)
with bound parameters, so that a query costs its execution, not its construction.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    union_all,
)

from ..read_models import AMOUNTS, MEASURES, position_buckets, position_postings

__all__ = ["Plan", "plan", "plans", "sums"]

# What reading one bucket period costs against one day of postings, as measured on a store of a
# million events (docs/read-models.md, `position_buckets`).
_PERIOD_COST = 2
_DAY_COST = 1


@dataclass(frozen=True)
class Plan:
    """Which buckets and postings make up the sum as of `day`; the minus ones are subtracted."""

    years: tuple[date, ...]
    months_plus: tuple[date, ...]
    months_minus: tuple[date, ...]
    days_plus: tuple[date, date] | None
    days_minus: tuple[date, date] | None

    @property
    def shape(self) -> tuple[bool, int]:
        """What the statement needs: whether months are subtracted, and whether postings are
        added (1), subtracted (-1) or not read (0)."""
        days = 1 if self.days_plus is not None else -1 if self.days_minus is not None else 0
        return bool(self.months_minus), days

    def cost(self) -> int:
        periods = len(self.years) + len(self.months_plus) + len(self.months_minus)
        spans = [span for span in (self.days_plus, self.days_minus) if span is not None]
        days = sum((last - first).days + 1 for first, last in spans)
        return periods * _PERIOD_COST + days * _DAY_COST


def plan(day: date, first_year: int) -> Plan:
    """The cheapest of the ways to sum the buckets and postings up to `day`."""
    return min(plans(day, first_year), key=Plan.cost)


def plans(day: date, first_year: int) -> list[Plan]:
    """The four ways to sum the buckets and postings up to `day`, reading the years from
    `first_year` (the earliest a bucket holds) on: equal sums, unequal costs."""
    years = tuple(date(year, 1, 1) for year in range(min(first_year, day.year), day.year))
    month = day.replace(day=1)
    month_end = month.replace(day=calendar.monthrange(day.year, day.month)[1])
    before = tuple(date(day.year, m, 1) for m in range(1, day.month))
    after = tuple(date(day.year, m, 1) for m in range(day.month + 1, 13))
    this_year = (date(day.year, 1, 1),)
    later = (day + timedelta(days=1), month_end) if day < month_end else None
    return [
        # The months before, and this month's postings up to the day.
        Plan(years, before, (), (month, day), None),
        # The months up to this one, less this month's postings after the day.
        Plan(years, (*before, month), (), None, later),
        # This year less the months from this one on, and this month's postings up to the day.
        Plan((*years, *this_year), (), (month, *after), (month, day), None),
        # This year less the months after this one, less this month's postings after the day.
        Plan((*years, *this_year), (), after, None, later),
    ]


def sums(
    connection: Connection,
    by: Sequence[str],
    day: date,
    instant: datetime | None,
    wanted: dict[str, str],
) -> list[tuple[Any, ...]]:
    """Per `by`: the keys, then (units, nanos) sums of each of MEASURES (committed, scheduled,
    delivered, excess, ceiling, floor)."""
    values: dict[str, Any] = {f"f_{name}": value for name, value in wanted.items()}
    if instant is not None:
        values["known_at"] = instant
    shape: tuple[bool, int] | None = None
    if "commitment" in by or "commitment" in wanted:
        values["days_to"] = day  # every posting up to the day: the buckets keep no commitments
    else:
        table = position_buckets
        first = connection.execute(
            select(func.min(table.c.period)).where(table.c.level == "year")
        ).scalar_one_or_none()
        # The periods listed, each an equality on the index (level, period, parties...):
        # from the first year any bucket holds, so nothing earlier is left out.
        chosen = plan(day, day.year if first is None else first.year)
        shape = chosen.shape
        values["years"] = list(chosen.years) or [None]
        values["months_plus"] = list(chosen.months_plus) or [None]
        if chosen.months_minus:
            values["months_minus"] = list(chosen.months_minus)
        span = chosen.days_plus or chosen.days_minus
        if span is not None:
            values["days_from"], values["days_to"] = span
    statement = _statement(tuple(by), tuple(sorted(wanted)), instant is None, shape)
    return [tuple(row) for row in connection.execute(statement, values)]


@lru_cache(maxsize=256)
def _statement(
    by: tuple[str, ...], filtered: tuple[str, ...], now: bool, shape: tuple[bool, int] | None
) -> Select[Any]:
    if shape is None:
        parts = [_postings(by, filtered, now, bounded=False, sign=1)]
    else:
        months_minus, days = shape
        parts = [
            _buckets(by, filtered, now, "year", "years", sign=1),
            _buckets(by, filtered, now, "month", "months_plus", sign=1),
        ]
        if months_minus:
            parts.append(_buckets(by, filtered, now, "month", "months_minus", sign=-1))
        if days:
            parts.append(_postings(by, filtered, now, bounded=True, sign=days))
    both = union_all(*parts).subquery()
    keys = [both.c[name] for name in by]
    return select(*keys, *(func.sum(both.c[name]) for name in AMOUNTS)).group_by(*keys)


def _known(table: Table, now: bool) -> ColumnElement[bool]:
    if now:
        return table.c.known_until.is_(None)
    at: BindParameter[datetime] = bindparam("known_at")
    return and_(
        table.c.known_from <= at, or_(table.c.known_until.is_(None), table.c.known_until > at)
    )


def _buckets(
    by: tuple[str, ...],
    filtered: tuple[str, ...],
    now: bool,
    level: str,
    periods: str,
    *,
    sign: int,
) -> Select[Any]:
    """The `level` buckets whose period is one of the `periods` parameter, times `sign`."""
    table = position_buckets
    amounts = [(table.c[name] if sign > 0 else -table.c[name]).label(name) for name in AMOUNTS]
    return (
        select(*(table.c[name] for name in by), *amounts)
        .where(table.c.level == level, table.c.period.in_(bindparam(periods, expanding=True)))
        .where(_known(table, now), *(table.c[name] == bindparam(f"f_{name}") for name in filtered))
    )


def _postings(
    by: tuple[str, ...], filtered: tuple[str, ...], now: bool, *, bounded: bool, sign: int
) -> Select[Any]:
    """The postings effective up to the `days_to` parameter (from `days_from`, if `bounded`),
    one column pair per measure, times `sign`."""
    table = position_postings
    since = [table.c.effective >= bindparam("days_from")] if bounded else []
    per_measure = [
        case(
            (table.c.measure == measure, table.c[part] if sign > 0 else -table.c[part]),
            else_=0,
        ).label(f"{measure}_{part}")
        for measure in MEASURES
        for part in ("units", "nanos")
    ]
    return (
        select(*(table.c[name] for name in by), *per_measure)
        .where(*since, table.c.effective <= bindparam("days_to"), _known(table, now))
        .where(*(table.c[name] == bindparam(f"f_{name}") for name in filtered))
    )
