"""The position buckets computed at once from the whole postings table, after a rebuild from
zero, from a tally of the rows as they were written (not read back): each posting adds its
amount to its month at `known_from` and takes it back at `known_until`, and each year's
changes are its months' changes added up, instant by instant (once per month bucket, not once
per posting); a bucket's running totals, instant by instant, are its rows (the canonical form
that `buckets.apply` keeps, so both give the same rows). Tallies of parts of the table add up
(`merge`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, delete

from ledger import insert_rows

from .bucket_rows import COLUMNS, Key, pairs
from .bucket_upkeep import period_of
from .tables import MEASURES, position_buckets

__all__ = ["Changes", "merge", "rebuild", "tally"]

_BILLION = 1_000_000_000
_MEASURE = {measure: index for index, measure in enumerate(MEASURES)}
_WIDTH = len(MEASURES)
_TALLIED = (
    *("holder", "provider", "kind", "resource", "measure", "effective", "units", "nanos"),
    *("known_from", "known_until"),
)


Changes = dict[Key, dict[datetime, list[int]]]
"""Per bucket and instant, the net change of its totals (nanos per measure)."""


def rebuild(connection: Connection, changes: Changes) -> None:
    """Fill the buckets again after a rebuild from zero, from the tally of every row the
    postings table was filled with (`tally`, `merge`: the months' changes)."""
    connection.execute(delete(position_buckets))
    changes = _with_years(changes)
    rows: list[tuple[Any, ...]] = []
    zero = (0,) * len(MEASURES)
    for key in sorted(changes):
        totals, since = zero, None
        for instant in sorted(changes[key]):
            after = tuple(a + b for a, b in zip(totals, changes[key][instant], strict=True))
            if after == totals:
                continue
            if since is not None and any(totals):
                rows.append((*key, *pairs(totals), since, instant))
            totals, since = after, instant
        if since is not None and any(totals):
            rows.append((*key, *pairs(totals), since, None))
        if len(rows) >= 5_000:
            insert_rows(connection, position_buckets, COLUMNS, rows)
            rows.clear()
    insert_rows(connection, position_buckets, COLUMNS, rows)


def tally(
    columns: Sequence[str], postings: Iterable[Sequence[Any]], into: Changes | None = None
) -> Changes:
    """The changes posting rows (values in the order of `columns`, both knowns set) make to
    their month buckets, added to `into` (in place) if given; `rebuild` adds the months up
    into years (a year bucket's changes are its months' changes, instant by instant)."""
    at = itemgetter(*(columns.index(name) for name in _TALLIED))
    changes: Changes = defaultdict(dict) if into is None else into
    months: dict[date, date] = {}  # each effective date's month, made once
    for row in postings:
        holder, provider, kind, resource, measure, day, units, nanos, since, until = at(row)
        amount = units * _BILLION + nanos
        index = _MEASURE[measure]
        month = months.get(day)
        if month is None:
            month = months[day] = period_of("month", day)
        per_instant = changes[(holder, provider, kind, resource, "month", month)]
        totals = per_instant.get(since)
        if totals is None:
            totals = per_instant[since] = [0] * _WIDTH
        totals[index] += amount
        if until is not None:
            totals = per_instant.get(until)
            if totals is None:
                totals = per_instant[until] = [0] * _WIDTH
            totals[index] -= amount
    return changes


def _with_years(months: Changes) -> Changes:
    """The month buckets' changes (a tally) and, added up from them, their years'."""
    years: Changes = defaultdict(dict)
    for (holder, provider, kind, resource, _, period), per_instant in months.items():
        year = years[(holder, provider, kind, resource, "year", period_of("year", period))]
        for instant, change in per_instant.items():
            totals = year.get(instant)
            if totals is None:
                year[instant] = list(change)
            else:
                for index, amount in enumerate(change):
                    totals[index] += amount
    return {**months, **years}


def merge(into: Changes, more: Changes) -> Changes:
    """Add the changes `more` to `into` (in place) and return it."""
    for key, per_instant in more.items():
        mine = into.get(key)
        if mine is None:
            into[key] = per_instant
            continue
        for instant, change in per_instant.items():
            totals = mine.get(instant)
            if totals is None:
                mine[instant] = change
            else:
                for index, amount in enumerate(change):
                    totals[index] += amount
    return into
