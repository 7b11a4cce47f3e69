"""Reads of the event log, by position, stream or recording instant; streamed, never all at once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast
from uuid import UUID

import orjson
from sqlalchemy import Connection, Engine, Row, func, select

from events import Event, load_event

from .backends import among, mark
from .clock import as_utc
from .event_rows import StoredEvent
from .model_cache import model_of
from .schema import events
from .value_conversions import memoised, result_processor

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


class StreamEvent(NamedTuple):
    """One event of a stream as a replay needs it: when it was recorded, and its model."""

    recorded_at: datetime
    event: Event


class StoredPayload(NamedTuple):
    """One event of a stream as stored: when it was recorded, its stream, id, type, schema
    version and parsed payload (JSON, not yet a model)."""

    recorded_at: datetime
    commitment: str
    event_id: str
    type_name: str
    schema_version: int
    payload: Any


def stream_event(row: StoredPayload) -> StreamEvent:
    """The stored event as a model (upcast and validated)."""
    model = load_event(row.type_name, row.schema_version, row.payload, event_id=UUID(row.event_id))
    return StreamEvent(row.recorded_at, model)


def iter_stream_payloads(
    connection: Connection,
    *,
    page: int = 5_000,
    start: str | None = None,
    stop: str | None = None,
) -> Iterator[list[StoredPayload]]:
    """The whole log, one stream at a time, each in position order (memory: a page and a
    stream), for replays: raw driver reads, each distinct instant converted once.

    With `start` and `stop`, only the streams named from `start` on and before `stop`.
    Paged by (commitment, version), the unique index, so no cursor stays open across writes.
    """
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    param = mark(dialect)
    names = ("commitment", "version", "event_id", "type", "schema_version", "payload")
    columns = ", ".join(quote(name) for name in (*names, "recorded_at"))
    table = dialect.identifier_preparer.format_table(events)
    order = f"{quote('commitment')}, {quote('version')}"
    named = quote("commitment")
    limits = [(f"{named} >= {param}", start), (f"{named} < {param}", stop)]
    within = [condition for condition, value in limits if value is not None]
    bound = tuple(value for _, value in limits if value is not None)
    head = f"SELECT {columns} FROM {table}"
    tail = f"ORDER BY {order} LIMIT {int(page)}"
    first = f"{head} WHERE {' AND '.join(within)} {tail}" if within else f"{head} {tail}"
    past = f"({order}) > ({param}, {param})"
    after = f"{head} WHERE {' AND '.join([past, *within])} {tail}"
    to_instant = result_processor(events.c.recorded_at, dialect)
    instant_of = memoised(lambda raw: as_utc(to_instant(raw)))
    stream: list[StoredPayload] = []
    current: str | None = None
    cursor: tuple[str, int] | None = None
    while True:
        if cursor is None:
            rows = _fetched(connection, first, bound or None)
        else:
            rows = _fetched(connection, after, (*cursor, *bound))
        for commitment, _, event_id, type_name, schema_version, payload, raw in rows:
            if commitment != current and stream:
                yield stream
                stream = []
            current = commitment
            stream.append(
                StoredPayload(
                    instant_of(raw),
                    commitment,
                    str(event_id),
                    type_name,
                    schema_version,
                    _parsed(payload),
                )
            )
        if len(rows) < page:
            break
        cursor = (rows[-1][0], rows[-1][1])
    if stream:
        yield stream


def _fetched(
    connection: Connection, statement: str, params: tuple[Any, ...] | None
) -> list[tuple[Any, ...]]:
    """Every row of one query, as plain tuples from the driver's own cursor (no Row objects:
    a replay reads every row of the log once); the cursor is closed before the caller works."""
    cursor = connection.connection.cursor()
    try:
        if params is None:
            cursor.execute(statement)
        else:
            cursor.execute(statement, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _parsed(payload: str) -> Any:
    """A stored payload's JSON: orjson reads what the store writes (strings, small ints, objects)
    as json does, several times faster; anything it refuses goes the reference way."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return json.loads(payload)


def position_known_at(connection: Connection, known_at: datetime | None) -> int:
    """The last position recorded at or before `known_at` (the whole log when None)."""
    query = select(func.coalesce(func.max(events.c.position), 0))
    if known_at is not None:
        query = query.where(events.c.recorded_at <= as_utc(known_at))
    return int(connection.execute(query).scalar_one())


