"""The Ledger: open a store, record events through the rules, read them back, verify the chain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from events import Event

from .actor import resolve_actor
from .append import AppendHook, CommitHook, append_batch
from .as_reported import record_as_reported
from .backends import lock_tail
from .batch_check import CheckedBatch, check_batch
from .chunked_recording import record_chunks
from .clock import Clock, utc_now
from .engine import safe_url
from .errors import ConcurrencyConflict
from .event_rows import PendingEvent, Receipt, StoredEvent, receipt
from .gc_pauses import paused, settling
from .interrupts import all_or_nothing, held_interrupts
from .migrate import open_migrated
from .model_cache import remember_models
from .pending_rows import EventInput, prepare, resolved_batch, resolving
from .stated_instants import Stated, checked_instant, stated_instant
from .store_reads import LedgerReads
from .stream_cache import StreamCache
from .write_transaction import WriteTransaction

MAX_ATTEMPTS = 8


class Ledger(LedgerReads):
    """An append-only, bitemporal, hash-chained store of commitment events."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now, actor: str | None = None):
        self.engine = engine
        self.clock = clock
        self.actor = resolve_actor(actor)
        self._hooks: list[AppendHook] = []
        self._commit_hooks: list[CommitHook] = []
        self.last_commit: Receipt | None = None
        """What the last write transaction of this Ledger committed (None before the first):
        how a caller interrupted by Ctrl-C after the commit learns what was recorded."""

    @classmethod
    def open(
        cls,
        url: str | URL,
        *,
        clock: Clock = utc_now,
        actor: str | None = None,
        create: bool = True,
    ) -> Ledger:
        """Open (creating or migrating on first use) the store at a SQLAlchemy URL.

        With `create=False`, a store that holds no ledger yet is refused (NoLedger) and nothing
        is created: for readers, which must not leave an empty store behind a mistyped URL."""
        return cls(open_migrated(url, create=create), clock=clock, actor=actor)

    @property
    def url(self) -> str:
        """The store's URL, password masked."""
        return safe_url(self.engine.url)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the write path -------------------------------------------------------------------

    def on_append(self, hook: AppendHook) -> None:
        """Call `hook(connection, rows)` inside every append transaction, before commit.

        `rows` (`HandedRows`, a list of the stored rows) also carries, for a batch checked by
        the rules, each touched commitment's events as they stand after the append and the
        rules' walk of it (a `StreamWalk`: its state at the end of each effective date, and the
        first date this batch may have changed), so that a hook need neither read nor fold
        them again; and the `WriteTransaction`, where a hook keeps what it needs for the
        transaction's later batches and asks for work to be done before the commit.
        """
        self._hooks.append(hook)

    def before_commit(self, hook: CommitHook) -> None:
        """Call `hook(connection)` once at the end of every append transaction, before commit.

        A transaction may append in several batches (`record_stream` appends a chunk at a
        time); this is where work a hook put off until the last batch is done, inside the same
        transaction, so that it lands with the events or not at all.
        """
        self._commit_hooks.append(hook)

    def _before_commit(self, transaction: WriteTransaction) -> None:
        transaction.finish()
        for hook in self._commit_hooks:
            hook(transaction.connection)

    def record(
        self,
        events: Iterable[EventInput],
        *,
        origins: Sequence[str | None] | None = None,
        actor: str | None = None,
        recorded_at: Stated | None = None,
    ) -> Receipt:
        """Validate, check the rules, and append a batch atomically: all of it lands or none.

        Events already stored with the same content are skipped and counted. If another
        writer appends to the same commitments meanwhile, the batch is re-read and re-checked.
        `recorded_at` states the batch's knowledge instant instead of the clock's: a date
        (midnight UTC) or an aware date and time, after the store's latest and not after now,
        else KnowledgeTimeRefused and nothing is written.
        """
        instant = None if recorded_at is None else stated_instant(recorded_at)
        models, pending = prepare(resolved_batch(self.engine, events, origins), origins)
        recorded_by = resolve_actor(actor) if actor else self.actor
        with paused():  # one batch, which makes no cycles: see gc_pauses.py
            if instant is None:
                return self._record(models, pending, recorded_by)
            # Checked holding the tail: a writer that got ahead makes it refused, not reordered.
            return self._record_holding_tail(models, pending, recorded_by, instant)

    def _record(
        self, models: Sequence[Event], pending: Sequence[PendingEvent], recorded_by: str
    ) -> Receipt:
        for _ in range(MAX_ATTEMPTS - 1):
            with self.engine.connect() as connection, all_or_nothing(connection):
                checked = check_batch(connection, models, pending, fold=bool(self._hooks))
            try:
                done = self._append(
                    pending,
                    expected_versions=checked.versions,
                    recorded_by=recorded_by,
                    checked=checked,
                )
            except ConcurrencyConflict:
                continue
            remember_models(models, pending)  # a later batch may read them again
            return done
        # Lost every race: check again holding the tail, where no other writer can get ahead.
        return self._record_holding_tail(models, pending, recorded_by)

    def _record_holding_tail(
        self,
        models: Sequence[Event],
        pending: Sequence[PendingEvent],
        recorded_by: str,
        instant: datetime | None = None,
    ) -> Receipt:
        """Check and append holding the tail throughout (and check a stated `instant` there)."""
        with self._writing() as transaction:
            at = checked_instant(transaction.connection, instant, self.clock)
            rows, skipped = self._check_and_append(
                transaction, models, pending, recorded_by=recorded_by, recorded_at=at
            )
        return receipt(rows, skipped)

    def record_stream(
        self,
        located: Iterable[tuple[EventInput, str | None]],
        *,
        chunk: int = 10_000,
        actor: str | None = None,
        recorded_at: Stated | None = None,
        as_reported: bool = False,
    ) -> Receipt:
        """Record a stream of `(event, origin)` pairs of any length in ONE transaction.

        All of it lands or none; memory holds one chunk at a time. The write lock is held
        throughout, so other writers wait; every chunk is checked against what precedes it.
        `recorded_at` states the knowledge instant, as for `record`. With `as_reported`, each
        event is known from its own `source.date` (midnight UTC): a batch per date, in date
        order, the earliest after the store's latest instant (memory holds the whole stream).
        """
        if recorded_at is not None and as_reported:
            raise ValueError("state recorded_at or record as reported, not both")
        instant = None if recorded_at is None else stated_instant(recorded_at)
        recorded_by = resolve_actor(actor) if actor else self.actor
        with settling(), paused(), self._writing() as transaction:
            append = partial(self._check_and_append, transaction, recorded_by=recorded_by)
            located = resolving(held := transaction.connection, located)  # full target ids
            if as_reported:
                ends, skipped = record_as_reported(located, chunk, append, held, self.clock)
            else:
                at = checked_instant(held, instant, self.clock)
                ends, skipped = record_chunks(located, chunk, append, at)
            # What the chunks kept is freed by now, before the before-commit hooks run (a first
            # fill of the read models reads the whole log).
        return receipt(ends, skipped)

    @contextmanager
    def _writing(self) -> Iterator[WriteTransaction]:
        """A write transaction holding the tail of the log until it ends: all of it commits,
        or none (even when Ctrl-C cuts it; see interrupts.py), and `last_commit` says what
        did, set with the commit as one step that no interrupt can come between."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(capledger_begin="IMMEDIATE")
            with all_or_nothing(connection) as committing:
                lock_tail(connection)
                transaction = WriteTransaction(connection)
                yield transaction
                self._before_commit(transaction)
                with held_interrupts():
                    committing.commit()
                    self.last_commit = transaction.receipt()

    def _check_and_append(
        self,
        transaction: WriteTransaction,
        models: Sequence[Event],
        pending: Sequence[PendingEvent],
        *,
        recorded_by: str,
        recorded_at: datetime | Sequence[datetime] | None = None,
        streams: StreamCache | None = None,
    ) -> tuple[list[StoredEvent], int]:
        """Check and append in a transaction that holds the tail: nothing can get ahead.

        `streams` keeps the checked streams for the next call in the same transaction.
        """
        # Events given an instant each (as reported) are checked as known after each instant.
        stepped = None if recorded_at is None or isinstance(recorded_at, datetime) else recorded_at
        with paused():  # the rules' walk makes many objects and no cycles: see gc_pauses.py
            checked = check_batch(
                transaction.connection,
                models,
                pending,
                streams=streams,
                fold=bool(self._hooks),
                instants=stepped,
            )
        if streams is None:
            remember_models(models, pending)  # a later batch may read them again
        return append_batch(
            transaction,
            pending,
            expected_versions=checked.versions,
            recorded_by=recorded_by,
            clock=self.clock,
            hooks=self._hooks,
            recorded_at=recorded_at,
            versions_known=True,
            streams=checked.streams,
            walks=checked.walks,
        )

    def append(
        self,
        pending: Sequence[PendingEvent],
        *,
        expected_versions: dict[str, int] | None = None,
        actor: str | None = None,
    ) -> Receipt:
        """Append prepared rows as they are, without the rules (for tools and tests of the store).

        With `expected_versions`, refuse with ConcurrencyConflict if a stream moved on.
        """
        recorded_by = resolve_actor(actor) if actor else self.actor
        return self._append(pending, expected_versions=expected_versions, recorded_by=recorded_by)

    def _append(
        self,
        pending: Sequence[PendingEvent],
        *,
        expected_versions: dict[str, int] | None,
        recorded_by: str,
        checked: CheckedBatch | None = None,
    ) -> Receipt:
        with self._writing() as transaction:
            rows, skipped = append_batch(
                transaction,
                pending,
                expected_versions=expected_versions,
                recorded_by=recorded_by,
                clock=self.clock,
                hooks=self._hooks,
                streams=None if checked is None else checked.streams,
                walks=None if checked is None else checked.walks,
            )
        return receipt(rows, skipped)
