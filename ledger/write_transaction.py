"""A write transaction, and what its appends hand their hooks: explicit objects, never state
left on the connection (docs/design.md, "Read models").

One `record` is one write transaction; one `record_stream` is one however many chunks it
appends. The hooks of its appends get each batch as `HandedRows`: the stored rows, what the
write path learned while checking them (each touched stream's events and the rules' walk of
it), and the `WriteTransaction`, on which a hook keeps its own state for the rest of the
transaction and asks for work to be done before the commit. Both objects end with the
transaction: nothing outlives it on a pooled connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection

from events import Event, StreamWalk

from .event_rows import Receipt, StoredEvent, receipt

__all__ = ["HandedRows", "WriteTransaction"]

T = TypeVar("T")


class WriteTransaction:
    """One write transaction of the store: what the hooks of its appends share."""

    __slots__ = ("_before_commit", "_ends", "_kept", "_skipped", "connection")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._kept: dict[object, Any] = {}
        self._before_commit: list[Callable[[], None]] = []
        self._ends: list[StoredEvent] = []
        self._skipped = 0

    def appended(self, rows: Sequence[StoredEvent], skipped: int) -> None:
        """Note what an append of this transaction did: the rows it stored, in position order,
        and how many of its events were already stored (the write path calls this)."""
        if rows:
            self._ends = [self._ends[0] if self._ends else rows[0], rows[-1]]
        self._skipped += skipped

    def receipt(self) -> Receipt:
        """What this transaction's appends did, all told."""
        return receipt(self._ends, self._skipped)

    def kept(self, owner: object, make: Callable[[], T]) -> T:
        """What `owner` keeps for the rest of this transaction, made by `make()` on first use.

        `owner` is the caller's own key (a class, or an object of its own), so that what one
        hook keeps is never another's."""
        try:
            found: T = self._kept[owner]
        except KeyError:
            found = self._kept[owner] = make()
        return found

    def before_commit(self, work: Callable[[], None]) -> None:
        """Do `work()` once, inside this transaction, after its last append and before it
        commits (before the Ledger's own before-commit hooks)."""
        self._before_commit.append(work)

    def finish(self) -> None:
        """Do the work asked for before the commit, in the order it was asked for (the write
        path calls this; work may ask for more, which is done too)."""
        while self._before_commit:
            self._before_commit.pop(0)()


class HandedRows(list[StoredEvent]):
    """The rows one append stored, in position order, as its hooks get them: a list of
    `StoredEvent`, with

    - `transaction`: the write transaction they were appended in;
    - `streams`: for a batch checked by the rules, each touched commitment's events (models,
      position order) as they stand after the append; empty otherwise;
    - `walks`: the rules' walk of each of those streams (`events.StreamWalk`: its state at the
      end of each effective date, and the first date the append may have changed).

    A hook that reads the streams or folds them may take them from here instead.
    """

    __slots__ = ("streams", "transaction", "walks")

    def __init__(
        self,
        rows: Iterable[StoredEvent],
        transaction: WriteTransaction,
        streams: Mapping[str, Sequence[Event]] | None = None,
        walks: Mapping[str, StreamWalk] | None = None,
    ) -> None:
        super().__init__(rows)
        self.transaction = transaction
        self.streams: Mapping[str, Sequence[Event]] = {} if streams is None else streams
        self.walks: Mapping[str, StreamWalk] = {} if walks is None else walks
