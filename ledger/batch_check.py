"""The rules checked on a batch before it is appended, against the stored streams it touches
(docs/design.md, "Rules checked on append")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection

from events import Event, EventCorrected, StreamWalk, check_stream

from .errors import EventIdConflict
from .event_rows import PendingEvent
from .stream_cache import StoredStream, StreamCache
from .stream_reads import read_stream_models
from .unknown_commitments import unknown_named


@dataclass(frozen=True, slots=True)
class CheckedBatch:
    """A batch that passed the rules: the stream versions it was checked against, every
    touched stream's events as they will stand once it is appended (position order), and, when
    asked for, each touched stream's states by date as the rules walked them."""

    versions: dict[str, int]
    streams: dict[str, list[Event]]
    walks: dict[str, StreamWalk]


def check_batch(
    connection: Connection,
    models: Sequence[Event],
    pending: Sequence[PendingEvent],
    *,
    streams: StreamCache | None = None,
    fold: bool = True,
    instants: Sequence[datetime] | None = None,
) -> CheckedBatch:
    """Check a batch against the stored streams it touches, loaded in bulk (or from `streams`,
    the cache of the transaction holding the tail). With `fold`, keep the rules' states.

    `instants`, one per event (non-decreasing), says the batch is known in steps (recording as
    reported): each stream must obey the rules as known after each of its instants, not only
    at the end, so it is checked one instant's events at a time, each walk resuming the last.
    """
    names = {model.commitment for model in models}
    stored, resumable = _stored_streams(connection, names, streams)
    new_by_stream = _new_by_stream(models, pending, stored)
    versions = {name: len(rows) for name, rows in stored.items()}
    checked: dict[str, list[Event]] = {}
    walks: dict[str, StreamWalk] = {}
    instant_of = None if instants is None else _first_instants(pending, instants)
    for commitment, new in new_by_stream.items():
        before = stored[commitment]
        checked[commitment], walk = _checked_stream(
            connection, commitment, before, new, resumable.get(commitment), instant_of, models
        )
        if fold:
            walks[commitment] = walk
        if streams is not None:
            after = before + [(row.key, row.payload, _stored_model(model)) for model, row in new]
            streams.put(commitment, after, walk)
    for name, rows in stored.items():
        if name not in checked:  # a stream the batch only repeats events of
            checked[name] = [model for _, _, model in rows]
    return CheckedBatch(versions, checked, walks)


def _checked_stream(
    connection: Connection,
    commitment: str,
    before: StoredStream,
    new: list[tuple[Event, PendingEvent]],
    walk: StreamWalk | None,
    instant_of: dict[str, datetime] | None,
    batch: Sequence[Event],
) -> tuple[list[Event], StreamWalk]:
    """One stream with its new events, checked (a step at a time, where they are known in
    steps), and the walk of the last check."""
    known = [model for _, _, model in before]
    for step in _known_steps(new, instant_of):
        fresh = [model for model, _ in step]
        origins = [row.origin for _, row in step]
        with unknown_named(connection, commitment, known, fresh, batch):
            walk = check_stream(known, fresh, origins, resume=walk)
        known = known + fresh
    if walk is None:  # never: a stream of the batch has new events, so one step at least
        raise ValueError(f"no new events for {commitment!r}")
    return known, walk


def _first_instants(
    pending: Sequence[PendingEvent], instants: Sequence[datetime]
) -> dict[str, datetime]:
    """Each event id's instant (a repeated id takes its first row's, the one kept)."""
    found: dict[str, datetime] = {}
    for row, instant in zip(pending, instants, strict=True):
        found.setdefault(row.key, instant)
    return found


def _known_steps(
    new: list[tuple[Event, PendingEvent]], instant_of: dict[str, datetime] | None
) -> Iterator[list[tuple[Event, PendingEvent]]]:
    """A stream's new events in the steps they become known: all at once, or by instant."""
    if instant_of is None:
        yield new
        return
    for _, step in groupby(new, key=lambda pair: instant_of[pair[1].key]):
        yield list(step)


def _stored_streams(
    connection: Connection, names: set[str], streams: StreamCache | None
) -> tuple[dict[str, StoredStream], dict[str, StreamWalk]]:
    """The named streams as stored (from `streams` where it has them, the rest read in bulk),
    and the walks of the cached ones, for the rules to resume from."""
    stored: dict[str, StoredStream] = {}
    resumable: dict[str, StreamWalk] = {}
    if streams is not None:
        for name in names:
            cached = streams.get(name)
            if cached is not None:
                stored[name] = cached[0]
                if cached[1] is not None:
                    resumable[name] = cached[1]
    if len(stored) < len(names):
        # A transaction with its own cache of streams keeps what it reads there; the
        # process-wide cache of models is for single batches that read the same streams again.
        missing = names - stored.keys()
        stored.update(read_stream_models(connection, missing, remember=streams is None))
    return stored, resumable


def _new_by_stream(
    models: Sequence[Event], pending: Sequence[PendingEvent], stored: dict[str, StoredStream]
) -> dict[str, list[tuple[Event, PendingEvent]]]:
    """The batch's events not stored yet, by stream, in batch order; an id already stored (or
    repeated in the batch) with other content is refused."""
    stored_payloads = {key: payload for rows in stored.values() for key, payload, _ in rows}
    new_by_stream: dict[str, list[tuple[Event, PendingEvent]]] = defaultdict(list)
    seen: dict[str, str] = {}
    for model, row in zip(models, pending, strict=True):
        known: Any = stored_payloads.get(row.key, seen.get(row.key))
        if known is None:
            seen[row.key] = row.payload
            new_by_stream[model.commitment].append((model, row))
        elif known != row.payload:
            raise EventIdConflict(row.event_id, row.origin)
    return new_by_stream


def _stored_model(model: Event) -> Event:
    """The model a stored row reads back as (a correction's replacement loses its own id)."""
    if isinstance(model, EventCorrected) and model.replacement.id is not None:
        replacement = model.replacement.model_copy(update={"id": None})
        return model.model_copy(update={"replacement": replacement})
    return model
