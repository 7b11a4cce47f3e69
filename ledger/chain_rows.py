"""The log's raw rows as verify reads them: ranges of positions, straight from the driver's own
cursor (plain tuples, no SQLAlchemy rows), a page per statement and connection."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Engine

from .backends import mark
from .schema import EVENT_COLUMNS, events

PAGE = 10_000
"""Positions per query: each page is one statement, on its own connection, over a range."""

BATCH = 1_000
"""Rows taken from the driver at a time: small batches stay in the CPU's caches."""

_NO_END = 2**63 - 1  # past any position


class Statements(NamedTuple):
    """The SQL verify runs, in the driver's own parameter style."""

    rows: str  # the raw rows in a range of positions
    after: str  # the first position after one
    last: str  # the last position
    link: str  # one row's hash and recorded_at


def statements(dialect: Dialect) -> Statements:
    param = mark(dialect)
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in EVENT_COLUMNS)
    position = quote("position")
    table = dialect.identifier_preparer.format_table(events)
    return Statements(
        rows=f"SELECT {columns} FROM {table} WHERE {position} > {param} "
        f"AND {position} <= {param} ORDER BY {position}",
        after=f"SELECT min({position}) FROM {table} WHERE {position} > {param}",
        last=f"SELECT max({position}) FROM {table}",
        link=f"SELECT {quote('hash')}, {quote('recorded_at')} FROM {table} "
        f"WHERE {position} = {param}",
    )


def query_one(engine: Engine, sql: str, parameters: tuple[Any, ...]) -> Any:
    """The first row of a query's result (its only value, if it has one), or None."""
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
        finally:
            cursor.close()
    if row is None:
        return None
    return row[0] if len(row) == 1 else tuple(row)


def row_batches(
    engine: Engine, page: int, after: int, upto: int | None
) -> Generator[list[tuple[Any, ...]], None, None]:
    """Every row in positions (after, upto], as the driver returns it, in position order, in
    batches of BATCH rows.

    The rows are read in pages of `page` positions, each one statement on its own connection.
    A page is a range of positions rather than a LIMIT: PostgreSQL then reads it through the
    primary key even on a table it has no statistics for. A page that comes back short has a
    gap or is the end: the next page starts at the first position stored after it, if any.
    """
    sql = statements(engine.dialect)
    end = _NO_END if upto is None else upto
    low = after
    while low < end:
        high = min(low + page, end)
        fetched = 0
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            cursor = driver.cursor()
            try:
                cursor.execute(sql.rows, (low, high))
                while rows := cursor.fetchmany(BATCH):
                    fetched += len(rows)
                    yield rows
                if fetched < high - low:
                    cursor.execute(sql.after, (high,))
                    (next_stored,) = cursor.fetchone()
                    if next_stored is None or next_stored > end:
                        return
                    high = next_stored - 1
            finally:
                cursor.close()
        low = high
