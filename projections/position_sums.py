"""The positions query: the four measures summed per `by`, from the buckets and one month of
postings (or from all the postings, when commitments are asked for).

Built once per shape (the `by` keys, the filters named, known now or at an instant) with bound
parameters, so that a query costs its execution, not its construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
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

from .bucket_rows import AMOUNTS
from .tables import MEASURES, position_buckets, position_postings

__all__ = ["sums"]


def sums(
    connection: Connection,
    by: Sequence[str],
    day: date,
    instant: datetime | None,
    wanted: dict[str, str],
) -> list[tuple[Any, ...]]:
    """Per `by`: the keys, then (units, nanos) sums of committed, scheduled, delivered, excess."""
    bucketed = "commitment" not in by and "commitment" not in wanted
    statement = _statement(tuple(by), tuple(sorted(wanted)), instant is None, bucketed)
    values: dict[str, Any] = {f"f_{name}": value for name, value in wanted.items()}
    values |= {"day": day, "month": day.replace(day=1)}
    if instant is not None:
        values["known_at"] = instant
    if bucketed:
        table = position_buckets
        first = connection.execute(
            select(func.min(table.c.period)).where(table.c.level == "year")
        ).scalar_one_or_none()
        # The periods listed, each an equality on the index (level, period, parties...):
        # from the first year any bucket holds, so nothing earlier is left out.
        start = day.year if first is None else min(first.year, day.year)
        values["years"] = [date(year, 1, 1) for year in range(start, day.year)] or [None]
        values["months"] = [date(day.year, month, 1) for month in range(1, day.month)] or [None]
    return [tuple(row) for row in connection.execute(statement, values)]


@lru_cache(maxsize=256)
def _statement(
    by: tuple[str, ...], filtered: tuple[str, ...], now: bool, bucketed: bool
) -> Select[Any]:
    if not bucketed:
        parts = [_postings(by, filtered, now, this_month_only=False)]
    else:
        parts = [
            _buckets(by, filtered, now, "year", "years"),
            _buckets(by, filtered, now, "month", "months"),
            _postings(by, filtered, now, this_month_only=True),
        ]
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
    by: tuple[str, ...], filtered: tuple[str, ...], now: bool, level: str, periods: str
) -> Select[Any]:
    """The `level` buckets whose period is one of the `periods` parameter."""
    table = position_buckets
    return (
        select(*(table.c[name] for name in by), *(table.c[name] for name in AMOUNTS))
        .where(table.c.level == level, table.c.period.in_(bindparam(periods, expanding=True)))
        .where(_known(table, now), *(table.c[name] == bindparam(f"f_{name}") for name in filtered))
    )


def _postings(
    by: tuple[str, ...], filtered: tuple[str, ...], now: bool, *, this_month_only: bool
) -> Select[Any]:
    """The postings effective up to the `day` parameter (from the `month` one, if asked), one
    column pair per measure."""
    table = position_postings
    since = [table.c.effective >= bindparam("month")] if this_month_only else []
    per_measure = [
        case((table.c.measure == measure, table.c[part]), else_=0).label(f"{measure}_{part}")
        for measure in MEASURES
        for part in ("units", "nanos")
    ]
    return (
        select(*(table.c[name] for name in by), *per_measure)
        .where(*since, table.c.effective <= bindparam("day"), _known(table, now))
        .where(*(table.c[name] == bindparam(f"f_{name}") for name in filtered))
    )
