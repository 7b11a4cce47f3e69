"""Checkpoints: the last global position each projection has processed, and the log's head.

A checkpoint is written in the same transaction as the projection's rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select, update

from ledger import event_log

from ..read_models import projection_checkpoints
from .projection import Projection

__all__ = ["checkpoint_of", "create_tables", "is_empty", "log_head", "save_checkpoint"]


def create_tables(connection: Connection, projection: Projection) -> None:
    for table in projection.tables:
        table.create(connection, checkfirst=True)


def is_empty(connection: Connection, projection: Projection) -> bool:
    return all(
        connection.execute(select(table).limit(1)).first() is None for table in projection.tables
    )


def log_head(connection: Connection) -> int:
    return int(
        connection.execute(select(func.coalesce(func.max(event_log.c.position), 0))).scalar_one()
    )


def checkpoint_of(connection: Connection, name: str) -> int:
    query = select(projection_checkpoints.c.position).where(projection_checkpoints.c.name == name)
    position = connection.execute(query).scalar_one_or_none()
    return 0 if position is None else int(position)


def save_checkpoint(connection: Connection, name: str, position: int) -> None:
    table = projection_checkpoints
    if position == 0:
        connection.execute(delete(table).where(table.c.name == name))
        return
    moved = connection.execute(update(table).where(table.c.name == name).values(position=position))
    if moved.rowcount == 0:
        connection.execute(insert(table).values(name=name, position=position))
