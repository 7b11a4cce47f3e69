"""What the read side does differently on SQLite and on PostgreSQL, in one place.

The read models' SQL is the same on both but for these: how many keys a lookup binds (arrays
on PostgreSQL, VALUES lists on SQLite), whether filling a table may drop its indexes and build
them after the rows, how the tables are locked against readers meanwhile, and the threads
SQLite's sorter may use to build an index.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import OperationalError

__all__ = ["binds_key_arrays", "index_builds_after_fill", "sorter_threads"]

_LOCK_NOT_AVAILABLE = "55P03"


def binds_key_arrays(dialect: Dialect) -> bool:
    """Whether a lookup of many keys binds one array per column (PostgreSQL: each key one index
    seek) rather than a VALUES list (SQLite, where a row-value IN scans the whole table)."""
    return dialect.name == "postgresql"


def index_builds_after_fill(
    connection: Connection, tables: Sequence[Table], *, unread: bool
) -> bool:
    """Whether filling `tables` may drop their indexes and build them after the rows.

    Always on SQLite (DDL is transactional, and WAL readers keep reading the old tables). On
    PostgreSQL only where the tables are `unread` (never filled) and locked against readers
    here, all at once: DROP INDEX would otherwise lock readers out until the commit."""
    if connection.dialect.name == "sqlite":
        return True
    return (
        connection.dialect.name == "postgresql" and unread and _locked_at_once(connection, tables)
    )


@contextmanager
def sorter_threads(connection: Connection) -> Iterator[None]:
    """Let the database's sorter use helper threads to build indexes, for the block: SQLite's
    builds an index a quarter faster on 2 cores; PostgreSQL chooses for itself."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA threads").scalar()
    connection.exec_driver_sql(f"PRAGMA threads = {min(os.cpu_count() or 1, 8)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA threads = {int(before or 0)}")


def _locked_at_once(connection: Connection, tables: Sequence[Table]) -> bool:
    """Lock the tables against readers for the rest of the transaction, all of them at once or
    none: False, at once, if a reader holds one. A transaction that waited for one reader while
    holding another table could deadlock with a query reading both."""
    names = ", ".join(
        connection.dialect.identifier_preparer.format_table(table) for table in tables
    )
    savepoint = connection.begin_nested()
    try:
        connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE NOWAIT")
    except OperationalError as error:
        savepoint.rollback()
        if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        return False
    savepoint.commit()  # the locks stay until the transaction ends
    return True
