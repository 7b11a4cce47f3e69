"""Checkpointed projections: the feed of events handed to read models, exactly once.

A projection keeps its own tables current from the event log. Its checkpoint (the last global
position it has processed) is written in the same transaction as its rows, so a crash or a
rollback can never leave the two apart: every event is applied exactly once.

    class DeliveriesBySite:
        name = "deliveries_by_site"
        tables = (sites,)
        def handle(self, connection, rows): ...     # rows share one recorded_at
        def reset(self, connection): ...

    register(ledger, DeliveriesBySite())             # kept current inside every append
    catch_up(ledger, projection)                     # or brought current on demand

A posting projection that has never been filled (checkpoint 0, empty tables) is not fed batch
by batch: an append transaction that finds it so leaves it alone until its last batch, then
fills it from the whole log at once, as a rebuild does (`_AtCommit`), before the commit.
On the benchmark's first import of a million events, the read models cost two fifths of what
feeding them does.

Once filled, a posting projection is fed the first batch of an append transaction as it comes
(the rules' walk saves it a fold); the later batches of the same instant (a long import's
chunks) are put off: the transaction notes the streams they touch and, before it commits,
folds each once and writes its rows and the buckets (`_Settling`, a few hundred streams at a
time). An instant handled in parts leaves the rows it leaves handled at once
(projections/postings.py), so this changes nothing but the time: a stream spread over many
chunks is no longer diffed per chunk.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from typing import Protocol

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update

from ledger import (
    TRANSACTION_INFO_PREFIX,
    AppendHook,
    Ledger,
    StoredEvent,
    event_log,
    forget_batch,
    lock_tail,
    to_stored,
)

from .bulkfill import indexes_built_after
from .forked_replay import replay_in_parallel, workers_for
from .postings import Posting, PostingProjection
from .replay import replay, wanted_at_end
from .tables import projection_checkpoints

__all__ = [
    "Projection",
    "advance",
    "catch_up",
    "catch_up_all",
    "hook_for",
    "rebuild",
    "rebuild_all",
    "register",
    "registered",
    "write_transaction",
]

PAGE = 2_000
_DEFERRED = TRANSACTION_INFO_PREFIX + "deferred_projections"
"""The never-filled posting projections this transaction fills before it commits, by name."""
_FED = TRANSACTION_INFO_PREFIX + "fed_projections"
"""The posting projections this transaction has fed a batch, by name."""
_SETTLING = TRANSACTION_INFO_PREFIX + "settling_projections"
"""The posting projections whose later batches this transaction writes before it commits."""
SETTLE_STREAMS = 500
"""Streams folded and written at a time when the put-off batches are written."""
SETTLE_INSERTS = 40_000
"""New rows a projection's writes of put-off batches keep before inserting them in one sorted
batch (sorted in bigger batches, they fill index pages one after another)."""
SETTLE_CHANGES = 50_000
"""Rows made or ended current that are told to `changed` at once, at most (memory stays flat
on any import; an instant told in parts leaves what it leaves told at once)."""


class Projection(Protocol):
    """A read model fed from the event log: its name, its tables, and what it does with events."""

    @property
    def name(self) -> str:
        """Unique among the projections of a store: it names the checkpoint row."""
        ...

    @property
    def tables(self) -> Sequence[Table]:
        """The projection's own tables (created if missing when it is registered)."""
        ...

    def handle(self, connection: Connection, rows: Sequence[StoredEvent]) -> None:
        """Apply events of one recording instant, in position order, inside the transaction."""
        ...

    def reset(self, connection: Connection) -> None:
        """Empty the projection's tables, before a rebuild from position 0."""
        ...


_REGISTERED: weakref.WeakKeyDictionary[Ledger, dict[str, Projection]] = weakref.WeakKeyDictionary()


def registered(ledger: Ledger) -> list[Projection]:
    """The projections registered on this Ledger object, in registration order."""
    return list(_REGISTERED.get(ledger, {}).values())


