"""verify checks ranges of the log in worker processes: its report must be the sequential one."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text, update

from ledger import Anchor, ChainReport, Ledger
from ledger.parallel_verify import RANGES_PER_WORKER, spans, walk_range
from ledger.schema import events
from ledger.verify import verify_chain

from .conftest import make_pending

N = 24
WORKERS = 2
# With 2 workers, 24 positions are cut into 8 ranges of 3: (0, 3], (3, 6], (6, 9], ...
PLACES = {
    "in the first range": 2,
    "in the second range": 5,
    "at the end of a range": 6,  # the row the next range starts from
    "at the start of a range": 7,
    "in the last range": 23,
}
FORGED = "f" * 64


def _fill(ledger: Ledger, n: int = N) -> None:
    """n rows in transactions of 5, so that transactions straddle the ranges' ends."""
    for start in range(0, n, 5):
        ledger.append([make_pending("a", i) for i in range(start, min(start + 5, n))])


def _drop_triggers(ledger: Ledger) -> None:
    with ledger.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER IF EXISTS events_refuse_change ON events"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS events_refuse_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS events_refuse_delete"))


def _execute(ledger: Ledger, statement: str, **values: object) -> None:
    _drop_triggers(ledger)
    with ledger.engine.begin() as connection:
        connection.execute(text(statement), values)


def _delete(ledger: Ledger, at: int) -> None:
    _execute(ledger, "DELETE FROM events WHERE position = :at", at=at)


def _forge_prev_hash(ledger: Ledger, at: int) -> None:
    _execute(ledger, "UPDATE events SET prev_hash = :h WHERE position = :at", h=FORGED, at=at)


def _edit_payload(ledger: Ledger, at: int) -> None:
    _execute(ledger, "UPDATE events SET payload = '{}' WHERE position = :at", at=at)


def _move_recorded_at_back(ledger: Ledger, at: int) -> None:
    _drop_triggers(ledger)
    with ledger.engine.begin() as connection:
        earlier = datetime(2000, 1, 1, tzinfo=UTC)
        connection.execute(
            update(events).where(events.c.position == at).values(recorded_at=earlier)
        )


def _anchor_another_hash(ledger: Ledger, at: int) -> Anchor:
    return Anchor(position=at, hash=FORGED)


BREAKS: dict[str, tuple[Callable[[Ledger, int], object], str]] = {
    "a missing position": (_delete, "is missing (next stored is"),
    "a wrong previous hash": (
        _forge_prev_hash,
        "its previous hash does not match the row before it",
    ),
    "changed content": (_edit_payload, "its content does not match its hash"),
    "recorded_at running backwards": (_move_recorded_at_back, "recorded_at runs backwards"),
    "an anchor with another hash": (_anchor_another_hash, "its hash differs from the anchored one"),
}


def _both(ledger: Ledger, anchor: Anchor | None = None) -> tuple[ChainReport, ChainReport]:
    """The report of the sequential walk, and of the ranges checked by WORKERS processes."""
    sequential = verify_chain(ledger.engine, anchor=anchor, page=2, workers=1)
    parallel = verify_chain(ledger.engine, anchor=anchor, page=2, workers=WORKERS)
    return sequential, parallel


def test_the_ranges_in_these_tests_are_three_positions_long() -> None:
    assert spans(N, WORKERS * RANGES_PER_WORKER) == [
        (0, 3), (3, 6), (6, 9), (9, 12), (12, 15), (15, 18), (18, 21), (21, None)
    ]  # fmt: skip


@pytest.mark.parametrize(("last", "parts"), [(1, 8), (7, 8), (8, 8), (9, 8), (1_000_000, 8)])
def test_the_ranges_cover_every_position_once_and_the_last_has_no_end(
    last: int, parts: int
) -> None:
    ranges = spans(last, parts)
    assert len(ranges) <= parts
    assert ranges[0][0] == 0 and ranges[-1][1] is None
    assert all(upto == after for (_, upto), (after, _) in pairwise(ranges))


def test_an_intact_log_gets_the_sequential_report(ledger: Ledger) -> None:
    _fill(ledger)
    sequential, parallel = _both(ledger)
    assert parallel == sequential
    assert parallel.intact and parallel.count == N


