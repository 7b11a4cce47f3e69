"""A rebuild from zero: empty posting tables filled from the whole log, stream by stream.

Each stream is read once, its events grouped by recording instant; after each instant the
stream's wanted rows are compared with the rows so far: rows no longer wanted are closed at
the instant, new ones start at it, as appending the log instant by instant would leave them.
(An instant handled whole never drops nor revives.)

The built-in projections take their rows straight from the stored payloads
(fold/payload_postings.py); other projections, and payloads of an older schema, go through
the models and the reference fold, folded once per stream and resumed at each instant
(`events.StreamFold`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection

from events import SCHEMA_VERSION, Event, StreamFold, states_by_date
from ledger import (
    StoredPayload,
    insert_rows,
    iter_stream_payloads,
    read_stream_models,
    read_stream_payloads,
    stream_event,
)

from ..fold import Posting, raw_history
from ..read_models import PositionPostings, PostingProjection, TrancheSchedule

__all__ = ["PAGE", "replay", "stream_rows", "wanted_at_end"]

_WRITE_BATCH = 20_000
PAGE = _WRITE_BATCH // 4
"""Events read per query."""
_RAW = (PositionPostings, TrancheSchedule)
"""The projections `raw_history` stands in for, in the order of the row sets it gives."""

Wanted = tuple[datetime, date | None, set[Posting]]
"""After an instant: the instant, the first date it may have changed (None: any), and the rows
wanted (at least those effective from that date on: the rows before it stay as they are)."""


def replay(
    connection: Connection,
    projections: Sequence[PostingProjection],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Fill empty posting tables from the whole log, as appending it instant by instant would.
    Returns how many events were read."""
    pending: list[list[Posting]] = [[] for _ in projections]
    tallies: list[Any] = [None for _ in projections]
    processed = 0
    for stream in iter_stream_payloads(connection, page=PAGE):
        histories = stream_rows(stream, projections)
        for index, (projection, rows) in enumerate(zip(projections, histories, strict=True)):
            out = pending[index]
            out.extend(rows)
            if len(out) >= _WRITE_BATCH:
                tallies[index] = projection.tally(out, tallies[index])
                _insert(connection, projection, out)
        processed += len(stream)
        if progress is not None:
            progress(processed)
    for projection, out, tally in zip(projections, pending, tallies, strict=True):
        tally = projection.tally(out, tally)
        _insert(connection, projection, out)
        projection.replayed(connection, tally)
    return processed


def stream_rows(
    stream: Sequence[StoredPayload], projections: Sequence[PostingProjection]
) -> list[list[Posting]]:
    """Per projection, every row one stream leaves in its table (known_from, known_until set)."""
    # Exactly the built-in classes: a subclass may want other rows.
    raw = [_RAW.index(type(p)) for p in projections if type(p) in _RAW]
    histories = _raw_rows(stream, projections, raw) if len(raw) == len(projections) else None
    return _model_rows(stream, projections) if histories is None else histories


def wanted_at_end(
    connection: Connection,
    names: Sequence[str],
    upto: int,
    projections: Sequence[PostingProjection],
) -> tuple[list[dict[str, set[Posting]]], int]:
    """Per projection, every row each named stream wants once its events up to position `upto`
    are known (its whole fold), and how many events were read. The built-in projections take
    them from the payloads (fold/payload_history.py), as a replay does; others, and payloads of
    an older schema, from the models and the reference fold."""
    wanted: list[dict[str, set[Posting]]] = [{} for _ in projections]
    raw = [_RAW.index(type(p)) for p in projections if type(p) in _RAW]
    if len(raw) < len(projections):
        streams = read_stream_models(connection, names, upto=upto, remember=False)
        for name, rows_read in streams.items():
            _from_models(name, [model for _, _, model in rows_read], projections, wanted)
        return wanted, sum(map(len, streams.values()))
    payloads = read_stream_payloads(connection, names, upto=upto)
    for name, stream in payloads.items():
        history = (
            raw_history(name, stream, [len(stream)])
            if stream and all(row.schema_version == SCHEMA_VERSION for row in stream)
            else None
        )
        if history is None:
            _from_models(name, [stream_event(row).event for row in stream], projections, wanted)
            continue
        _, *both = history[-1]
        for rows, which in zip(wanted, raw, strict=True):
            rows[name] = both[which]
    return wanted, sum(map(len, payloads.values()))


def _from_models(
    name: str,
    models: Sequence[Event],
    projections: Sequence[PostingProjection],
    wanted: list[dict[str, set[Posting]]],
) -> None:
    states = list(states_by_date(models))
    for rows, projection in zip(wanted, projections, strict=True):
        rows[name] = projection.from_states(name, states)


def _instants(stream: Sequence[StoredPayload]) -> list[tuple[datetime, int]]:
    """Each recording instant of the stream, with how many of its events are known by its end."""
    ends: list[tuple[datetime, int]] = []
    for index, row in enumerate(stream):
        if ends and ends[-1][0] == row.recorded_at:
            ends[-1] = (row.recorded_at, index + 1)
        else:
            ends.append((row.recorded_at, index + 1))
    return ends


def _raw_rows(
    stream: Sequence[StoredPayload],
    projections: Sequence[PostingProjection],
    raw: Sequence[int],
) -> list[list[Posting]] | None:
    """Per projection, the stream's rows from its payloads; None where the models must do."""
    if any(row.schema_version != SCHEMA_VERSION for row in stream):
        return None  # upcasting is the models' business
    instants = _instants(stream)
    history = raw_history(stream[0].commitment, stream, [end for _, end in instants])
    if history is None:
        return None
    return [
        _history(
            p,
            [
                (instant, since, both[which])
                for (instant, _), (since, *both) in zip(instants, history, strict=True)
            ],
        )
        for p, which in zip(projections, raw, strict=True)
    ]


def _model_rows(
    stream: Sequence[StoredPayload], projections: Sequence[PostingProjection]
) -> list[list[Posting]]:
    """Per projection, the stream's rows from its models and the reference fold, folded once
    and resumed at each instant from the first date it changes (only rows effective from that
    date on are compared, as `handle` does on the write path)."""
    events = [stream_event(row) for row in stream]
    commitment = events[0].event.commitment
    refold = StreamFold()
    folds = [
        (instant, refold.add([event.event for event in run]), refold.states)
        for instant, run in groupby(events, key=attrgetter("recorded_at"))
    ]
    return [
        _history(
            p,
            [
                (instant, since, p.from_states(commitment, states, since))
                for instant, since, states in folds
            ],
        )
        for p in projections
    ]


def _history(projection: PostingProjection, instants: Sequence[Wanted]) -> list[Posting]:
    """Every row a stream leaves in the projection's table, known_from and known_until set,
    from the rows it wants after each instant."""
    if len(instants) == 1:
        instant, _, wanted = instants[0]  # every row starts at the one instant, and is current
        return [(*posting, instant, None) for posting in wanted]
    effective = projection.columns.index("effective")
    rows: list[Posting] = []
    current: dict[Posting, datetime] = {}
    for instant, since, wanted in instants:
        for posting in [
            p for p in current if p not in wanted and (since is None or p[effective] >= since)
        ]:
            rows.append((*posting, current.pop(posting), instant))
        for posting in wanted - current.keys():
            current[posting] = instant
    rows.extend((*posting, known_from, None) for posting, known_from in current.items())
    return rows


def _insert(connection: Connection, projection: PostingProjection, rows: list[Posting]) -> None:
    insert_rows(connection, projection.table, projection.all_columns, rows)
    rows.clear()
