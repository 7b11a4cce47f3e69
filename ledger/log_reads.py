"""Reads of the event log as stored rows (StoredEvent): in position order (the feed), as known at
an instant, by stream, and its counts; paged, never all at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Engine, Row, func, select

from .backends import among
from .clock import as_utc
from .event_rows import StoredEvent
from .schema import events

PAGE = 2_000


def to_stored(row: Row[Any]) -> StoredEvent:
    """A row of `select(events)` (every column, in table order) as a StoredEvent."""
    # Unpacking by position: attribute access on a Row costs a key lookup per column.
    (
        position,
        event_id,
        commitment,
        version,
        type_name,
        schema_version,
        effective,
        recorded_at,
        recorded_by,
        payload,
        prev_hash,
        hash_,
    ) = cast("tuple[Any, ...]", row)
    return StoredEvent(
        position=position,
        event_id=UUID(event_id),
        commitment=commitment,
        version=version,
        type_name=type_name,
        schema_version=schema_version,
        effective=effective,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        payload=payload,
        prev_hash=prev_hash,
        hash=hash_,
    )


def position_known_at(connection: Connection, known_at: datetime | None) -> int:
    """The last position recorded at or before `known_at` (the whole log when None)."""
    query = select(func.coalesce(func.max(events.c.position), 0))
    if known_at is not None:
        query = query.where(events.c.recorded_at <= as_utc(known_at))
    return int(connection.execute(query).scalar_one())


def position_before(connection: Connection, instant: datetime) -> int:
    """The last position recorded strictly before `instant` (0 when none is)."""
    query = select(func.coalesce(func.max(events.c.position), 0))
    query = query.where(events.c.recorded_at < as_utc(instant))
    return int(connection.execute(query).scalar_one())


def _positions(
    engine: Engine,
    after: int,
    upto: int | None,
    recorded_from: datetime | None,
    recorded_to: Sequence[datetime | None],
) -> tuple[int, int | None]:
    """The positions (after, upto] recorded in [recorded_from, recorded_to]: transaction time
    never runs backwards along positions (docs/design.md, "The two times"), so a span of
    recording instants is a span of positions, found through the index on `recorded_at`."""
    ends = [instant for instant in recorded_to if instant is not None]
    if recorded_from is None and not ends:
        return after, upto
    with engine.connect() as connection:
        if recorded_from is not None:
            after = max(after, position_before(connection, recorded_from))
        for instant in ends:
            bound = position_known_at(connection, instant)
            upto = bound if upto is None else min(upto, bound)
    return after, upto


def _matching(
    commitment: str | None,
    types: Sequence[str] | None,
    effective_from: date | None,
    effective_to: date | None,
) -> list[ColumnElement[bool]]:
    """The where-clauses of the filters given (an effective-date bound leaves out the events
    that have no effective date)."""
    clauses: list[ColumnElement[bool]] = []
    if commitment is not None:
        clauses.append(events.c.commitment == commitment)
    if types is not None:
        clauses.append(events.c.type.in_(list(types)))
    if effective_from is not None:
        clauses.append(events.c.effective >= effective_from)
    if effective_to is not None:
        clauses.append(events.c.effective <= effective_to)
    return clauses


def iter_events(
    engine: Engine,
    *,
    after: int = 0,
    upto: int | None = None,
    known_at: datetime | None = None,
    commitment: str | None = None,
    types: Sequence[str] | None = None,
    recorded_from: datetime | None = None,
    recorded_to: datetime | None = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
    limit: int | None = None,
    page: int = PAGE,
) -> Iterator[StoredEvent]:
    """Events in position order after `after`, up to position `upto` and instant `known_at`,
    of `commitment`, of one of `types`, recorded in [`recorded_from`, `recorded_to`] and
    effective in [`effective_from`, `effective_to`] (each bound included; None: no bound).

    The filters are the queries' own where-clauses. Pages by position (keyset), one short
    query per page, so memory stays flat and no read transaction is held open while the
    caller works.
    """
    cursor, upto = _positions(engine, after, upto, recorded_from, (known_at, recorded_to))
    matching = _matching(commitment, types, effective_from, effective_to)
    remaining = limit
    while remaining is None or remaining > 0:
        size = page if remaining is None else min(page, remaining)
        query = select(events).where(events.c.position > cursor, *matching)
        if upto is not None:
            query = query.where(events.c.position <= upto)
        query = query.order_by(events.c.position).limit(size)
        with engine.connect() as connection:
            rows = [to_stored(row) for row in connection.execute(query)]
        yield from rows
        if len(rows) < size:
            return
        cursor = rows[-1].position
        if remaining is not None:
            remaining -= len(rows)


def streams_rows(
    connection: Connection,
    columns: Sequence[Any],
    names: Sequence[str],
    upto: int | None = None,
) -> Iterator[Any]:
    """The `columns` of every row of the named streams, up to position `upto` if given, in
    position order within each stream, in a few bulk queries: how every read of whole streams
    reads them."""
    for matching, values in among(connection, events.c.commitment, names):
        query = select(*columns).where(matching)
        if upto is not None:
            query = query.where(events.c.position <= upto)
        yield from connection.execute(query.order_by(events.c.position), values)


def read_streams(
    connection: Connection, commitments: Iterable[str], *, upto: int | None = None
) -> dict[str, list[StoredEvent]]:
    """Every event of the named streams, in position order, in a few bulk queries."""
    names: Sequence[str] = sorted(set(commitments))
    streams: dict[str, list[StoredEvent]] = {name: [] for name in names}
    for row in streams_rows(connection, [events], names, upto):
        streams[row.commitment].append(to_stored(row))
    return streams


def count_events(connection: Connection) -> int:
    """How many events the log holds."""
    return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def stream_names(connection: Connection) -> list[str]:
    """Every commitment the log holds events of, in order (read off its first event's key)."""
    query = select(events.c.commitment).where(events.c.version == 1)
    return list(connection.execute(query.order_by(events.c.commitment)).scalars())
