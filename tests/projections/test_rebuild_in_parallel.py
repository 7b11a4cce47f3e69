"""A rebuild (or a catch-up from zero) of a long log is folded by forked worker processes, each
taking ranges of commitments, and leaves exactly the rows a rebuild in one process leaves."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from ledger import Ledger, StoreError
from projections import attach, positions, project
from projections.read_models.tables import (
    position_buckets,
    position_postings,
    projection_checkpoints,
)
from projections.read_models.tables import tranche_schedule as schedule
from projections.upkeep import parallel_replay
from projections.upkeep.built_in import BUILTINS
from projections.upkeep.parallel_replay import commitment_ranges, workers_for
from tests.bench.synth import synthetic_events

from .conftest import SetClock

TABLES = (position_postings, position_buckets, schedule)
EVENTS = list(synthetic_events(600, seed=11))


def dump(led: Ledger) -> list[list[tuple[Any, ...]]]:
    with led.engine.connect() as connection:
        tables = [*TABLES, projection_checkpoints]
        return [
            [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]
            for table in tables
        ]


def in_instants(led: Ledger, clock: SetClock, parts: int = 6) -> None:
    """The events recorded over several instants, so that rows are closed and revived."""
    size = -(-len(EVENTS) // parts)
    for start in range(0, len(EVENTS), size):
        led.record_stream((data, None) for data in EVENTS[start : start + size])
        clock.tick(hours=1)


@pytest.fixture
def in_parallel(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any log is long enough to be folded by workers (when the machine can fork)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("this platform cannot fork worker processes")
    monkeypatch.setattr(parallel_replay, "PARALLEL_FROM", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # two workers, whatever the machine
    yield


@pytest.mark.parametrize("workers", [2, 3])
def test_a_rebuild_folded_by_workers_leaves_the_rows_of_a_rebuild_in_one_process(
    led: Ledger, clock: SetClock, monkeypatch: pytest.MonkeyPatch, in_parallel: None, workers: int
) -> None:
    attach(led)
    in_instants(led, clock)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    project(led, rebuild=True)  # one core: in this process
    alone = dump(led)
    monkeypatch.setattr(os, "cpu_count", lambda: workers)
    calls: list[int] = []
    real = parallel_replay.replay_in_parallel

    def counted(*args: Any, **kwargs: Any) -> int:
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr("projections.upkeep.fill.replay_in_parallel", counted)
    assert project(led, rebuild=True) == {p.name: len(EVENTS) for p in BUILTINS}
    assert calls == [workers]
    assert dump(led) == alone
    assert all(alone)


def test_a_catch_up_from_zero_is_folded_by_workers_too(
    led: Ledger, clock: SetClock, in_parallel: None
) -> None:
    in_instants(led, clock)  # recorded without the read models
    assert project(led) == {p.name: len(EVENTS) for p in BUILTINS}
    caught_up = dump(led)
    project(led, rebuild=True)
    assert dump(led) == caught_up
    totals = positions(led, by=("kind", "resource"))
    assert totals and all(row.committed >= 0 for row in totals)


def raises(stream: Any, projections: Any) -> Any:
    raise ValueError(f"cannot fold {stream[0].commitment}")


def dies(stream: Any, projections: Any) -> Any:
    os._exit(3)


@pytest.mark.parametrize(
    ("fold", "error", "message"),
    [(raises, ValueError, "cannot fold"), (dies, StoreError, "replay worker stopped")],
)
def test_a_worker_that_fails_or_dies_fails_the_rebuild_and_changes_nothing(
    led: Ledger,
    clock: SetClock,
    monkeypatch: pytest.MonkeyPatch,
    in_parallel: None,
    fold: Any,
    error: type[Exception],
    message: str,
) -> None:
    attach(led)
    in_instants(led, clock)
    before = dump(led)
    monkeypatch.setattr(parallel_replay, "stream_rows", fold)  # the workers fork with it
    with pytest.raises(error, match=message):
        project(led, rebuild=True)
    assert dump(led) == before


def test_an_empty_log_is_rebuilt_to_empty_tables(led: Ledger, in_parallel: None) -> None:
    attach(led)
    assert project(led, rebuild=True) == {p.name: 0 for p in BUILTINS}
    assert dump(led) == [[], [], [], []]


def test_commitment_ranges_cover_every_stream_once() -> None:
    names = sorted(f"c-{index:03}" for index in range(10))
    for parts in (1, 3, 4, 10, 25):
        ranges = commitment_ranges(names, parts)
        assert len(ranges) <= parts
        assert ranges[0][0] is None and ranges[-1][1] is None
        for name in [*names, "", "a", "zzz"]:  # and names after the list was read
            holding = [
                (start, stop)
                for start, stop in ranges
                if (start is None or name >= start) and (stop is None or name < stop)
            ]
            assert len(holding) == 1
    assert commitment_ranges([], 8) == [(None, None)]


def test_short_logs_one_core_and_memory_stores_are_replayed_in_this_process(
    led: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert workers_for(led.engine, parallel_replay.PARALLEL_FROM - 1) == 0
    assert workers_for(led.engine, 1, workers=2) == 2
    assert workers_for(led.engine, 1, workers=1) == 0
    memory = Ledger.open("sqlite://")
    assert workers_for(memory.engine, 10**7) == 0
    memory.close()
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert workers_for(led.engine, 10**7) == 0
