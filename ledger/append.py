"""The write path's last step: serialise the tail, chain the rows, insert a batch atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from operator import attrgetter

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from events import Event, StreamWalk

from .backends import among, lock_tail
from .bulk_insert import insert_rows
from .chain import GENESIS, Links, plain_texts
from .errors import ConcurrencyConflict, EventIdConflict
from .event_rows import PendingEvent, StoredEvent
from .schema import EVENT_COLUMNS, events
from .write_transaction import HandedRows, WriteTransaction

AppendHook = Callable[[Connection, HandedRows], None]
"""Called inside every append transaction with the rows a batch stored (see `HandedRows`)."""
CommitHook = Callable[[Connection], None]
"""Called once at the end of every append transaction, before it commits."""

# The texts of a row that its header writes between quotes.
_QUOTED = (attrgetter("key"), attrgetter("commitment"), attrgetter("type_name"))


def _plain(rows: Sequence[PendingEvent]) -> bool:
    """Whether every text the rows' headers quote is written as it is (see `chain.hashed_text`)."""
    return plain_texts(*(map(column, rows) for column in _QUOTED))


def stream_versions(connection: Connection, commitments: Iterable[str]) -> dict[str, int]:
    """The current version of each named stream (absent streams are at version 0)."""
    names = sorted(set(commitments))
    versions = dict.fromkeys(names, 0)
    for matching, values in among(connection, events.c.commitment, names):
        query = (
            select(events.c.commitment, func.max(events.c.version))
            .where(matching)
            .group_by(events.c.commitment)
        )
        for commitment, version in connection.execute(query, values):
            versions[commitment] = version
    return versions