def iter_events(
    engine: Engine,
    *,
    after: int = 0,
    upto: int | None = None,
    known_at: datetime | None = None,
    commitment: str | None = None,
    limit: int | None = None,
    page: int = PAGE,
) -> Iterator[StoredEvent]:
    """Events in position order after `after`, up to position `upto` and instant `known_at`.

    Pages by position (keyset), one short query per page, so memory stays flat and no read
    transaction is held open while the caller works.
    """
    if known_at is not None:
        with engine.connect() as connection:
            bound = position_known_at(connection, known_at)
        upto = bound if upto is None else min(upto, bound)
    remaining = limit
    cursor = after
    while remaining is None or remaining > 0:
        size = page if remaining is None else min(page, remaining)
        query = select(events).where(events.c.position > cursor)
        if upto is not None:
            query = query.where(events.c.position <= upto)
        if commitment is not None:
            query = query.where(events.c.commitment == commitment)
        query = query.order_by(events.c.position).limit(size)
        with engine.connect() as connection:
            rows = [to_stored(row) for row in connection.execute(query)]
        yield from rows
        if len(rows) < size:
            return
        cursor = rows[-1].position
        if remaining is not None:
            remaining -= len(rows)


def read_streams(
    connection: Connection, commitments: Iterable[str], *, upto: int | None = None
) -> dict[str, list[StoredEvent]]:
    """Every event of the named streams, in position order, in a few bulk queries."""
    names: Sequence[str] = sorted(set(commitments))
    streams: dict[str, list[StoredEvent]] = {name: [] for name in names}
    for matching, values in among(connection, events.c.commitment, names):
        query = select(events).where(matching)
        if upto is not None:
            query = query.where(events.c.position <= upto)
        for row in connection.execute(query.order_by(events.c.position), values):
            streams[row.commitment].append(to_stored(row))
    return streams


def read_stream_models(
    connection: Connection,
    commitments: Iterable[str],
    *,
    upto: int | None = None,
    remember: bool = True,
) -> dict[str, list[tuple[str, str, Event]]]:
    """Every event of the named streams as (id, payload, model), in position order (up to
    position `upto`, if given).

    The light read of the write path: no row objects, and models come from the cache when the
    rows were seen before. With `remember` false the models parsed are not added to it: a
    bulk import keeps what it reads itself, and would only crowd the cache out.
    """
    names: Sequence[str] = sorted(set(commitments))
    streams: dict[str, list[tuple[str, str, Event]]] = {name: [] for name in names}
    columns = (
        events.c.event_id,
        events.c.commitment,
        events.c.type,
        events.c.schema_version,
        events.c.payload,
    )
    for matching, values in among(connection, events.c.commitment, names):
        query = select(*columns).where(matching)
        if upto is not None:
            query = query.where(events.c.position <= upto)
        found = connection.execute(query.order_by(events.c.position), values)
        for event_id, commitment, type_name, schema_version, payload in found:
            model = model_of(type_name, schema_version, event_id, payload, remember=remember)
            streams[commitment].append((event_id, payload, model))
    return streams


def read_stream_payloads(
    connection: Connection, commitments: Iterable[str], *, upto: int | None = None
) -> dict[str, list[StoredPayload]]:
    """Every event of the named streams as stored, payloads parsed (JSON, not models), in
    position order, up to position `upto` if given: for folds from the payloads, which need
    neither the models' validation nor their cache."""
    names: Sequence[str] = sorted(set(commitments))
    streams: dict[str, list[StoredPayload]] = {name: [] for name in names}
    columns = (
        events.c.recorded_at,
        events.c.commitment,
        events.c.event_id,
        events.c.type,
        events.c.schema_version,
        events.c.payload,
    )
    for matching, values in among(connection, events.c.commitment, names):
        query = select(*columns).where(matching)
        if upto is not None:
            query = query.where(events.c.position <= upto)
        found = connection.execute(query.order_by(events.c.position), values)
        for recorded_at, commitment, event_id, type_name, schema_version, payload in found:
            streams[commitment].append(
                StoredPayload(
                    recorded_at,
                    commitment,
                    str(event_id),
                    type_name,
                    schema_version,
                    _parsed(payload),
                )
            )
    return streams


def count_events(connection: Connection) -> int:
    """How many events the log holds."""
    return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def stream_names(connection: Connection) -> list[str]:
    """Every commitment the log holds events of, in order (read off its first event's key)."""
    query = select(events.c.commitment).where(events.c.version == 1)
    return list(connection.execute(query.order_by(events.c.commitment)).scalars())
