"""The Ledger: open a store, record events through the rules, read them back, verify the chain."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from events import Event, EventCorrected, StreamWalk, check_stream

from .actor import resolve_actor
from .append import (
    STATES_INFO_KEY,
    STREAMS_INFO_KEY,
    AppendHook,
    CommitHook,
    append_batch,
    forget_batch,
    lock_tail,
)
from .clock import Clock, utc_now
from .collector import paused, settle, settling
from .engine import build_engine, safe_url
from .errors import ConcurrencyConflict, EventIdConflict, StoreError
from .mapper import EventInput, prepare
from .migrate import upgrade
from .reads import count_events, iter_events, read_stream_models
from .records import PendingEvent, Receipt, StoredEvent, remember_model
from .verify import Anchor, ChainReport, verify_chain

MAX_ATTEMPTS = 8

T = TypeVar("T")


class Ledger:
    """An append-only, bitemporal, hash-chained store of commitment events."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now, actor: str | None = None):
        self.engine = engine
        self.clock = clock
        self.actor = resolve_actor(actor)
        self._hooks: list[AppendHook] = []
        self._commit_hooks: list[CommitHook] = []

    @classmethod
    def open(cls, url: str | URL, *, clock: Clock = utc_now, actor: str | None = None) -> Ledger:
        """Open (creating or migrating on first use) the store at a SQLAlchemy URL."""
        engine = build_engine(url)
        try:
            upgrade(engine)
        except OperationalError as error:
            engine.dispose()
            reason = str(error.orig).strip().splitlines()[0]
            raise StoreError(f"cannot open store {safe_url(url)}: {reason}") from None
        except StoreError as error:
            engine.dispose()
            raise StoreError(f"cannot open store {safe_url(url)}: {error}") from None
        return cls(engine, clock=clock, actor=actor)

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
        """Call `hook(connection, stored_rows)` inside every append transaction, before commit.

        While a checked batch is appended, `connection.info[STREAMS_INFO_KEY]` holds each
        touched commitment's events (models, position order) as they stand after the append,
        and `connection.info[STATES_INFO_KEY]` the rules' walk of it (a `StreamWalk`: its
        state at the end of each effective date, `states_by_date` of those events, and the
        first date this batch may have changed), so that a hook need neither read nor fold
        them again. Hooks may keep their own batch state under BATCH_INFO_PREFIX: it
        is all dropped when the append ends.
        """
        self._hooks.append(hook)

    def before_commit(self, hook: CommitHook) -> None:
        """Call `hook(connection)` once at the end of every append transaction, before commit.

        A transaction may append in several batches (`record_stream` appends a chunk at a
        time); this is where work a hook put off until the last batch is done, inside the same
        transaction, so that it lands with the events or not at all.
        """
        self._commit_hooks.append(hook)

    def _before_commit(self, connection: Connection) -> None:
        for hook in self._commit_hooks:
            hook(connection)

    def record(
        self,
        events: Iterable[EventInput],
        *,
        origins: Sequence[str | None] | None = None,
        actor: str | None = None,
    ) -> Receipt:
        """Validate, check the rules, and append a batch atomically: all of it lands or none.

        Events already stored with the same content are skipped and counted. If another
        writer appends to the same commitments meanwhile, the batch is re-read and re-checked.
        """
        models, pending = prepare(events, origins)
        recorded_by = resolve_actor(actor) if actor else self.actor
        with paused():  # one batch, which makes no cycles: see collector.py
            return self._record(models, pending, recorded_by)

    def _record(
        self, models: Sequence[Event], pending: Sequence[PendingEvent], recorded_by: str
    ) -> Receipt:
        for _ in range(MAX_ATTEMPTS - 1):
            with self.engine.connect() as connection, connection.begin():
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
        with self._writing() as connection:
            rows, skipped = self._check_and_append(connection, models, pending, recorded_by)
        return receipt(rows, skipped)

    def record_stream(
        self,
        located: Iterable[tuple[EventInput, str | None]],
        *,
        chunk: int = 10_000,
        actor: str | None = None,
    ) -> Receipt:
        """Record a stream of `(event, origin)` pairs of any length in ONE transaction.

        All of it lands or none; memory holds one chunk at a time. The write lock is held
        throughout, so other writers wait; every chunk is checked against what precedes it.
        """
        recorded_by = resolve_actor(actor) if actor else self.actor
        with settling(), paused(), self._writing() as connection:
            ends, skipped = self._record_chunks(connection, located, chunk, recorded_by)
            # What the chunks kept is freed by now, before the before-commit hooks run (a first
            # fill of the read models reads the whole log).
        return receipt(ends, skipped)

    def _record_chunks(
        self,
        connection: Connection,
        located: Iterable[tuple[EventInput, str | None]],
        chunk: int,
        recorded_by: str,
    ) -> tuple[list[StoredEvent], int]:
        """Check and append a chunk at a time; the first and last rows, and the skip count."""
        ends: list[StoredEvent] = []
        skipped = 0
        # The tail is held until the end: no other writer can touch a stream meanwhile, so the
        # streams checked by one chunk stay exact for the next ones (until the transaction ends).
        streams = StreamCache()
        for part in batched(located, chunk):
            models, pending = prepare([item for item, _ in part], [origin for _, origin in part])
            rows, already = self._check_and_append(
                connection,
                models,
                pending,
                recorded_by,
                recorded_at=ends[0].recorded_at if ends else None,
                streams=streams,
            )
            skipped += already
            if rows:  # only the two ends are kept: memory stays flat however long the input
                ends = [ends[0] if ends else rows[0], rows[-1]]
            settle()  # what the next chunks keep (checked streams, caches) is long-lived
        return ends, skipped

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction holding the tail of the log until it ends."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(capledger_begin="IMMEDIATE")
            with connection.begin():
                lock_tail(connection)
                yield connection
                self._before_commit(connection)

    def _check_and_append(
        self,
        connection: Connection,
        models: Sequence[Event],
        pending: Sequence[PendingEvent],
        recorded_by: str,
        *,
        recorded_at: datetime | None = None,
        streams: StreamCache | None = None,
    ) -> tuple[list[StoredEvent], int]:
        """Check and append in a transaction that holds the tail: nothing can get ahead.

        `streams` keeps the checked streams for the next call in the same transaction.
        """
        with paused():  # the rules' walk makes many objects and no cycles: see collector.py
            checked = check_batch(
                connection, models, pending, streams=streams, fold=bool(self._hooks)
            )
        if streams is None:
            remember_models(models, pending)  # a later batch may read them again
        with handing_over(connection, checked):
            return append_batch(
                connection,
                pending,
                expected_versions=checked.versions,
                recorded_by=recorded_by,
                clock=self.clock,
                hooks=self._hooks,
                recorded_at=recorded_at,
                versions_known=True,
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
        with self.engine.connect() as connection:
            connection = connection.execution_options(capledger_begin="IMMEDIATE")
            with connection.begin(), handing_over(connection, checked):
                rows, skipped = append_batch(
                    connection,
                    pending,
                    expected_versions=expected_versions,
                    recorded_by=recorded_by,
                    clock=self.clock,
                    hooks=self._hooks,
                )
                self._before_commit(connection)
        return receipt(rows, skipped)

    # -- reads ----------------------------------------------------------------------------

    def read_all(
        self,
        *,
        after: int = 0,
        upto: int | None = None,
        known_at: datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[StoredEvent]:
        """The feed: every event after position `after`, in position order, streamed."""
        return iter_events(self.engine, after=after, upto=upto, known_at=known_at, limit=limit)

    def read_stream(
        self, commitment: str, *, known_at: datetime | None = None
    ) -> list[StoredEvent]:
        """One commitment's events in position order, as known at `known_at` (default: now)."""
        return list(iter_events(self.engine, commitment=commitment, known_at=known_at))

    def count(self) -> int:
        """How many events are stored."""
        with self.engine.connect() as connection:
            return count_events(connection)

    def verify(self, *, anchor: Anchor | None = None) -> ChainReport:
        """Recompute the hash chain; the report names the first bad position, if any.

        With an anchor (a head recorded earlier, outside the store), also prove the chain
        still reaches it.
        """
        return verify_chain(self.engine, anchor=anchor)


def receipt(rows: Sequence[StoredEvent], skipped: int) -> Receipt:
    """What an append did, from its first and last rows (all of them or just the two ends)."""
    if not rows:
        return Receipt(recorded=0, already_present=skipped)
    return Receipt(
        recorded=rows[-1].position - rows[0].position + 1,
        already_present=skipped,
        first_position=rows[0].position,
        last_position=rows[-1].position,
        recorded_at=rows[0].recorded_at,
    )


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items (itertools.batched arrived in Python 3.12)."""
    iterator = iter(items)
    while part := list(islice(iterator, size)):
        yield part


def remember_models(models: Sequence[Event], pending: Sequence[PendingEvent]) -> None:
    """Seed the row-model cache with the models just checked: the next chunk re-reads them."""
    for model, row in zip(models, pending, strict=True):
        if isinstance(model, EventCorrected) and model.replacement.id is not None:
            continue  # the stored payload drops the replacement's id: let a read parse it
        remember_model((row.type_name, row.schema_version, row.key, row.payload), model)


@dataclass(frozen=True, slots=True)
class CheckedBatch:
    """A batch that passed the rules: the stream versions it was checked against, every
    touched stream's events as they will stand once it is appended (position order), and, when
    asked for, each touched stream's states by date as the rules walked them."""

    versions: dict[str, int]
    streams: dict[str, list[Event]]
    walks: dict[str, StreamWalk]


StoredStream = list[tuple[str, str, Event]]
"""A stream as the write path reads it: (event id, payload, model) in position order."""


class StreamCache:
    """The streams one write transaction has checked, for its next batches (oldest out first).

    Only valid while the transaction holds the tail: no other writer can append meanwhile.
    Bounded by the number of events held, so that memory stays flat on any import.
    """

    def __init__(self, max_events: int = 30_000) -> None:
        self.max_events = max_events
        self._streams: OrderedDict[str, tuple[StoredStream, StreamWalk | None]] = OrderedDict()
        self._held = 0

    def get(self, commitment: str) -> tuple[StoredStream, StreamWalk | None] | None:
        """The stream as checked last, and the walk of that check (to resume from)."""
        return self._streams.get(commitment)

    def put(self, commitment: str, stream: StoredStream, walk: StreamWalk | None) -> None:
        previous = self._streams.pop(commitment, None)
        self._held += len(stream) - (len(previous[0]) if previous is not None else 0)
        self._streams[commitment] = (stream, walk)
        while self._held > self.max_events and len(self._streams) > 1:
            _, (oldest, _) = self._streams.popitem(last=False)
            self._held -= len(oldest)


def check_batch(
    connection: Connection,
    models: Sequence[Event],
    pending: Sequence[PendingEvent],
    *,
    streams: StreamCache | None = None,
    fold: bool = True,
) -> CheckedBatch:
    """Check a batch against the stored streams it touches, loaded in bulk (or from `streams`,
    the cache of the transaction holding the tail). With `fold`, keep the rules' states."""
    names = {model.commitment for model in models}
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
    versions = {name: len(rows) for name, rows in stored.items()}
    checked: dict[str, list[Event]] = {}
    walks: dict[str, StreamWalk] = {}
    for commitment, new in new_by_stream.items():
        before = stored[commitment]
        known_models = [model for _, _, model in before]
        fresh = [model for model, _ in new]
        origins = [row.origin for _, row in new]
        walk = check_stream(known_models, fresh, origins, resume=resumable.get(commitment))
        checked[commitment] = known_models + fresh
        if fold:
            walks[commitment] = walk
        if streams is not None:
            after = before + [(row.key, row.payload, _stored_model(model)) for model, row in new]
            streams.put(commitment, after, walk)
    for name, rows in stored.items():
        if name not in checked:  # a stream the batch only repeats events of
            checked[name] = [model for _, _, model in rows]
    return CheckedBatch(versions, checked, walks)


def _stored_model(model: Event) -> Event:
    """The model a stored row reads back as (a correction's replacement loses its own id)."""
    if isinstance(model, EventCorrected) and model.replacement.id is not None:
        replacement = model.replacement.model_copy(update={"id": None})
        return model.model_copy(update={"replacement": replacement})
    return model


@contextmanager
def handing_over(connection: Connection, checked: CheckedBatch | None) -> Iterator[None]:
    """Lend the checked streams and their states (if any) to the append hooks: no need to read
    or fold them again."""
    if checked is not None:
        connection.info[STREAMS_INFO_KEY] = checked.streams
        connection.info[STATES_INFO_KEY] = checked.walks
    try:
        yield
    finally:
        # Pooled connections keep their info: never leave a batch's state behind.
        forget_batch(connection)