def register(ledger: Ledger, projection: Projection, *, progress: Progress | None = None) -> None:
    """Keep a projection current inside every append transaction of this Ledger (idempotent).

    Events appended earlier, or by processes that did not register it, are caught up by the
    next append's hook or by `catch_up`. `progress`, if given, is told as this Ledger's
    posting projections are filled or written before a commit (see above): the events gone
    through so far.
    """
    known = _REGISTERED.get(ledger)
    if known is None:
        known = _REGISTERED[ledger] = {}
        fill = _FILLS[ledger] = _AtCommit()
        ledger.before_commit(fill)
    if progress is not None:
        _FILLS[ledger].progress = progress
    if projection.name in known:
        return
    with ledger.engine.begin() as connection:
        _create_tables(connection, projection)
    known[projection.name] = projection
    ledger.on_append(hook_for(projection, first_fill_before_commit=True))


def hook_for(projection: Projection, *, first_fill_before_commit: bool = False) -> AppendHook:
    """The append hook that keeps a projection current (what `register` installs).

    With `first_fill_before_commit` (what `register` asks for, having installed the fill as a
    before-commit hook of the Ledger), a posting projection never filled is left for that fill;
    without, every batch feeds it.
    """

    def hook(connection: Connection, rows: Sequence[StoredEvent]) -> None:
        _on_append(connection, projection, rows, defer=first_fill_before_commit)

    return hook


Progress = Callable[[str, int], None]
"""Told (projection name, events processed so far) after each page, for a progress display."""


def catch_up(ledger: Ledger, projection: Projection) -> int:
    """Process every event after the projection's checkpoint; returns how many it processed."""
    return catch_up_all(ledger.engine, [projection])[projection.name]


def catch_up_all(
    engine: Engine, projections: Sequence[Projection], *, progress: Progress | None = None
) -> dict[str, int]:
    """Bring several projections current; one cheap read when none is behind."""
    done = dict.fromkeys((projection.name for projection in projections), 0)
    with engine.connect() as connection:
        head = _head(connection)
        behind = [p for p in projections if _checkpoint(connection, p.name) < head]
    if not behind:
        return done
    with write_transaction(engine) as connection:
        for projection in behind:
            _create_tables(connection, projection)
        # From zero, posting projections are filled stream by stream (as a rebuild does);
        # the others advance together, page by page, from each checkpoint in common.
        fresh = [
            projection
            for projection in behind
            if isinstance(projection, PostingProjection)
            and _checkpoint(connection, projection.name) == 0
            and _empty(connection, projection)
        ]
        if fresh:
            done.update(_replay(connection, fresh, progress, committed=True))
        by_checkpoint: dict[int, list[Projection]] = {}
        for projection in behind:
            if projection not in fresh:
                start = _checkpoint(connection, projection.name)
                by_checkpoint.setdefault(start, []).append(projection)
        for group in by_checkpoint.values():
            done.update(_advance_together(connection, group, page=PAGE, progress=progress))
    return done


def rebuild(ledger: Ledger, projection: Projection, *, progress: Progress | None = None) -> int:
    """Empty the projection and replay the whole log into it, in one transaction."""
    return rebuild_all(ledger, [projection], progress=progress)[projection.name]


def rebuild_all(
    ledger: Ledger, projections: Sequence[Projection], *, progress: Progress | None = None
) -> dict[str, int]:
    """Rebuild several projections from zero; posting projections share one pass over the log.

    Each projection is rebuilt in a transaction of its own, the posting projections in one.
    """
    done: dict[str, int] = {}
    postings = [p for p in projections if isinstance(p, PostingProjection)]
    if postings:
        with write_transaction(ledger.engine) as connection:
            for posting in postings:
                _create_tables(connection, posting)
                posting.reset(connection)
                _save_checkpoint(connection, posting.name, 0)
            done.update(_replay(connection, postings, progress, committed=True))
    for projection in projections:
        if isinstance(projection, PostingProjection):
            continue
        with write_transaction(ledger.engine) as connection:
            _create_tables(connection, projection)
            projection.reset(connection)
            _save_checkpoint(connection, projection.name, 0)
            done[projection.name] = advance(connection, projection, progress=progress)
    return {projection.name: done[projection.name] for projection in projections}


