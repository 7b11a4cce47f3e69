"""Filling empty read-model tables in bulk: on SQLite, secondary indexes are built at the end.

Inserting into a table with two wide covering indexes updates three B-trees per row, in random
order; building an index over the filled table sorts once (a rebuild of 100k events on SQLite,
143k rows: inserts and index builds ~1.3 s together, inserts into the indexed tables 1.4-1.8 s).
SQLite allows the DDL inside the rebuild's transaction, so a rollback leaves the indexes as they
were, and readers (WAL) keep reading the old tables meanwhile.

On PostgreSQL a rebuild leaves the indexes alone: there DROP INDEX locks the tables against
readers until the rebuild commits, where now they go on reading the previous rows (100k events
under load: COPY 6-7.5 s into the indexed tables, against 3-3.3 s plus 2 s of index builds).
A first fill (tables never filled, in the transaction of an import) has no previous rows to
read: there the indexes are built after the rows too (200k benchmark events: the fill 7.7 s
against 9.4 s), once the tables are locked, all at once, against readers; where a reader holds
one, the rows go into the indexed tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Index, Table, inspect

from ..backends import index_builds_after_fill, sorter_threads

__all__ = ["indexes_built_after"]


@contextmanager
def indexes_built_after(
    connection: Connection, tables: Sequence[Table], *, unread: bool = False
) -> Iterator[None]:
    """Drop the tables' secondary indexes (those the metadata declares and the database has)
    for the duration of the block, and create them again after it, where the backend allows
    it (`backends.index_builds_after_fill`: on SQLite; on PostgreSQL where the tables are
    `unread`, never filled, and no reader holds them)."""
    if not index_builds_after_fill(connection, tables, unread=unread):
        yield
        return
    present = inspect(connection)
    dropped: list[Index] = []
    for table in tables:
        existing = {index["name"] for index in present.get_indexes(table.name)}
        dropped.extend(index for index in table.indexes if index.name in existing)
    for index in dropped:
        index.drop(connection)
    yield
    with sorter_threads(connection):
        for index in dropped:
            index.create(connection)
