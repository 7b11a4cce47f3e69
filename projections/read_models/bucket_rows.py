"""The position buckets' rows, read and written through the driver.

The write path looks up and rewrites thousands of buckets per chunk: the SQL is written here and
each date and instant converted once, since SQLAlchemy would compile and process thousands of
parameters on every call. Keys are joined from a VALUES list on SQLite (a row-value IN scans
the whole table there) and from arrays on PostgreSQL: each key one index seek.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from ledger import as_utc, bind_processor, insert_rows, mark, memoised, result_processor

from ..backends import binds_key_arrays
from .tables import MEASURES, position_buckets

__all__ = ["AMOUNTS", "COLUMNS", "KEY", "BucketRows", "Key", "Stored", "Totals", "pairs"]

KEY = ("holder", "provider", "kind", "resource", "level", "period")
AMOUNTS = tuple(f"{m}_{part}" for m in MEASURES for part in ("units", "nanos"))
COLUMNS = (*KEY, *AMOUNTS, "known_from", "known_until")
_BILLION = 1_000_000_000
_LOOKUP = 1_000  # keys per lookup: 6 parameters each, within every backend's limit

Key = tuple[str, str, str, str, str, date]
Totals = tuple[int, ...]
"""A bucket's totals, one int of nanos per measure (exact, and equal totals compare equal)."""
Stored = tuple[tuple[datetime, Totals] | None, tuple[datetime, Totals] | None]
"""A bucket's current row and its row closed at the instant being handled: (known_from, totals)."""


def pairs(totals: Totals) -> tuple[int, ...]:
    """Totals in nanos as (units, nanos) pairs, nanos in 0..999999999 as the postings keep them."""
    return tuple(part for total in totals for part in divmod(total, _BILLION))


def _same(value: Any) -> Any:
    return value


class BucketRows:
    """Reads and writes of position_buckets inside one transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        dialect = connection.dialect
        table = position_buckets
        self.mark = mark(dialect)
        self.arrays = binds_key_arrays(dialect)
        self.period_in = memoised(bind_processor(table.c.period, dialect) or _same)
        self.instant_in = memoised(bind_processor(table.c.known_from, dialect) or _same)
        self.period_out = memoised(result_processor(table.c.period, dialect))
        to_instant = result_processor(table.c.known_from, dialect)
        self.instant_out = memoised(lambda raw: as_utc(to_instant(raw)))
        self.where = " AND ".join(f"{name} = {self.mark}" for name in (*KEY, "known_from"))

    def stored(self, keys: Sequence[Key], instant: datetime) -> dict[Key, Stored]:
        """Per bucket: its current row and its row closed at `instant`, where there are."""
        found: dict[Key, Stored] = {}
        step = len(keys) if self.arrays else _LOOKUP
        for start in range(0, len(keys), max(step, 1)):
            sql, parameters = self._lookup(keys[start : start + step])
            parameters.append(self.instant_in(instant))
            for row in self.connection.exec_driver_sql(sql, tuple(parameters)):
                key: Key = (*row[:5], self.period_out(row[5]))
                amounts = row[len(KEY) : len(KEY) + len(AMOUNTS)]
                totals = tuple(
                    amounts[i] * _BILLION + amounts[i + 1] for i in range(0, len(AMOUNTS), 2)
                )
                current, closed_now = found.get(key, (None, None))
                if row[-1] is None:
                    current = (self.instant_out(row[-2]), totals)
                else:
                    closed_now = (self.instant_out(row[-2]), totals)
                found[key] = (current, closed_now)
        return found

    def _lookup(self, keys: Sequence[Key]) -> tuple[str, list[Any]]:
        """The query of these keys' rows (its last parameter, the instant, left to add)."""
        names = ", ".join(KEY)
        selected = ", ".join(f"b.{name}" for name in (*KEY, *AMOUNTS, "known_from", "known_until"))
        on = " AND ".join(f"b.{name} = wanted.{name}" for name in KEY)
        known = f"(b.known_until IS NULL OR b.known_until = {self.mark})"
        if self.arrays:
            # One array per column: seven parameters whatever the number of keys (psycopg
            # parses every placeholder again on each call). A table filled in this transaction
            # has no statistics, and PostgreSQL might hash it whole for a join: LIMIT keeps the
            # subquery apart, one index seek per key.
            columns = ", ".join(f"{self.mark}::varchar[]" for _ in KEY[:5])
            sql = (
                f"SELECT {selected} FROM unnest({columns}, {self.mark}::date[]) "
                f"AS wanted ({names}) CROSS JOIN LATERAL (SELECT * FROM position_buckets b "
                f"WHERE {on} AND {known} LIMIT 2) b"
            )
            return sql, [[key[index] for key in keys] for index in range(len(KEY))]
        one = "(" + ", ".join([self.mark] * len(KEY)) + ")"
        sql = (
            f"WITH wanted ({names}) AS (VALUES {', '.join([one] * len(keys))}) "
            f"SELECT {selected} FROM wanted JOIN position_buckets b ON {on} WHERE {known}"
        )
        return sql, [value for key in keys for value in self._key(key)]

    def drop(self, rows: list[tuple[Key, datetime]]) -> None:
        self._many(
            "DELETE FROM position_buckets", [(*self._key(k), self.instant_in(f)) for k, f in rows]
        )

    def close(self, rows: list[tuple[Key, datetime, datetime]]) -> None:
        self._many(
            f"UPDATE position_buckets SET known_until = {self.mark}",
            [(self.instant_in(until), *self._key(k), self.instant_in(f)) for k, f, until in rows],
        )

    def revive(self, rows: list[tuple[Key, datetime]]) -> None:
        self._many(
            "UPDATE position_buckets SET known_until = NULL",
            [(*self._key(k), self.instant_in(f)) for k, f in rows],
        )

    def rewrite(self, rows: list[tuple[Key, datetime, Totals]]) -> None:
        """Give rows made at this instant new totals."""
        assignments = ", ".join(f"{name} = {self.mark}" for name in AMOUNTS)
        self._many(
            f"UPDATE position_buckets SET {assignments}",
            [(*pairs(t), *self._key(k), self.instant_in(f)) for k, f, t in rows],
        )

    def insert(self, rows: list[tuple[Key, Totals, datetime]]) -> None:
        values = [(*key, *pairs(totals), since, None) for key, totals, since in rows]
        insert_rows(self.connection, position_buckets, COLUMNS, values)

    def _key(self, key: Key) -> tuple[Any, ...]:
        return (*key[:5], self.period_in(key[5]))

    def _many(self, statement: str, parameters: list[tuple[Any, ...]]) -> None:
        if parameters:
            self.connection.exec_driver_sql(f"{statement} WHERE {self.where}", parameters)
