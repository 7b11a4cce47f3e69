"""The streams one write transaction has checked, kept for its next batches."""

from __future__ import annotations

from collections import OrderedDict

from events import Event, StreamWalk

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
