"""Catching projections up with the log: every event after each checkpoint, exactly once.

`write_transaction` holds the store's write lock, as appends do, so nothing is appended while
a projection catches up. A projection never filled is filled from the whole log (fill.py);
the others advance page by page, each page read once and handed to every projection that
shares its checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from operator import attrgetter

from sqlalchemy import Connection, Engine, select

from ledger import (
    HandedRows,
    Ledger,
    WriteTransaction,
    all_or_nothing,
    event_log,
    lock_tail,
    to_stored,
)

from ..read_models import PostingProjection
from .checkpoints import checkpoint_of, create_tables, is_empty, log_head, save_checkpoint
from .fill import fill_from_log
from .projection import Progress, Projection

__all__ = ["PAGE", "advance", "catch_up", "catch_up_all", "feed_instants", "write_transaction"]

PAGE = 2_000


def catch_up(ledger: Ledger, projection: Projection) -> int:
    """Process every event after the projection's checkpoint; returns how many it processed."""
    return catch_up_all(ledger.engine, [projection])[projection.name]


def catch_up_all(
    engine: Engine, projections: Sequence[Projection], *, progress: Progress | None = None
) -> dict[str, int]:
    """Bring several projections current; one cheap read when none is behind."""
    done = dict.fromkeys((projection.name for projection in projections), 0)
    with engine.connect() as connection:
        head = log_head(connection)
        behind = [p for p in projections if checkpoint_of(connection, p.name) < head]
    if not behind:
        return done
    with write_transaction(engine) as connection:
        for projection in behind:
            create_tables(connection, projection)
        # From zero, posting projections are filled stream by stream (as a rebuild does);
        # the others advance together, page by page, from each checkpoint in common.
        fresh = [
            projection
            for projection in behind
            if isinstance(projection, PostingProjection)
            and checkpoint_of(connection, projection.name) == 0
            and is_empty(connection, projection)
        ]
        if fresh:
            done.update(fill_from_log(connection, fresh, progress, committed=True))
        by_checkpoint: dict[int, list[Projection]] = {}
        for projection in behind:
            if projection not in fresh:
                start = checkpoint_of(connection, projection.name)
                by_checkpoint.setdefault(start, []).append(projection)
        for group in by_checkpoint.values():
            done.update(_advance_together(connection, group, page=PAGE, progress=progress))
    return done


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the store's write lock, as appends do (no append runs meanwhile)."""
    with engine.connect() as connection:
        connection = connection.execution_options(capledger_begin="IMMEDIATE")
        with all_or_nothing(connection):  # rolled back whole, even when Ctrl-C cuts it
            lock_tail(connection)
            yield connection


def advance(
    connection: Connection,
    projection: Projection,
    *,
    page: int = PAGE,
    progress: Progress | None = None,
    transaction: WriteTransaction | None = None,
) -> int:
    """Feed every event after the checkpoint to the projection, a page at a time.

    The caller holds the write lock. Each handle() call gets the events of one recording
    instant; an instant cut by a page boundary simply arrives in two calls. Inside an append,
    `transaction` is the append's, which keeps what the projection holds for its later batches.
    """
    done = _advance_together(
        connection, [projection], page=page, progress=progress, transaction=transaction
    )
    return done[projection.name]


def _advance_together(
    connection: Connection,
    projections: Sequence[Projection],
    *,
    page: int,
    progress: Progress | None,
    transaction: WriteTransaction | None = None,
) -> dict[str, int]:
    """Advance projections that share a checkpoint: each page is read once and handed to each
    in turn (so posting projections fold each stream once per page)."""
    if transaction is None:
        transaction = WriteTransaction(connection)
    cursor = checkpoint_of(connection, projections[0].name)
    processed = 0
    while True:
        query = (
            select(event_log).where(event_log.c.position > cursor).order_by(event_log.c.position)
        )
        rows = [to_stored(row) for row in connection.execute(query.limit(page))]
        if not rows:
            break
        for _, run in groupby(rows, key=attrgetter("recorded_at")):
            part = HandedRows(run, transaction)
            for projection in projections:
                projection.handle(connection, part)
        cursor = rows[-1].position
        processed += len(rows)
        if progress is not None:
            for projection in projections:
                progress(projection.name, processed)
        if len(rows) < page:
            break
    if processed:
        for projection in projections:
            save_checkpoint(connection, projection.name, cursor)
    return {projection.name: processed for projection in projections}


def feed_instants(connection: Connection, projection: Projection, rows: HandedRows) -> None:
    """Hand the projection an append's rows, one recording instant at a time."""
    for _, run in groupby(rows, key=attrgetter("recorded_at")):
        projection.handle(connection, HandedRows(run, rows.transaction, rows.streams, rows.walks))
