"""The position buckets computed at once from the whole postings table, after a rebuild from
zero: each posting adds its amount to its year and month at `known_from` and takes it back at
`known_until`; a bucket's running totals, instant by instant, are its rows (the canonical form
that `buckets.apply` keeps, so both give the same rows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from ledger import as_utc
from ledger.bulk import insert_rows
from ledger.driver import memoised, result_processor

from .bucket_rows import COLUMNS, Key, pairs
from .buckets import LEVELS, period_of
from .held import HeldPostings
from .tables import MEASURES, position_buckets, position_postings

__all__ = ["rebuild"]

_BILLION = 1_000_000_000
_MEASURE = {measure: index for index, measure in enumerate(MEASURES)}


def rebuild(connection: Connection) -> None:
    """Fill the buckets again from the whole postings table (after a rebuild from zero)."""
    HeldPostings.forget(connection)  # rows held by this transaction are no longer the table's
    connection.execute(delete(position_buckets))
    changes = _changes(connection)
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


def _changes(connection: Connection) -> dict[Key, dict[datetime, list[int]]]:
    """Per bucket and instant, the net change of its totals (nanos per measure)."""
    table = position_postings
    names = ("holder", "provider", "kind", "resource", "measure", "effective", "units", "nanos")
    selected = [*(table.c[name] for name in names), table.c.known_from, table.c.known_until]
    # Read through the driver, each date and instant converted once: the table may be millions.
    dialect = connection.dialect
    as_date = memoised(result_processor(table.c.effective, dialect))
    to_instant = result_processor(table.c.known_from, dialect)
    as_instant = memoised(lambda raw: as_utc(to_instant(raw)))
    sql = str(select(*selected).compile(dialect=dialect))
    changes: dict[Key, dict[datetime, list[int]]] = defaultdict(dict)
    width = len(MEASURES)
    streamed = {"stream_results": True, "max_row_buffer": 10_000}
    for row in connection.exec_driver_sql(sql, execution_options=streamed):
        holder, provider, kind, resource, measure, effective, units, nanos, since, until = row
        amount = units * _BILLION + nanos
        index = _MEASURE[measure]
        day = as_date(effective)
        spans = [(as_instant(since), amount)]
        if until is not None:
            spans.append((as_instant(until), -amount))
        for level in LEVELS:
            per_instant = changes[(holder, provider, kind, resource, level, period_of(level, day))]
            for instant, change in spans:
                totals = per_instant.get(instant)
                if totals is None:
                    totals = per_instant[instant] = [0] * width
                totals[index] += change
    return changes
