"""Bulk inserts at the driver's speed: rows as tuples, converted once per column, no ORM layer.

SQLAlchemy's `insert(table)` with a list of dicts runs every value through its type processing
and builds a parameter dict per row; for the write path's tens of thousands of rows that costs
more than the database itself. Here each column's bind processor is looked up once, applied
only to the columns that have one (and once per distinct value, since dates and instants
repeat), and the rows go to the driver as tuples (`backends.insert_converted`: `executemany` on
SQLite, `COPY` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from .backends import insert_converted
from .value_conversions import Convert, bind_processor, memoised

Row = Sequence[Any]


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, in this transaction."""
    if rows:
        insert_converted(
            connection, table, columns, converted(connection.dialect, table, columns, rows)
        )


def converted(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> list[tuple[Any, ...]]:
    """The rows with every value as the driver takes it (what SQLAlchemy would bind): plain
    values, which another process can compute and send."""
    processors: list[tuple[int, Convert]] = []
    for index, name in enumerate(columns):
        processor = bind_processor(table.c[name], dialect)
        if processor is not None:
            processors.append((index, memoised(processor)))
    if not processors:
        return [tuple(row) for row in rows]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(row)
        for index, process in processors:
            values[index] = process(values[index])
        out.append(tuple(values))
    return out
