"""Position buckets: the position postings summed per year and per month of `effective`.

positions(D, K) reads the year buckets before D's year, the month buckets of D's year before
D's month, and only D's own month from the postings, so the rows read per query no longer grow
with the log. Each bucket is bitemporal like the postings, in a canonical form that depends
only on the postings table: one row per maximal span of known time over which the bucket's
totals are constant and not all zero. So maintaining it instant by instant (`apply`, told the
rows each write made current and not current) and computing it from the postings at once
(`rebuild`) give the same rows, whatever the number or the size of the transactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    or_,
    select,
    tuple_,
    update,
)

from ledger import as_utc
from ledger.bulk import insert_rows
from ledger.driver import memoised, result_processor

from .tables import MEASURES, position_buckets, position_postings

__all__ = ["LEVELS", "apply", "period_of", "rebuild"]

LEVELS = ("year", "month")
KEY = ("holder", "provider", "kind", "resource", "level", "period")
AMOUNTS = tuple(f"{m}_{part}" for m in MEASURES for part in ("units", "nanos"))
_COLUMNS = (*KEY, *AMOUNTS, "known_from", "known_until")
_BILLION = 1_000_000_000
_MEASURE = {measure: index for index, measure in enumerate(MEASURES)}
_LOOKUP = 400  # bucket keys per lookup: 6 parameters each, within every backend's limit

Key = tuple[str, str, str, str, str, date]
Totals = tuple[int, ...]
"""A bucket's totals, one int of nanos per measure (exact, and equal totals compare equal)."""


def period_of(level: str, effective: date) -> date:
    """The first day of the year or month holding `effective`."""
    return date(effective.year, 1, 1) if level == "year" else effective.replace(day=1)


def apply(
    connection: Connection,
    columns: Sequence[str],
    instant: datetime,
    added: Iterable[Sequence[Any]],
    removed: Iterable[Sequence[Any]],
) -> None:
    """Bring the buckets to what the postings say from `instant` on, given the posting rows
    (values in the order of `columns`) that became current at `instant` and that stopped."""
    deltas = _deltas(columns, added, removed)
    if not deltas:
        return
    stored = _stored(connection, sorted(deltas), instant)
    inserting: list[tuple[Any, ...]] = []
    closing: list[dict[str, Any]] = []
    dropping: list[dict[str, Any]] = []
    reviving: list[dict[str, Any]] = []
    updating: list[dict[str, Any]] = []
    for key, delta in deltas.items():
        current, closed_now = stored.get(key, (None, None))
        before = current[1] if current else (0,) * len(MEASURES)
        after = tuple(old + change for old, change in zip(before, delta, strict=True))
        if after == before:
            continue
        if current is not None and current[0] == instant:
            # Made at this instant: rewrite it, or fall back to the row it replaced.
            if closed_now is not None and closed_now[1] == after:
                dropping.append(_ident(key, instant))
                reviving.append(_ident(key, closed_now[0]))
            elif any(after):
                updating.append({**_ident(key, instant), **_amounts(after)})
            else:
                dropping.append(_ident(key, instant))
            continue
        if current is not None:
            closing.append({**_ident(key, current[0]), "b_until": instant})
        elif closed_now is not None and closed_now[1] == after:
            reviving.append(_ident(key, closed_now[0]))
            continue
        if any(after):
            inserting.append((*key, *_pairs(after), instant, None))
    _write(connection, inserting, closing, dropping, reviving, updating)


def _deltas(
    columns: Sequence[str], added: Iterable[Sequence[Any]], removed: Iterable[Sequence[Any]]
) -> dict[Key, list[int]]:
    """The net change per bucket, in nanos per measure (buckets whose change is nil left out)."""
    at = {name: columns.index(name) for name in ("measure", "effective", "units", "nanos")}
    parties = [columns.index(name) for name in KEY[:4]]
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for sign, postings in ((1, added), (-1, removed)):
        for posting in postings:
            amount = sign * (posting[at["units"]] * _BILLION + posting[at["nanos"]])
            measure = _MEASURE[posting[at["measure"]]]
            effective = posting[at["effective"]]
            names = tuple(posting[index] for index in parties)
            for level in LEVELS:
                deltas[(*names, level, period_of(level, effective))][measure] += amount
    return {key: delta for key, delta in deltas.items() if any(delta)}


