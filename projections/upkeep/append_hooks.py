"""Keeping projections current inside every append: the hooks `register` installs.

A posting projection that has never been filled (checkpoint 0, empty tables) is not fed batch
by batch: an append transaction that finds it so leaves it alone until its last batch, then
fills it from the whole log at once, as a rebuild does (`AtCommit`), before the commit. On the
benchmark's first import of a million events, the read models cost two fifths of what feeding
them does. The later batches of a long import are put off until the commit (put_off.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from sqlalchemy import Connection

from ledger import TRANSACTION_INFO_PREFIX, AppendHook, Ledger, StoredEvent

from ..read_models import PostingProjection
from .checkpoints import checkpoint_of, create_tables, is_empty, save_checkpoint
from .feed_from_log import advance, feed_instants
from .fill import fill_from_log
from .projection import Progress, Projection
from .put_off import PutOff, write_put_off

__all__ = ["hook_for", "register", "registered"]

_DEFERRED = TRANSACTION_INFO_PREFIX + "deferred_projections"
"""The never-filled posting projections this transaction fills before it commits, by name."""

_FED = TRANSACTION_INFO_PREFIX + "fed_projections"
"""The posting projections this transaction has fed a batch, by name."""

_SETTLING = TRANSACTION_INFO_PREFIX + "settling_projections"
"""The posting projections whose later batches this transaction writes before it commits."""

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
        fill = _FILLS[ledger] = AtCommit()
        ledger.before_commit(fill)
    if progress is not None:
        _FILLS[ledger].progress = progress
    if projection.name in known:
        return
    with ledger.engine.begin() as connection:
        create_tables(connection, projection)
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


def _on_append(
    connection: Connection, projection: Projection, rows: Sequence[StoredEvent], *, defer: bool
) -> None:
    deferred: dict[str, PostingProjection] | None = connection.info.get(_DEFERRED)
    if deferred is not None and projection.name in deferred:
        return
    if not rows:
        return
    pending: dict[str, PutOff] = connection.info.get(_SETTLING, {})
    settling = pending.get(projection.name)
    if settling is not None:
        if settling.takes(rows):
            return
        write_put_off(connection, [pending.pop(projection.name)])
    checkpoint = checkpoint_of(connection, projection.name)
    if checkpoint >= rows[-1].position:
        return
    if defer and isinstance(projection, PostingProjection):
        if checkpoint == 0 and is_empty(connection, projection):
            connection.info.setdefault(_DEFERRED, {})[projection.name] = projection
            return
        fed: set[str] = connection.info.setdefault(_FED, set())
        if projection.name in fed and checkpoint == rows[0].position - 1:
            settling = PutOff.of(projection, rows)
            if settling is not None:
                connection.info.setdefault(_SETTLING, {})[projection.name] = settling
                return
        fed.add(projection.name)
    if checkpoint == rows[0].position - 1:
        feed_instants(connection, projection, rows)
        save_checkpoint(connection, projection.name, rows[-1].position)
    else:
        # Behind: events appended without this hook come first, read back from the log.
        advance(connection, projection)


class AtCommit:
    """A Ledger's before-commit hook: fill the projections the transaction left unfilled, and
    write what it put off (see above), telling `progress` as it goes."""

    def __init__(self) -> None:
        self.progress: Progress | None = None

    def __call__(self, connection: Connection) -> None:
        deferred: dict[str, PostingProjection] | None = connection.info.pop(_DEFERRED, None)
        if deferred:
            fill_from_log(connection, list(deferred.values()), self.progress, committed=False)
        settling: dict[str, PutOff] | None = connection.info.pop(_SETTLING, None)
        if settling:
            write_put_off(connection, list(settling.values()), self.progress)


_FILLS: weakref.WeakKeyDictionary[Ledger, AtCommit] = weakref.WeakKeyDictionary()
