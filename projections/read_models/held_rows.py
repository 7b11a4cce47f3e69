"""The read-model rows one write transaction has left (per stream; per bucket), so that its
next batches need not read them back.

A long import appends in chunks inside one transaction that holds the tail: nobody else can
write meanwhile, so the rows a chunk leaves for a stream are exactly what the next chunk
touching that stream would read from the table. They are kept on the `WriteTransaction` they
were made in (they end with it), for one recording instant (rows closed "now" depend on it).
Bounded by the number of rows held (oldest stream out first), so memory stays flat.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from ledger import WriteTransaction

__all__ = ["HeldPostings", "Rows", "held_buckets"]

Rows = tuple[dict[tuple[Any, ...], datetime], dict[tuple[Any, ...], datetime]]
"""A stream's current rows and the rows closed at the instant, each with its known_from."""

MAX_ROWS = 60_000
MAX_BUCKETS = 20_000


class _Slot:
    """Where a transaction keeps its held rows: those of one instant at a time."""

    held: HeldPostings | None = None


class HeldPostings:
    """What one projection's rows are, per stream, as this transaction left them."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant
        self._streams: OrderedDict[tuple[str, str], Rows] = OrderedDict()
        self._held = 0
        self.buckets: OrderedDict[Any, Any] = OrderedDict()

    @classmethod
    def of(cls, transaction: WriteTransaction | None, instant: datetime) -> HeldPostings:
        """The rows held by the transaction for this instant (a new, empty holder when the
        instant changed; one kept by nobody where there is no transaction to keep it)."""
        if transaction is None:
            return cls(instant)
        slot = transaction.kept(_Slot, _Slot)
        held: HeldPostings | None = slot.held
        if held is None or held.instant != instant:
            held = slot.held = cls(instant)
        return held

    @staticmethod
    def forget(transaction: WriteTransaction | None) -> None:
        """Drop whatever is held (the tables were changed some other way: a reset, a replay)."""
        if transaction is not None:
            transaction.kept(_Slot, _Slot).held = None

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


def held_buckets(transaction: WriteTransaction | None, instant: datetime) -> OrderedDict[Any, Any]:
    """The position buckets' rows as this transaction left them at `instant`, by bucket key
    (oldest out first, MAX_BUCKETS at most): what `HeldPostings.of` holds, for the buckets."""
    return HeldPostings.of(transaction, instant).buckets
