"""The relay's checkpoints: per destination, the last position the broker acknowledged.

A table in the ledger's own database (created by migration 0004), written only by the relay and
only after an acknowledgement, so it never runs ahead of what the destination holds. Beside the
position it keeps the destination's own sequence number of that message: a destination whose
sequence is now lower was deleted and made again, or lost messages, and its checkpoint no
longer says what it holds (docs/feed.md, "The checkpoint").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, insert, select, update

from ledger import UTCDateTime

__all__ = ["Checkpoint", "feed_checkpoints", "read_checkpoint", "save_checkpoint"]

metadata = MetaData()

feed_checkpoints = Table(
    "feed_checkpoints",
    metadata,
    Column("destination", String(300), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("acknowledged_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The last acknowledged position at a destination, and the destination's sequence of it."""

    position: int = 0
    sequence: int = 0


def read_checkpoint(engine: Engine, destination: str) -> Checkpoint:
    """The destination's checkpoint (zeros if the relay never published there)."""
    table = feed_checkpoints
    query = select(table.c.position, table.c.sequence).where(table.c.destination == destination)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return Checkpoint() if row is None else Checkpoint(int(row[0]), int(row[1]))


def save_checkpoint(
    engine: Engine, destination: str, checkpoint: Checkpoint, acknowledged_at: datetime
) -> None:
    """Move the destination's checkpoint to an acknowledged position."""
    table = feed_checkpoints
    values = {
        "position": checkpoint.position,
        "sequence": checkpoint.sequence,
        "acknowledged_at": acknowledged_at,
    }
    with (
        engine.connect() as connection,
        connection.execution_options(capledger_begin="IMMEDIATE").begin(),
    ):
        moved = connection.execute(
            update(table).where(table.c.destination == destination).values(**values)
        )
        if moved.rowcount == 0:
            connection.execute(insert(table).values(destination=destination, **values))
