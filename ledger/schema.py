"""The tables of the store, as SQLAlchemy Core metadata (created by the migrations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

from .backends import SQLITE, keeps_naive_text
from .clock import as_utc

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if keeps_naive_text(dialect) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


events = Table(
    "events",
    metadata,
    Column(
        "position",
        BigInteger().with_variant(Integer(), SQLITE),
        primary_key=True,
        autoincrement=False,
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("commitment", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(40), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("effective", Date, nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # (commitment, version) unique: optimistic concurrency, enforced by the database.
    Index("ix_events_commitment_version", "commitment", "version", unique=True),
    Index("ix_events_recorded_at", "recorded_at"),
)

EVENT_COLUMNS: tuple[str, ...] = tuple(column.name for column in events.columns)
"""The events table's columns in table order (the order of a stored row's values)."""
