"""Verify the hash chain: recompute every link, in one walk or in ranges checked in parallel, and
check the anchor (if any) is still there (docs/design.md, "The hash chain")."""

from __future__ import annotations

from sqlalchemy import Engine

from .anchor import Anchor
from .chain_report import ChainReport, broken
from .chain_rows import PAGE, query_one, statements
from .chain_walk import walk
from .forked_workers import worker_count
from .parallel_verify import RANGES_PER_WORKER, check_in_parallel, spans

__all__ = ["PARALLEL_FROM", "RANGES_PER_WORKER", "spans", "verify_chain"]

PARALLEL_FROM = 100_000
"""Positions from which verify_chain checks ranges of the log in parallel, by default: below it,
starting the worker processes costs more than they save."""


def verify_chain(
    engine: Engine,
    *,
    anchor: Anchor | None = None,
    page: int = PAGE,
    workers: int | None = None,
) -> ChainReport:
    """Walk the whole log in position order, recomputing every link.

    With an anchor, also check that the anchored position is still there with its hash.

    Every row stores the hash of the row before it as well as its own, so ranges of positions
    can be checked on their own, each from the row just before it: with several workers (by
    default one per CPU, for a log of PARALLEL_FROM positions or more) the ranges are checked
    in parallel by forked processes, and the report is the one the walk from position 1 gives.
    """
    report = _check(engine, anchor, page, workers)
    if report.intact and anchor is not None and anchor.position > report.count:
        return broken(
            report.count,
            report.head_hash,
            anchor.position,
            f"missing: the anchor holds position {anchor.position} but the chain ends at "
            f"{report.count} (its tail was removed)",
        )
    return report


def _check(engine: Engine, anchor: Anchor | None, page: int, workers: int | None) -> ChainReport:
    count = worker_count(engine, workers)
    if not count:
        return walk(engine, anchor, page)
    last = query_one(engine, statements(engine.dialect).last, ())
    if last is None or (workers is None and last < PARALLEL_FROM):
        return walk(engine, anchor, page)
    ranges = spans(last, count * RANGES_PER_WORKER)
    return check_in_parallel(engine, anchor, page, ranges, count)
