"""The private parts of the read side that tests reach into, imported here and nowhere else in
the tests that use this module, so that when they move they are fixed in one place: the
built-in projections, how positions are summed from the buckets, and when a rebuild forks."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from projections import Projection
from projections.queries import position_sums
from projections.upkeep import BUILTINS, parallel_replay

BUILT_IN_PROJECTIONS: tuple[Projection, ...] = BUILTINS
WAYS_OF_SUMMING = ("plain", "less-days", "less-months", "less-both")
"""The four ways positions are summed from year and month buckets and postings, in the order
`position_sums.plans` gives them."""

__all__ = [
    "BUILT_IN_PROJECTIONS",
    "WAYS_OF_SUMMING",
    "can_fork",
    "forked_rebuilds",
    "summed_the_way",
]


def summed_the_way(monkeypatch: pytest.MonkeyPatch, way: int) -> None:
    """Positions read through the buckets are summed the `way`-th way, whatever it costs."""
    monkeypatch.setattr(
        position_sums, "plan", lambda day, first_year: position_sums.plans(day, first_year)[way]
    )


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_rebuilds(monkeypatch: pytest.MonkeyPatch, workers: int = 2) -> list[int]:
    """Any rebuild forks `workers` worker processes; the list returned gets the number of
    workers of each replay done so."""
    monkeypatch.setattr(parallel_replay, "PARALLEL_FROM", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: workers)
    calls: list[int] = []
    real = parallel_replay.replay_in_parallel

    def counted(*args: object, **kwargs: object) -> int:
        calls.append(args[2])  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("projections.upkeep.fill.replay_in_parallel", counted)
    return calls
