"""The read-model rows one write transaction has left (per stream; per bucket), so that its
next batches need not read them back.

A long import appends in chunks inside one transaction that holds the tail: nobody else can
write meanwhile, so the rows a chunk leaves for a stream are exactly what the next chunk
touching that stream would read from the table. They are remembered per connection, for the
transaction they were made in only (the engine drops them when it ends), and for one
recording instant (rows closed "now" depend on it). Bounded by the number of rows held (oldest
stream out first), so memory stays flat.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ledger import TRANSACTION_INFO_PREFIX

__all__ = ["HeldPostings", "Rows", "held_buckets"]

Rows = tuple[dict[tuple[Any, ...], datetime], dict[tuple[Any, ...], datetime]]
"""A stream's current rows and the rows closed at the instant, each with its known_from."""

_INFO_KEY = TRANSACTION_INFO_PREFIX + "postings"  # dropped when the transaction ends
MAX_ROWS = 60_000
MAX_BUCKETS = 20_000


class HeldPostings:
    """What one projection's rows are, per stream, as this transaction left them."""

    def __init__(self, transaction: object, instant: datetime) -> None:
        self.transaction = transaction
        self.instant = instant
        self._streams: OrderedDict[tuple[str, str], Rows] = OrderedDict()
        self._held = 0
        self.buckets: OrderedDict[Any, Any] = OrderedDict()

    @classmethod
    def of(cls, connection: Connection, instant: datetime) -> HeldPostings:
        """The rows held for the connection's current transaction and this instant (a new,
        empty holder when either changed)."""
        transaction = connection.get_transaction()
        held = connection.info.get(_INFO_KEY)
        if (
            not isinstance(held, HeldPostings)
            or held.transaction is not transaction
            or held.instant != instant
        ):
            held = cls(transaction, instant)
            connection.info[_INFO_KEY] = held
        return held

    @staticmethod
    def forget(connection: Connection) -> None:
        """Drop whatever is held (the tables were changed some other way: a reset, a replay)."""
        connection.info.pop(_INFO_KEY, None)

    def get(self, projection: str, commitment: str) -> Rows | None:
        return self._streams.get((projection, commitment))

    def put(self, projection: str, commitment: str, rows: Rows) -> None:
        key = (projection, commitment)
        previous = self._streams.pop(key, None)
        if previous is not None:
            self._held -= len(previous[0]) + len(previous[1])
        self._streams[key] = rows
        self._held += len(rows[0]) + len(rows[1])
        while self._held > MAX_ROWS and len(self._streams) > 1:
            _, (current, closed) = self._streams.popitem(last=False)
            self._held -= len(current) + len(closed)


def held_buckets(connection: Connection, instant: datetime) -> OrderedDict[Any, Any]:
    """The position buckets' rows as this transaction left them at `instant`, by bucket key
    (oldest out first, MAX_BUCKETS at most): what `HeldPostings.of` holds, for the buckets."""
    return HeldPostings.of(connection, instant).buckets
