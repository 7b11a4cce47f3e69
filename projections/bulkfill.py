"""Filling empty read-model tables in bulk: their secondary indexes are built once at the end.

Inserting into a table with two wide covering indexes updates three B-trees per row, in random
order; building an index over the filled table sorts once. Both backends allow the DDL inside
the rebuild's transaction, so a rollback leaves the indexes as they were. (On PostgreSQL,
DROP INDEX locks the table until the transaction ends: readers wait for the rebuild rather
than read the emptied tables.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Index, Table, inspect

__all__ = ["indexes_built_after"]


@contextmanager
def indexes_built_after(connection: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Drop the tables' secondary indexes (those the metadata declares and the database has)
    for the duration of the block, and create them again after it."""
    present = inspect(connection)
    dropped: list[Index] = []
    for table in tables:
        existing = {index["name"] for index in present.get_indexes(table.name)}
        dropped.extend(index for index in table.indexes if index.name in existing)
    for index in dropped:
        index.drop(connection)
    yield
    for index in dropped:
        index.create(connection)
