"""A stream of events of any length recorded in one write transaction, a chunk at a time:
memory holds one chunk, and of the rows appended only the first and the last are kept."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Protocol, TypeVar

from events import Event

from .event_rows import PendingEvent, StoredEvent
from .gc_pauses import settle
from .pending_rows import EventInput, prepare
from .stream_cache import StreamCache

T = TypeVar("T")


class CheckAndAppend(Protocol):
    """Checks and appends one chunk in the transaction that holds the tail: its rows and how
    many of its events were already stored."""

    def __call__(
        self,
        models: Sequence[Event],
        pending: Sequence[PendingEvent],
        *,
        recorded_at: datetime | Sequence[datetime] | None,
        streams: StreamCache,
    ) -> tuple[list[StoredEvent], int]: ...


def record_chunks(
    located: Iterable[tuple[EventInput, str | None]],
    chunk: int,
    check_and_append: CheckAndAppend,
    recorded_at: datetime | None = None,
) -> tuple[list[StoredEvent], int]:
    """Check and append a chunk at a time; the first and last rows, and the skip count.

    `recorded_at`, a stated instant already checked, is the whole stream's (else the clock's,
    read by the first chunk appended)."""
    ends: list[StoredEvent] = []
    skipped = 0
    # The tail is held until the end: no other writer can touch a stream meanwhile, so the
    # streams checked by one chunk stay exact for the next ones (until the transaction ends).
    streams = StreamCache()
    for part in batched(located, chunk):
        models, pending = prepare([item for item, _ in part], [origin for _, origin in part])
        rows, already = check_and_append(
            models,
            pending,
            recorded_at=ends[0].recorded_at if ends else recorded_at,
            streams=streams,
        )
        skipped += already
        if rows:  # only the two ends are kept: memory stays flat however long the input
            ends = [ends[0] if ends else rows[0], rows[-1]]
        settle()  # what the next chunks keep (checked streams, caches) is long-lived
    return ends, skipped


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items (itertools.batched arrived in Python 3.12)."""
    iterator = iter(items)
    while part := list(islice(iterator, size)):
        yield part
