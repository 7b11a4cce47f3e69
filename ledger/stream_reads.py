"""The light reads of whole streams, for replays and the write path: no row objects, payloads
parsed (JSON, not yet models) or models from the cache; streamed, never all at once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from sqlalchemy import Connection

from events import Event, load_event

from .backends import mark
from .clock import as_utc
from .log_reads import streams_rows
from .model_cache import model_of
from .schema import events
from .value_conversions import memoised, result_processor


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
    found = streams_rows(connection, columns, names, upto)
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
    found = streams_rows(connection, columns, names, upto)
    for recorded_at, commitment, event_id, type_name, schema_version, payload in found:
        streams[commitment].append(
            StoredPayload(
                recorded_at, commitment, str(event_id), type_name, schema_version, _parsed(payload)
            )
        )
    return streams
