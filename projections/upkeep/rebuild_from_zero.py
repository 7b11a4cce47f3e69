"""Rebuilding projections from zero: emptied, then the whole log replayed, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from ledger import Ledger

from ..read_models import PostingProjection
from .checkpoints import create_tables, save_checkpoint
from .feed_from_log import advance, write_transaction
from .fill import fill_from_log
from .projection import Progress, Projection

__all__ = ["rebuild", "rebuild_all"]


def rebuild(ledger: Ledger, projection: Projection, *, progress: Progress | None = None) -> int:
    """Empty the projection and replay the whole log into it, in one transaction."""
    return rebuild_all(ledger, [projection], progress=progress)[projection.name]


def rebuild_all(
    ledger: Ledger, projections: Sequence[Projection], *, progress: Progress | None = None
) -> dict[str, int]:
    """Rebuild several projections from zero; posting projections share one pass over the log.

    Each projection is rebuilt in a transaction of its own, the posting projections in one.
    """
    done: dict[str, int] = {}
    postings = [p for p in projections if isinstance(p, PostingProjection)]
    if postings:
        with write_transaction(ledger.engine) as connection:
            for posting in postings:
                create_tables(connection, posting)
                posting.reset(connection)
                save_checkpoint(connection, posting.name, 0)
            done.update(fill_from_log(connection, postings, progress, committed=True))
    for projection in projections:
        if isinstance(projection, PostingProjection):
            continue
        with write_transaction(ledger.engine) as connection:
            create_tables(connection, projection)
            projection.reset(connection)
            save_checkpoint(connection, projection.name, 0)
            done[projection.name] = advance(connection, projection, progress=progress)
    return {projection.name: done[projection.name] for projection in projections}