def test_an_intact_log_with_an_anchor_gets_the_sequential_report(ledger: Ledger) -> None:
    _fill(ledger)
    head = list(ledger.read_all())[-1]
    sequential, parallel = _both(ledger, Anchor(position=N, hash=head.hash))
    assert parallel == sequential
    assert parallel.intact and parallel.head_hash == head.hash


def test_an_empty_log_gets_the_sequential_report(ledger: Ledger) -> None:
    sequential, parallel = _both(ledger)
    assert parallel == sequential == ChainReport(count=0, head_hash="0" * 64)


def test_a_log_shorter_than_the_ranges_gets_the_sequential_report(ledger: Ledger) -> None:
    _fill(ledger, 1)
    sequential, parallel = _both(ledger)
    assert parallel == sequential
    assert parallel.intact and parallel.count == 1


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("kind", BREAKS)
def test_a_break_anywhere_gets_the_sequential_report(ledger: Ledger, kind: str, place: str) -> None:
    _fill(ledger)
    make_break, reason = BREAKS[kind]
    at = PLACES[place]
    made = make_break(ledger, at)
    sequential, parallel = _both(ledger, made if isinstance(made, Anchor) else None)
    assert parallel == sequential
    assert parallel.first_bad_position == at
    assert parallel.reason is not None and reason in parallel.reason
    assert parallel.count == at - 1


def test_of_two_breaks_in_different_ranges_the_first_is_reported(ledger: Ledger) -> None:
    _fill(ledger)
    _edit_payload(ledger, 20)
    _edit_payload(ledger, 4)
    sequential, parallel = _both(ledger)
    assert parallel == sequential
    assert parallel.first_bad_position == 4


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (5, 7),  # across the end of a range
        (4, 9),  # a whole range and more
        (7, 9),  # all of a range but the row before it
        (1, 12),  # the first four ranges
    ],
)
def test_a_gap_across_ranges_gets_the_sequential_report(
    ledger: Ledger, first: int, last: int
) -> None:
    _fill(ledger)
    _execute(ledger, "DELETE FROM events WHERE position BETWEEN :a AND :b", a=first, b=last)
    sequential, parallel = _both(ledger)
    assert parallel == sequential
    assert parallel.first_bad_position == first
    assert parallel.reason == f"position {first} is missing (next stored is {last + 1})"


@pytest.mark.parametrize("keep", [3, 4, 23])
def test_a_tail_cut_short_of_the_anchor_gets_the_sequential_report(
    ledger: Ledger, keep: int
) -> None:
    _fill(ledger)
    anchor = Anchor(position=N, hash=list(ledger.read_all())[-1].hash)
    _execute(ledger, "DELETE FROM events WHERE position > :keep", keep=keep)
    sequential, parallel = _both(ledger, anchor)
    assert parallel == sequential
    assert parallel.first_bad_position == N and parallel.count == keep
    assert parallel.reason is not None and f"the chain ends at {keep}" in parallel.reason


_PIDS: Path | None = None


def _note_pid(engine: Engine, *args: Any) -> ChainReport | None:
    """In a worker: say which process checks a range, then check it."""
    assert _PIDS is not None
    with _PIDS.open("a") as out:
        out.write(f"{os.getpid()}\n")
    return walk_range(engine, *args)


def test_the_ranges_are_checked_in_other_processes_and_the_parents_connection_still_works(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(ledger)
    monkeypatch.setattr("ledger.parallel_verify.walk_range", _note_pid)
    monkeypatch.setattr(f"{__name__}._PIDS", tmp_path / "pids")
    with ledger.engine.connect() as held:  # a connection of the parent's, open meanwhile
        report = verify_chain(ledger.engine, page=2, workers=WORKERS)
        assert held.execute(text("SELECT count(*) FROM events")).scalar_one() == N
    pids = (tmp_path / "pids").read_text().split()
    assert report.intact and report.count == N
    assert len(pids) == WORKERS * RANGES_PER_WORKER
    assert str(os.getpid()) not in pids and 1 <= len(set(pids)) <= WORKERS
    ledger.append([make_pending("b", 0)])  # the parent's pool still works
    assert ledger.verify().count == N + 1


def test_an_in_memory_log_is_checked_in_this_process_which_alone_can_see_it() -> None:
    led = Ledger.open("sqlite:///:memory:", actor="tester")
    try:
        _fill(led)
        report = verify_chain(led.engine, page=2, workers=WORKERS)
        assert report.intact and report.count == N
    finally:
        led.close()
