"""Bulk inserts at the driver's speed: rows as tuples, converted once per column, no ORM layer.

SQLAlchemy's `insert(table)` with a list of dicts runs every value through its type processing
and builds a parameter dict per row; for the write path's tens of thousands of rows that costs
more than the database itself. Here each column's bind processor is looked up once, applied
only to the columns that have one (and once per distinct value, since dates and instants
repeat), and the rows go to the driver as tuples: `executemany` on SQLite, `COPY` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import DBAPIError

from .driver import Convert, bind_processor, mark, memoised

Row = Sequence[Any]


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, in this transaction."""
    if rows:
        insert_converted(
            connection, table, columns, converted(connection.dialect, table, columns, rows)
        )


def insert_converted(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert rows whose values are already as the driver takes them (see `converted`)."""
    if not rows:
        return
    dialect = connection.dialect
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    if dialect.name == "postgresql":
        quoted = dialect.identifier_preparer.quote(table.name)
        statement = f"COPY {quoted} ({names}) FROM STDIN"
        driver = connection.connection.driver_connection
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy reports driver errors (IntegrityError, ProgrammingError, ...).
            raise DBAPIError.instance(
                statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return
    marks = ", ".join(mark(dialect) for _ in columns)
    quoted = dialect.identifier_preparer.format_table(table)
    connection.exec_driver_sql(f"INSERT INTO {quoted} ({names}) VALUES ({marks})", rows)


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
