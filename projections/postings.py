"""Bitemporal posting tables kept equal to the reference fold, stream by stream.

For each stream an event touches, the fold of the whole stream (as known up to that event) gives
the rows the table should hold; they are diffed against the stream's current rows. With T the
recording instant of the events being handled:

- a current row no longer wanted is deleted if it was made at T, else closed (known_until = T);
- a wanted row equal to one closed at T is revived (known_until = NULL), else inserted at T.

So an instant handled in several parts leaves the same rows as handled at once, and catching up
incrementally writes exactly what a rebuild from zero writes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, or_, select, update

from events import Event
from ledger import StoredEvent
from ledger.append import chunks
from ledger.reads import read_streams

__all__ = ["Posting", "PostingProjection"]

Posting = tuple[Any, ...]
"""One row's values in the order of `PostingProjection.columns` (commitment first)."""


class PostingProjection(ABC):
    """A projection whose table is a set of postings derived from each stream's fold."""

    name: str
    table: Table
    columns: tuple[str, ...]
    """Every column but known_from and known_until; the first is `commitment`."""
    key: tuple[str, ...]
    """The columns that, with known_from, identify a row (the table's primary key)."""

    @property
    def tables(self) -> Sequence[Table]:
        return (self.table,)

    @abstractmethod
    def postings(self, commitment: str, events: Sequence[Event]) -> set[Posting]:
        """The rows a stream should have, from its events as known (position order, ids set)."""

    def reset(self, connection: Connection) -> None:
        connection.execute(delete(self.table))

    def handle(self, connection: Connection, rows: Sequence[StoredEvent]) -> None:
        instant = rows[0].recorded_at
        names = {row.commitment for row in rows}
        streams = read_streams(connection, names, upto=rows[-1].position)
        stored = self._stored(connection, names, instant)
        closing: list[dict[str, Any]] = []
        dropping: list[dict[str, Any]] = []
        reviving: list[dict[str, Any]] = []
        adding: list[dict[str, Any]] = []
        for commitment, stream in streams.items():
            wanted = self.postings(commitment, [row.event for row in stream])
            current, closed_now = stored[commitment]
            for posting, known_from in current.items():
                if posting in wanted:
                    continue
                ident = self._ident(posting, known_from)
                if known_from == instant:
                    dropping.append(ident)
                else:
                    closing.append({**ident, "b_until": instant})
            for posting in wanted - current.keys():
                if posting in closed_now:
                    reviving.append(self._ident(posting, closed_now[posting]))
                else:
                    adding.append(
                        {**dict(zip(self.columns, posting, strict=True)), "known_from": instant}
                    )
        self._write(connection, closing, dropping, reviving, adding)

    def _stored(
        self, connection: Connection, names: set[str], instant: datetime
    ) -> dict[str, tuple[dict[Posting, datetime], dict[Posting, datetime]]]:
        """Per stream: current rows, and rows closed at `instant`, each with its known_from."""
        table = self.table
        found: dict[str, tuple[dict[Posting, datetime], dict[Posting, datetime]]] = defaultdict(
            lambda: ({}, {})
        )
        selected = [table.c[name] for name in self.columns]
        for part in chunks(sorted(names)):
            query = select(*selected, table.c.known_from, table.c.known_until).where(
                table.c.commitment.in_(part),
                or_(table.c.known_until.is_(None), table.c.known_until == instant),
            )
            for row in connection.execute(query):
                posting = tuple(row[: len(self.columns)])
                current, closed_now = found[posting[0]]
                (current if row.known_until is None else closed_now)[posting] = row.known_from
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
        adding: list[dict[str, Any]],
    ) -> None:
        table = self.table
        where = and_(
            *(table.c[name] == bindparam(f"b_{name}") for name in (*self.key, "known_from"))
        )
        # Drops before inserts: an insert at T may reuse the key of a row made and dropped at T.
        if dropping:
            connection.execute(delete(table).where(where), dropping)
        if closing:
            statement = update(table).where(where).values(known_until=bindparam("b_until"))
            connection.execute(statement, closing)
        if reviving:
            connection.execute(update(table).where(where).values(known_until=None), reviving)
        if adding:
            connection.execute(insert(table), adding)
