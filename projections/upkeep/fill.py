"""Filling empty posting projections from the whole log at once, as a rebuild does.

Streams are read one at a time and each stream's whole posting history written at once
(replay.py), or folded by forked workers when the log is committed and long
(parallel_replay.py); secondary indexes are built after the rows where that is faster
(index_builds.py). Checkpoints go to the log's head.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from ..read_models import PostingProjection
from .checkpoints import log_head, save_checkpoint
from .index_builds import indexes_built_after
from .parallel_replay import replay_in_parallel, workers_for
from .projection import Progress
from .replay import PAGE, replay

__all__ = ["fill_from_log"]


def fill_from_log(
    connection: Connection,
    projections: Sequence[PostingProjection],
    progress: Progress | None,
    *,
    committed: bool,
) -> dict[str, int]:
    """Fill empty posting projections from the whole log; their checkpoints go to the head.

    `committed`: this transaction appended nothing, so other processes see the whole log and
    a long one can be folded by worker processes.
    """
    reported = 0

    def told(processed: int) -> None:
        nonlocal reported
        if progress is not None and processed - reported >= PAGE:
            reported = processed
            for projection in projections:
                progress(projection.name, processed)

    head = log_head(connection)
    tables = [table for projection in projections for table in projection.tables]
    workers = workers_for(connection.engine, head) if committed else 0
    with indexes_built_after(connection, tables, unread=not committed):
        if workers:
            processed = replay_in_parallel(connection, projections, workers, progress=told)
        else:
            processed = replay(connection, projections, progress=told)
    for projection in projections:
        if progress is not None and processed and reported != processed:
            progress(projection.name, processed)
        save_checkpoint(connection, projection.name, head)
    return {projection.name: processed for projection in projections}
