"""A replay's reading and folding done by forked worker processes; this one writes the rows.

Streams are independent of each other, so ranges of commitments can be folded anywhere: each
worker takes the next range not yet taken, reads its streams through connections of its own,
turns them into rows (`stream_rows`, as the replay in this process does), converts the values
for the driver and sends them back in batches; this process inserts them, in its transaction,
as they come. The tables hold sets of rows, so the order they arrive in does not matter.
What a projection keeps of its rows for `replayed` (the buckets' tally) is kept by each worker
for its own rows and combined here at the end.

Workers read what is committed: this is for events already in the log (a rebuild, a catch-up
from zero), never for events appended in the caller's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from ledger import (
    StoreError,
    Taken,
    converted,
    detach,
    insert_converted,
    iter_stream_payloads,
    messages,
    started,
    stream_names,
    take,
    worker_count,
)

from ..read_models import PostingProjection
from .replay import PAGE, stream_rows

if TYPE_CHECKING:
    from multiprocessing.connection import Connection as Pipe

__all__ = ["PARALLEL_FROM", "replay_in_parallel", "workers_for"]

PARALLEL_FROM = 100_000
"""Events from which a replay is folded by worker processes, by default: below it, starting
them costs more than they save."""

RANGES_PER_WORKER = 4
"""Ranges of commitments per worker: a worker slowed by other work takes fewer."""

_SEND = 20_000
"""Rows a worker sends at a time."""

Ranges = list[tuple[str | None, str | None]]


def workers_for(engine: Engine, events: int, *, workers: int | None = None) -> int:
    """How many worker processes to replay `events` events with: 0 to replay in this process
    (one core, no fork, an in-memory SQLite log, or too few events unless `workers` is forced)."""
    count = worker_count(engine, workers)
    if workers is None and events < PARALLEL_FROM:
        return 0
    return count


def commitment_ranges(names: Sequence[str], parts: int) -> Ranges:
    """The sorted commitment `names` cut into at most `parts` ranges [start, stop) of about as
    many streams each; the first has no start and the last no stop, so together they cover
    every stream, whatever its name."""
    if not names:
        return [(None, None)]
    size = max(1, -(-len(names) // parts))
    starts = [names[index] for index in range(size, len(names), size)]
    bounds: list[str | None] = [None, *starts, None]
    return [(bounds[index], bounds[index + 1]) for index in range(len(bounds) - 1)]


def replay_in_parallel(
    connection: Connection,
    projections: Sequence[PostingProjection],
    workers: int,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Fill empty posting tables from the committed log, as `replay` does, folded by `workers`
    forked processes. Returns how many events were read."""
    ranges = commitment_ranges(stream_names(connection), workers * RANGES_PER_WORKER)
    processed = 0
    finished: set[int] = set()
    tallies: list[Any] = [None for _ in projections]
    tallied = 0  # workers whose tallies came
    count = min(workers, len(ranges))
    with started(_work, (connection.engine, projections, ranges), count) as (readers, _):
        for message in messages(readers):
            if isinstance(message, BaseException):
                raise message
            kind, *content = message
            if kind == "tallies":  # a worker's last word: what it kept of its rows
                for index, projection in enumerate(projections):
                    tallies[index] = projection.combine(tallies[index], content[0][index])
                tallied += 1
                continue
            batches, read, done = content
            for projection, rows in zip(projections, batches, strict=True):
                insert_converted(connection, projection.table, projection.all_columns, rows)
            processed += read
            if done is not None:
                finished.add(done)
            if progress is not None and read:
                progress(processed)
    if len(finished) < len(ranges) or tallied < count:
        raise StoreError("a replay worker stopped before folding its streams")
    for projection, tally in zip(projections, tallies, strict=True):
        projection.replayed(connection, tally)
    return processed


def _work(
    engine: Engine,
    projections: Sequence[PostingProjection],
    ranges: Ranges,
    taken: Taken,
    sender: Pipe,
) -> None:
    """A forked worker: fold the streams of the next range not yet taken, until none is left;
    then send what it kept of its rows (the tallies)."""
    detach(engine)
    dialect = engine.dialect
    tallies: list[Any] = [None for _ in projections]
    try:
        with engine.connect() as connection:
            while (index := take(taken, len(ranges))) is not None:
                start, stop = ranges[index]
                batches: list[list[Any]] = [[] for _ in projections]
                read = 0
                for stream in iter_stream_payloads(connection, page=PAGE, start=start, stop=stop):
                    for rows, batch in zip(stream_rows(stream, projections), batches, strict=True):
                        batch.extend(rows)
                    read += len(stream)
                    if sum(map(len, batches)) >= _SEND:
                        _tally(projections, batches, tallies)
                        sender.send(
                            ("rows", _for_driver(dialect, projections, batches), read, None)
                        )
                        batches = [[] for _ in projections]
                        read = 0
                _tally(projections, batches, tallies)
                sender.send(("rows", _for_driver(dialect, projections, batches), read, index))
        sender.send(("tallies", tallies))
    except Exception as error:
        sender.send(error)
    finally:
        sender.close()


def _tally(
    projections: Sequence[PostingProjection], batches: list[list[Any]], tallies: list[Any]
) -> None:
    for index, (projection, rows) in enumerate(zip(projections, batches, strict=True)):
        tallies[index] = projection.tally(rows, tallies[index])


def _for_driver(
    dialect: Any, projections: Sequence[PostingProjection], batches: list[list[Any]]
) -> list[list[tuple[Any, ...]]]:
    return [
        converted(dialect, projection.table, projection.all_columns, rows)
        for projection, rows in zip(projections, batches, strict=True)
    ]