def _replay(
    connection: Connection,
    projections: Sequence[PostingProjection],
    progress: Progress | None,
    *,
    committed: bool,
) -> dict[str, int]:
    """Fill empty posting projections from the whole log; their checkpoints go to the head.

    `committed`: this transaction appended nothing, so other processes see the whole log and
    a long one can be folded by worker processes.
    """
    reported = 0

    def told(processed: int) -> None:
        nonlocal reported
        if progress is not None and processed - reported >= PAGE:
            reported = processed
            for projection in projections:
                progress(projection.name, processed)

    head = _head(connection)
    tables = [table for projection in projections for table in projection.tables]
    workers = workers_for(connection.engine, head) if committed else 0
    with indexes_built_after(connection, tables, unread=not committed):
        if workers:
            processed = replay_in_parallel(connection, projections, workers, progress=told)
        else:
            processed = replay(connection, projections, progress=told)
    for projection in projections:
        if progress is not None and processed and reported != processed:
            progress(projection.name, processed)
        _save_checkpoint(connection, projection.name, head)
    return {projection.name: processed for projection in projections}


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the store's write lock, as appends do (no append runs meanwhile)."""
    with engine.connect() as connection:
        connection = connection.execution_options(capledger_begin="IMMEDIATE")
        with connection.begin():
            lock_tail(connection)
            try:
                yield connection
            finally:
                forget_batch(connection)  # the folded states shared among projections


def advance(
    connection: Connection,
    projection: Projection,
    *,
    page: int = PAGE,
    progress: Progress | None = None,
) -> int:
    """Feed every event after the checkpoint to the projection, a page at a time.

    The caller holds the write lock. Each handle() call gets the events of one recording
    instant; an instant cut by a page boundary simply arrives in two calls.
    """
    return _advance_together(connection, [projection], page=page, progress=progress)[
        projection.name
    ]


def _advance_together(
    connection: Connection,
    projections: Sequence[Projection],
    *,
    page: int,
    progress: Progress | None,
) -> dict[str, int]:
    """Advance projections that share a checkpoint: each page is read once and handed to each
    in turn (so posting projections fold each stream once per page)."""
    cursor = _checkpoint(connection, projections[0].name)
    processed = 0
    while True:
        query = (
            select(event_log).where(event_log.c.position > cursor).order_by(event_log.c.position)
        )
        rows = [to_stored(row) for row in connection.execute(query.limit(page))]
        if not rows:
            break
        for _, run in groupby(rows, key=attrgetter("recorded_at")):
            part = list(run)
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
            _save_checkpoint(connection, projection.name, cursor)
    return {projection.name: processed for projection in projections}


def _on_append(
    connection: Connection, projection: Projection, rows: Sequence[StoredEvent], *, defer: bool
) -> None:
    deferred: dict[str, PostingProjection] | None = connection.info.get(_DEFERRED)
    if deferred is not None and projection.name in deferred:
        return
    if not rows:
        return
    pending: dict[str, _Settling] = connection.info.get(_SETTLING, {})
    settling = pending.get(projection.name)
    if settling is not None:
        if settling.takes(rows):
            return
        _settle(connection, [pending.pop(projection.name)])
    checkpoint = _checkpoint(connection, projection.name)
    if checkpoint >= rows[-1].position:
        return
    if defer and isinstance(projection, PostingProjection):
        if checkpoint == 0 and _empty(connection, projection):
            connection.info.setdefault(_DEFERRED, {})[projection.name] = projection
            return
        fed: set[str] = connection.info.setdefault(_FED, set())
        if projection.name in fed and checkpoint == rows[0].position - 1:
            settling = _Settling.of(projection, rows)
            if settling is not None:
                connection.info.setdefault(_SETTLING, {})[projection.name] = settling
                return
        fed.add(projection.name)
    if checkpoint == rows[0].position - 1:
        _feed(connection, projection, rows)
        _save_checkpoint(connection, projection.name, rows[-1].position)
    else:
        # Behind: events appended without this hook come first, read back from the log.
        advance(connection, projection)


@dataclass
class _Settling:
    """A posting projection's batches put off until the commit: all of one recording instant,
    contiguous from its checkpoint up to `upto`, touching `streams`."""

    projection: PostingProjection
    instant: datetime
    upto: int
    streams: set[str]

    @classmethod
    def of(cls, projection: PostingProjection, rows: Sequence[StoredEvent]) -> _Settling | None:
        """The batch put off, if all its rows share one instant (else it is fed as it comes)."""
        instant = rows[0].recorded_at
        if rows[-1].recorded_at != instant:
            return None
        return cls(projection, instant, rows[-1].position, {row.commitment for row in rows})

    def takes(self, rows: Sequence[StoredEvent]) -> bool:
        """Put off the next batch too, if it follows on at the same instant."""
        if (
            rows[0].position != self.upto + 1
            or rows[0].recorded_at != self.instant
            or rows[-1].recorded_at != self.instant
        ):
            return False
        self.streams.update(row.commitment for row in rows)
        self.upto = rows[-1].position
        return True


