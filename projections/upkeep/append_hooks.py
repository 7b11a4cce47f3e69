"""Keeping projections current inside every append: the hooks `register` installs.

A posting projection that has never been filled (checkpoint 0, empty tables) is not fed batch
by batch: an append transaction that finds it so leaves it alone until its last batch, then
fills it from the whole log at once, as a rebuild does (`AtCommit`), before the commit. On the
benchmark's first import of a million events, the read models cost two fifths of what feeding
them does. The later batches of a long import are put off until the commit (put_off.py).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Connection

from ledger import AppendHook, HandedRows, Ledger, WriteTransaction

from ..read_models import HeldPostings, PostingProjection
from .checkpoints import checkpoint_of, create_tables, is_empty, save_checkpoint
from .feed_from_log import advance, feed_instants
from .fill import fill_from_log
from .projection import Progress, Projection
from .put_off import PutOff, write_put_off

__all__ = ["hook_for", "register", "registered"]


@dataclass
class _Progress:
    """A Ledger's progress display, told as its transactions fill or write before commit."""

    told: Progress | None = None


@dataclass
class _Upkeep:
    """What the hooks of one write transaction share, kept on it (`WriteTransaction.kept`)."""

    deferred: dict[str, PostingProjection] = field(default_factory=dict)
    """The never-filled posting projections this transaction fills before it commits."""
    fed: set[str] = field(default_factory=set)
    """The posting projections this transaction has fed a batch."""
    put_off: dict[str, PutOff] = field(default_factory=dict)
    """The posting projections whose later batches this transaction writes before it commits."""
    finishing: bool = False
    """Whether the work before the commit is asked for already."""


_REGISTERED: weakref.WeakKeyDictionary[Ledger, dict[str, Projection]] = weakref.WeakKeyDictionary()
_PROGRESS: weakref.WeakKeyDictionary[Ledger, _Progress] = weakref.WeakKeyDictionary()


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
    known = _REGISTERED.setdefault(ledger, {})
    shown = _PROGRESS.setdefault(ledger, _Progress())
    if progress is not None:
        shown.told = progress
    if projection.name in known:
        return
    with ledger.engine.begin() as connection:
        create_tables(connection, projection)
    known[projection.name] = projection
    ledger.on_append(hook_for(projection, first_fill_before_commit=True, progress=shown))


def hook_for(
    projection: Projection,
    *,
    first_fill_before_commit: bool = False,
    progress: _Progress | None = None,
) -> AppendHook:
    """The append hook that keeps a projection current (what `register` installs).

    With `first_fill_before_commit` (what `register` asks for), a posting projection never
    filled is left until the end of the transaction and filled then from the whole log, and a
    long import's later batches are written once before the commit; without, every batch
    feeds it as it comes.
    """
    shown = _Progress() if progress is None else progress

    def hook(connection: Connection, rows: HandedRows) -> None:
        _on_append(connection, projection, rows, defer=first_fill_before_commit, progress=shown)

    return hook


def _on_append(
    connection: Connection,
    projection: Projection,
    rows: HandedRows,
    *,
    defer: bool,
    progress: _Progress,
) -> None:
    transaction = rows.transaction
    upkeep = transaction.kept(_Upkeep, _Upkeep)
    if projection.name in upkeep.deferred or not rows:
        return
    put_off = upkeep.put_off.get(projection.name)
    if put_off is not None:
        if put_off.takes(rows):
            return
        write_put_off(transaction, [upkeep.put_off.pop(projection.name)])
    checkpoint = checkpoint_of(connection, projection.name)
    if checkpoint >= rows[-1].position:
        return
    if defer and isinstance(projection, PostingProjection):
        if _left_until_commit(connection, projection, rows, checkpoint, upkeep):
            _finish_before_commit(transaction, upkeep, progress)
            return
        upkeep.fed.add(projection.name)
    if checkpoint == rows[0].position - 1:
        feed_instants(connection, projection, rows)
        save_checkpoint(connection, projection.name, rows[-1].position)
    else:
        # Behind: events appended without this hook come first, read back from the log.
        advance(connection, projection, transaction=transaction)


def _left_until_commit(
    connection: Connection,
    projection: PostingProjection,
    rows: HandedRows,
    checkpoint: int,
    upkeep: _Upkeep,
) -> bool:
    """Whether the batch is left for the commit: the projection was never filled (it is then
    filled from the whole log), or this is a later batch of the instant it was fed."""
    if checkpoint == 0 and is_empty(connection, projection):
        upkeep.deferred[projection.name] = projection
        return True
    if projection.name in upkeep.fed and checkpoint == rows[0].position - 1:
        put_off = PutOff.of(projection, rows)
        if put_off is not None:
            upkeep.put_off[projection.name] = put_off
            return True
    return False


def _finish_before_commit(
    transaction: WriteTransaction, upkeep: _Upkeep, progress: _Progress
) -> None:
    """Ask the transaction, once, to fill and write what it left, before it commits."""
    if not upkeep.finishing:
        upkeep.finishing = True
        transaction.before_commit(partial(_finish, transaction, upkeep, progress))


def _finish(transaction: WriteTransaction, upkeep: _Upkeep, progress: _Progress) -> None:
    """Fill the projections the transaction left unfilled, and write what it put off, telling
    `progress` as it goes."""
    deferred, upkeep.deferred = upkeep.deferred, {}
    if deferred:
        fill_from_log(
            transaction.connection, list(deferred.values()), progress.told, committed=False
        )
        HeldPostings.forget(transaction)  # the tables changed underneath: hold nothing
    put_off, upkeep.put_off = upkeep.put_off, {}
    if put_off:
        write_put_off(transaction, list(put_off.values()), progress.told)
