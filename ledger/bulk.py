"""Bulk inserts at the driver's speed: rows as tuples, converted once per column, no ORM layer.

SQLAlchemy's `insert(table)` with a list of dicts runs every value through its type processing
and builds a parameter dict per row; for the write path's tens of thousands of rows that costs
more than the database itself. Here each column's bind processor is looked up once, applied
only to the columns that have one (and once per distinct value, since dates and instants
repeat), and the rows go to the driver as tuples: `executemany` on SQLite, `COPY` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

Row = Sequence[Any]

# Distinct values converted per column and call, at most: dates and instants repeat a lot.
_MEMO_LIMIT = 100_000


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, in this transaction."""
    if not rows:
        return
    dialect = connection.dialect
    converted = _converted(connection, table, columns, rows)
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    if dialect.name == "postgresql":
        quoted = dialect.identifier_preparer.quote(table.name)
        statement = f"COPY {quoted} ({names}) FROM STDIN"
        driver = connection.connection.driver_connection
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in converted:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy reports driver errors (IntegrityError, ProgrammingError, ...).
            raise DBAPIError.instance(
                statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return
    marks = ", ".join("?" for _ in columns) if dialect.paramstyle == "qmark" else None
    if marks is None:
        marks = ", ".join("%s" for _ in columns)
    quoted = dialect.identifier_preparer.format_table(table)
    connection.exec_driver_sql(f"INSERT INTO {quoted} ({names}) VALUES ({marks})", converted)


def _converted(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> list[tuple[Any, ...]]:
    """The rows with every value as the driver takes it (what SQLAlchemy would bind)."""
    dialect = connection.dialect
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((index, _memoised(processor)))
    if not processors:
        return [tuple(row) for row in rows]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(row)
        for index, process in processors:
            values[index] = process(values[index])
        out.append(tuple(values))
    return out


def _memoised(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        if value is None:
            return processor(None)
        try:
            return seen[value]
        except KeyError:
            result = processor(value)
            if len(seen) < _MEMO_LIMIT:
                seen[value] = result
            return result
        except TypeError:  # unhashable: convert every time
            return processor(value)

    return process