def _settle(
    connection: Connection, settling: Sequence[_Settling], progress: Progress | None = None
) -> None:
    """Write what the put-off batches changed: each touched stream folded once, as known up to
    the last of them, and diffed against its rows (those the instant's first batch left
    included). Projections put off over the same batches share the fold. `progress` is told
    the events of the streams written so far."""
    groups: dict[tuple[datetime, int], list[_Settling]] = {}
    for one in settling:
        groups.setdefault((one.instant, one.upto), []).append(one)
    for (instant, upto), group in groups.items():
        names = sorted(set().union(*(one.streams for one in group)))
        changes: dict[str, tuple[list[Posting], list[Posting]]] = {
            one.projection.name: ([], []) for one in group
        }
        # Each stream is in one part: rows kept back for a part's streams are not read again.
        new_rows: dict[str, list[Posting]] = {one.projection.name: [] for one in group}
        read = 0
        for start in range(0, len(names), SETTLE_STREAMS):
            part = names[start : start + SETTLE_STREAMS]
            # Read once, written, not asked for again: the cache of models is left as it was.
            wanted, count = wanted_at_end(connection, part, upto, [one.projection for one in group])
            read += count
            for one, rows in zip(group, wanted, strict=True):
                mine = {name: (rows[name], None) for name in part if name in one.streams}
                name = one.projection.name
                added, removed = one.projection.write_wanted(
                    connection, instant, mine, new_rows=new_rows[name]
                )
                if len(new_rows[name]) >= SETTLE_INSERTS:
                    one.projection.insert(connection, new_rows[name])
                    new_rows[name] = []
                kept = changes[name]
                kept[0].extend(added)
                kept[1].extend(removed)
                if len(kept[0]) + len(kept[1]) >= SETTLE_CHANGES:
                    one.projection.changed(connection, instant, *kept)
                    changes[name] = ([], [])
                if progress is not None:
                    progress(name, read)
        for one in group:
            one.projection.insert(connection, new_rows[one.projection.name])
            one.projection.changed(connection, instant, *changes[one.projection.name])
            _save_checkpoint(connection, one.projection.name, upto)


class _AtCommit:
    """A Ledger's before-commit hook: fill the projections the transaction left unfilled, and
    write what it put off (see above), telling `progress` as it goes."""

    def __init__(self) -> None:
        self.progress: Progress | None = None

    def __call__(self, connection: Connection) -> None:
        deferred: dict[str, PostingProjection] | None = connection.info.pop(_DEFERRED, None)
        if deferred:
            _replay(connection, list(deferred.values()), self.progress, committed=False)
        settling: dict[str, _Settling] | None = connection.info.pop(_SETTLING, None)
        if settling:
            _settle(connection, list(settling.values()), self.progress)


_FILLS: weakref.WeakKeyDictionary[Ledger, _AtCommit] = weakref.WeakKeyDictionary()


def _feed(connection: Connection, projection: Projection, rows: Sequence[StoredEvent]) -> None:
    for _, run in groupby(rows, key=attrgetter("recorded_at")):
        projection.handle(connection, list(run))


def _create_tables(connection: Connection, projection: Projection) -> None:
    for table in projection.tables:
        table.create(connection, checkfirst=True)


def _empty(connection: Connection, projection: Projection) -> bool:
    return all(
        connection.execute(select(table).limit(1)).first() is None for table in projection.tables
    )


def _head(connection: Connection) -> int:
    return int(
        connection.execute(select(func.coalesce(func.max(event_log.c.position), 0))).scalar_one()
    )


def _checkpoint(connection: Connection, name: str) -> int:
    query = select(projection_checkpoints.c.position).where(projection_checkpoints.c.name == name)
    position = connection.execute(query).scalar_one_or_none()
    return 0 if position is None else int(position)


def _save_checkpoint(connection: Connection, name: str, position: int) -> None:
    table = projection_checkpoints
    if position == 0:
        connection.execute(delete(table).where(table.c.name == name))
        return
    moved = connection.execute(update(table).where(table.c.name == name).values(position=position))
    if moved.rowcount == 0:
        connection.execute(insert(table).values(name=name, position=position))