def _stored(
    connection: Connection, keys: list[Key], instant: datetime
) -> dict[Key, tuple[tuple[datetime, Totals] | None, tuple[datetime, Totals] | None]]:
    """Per bucket: its current row and the row closed at `instant`, each (known_from, totals)."""
    table = position_buckets
    found: dict[Key, tuple[tuple[datetime, Totals] | None, tuple[datetime, Totals] | None]] = {}
    key_columns = [table.c[name] for name in KEY]
    for start in range(0, len(keys), _LOOKUP):
        query = select(
            *key_columns,
            *(table.c[name] for name in AMOUNTS),
            table.c.known_from,
            table.c.known_until,
        ).where(
            tuple_(*key_columns).in_(keys[start : start + _LOOKUP]),
            or_(table.c.known_until.is_(None), table.c.known_until == instant),
        )
        for row in connection.execute(query):
            key: Key = tuple(row[: len(KEY)])
            amounts = row[len(KEY) : len(KEY) + len(AMOUNTS)]
            totals = tuple(
                amounts[i] * _BILLION + amounts[i + 1] for i in range(0, len(AMOUNTS), 2)
            )
            known_from, known_until = row[-2], row[-1]
            current, closed_now = found.get(key, (None, None))
            if known_until is None:
                current = (known_from, totals)
            else:
                closed_now = (known_from, totals)
            found[key] = (current, closed_now)
    return found


def _pairs(totals: Totals) -> tuple[int, ...]:
    """Totals in nanos as (units, nanos) pairs, nanos in 0..999999999 as the postings keep them."""
    return tuple(part for total in totals for part in divmod(total, _BILLION))


def _amounts(totals: Totals) -> dict[str, int]:
    return {f"v_{name}": value for name, value in zip(AMOUNTS, _pairs(totals), strict=True)}


def _ident(key: Key, known_from: datetime) -> dict[str, Any]:
    return {
        **{f"b_{name}": value for name, value in zip(KEY, key, strict=True)},
        "b_from": known_from,
    }


def _write(
    connection: Connection,
    inserting: list[tuple[Any, ...]],
    closing: list[dict[str, Any]],
    dropping: list[dict[str, Any]],
    reviving: list[dict[str, Any]],
    updating: list[dict[str, Any]],
) -> None:
    table = position_buckets
    where = and_(
        *(table.c[name] == bindparam(f"b_{name}") for name in KEY),
        table.c.known_from == bindparam("b_from"),
    )
    # Drops first: a revived row's span must not meet a row made at the same instant.
    if dropping:
        connection.execute(delete(table).where(where), dropping)
    if closing:
        statement = update(table).where(where).values(known_until=bindparam("b_until"))
        connection.execute(statement, closing)
    if reviving:
        connection.execute(update(table).where(where).values(known_until=None), reviving)
    if updating:
        values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in AMOUNTS}
        connection.execute(update(table).where(where).values(**values), updating)
    insert_rows(connection, table, _COLUMNS, inserting)


def rebuild(connection: Connection) -> None:
    """Fill the buckets again from the whole postings table (after a rebuild from zero).

    Each posting adds its amount to its buckets at `known_from` and takes it back at
    `known_until`; the running totals, instant by instant, are the bucket's rows.
    """
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
                rows.append((*key, *_pairs(totals), since, instant))
            totals, since = after, instant
        if since is not None and any(totals):
            rows.append((*key, *_pairs(totals), since, None))
        if len(rows) >= 5_000:
            insert_rows(connection, position_buckets, _COLUMNS, rows)
            rows.clear()
    insert_rows(connection, position_buckets, _COLUMNS, rows)


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