def _stored_payloads(connection: Connection, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for matching, values in among(connection, events.c.event_id, ids):
        query = select(events.c.event_id, events.c.payload).where(matching)
        found.update({row.event_id: row.payload for row in connection.execute(query, values)})
    return found


def new_events_only(
    connection: Connection, pending: Sequence[PendingEvent]
) -> tuple[list[PendingEvent], int]:
    """The events not yet stored, and how many were already present with the same content."""
    stored = _stored_payloads(connection, [event.key for event in pending])
    fresh: list[PendingEvent] = []
    seen: dict[str, str] = {}
    skipped = 0
    for event in pending:
        key = event.key
        known = stored.get(key, seen.get(key))
        if known is None:
            seen[key] = event.payload
            fresh.append(event)
        elif known == event.payload:
            skipped += 1
        else:
            raise EventIdConflict(event.event_id, event.origin)
    return fresh, skipped


def _instants_of(
    fresh: Sequence[PendingEvent],
    pending: Sequence[PendingEvent],
    recorded_at: datetime | Sequence[datetime] | None,
) -> dict[str, datetime] | None:
    """Each fresh row's instant, where `recorded_at` gives one per pending row (a repeated id
    takes its first row's, the one kept)."""
    if recorded_at is None or isinstance(recorded_at, datetime):
        return None
    instants: dict[str, datetime] = {}
    for event, instant in zip(pending, recorded_at, strict=True):
        instants.setdefault(event.key, instant)
    return instants


def _first_instant(
    fresh: Sequence[PendingEvent],
    instants: dict[str, datetime] | None,
    recorded_at: datetime | Sequence[datetime] | None,
    clock: Callable[[], datetime],
    last_recorded: datetime | None,
) -> datetime:
    """The instant of the first fresh row: its own, the one stated, or the clock's."""
    if instants is not None:
        return instants[fresh[0].key]
    if isinstance(recorded_at, datetime):
        return recorded_at
    # Read under the lock, so that transaction time follows the order of the chain.
    return next_instant(clock(), last_recorded)


def tail(connection: Connection) -> tuple[int, str, datetime | None]:
    """The last position, its hash and its recording instant (0, genesis, None when empty)."""
    row = connection.execute(
        select(events.c.position, events.c.hash, events.c.recorded_at)
        .order_by(events.c.position.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, GENESIS, None
    return row.position, row.hash, row.recorded_at


def next_instant(now: datetime, last_recorded: datetime | None) -> datetime:
    """The recording instant of a new transaction: the clock, but always after the last one.

    Transaction time never runs backwards along positions, even if the system clock does, and
    each transaction gets its own instant, so "known at K" always falls between whole batches
    (docs/design.md, "The two times").
    """
    if last_recorded is None or now > last_recorded:
        return now
    return last_recorded + timedelta(microseconds=1)


def append_batch(
    transaction: WriteTransaction,
    pending: Sequence[PendingEvent],
    *,
    expected_versions: Mapping[str, int] | None,
    recorded_by: str,
    clock: Callable[[], datetime],
    hooks: Sequence[AppendHook] = (),
    recorded_at: datetime | Sequence[datetime] | None = None,
    versions_known: bool = False,
    streams: Mapping[str, Sequence[Event]] | None = None,
    walks: Mapping[str, StreamWalk] | None = None,
) -> tuple[list[StoredEvent], int]:
    """Append inside the caller's write transaction; returns the stored rows and the skip count.

    The hooks get the stored rows as `HandedRows`, with the checked `streams` and their
    rules' `walks` (where the caller checked the batch) and the `transaction`.

    `expected_versions` names the version each stream had when the caller checked its rules;
    if another writer moved a stream since, nothing is written and ConcurrencyConflict is raised.
    `versions_known` says they were read in this very transaction, holding the tail: they are
    the versions, with no need to read them again.
    `recorded_at` is given when one transaction appends in several parts: they share one instant.
    A sequence gives each of `pending` its own (non-decreasing, checked by the caller): recording
    as reported, a date's events at the date's instant.
    """
    connection = transaction.connection
    lock_tail(connection)
    fresh, skipped = new_events_only(connection, pending)
    if not fresh:
        transaction.appended([], skipped)
        return [], skipped
    touched = {event.commitment for event in fresh}
    if versions_known and expected_versions is not None and touched <= expected_versions.keys():
        versions = {name: expected_versions[name] for name in touched}
    else:
        versions = stream_versions(connection, touched)
    if expected_versions is not None:
        for commitment, actual in versions.items():
            expected = expected_versions.get(commitment, 0)
            if actual != expected:
                raise ConcurrencyConflict(commitment, expected, actual)
    position, prev_hash, last_recorded = tail(connection)
    instants = _instants_of(fresh, pending, recorded_at)
    instant = _first_instant(fresh, instants, recorded_at, clock, last_recorded)
    rows: list[StoredEvent] = []
    inserted: list[tuple[object, ...]] = []
    links = Links(instant, recorded_by, _plain(fresh))
    for event in fresh:
        if instants is not None:
            instant = instants[event.key]
            links.at(instant)
        position += 1
        commitment = event.commitment
        version = versions[commitment] = versions[commitment] + 1
        digest = links.digest(
            prev_hash,
            position,
            event.key,
            commitment,
            version,
            event.type_name,
            event.schema_version,
            event.effective,
            event.payload,
        )
        # In the order of EVENT_COLUMNS, which is also StoredEvent's (the id as text, as stored).
        row = (
            position,
            event.key,
            commitment,
            version,
            event.type_name,
            event.schema_version,
            event.effective,
            instant,
            recorded_by,
            event.payload,
            prev_hash,
            digest,
        )
        inserted.append(row)
        rows.append(StoredEvent(position, event.event_id, *row[2:]))
        prev_hash = digest
    try:
        insert_rows(connection, events, EVENT_COLUMNS, inserted)
    except IntegrityError as error:
        # Only reachable if something bypassed the tail lock; never store a forked chain.
        commitment = fresh[0].commitment
        raise ConcurrencyConflict(commitment, versions[commitment], -1) from error
    transaction.appended(rows, skipped)
    handed = HandedRows(rows, transaction, streams, walks)
    for hook in hooks:
        hook(connection, handed)
    return rows, skipped
