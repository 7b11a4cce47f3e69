"""Bitemporal posting tables kept equal to the reference fold, stream by stream.

For each stream an event touches, the fold of the whole stream (as known up to that event) gives
the rows the table should hold; they are diffed against the stream's current rows. With T the
recording instant of the events being handled:

- a current row no longer wanted is deleted if it was made at T, else closed (known_until = T);
- a wanted row equal to one closed at T is revived (known_until = NULL), else inserted at T.

So an instant handled in several parts leaves the same rows as handled at once, and catching up
incrementally writes exactly what a rebuild from zero writes.

Each stream is folded once per batch of rows, whatever the number of posting projections: the
folded states are shared through the connection (keyed by the hash of the batch's last row, which
names the whole log up to it). A rebuild from zero (projections/upkeep/replay.py) reads the log one
stream at a time and writes each stream's whole posting history at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    or_,
    select,
    update,
)

from events import Event, states_by_date
from ledger import HandedRows, StoredEvent, WriteTransaction, among, insert_rows

from ..fold import Folded, Posting, States
from .batch_states import folded_states
from .held_rows import HeldPostings, Rows

__all__ = ["PostingProjection"]


_INSTANT: BindParameter[datetime] = bindparam("instant")


class PostingProjection(ABC):
    """A projection whose table is a set of postings derived from each stream's fold."""

    name: str
    table: Table
    columns: tuple[str, ...]
    """Every column but known_from and known_until; the first is `commitment`."""
    key: tuple[str, ...]
    """The columns that, with known_from, identify a row (the table's primary key)."""
    insert_order: tuple[str, ...] = ()
    """Columns to sort new rows by before they are inserted: the leading columns of the
    table's secondary indexes, so that rows inserted one after another land in the same index
    pages instead of all over them. Empty by default: rows go in as made."""

    @property
    def tables(self) -> Sequence[Table]:
        return (self.table,)

    @abstractmethod
    def from_states(
        self, commitment: str, states: States, since: date | None = None
    ) -> set[Posting]:
        """The rows a stream should have, from its states by date (`states_by_date`); with
        `since`, only those effective on or after it."""

    def postings(self, commitment: str, events: Sequence[Event]) -> set[Posting]:
        """The rows a stream should have, from its events as known (position order, ids set)."""
        return self.from_states(commitment, list(states_by_date(events)))

    @property
    def all_columns(self) -> tuple[str, ...]:
        """Every column of the table, in the order of a row (postings, then both knowns)."""
        return (*self.columns, "known_from", "known_until")

    def reset(self, connection: Connection) -> None:
        for table in self.tables:
            connection.execute(delete(table))

    def changed(
        self,
        connection: Connection,
        instant: datetime,
        added: list[Posting],
        removed: list[Posting],
        *,
        transaction: WriteTransaction | None = None,
    ) -> None:
        """Told, after each write, which rows became current at `instant` (inserted or revived)
        and which stopped being current (closed or dropped): for aggregates kept beside the
        table, in the same transaction (which keeps what they hold for its later batches).
        Nothing by default."""
        return None

    def tally(self, rows: Sequence[Posting], into: Any = None) -> Any:
        """What a rebuild from zero keeps of the rows it writes, for `replayed`: `into` (what
        was kept of earlier rows, or None) with `rows` (values in the order of `all_columns`)
        added. Nothing by default."""
        return None

    def combine(self, into: Any, more: Any) -> Any:
        """Two tallies of different rows as one (parts of a replay folded apart)."""
        return None

    def replayed(self, connection: Connection, tally: Any) -> None:
        """Told when a rebuild from zero (`replay`) has written every row, with the tally of
        them all. Nothing by default."""
        return None

    def handle(self, connection: Connection, rows: Sequence[StoredEvent]) -> None:
        instant = rows[0].recorded_at
        transaction = rows.transaction if isinstance(rows, HandedRows) else None
        states = folded_states(connection, rows)
        added, removed = self.write_states(connection, instant, states, transaction=transaction)
        self.changed(connection, instant, added, removed, transaction=transaction)

    def write_states(
        self,
        connection: Connection,
        instant: datetime,
        states: dict[str, Folded],
        *,
        new_rows: list[Posting] | None = None,
        transaction: WriteTransaction | None = None,
    ) -> tuple[list[Posting], list[Posting]]:
        """Make the rows of each stream in `states` those its states want, as known from
        `instant` on (see above); `Folded` also says from which date they may have changed.
        Given `new_rows`, the rows to insert are added there, for the caller to `insert` later
        (before anything reads these streams' rows again), instead of inserted now.

        Returns the rows that became current and those that stopped, for `changed`, which the
        caller tells of them (at once or in parts: the buckets come out the same). The
        `transaction` keeps the rows it leaves for its later batches (`HeldPostings`)."""
        wanted = {
            commitment: (self.from_states(commitment, stream_states, since), since)
            for commitment, (stream_states, since) in states.items()
        }
        return self.write_wanted(
            connection, instant, wanted, new_rows=new_rows, transaction=transaction
        )

    def write_wanted(
        self,
        connection: Connection,
        instant: datetime,
        wanted_by_stream: Mapping[str, tuple[set[Posting], date | None]],
        *,
        new_rows: list[Posting] | None = None,
        transaction: WriteTransaction | None = None,
    ) -> tuple[list[Posting], list[Posting]]:
        """As `write_states`, given the rows each stream wants (those effective from the date
        beside them on, or all where it is None) instead of its states."""
        held = HeldPostings.of(transaction, instant)
        stored = self._stored(connection, set(wanted_by_stream), instant, held)
        effective = self.columns.index("effective")
        closing: list[dict[str, Any]] = []
        dropping: list[dict[str, Any]] = []
        reviving: list[dict[str, Any]] = []
        adding: list[Posting] = []
        added: list[Posting] = []
        removed: list[Posting] = []
        for commitment, (wanted, since) in wanted_by_stream.items():
            # Rows effective before `since` cannot have changed: only the rest are compared.
            current, closed_now = stored[commitment]
            kept: dict[Posting, datetime] = {}
            for posting, known_from in current.items():
                if posting in wanted or (since is not None and posting[effective] < since):
                    kept[posting] = known_from
                    continue
                ident = self._ident(posting, known_from)
                if known_from == instant:
                    dropping.append(ident)
                else:
                    closing.append({**ident, "b_until": instant})
                    closed_now[posting] = known_from
                removed.append(posting)
            for posting in wanted - current.keys():
                if posting in closed_now:
                    known_from = closed_now.pop(posting)
                    reviving.append(self._ident(posting, known_from))
                    kept[posting] = known_from
                else:
                    adding.append((*posting, instant, None))
                    kept[posting] = instant
                added.append(posting)
            held.put(self.name, commitment, (kept, closed_now))
        self._write(connection, closing, dropping, reviving)
        if new_rows is None:
            self.insert(connection, adding)
        else:
            new_rows.extend(adding)
        return added, removed

    def insert(self, connection: Connection, rows: list[Posting]) -> None:
        """Insert new rows (values in the order of `all_columns`), sorted by `insert_order`."""
        if self.insert_order:
            rows.sort(key=itemgetter(*map(self.all_columns.index, self.insert_order)))
        insert_rows(connection, self.table, self.all_columns, rows)

    def _stored(
        self, connection: Connection, names: set[str], instant: datetime, held: HeldPostings
    ) -> dict[str, Rows]:
        """Per stream: current rows, and rows closed at `instant`, each with its known_from:
        as this transaction left them, or else read from the table."""
        found: dict[str, Rows] = {}
        for name in names:
            rows = held.get(self.name, name)
            if rows is not None:
                found[name] = rows
        unread = sorted(names - found.keys())
        found.update((name, ({}, {})) for name in unread)
        table = self.table
        selected = [table.c[name] for name in self.columns]
        width = len(self.columns)
        for matching, values in among(connection, table.c.commitment, unread):
            # Bound by name, not by value: see `among` on the garbage a new parameter makes.
            query = select(*selected, table.c.known_from, table.c.known_until).where(
                matching,
                or_(table.c.known_until.is_(None), table.c.known_until == _INSTANT),
            )
            for row in connection.execute(query, {**values, "instant": instant}):
                posting = tuple(row[:width])
                current, closed_now = found[posting[0]]
                (current if row[width + 1] is None else closed_now)[posting] = row[width]
        return found

    def _ident(self, posting: Posting, known_from: datetime) -> dict[str, Any]:
        values = dict(zip(self.columns, posting, strict=True))
        return {**{f"b_{name}": values[name] for name in self.key}, "b_known_from": known_from}

    def _write(
        self,
        connection: Connection,
        closing: list[dict[str, Any]],
        dropping: list[dict[str, Any]],
        reviving: list[dict[str, Any]],
    ) -> None:
        table = self.table
        where = and_(
            *(table.c[name] == bindparam(f"b_{name}") for name in (*self.key, "known_from"))
        )
        # Drops before inserts (which follow): an insert at T may reuse the key of a row made
        # and dropped at T.
        if dropping:
            connection.execute(delete(table).where(where), dropping)
        if closing:
            statement = update(table).where(where).values(known_until=bindparam("b_until"))
            connection.execute(statement, closing)
        if reviving:
            connection.execute(update(table).where(where).values(known_until=None), reviving)
