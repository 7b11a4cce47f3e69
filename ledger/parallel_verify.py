"""Verify in parallel: the log cut into ranges of positions, each checked on its own (from the
row just before it) by forked worker processes, and their reports read back in position order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from .chain_report import ChainReport
from .chain_rows import query_one, statements
from .chain_walk import walk
from .errors import StoreError
from .forked_workers import Taken, detach, messages, started, take

if TYPE_CHECKING:
    from multiprocessing.connection import Connection as Pipe

    from .anchor import Anchor

RANGES_PER_WORKER = 4
"""Ranges the log is cut into for each worker: a worker slowed by other work takes fewer, and a
break found early leaves fewer to walk."""


def spans(last: int, parts: int) -> list[tuple[int, int | None]]:
    """Positions 1..last cut into at most `parts` ranges, each (after, upto]: the last range has
    no end, so that it takes in any row appended meanwhile, as the walk from position 1 does."""
    size = max(1, -(-last // parts))
    bounds = list(range(0, last, size))
    return [(after, after + size) for after in bounds[:-1]] + [(bounds[-1], None)]


def check_in_parallel(
    engine: Engine,
    anchor: Anchor | None,
    page: int,
    ranges: list[tuple[int, int | None]],
    workers: int,
) -> ChainReport:
    """The ranges checked by forked worker processes, each taking the next range not yet taken
    and sending back its report; the first report that decides, in position order, is returned.

    A report decides when its range breaks or ends short of the next range (the chain ends
    there), or when it is the last range. A range reached in that order starts right after the
    end of the one before, so the row it starts from was there when that one was checked.
    """
    args = (engine, anchor, page, ranges)
    with started(_work, args, min(workers, len(ranges))) as (readers, _):
        incoming = messages(readers)
        reports: dict[int, ChainReport | BaseException | None] = {}
        for index, (_, upto) in enumerate(ranges):
            while index not in reports:
                message = next(incoming, None)
                if message is None:
                    raise StoreError("a verify worker stopped without checking its range")
                done, reports[done] = message
            report = reports[index]
            if isinstance(report, BaseException):
                raise report
            if report is None:
                raise StoreError("a row was removed from the log while it was being verified")
            if not report.intact or upto is None or report.count < upto:
                return report
    raise AssertionError("the last range has no end")  # pragma: no cover


def _work(
    engine: Engine,
    anchor: Anchor | None,
    page: int,
    ranges: list[tuple[int, int | None]],
    taken: Taken,
    sender: Pipe,
) -> None:
    """A forked worker: check the next range not yet taken, until none is left."""
    detach(engine)
    while (index := take(taken, len(ranges))) is not None:
        try:
            report = walk_range(engine, anchor, page, *ranges[index])
        except Exception as error:
            sender.send((index, error))
            break
        sender.send((index, report))
    sender.close()


def walk_range(
    engine: Engine, anchor: Anchor | None, page: int, after: int, upto: int | None
) -> ChainReport | None:
    """Check positions (after, upto], from the row at `after`: None if that row is not there."""
    before = query_one(engine, statements(engine.dialect).link, (after,)) if after else None
    if after and before is None:
        return None  # the range before this one cannot have reached its end: it decides
    return walk(engine, anchor, page, after, upto, before)
