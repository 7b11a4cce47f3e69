"""The later batches of a long import, put off until its commit and written once.

Once filled, a posting projection is fed the first batch of an append transaction as it comes
(the rules' walk saves it a fold); the later batches of the same instant (a long import's
chunks) are put off: the transaction notes the streams they touch and, before it commits,
folds each once and writes its rows and the buckets (`PutOff`, a few hundred streams at a
time). An instant handled in parts leaves the rows it leaves handled at once
(read_models/posting_tables.py), so this changes nothing but the time: a stream spread over
many chunks is no longer diffed per chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ledger import StoredEvent, WriteTransaction

from ..fold import Posting
from ..read_models import PostingProjection
from .checkpoints import save_checkpoint
from .projection import Progress
from .replay import wanted_at_end

__all__ = ["SETTLE_CHANGES", "SETTLE_INSERTS", "SETTLE_STREAMS", "PutOff", "write_put_off"]


SETTLE_STREAMS = 500
"""Streams folded and written at a time when the put-off batches are written."""

SETTLE_INSERTS = 40_000
"""New rows a projection's writes of put-off batches keep before inserting them in one sorted
batch (sorted in bigger batches, they fill index pages one after another)."""

SETTLE_CHANGES = 50_000
"""Rows made or ended current that are told to `changed` at once, at most (memory stays flat
on any import; an instant told in parts leaves what it leaves told at once)."""


@dataclass
class PutOff:
    """A posting projection's batches put off until the commit: all of one recording instant,
    contiguous from its checkpoint up to `upto`, touching `streams`."""

    projection: PostingProjection
    instant: datetime
    upto: int
    streams: set[str]

    @classmethod
    def of(cls, projection: PostingProjection, rows: Sequence[StoredEvent]) -> PutOff | None:
        """The batch put off, if all its rows share one instant (else it is fed as it comes)."""
        instant = rows[0].recorded_at
        if rows[-1].recorded_at != instant:
            return None
        return cls(projection, instant, rows[-1].position, {row.commitment for row in rows})

    def takes(self, rows: Sequence[StoredEvent]) -> bool:
        """Put off the next batch too, if it follows on at the same instant."""
        if (
            rows[0].position != self.upto + 1
            or rows[0].recorded_at != self.instant
            or rows[-1].recorded_at != self.instant
        ):
            return False
        self.streams.update(row.commitment for row in rows)
        self.upto = rows[-1].position
        return True


def write_put_off(
    transaction: WriteTransaction, settling: Sequence[PutOff], progress: Progress | None = None
) -> None:
    """Write what the put-off batches changed: each touched stream folded once, as known up to
    the last of them, and diffed against its rows (those the instant's first batch left
    included). Projections put off over the same batches share the fold. `progress` is told
    the events of the streams written so far."""
    connection = transaction.connection
    groups: dict[tuple[datetime, int], list[PutOff]] = {}
    for one in settling:
        groups.setdefault((one.instant, one.upto), []).append(one)
    for (instant, upto), group in groups.items():
        names = sorted(set().union(*(one.streams for one in group)))
        changes: dict[str, tuple[list[Posting], list[Posting]]] = {
            one.projection.name: ([], []) for one in group
        }
        # Each stream is in one part: rows kept back for a part's streams are not read again.
        new_rows: dict[str, list[Posting]] = {one.projection.name: [] for one in group}
        read = 0
        for start in range(0, len(names), SETTLE_STREAMS):
            part = names[start : start + SETTLE_STREAMS]
            # Read once, written, not asked for again: the cache of models is left as it was.
            wanted, count = wanted_at_end(connection, part, upto, [one.projection for one in group])
            read += count
            for one, rows in zip(group, wanted, strict=True):
                mine = {name: (rows[name], None) for name in part if name in one.streams}
                name = one.projection.name
                added, removed = one.projection.write_wanted(
                    connection, instant, mine, new_rows=new_rows[name], transaction=transaction
                )
                if len(new_rows[name]) >= SETTLE_INSERTS:
                    one.projection.insert(connection, new_rows[name])
                    new_rows[name] = []
                kept = changes[name]
                kept[0].extend(added)
                kept[1].extend(removed)
                if len(kept[0]) + len(kept[1]) >= SETTLE_CHANGES:
                    one.projection.changed(connection, instant, *kept, transaction=transaction)
                    changes[name] = ([], [])
                if progress is not None:
                    progress(name, read)
        for one in group:
            one.projection.insert(connection, new_rows[one.projection.name])
            done = changes[one.projection.name]
            one.projection.changed(connection, instant, *done, transaction=transaction)
            save_checkpoint(connection, one.projection.name, upto)
