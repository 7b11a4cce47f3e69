"""Read models never filled are filled once, at the end of the transaction that first appends
with them attached, from the whole log (as a rebuild does), instead of batch by batch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, inspect, select

from ledger import InvalidEvent, Ledger, RuleViolation
from projections import attach, positions, project
from projections.read_models.tables import (
    position_buckets,
    position_postings,
    projection_checkpoints,
)
from projections.read_models.tables import tranche_schedule as schedule
from projections.upkeep import append_hooks, feed_from_log, fill, rebuild_from_zero
from projections.upkeep.append_hooks import hook_for
from projections.upkeep.built_in import BUILTINS
from projections.upkeep.checkpoints import create_tables
from projections.upkeep.feed_from_log import advance, write_transaction
from tests.bench.synth import synthetic_events
from tests.conftest import postgres_url

from .conftest import SetClock, delivered, fresh_store, made

TABLES = (position_postings, position_buckets, schedule)
EVENTS = list(synthetic_events(400, seed=7))


def located(events: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], None]]:
    return ((data, None) for data in events)


def dump(led: Ledger) -> list[list[tuple[Any, ...]]]:
    with led.engine.connect() as connection:
        return [
            [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]
            for table in TABLES
        ]


def assert_a_rebuild_leaves_the_same_rows(led: Ledger) -> None:
    kept = dump(led)
    project(led, rebuild=True)
    assert dump(led) == kept


def checkpoints(led: Ledger) -> dict[str, int]:
    with led.engine.connect() as connection:
        return {
            name: position for name, position in connection.execute(select(projection_checkpoints))
        }


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The projections each fill from the whole log was for."""
    calls: list[list[str]] = []
    real = fill.fill_from_log

    def spy(
        connection: Connection, projections: Any, progress: Any, *, committed: bool
    ) -> dict[str, int]:
        calls.append([projection.name for projection in projections])
        return real(connection, projections, progress, committed=committed)

    for caller in (append_hooks, feed_from_log, rebuild_from_zero):
        monkeypatch.setattr(caller, "fill_from_log", spy)
    return calls


def test_a_first_import_in_chunks_leaves_the_rows_feeding_every_event_would_have_left(
    store_url: str, tmp_path: Path, clock: SetClock, replays: list[list[str]]
) -> None:
    with Ledger.open(store_url, clock=clock) as filled:
        attach(filled)
        filled.record_stream(located(EVENTS), chunk=37)
        assert replays == [[projection.name for projection in BUILTINS]]
        assert checkpoints(filled) == {projection.name: len(EVENTS) for projection in BUILTINS}
        deferred = dump(filled)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as fed:
        fed.record_stream(located(EVENTS), chunk=37)
        with write_transaction(fed.engine) as connection:
            for projection in BUILTINS:
                create_tables(connection, projection)
                advance(connection, projection, page=50)  # the events handed over page by page
        assert dump(fed) == deferred
    assert all(deferred), "the synthetic history posts to every table"


def test_later_records_feed_the_read_models_batch_by_batch(
    led: Ledger, clock: SetClock, replays: list[list[str]]
) -> None:
    attach(led)
    led.record_stream(located(EVENTS[:200]), chunk=50)
    clock.tick(hours=1)
    led.record_stream(located(EVENTS[200:]), chunk=50)
    assert len(replays) == 1
    assert checkpoints(led) == {projection.name: len(EVENTS) for projection in BUILTINS}
    assert_a_rebuild_leaves_the_same_rows(led)


def test_a_refused_first_import_leaves_the_read_models_unfilled(
    led: Ledger, clock: SetClock, replays: list[list[str]]
) -> None:
    attach(led)
    broken = [*EVENTS[:120], delivered("never-made", "2025-01-01", usd="5")]
    with pytest.raises(RuleViolation):
        led.record_stream(located(broken), chunk=50)
    assert replays == []
    assert dump(led) == [[], [], []]
    assert checkpoints(led) == {}
    led.record_stream(located(EVENTS), chunk=50)  # the next first import fills them
    assert checkpoints(led) == {projection.name: len(EVENTS) for projection in BUILTINS}


def test_events_appended_without_the_read_models_are_filled_with_the_first_attached_record(
    store_url: str, tmp_path: Path, clock: SetClock, replays: list[list[str]]
) -> None:
    with Ledger.open(store_url, clock=clock) as led:
        led.record_stream(located(EVENTS[:300]))  # no read models attached
        clock.tick(hours=1)
        attach(led)
        led.record(EVENTS[300:])
        assert len(replays) == 1
        late = dump(led)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as reference:
        clock.tick(hours=-1)
        attach(reference)
        reference.record_stream(located(EVENTS[:300]))
        clock.tick(hours=1)
        reference.record(EVENTS[300:])  # fed: the read models were filled by the first
        assert dump(reference) == late


def test_a_single_record_into_a_new_store_answers_positions_at_once(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    clock.set("2026-01-01T00:00:00")
    led.record([made("c1", "2025-01-01", gw="5", usd="100")])
    clock.set("2026-01-02T00:00:00")
    led.record([delivered("c1", "2025-06-01", gw="2")])
    assert checkpoints(led) == {projection.name: 2 for projection in BUILTINS}
    rows = positions(led, by=("commitment", "resource"))
    assert {(row.resource, row.committed, row.delivered) for row in rows} == {
        ("gw", 5, 2),
        ("usd", 100, 0),
    }


def test_an_invalid_event_in_a_first_import_changes_nothing(led: Ledger) -> None:
    attach(led)
    with pytest.raises(InvalidEvent):
        led.record_stream(located([*EVENTS[:60], {"type": "CommitmentMade"}]), chunk=25)
    assert led.count() == 0
    assert dump(led) == [[], [], []]


def test_a_hook_installed_by_hand_feeds_a_never_filled_projection_batch_by_batch(
    led: Ledger, replays: list[list[str]]
) -> None:
    with led.engine.begin() as connection:
        for projection in BUILTINS:
            create_tables(connection, projection)
    for projection in BUILTINS:
        led.on_append(hook_for(projection))  # no before-commit fill to leave it to
    led.record_stream(located(EVENTS), chunk=100)
    assert replays == []
    assert checkpoints(led) == {projection.name: len(EVENTS) for projection in BUILTINS}
    assert_a_rebuild_leaves_the_same_rows(led)


def test_a_first_fill_tells_its_progress_and_feeding_does_not(led: Ledger, clock: SetClock) -> None:
    told: list[tuple[str, int]] = []
    attach(led, progress=lambda name, count: told.append((name, count)))
    led.record_stream(located(EVENTS[:300]), chunk=100)
    names = {projection.name for projection in BUILTINS}
    assert {name for name, _ in told} == names
    assert {name: count for name, count in told} == dict.fromkeys(names, 300)
    told.clear()
    clock.tick(hours=1)
    led.record_stream(located(EVENTS[300:]), chunk=100)  # fed batch by batch: nothing to tell
    assert told == []


def index_names(led: Ledger) -> dict[str, set[str]]:
    with led.engine.connect() as connection:
        inspector = inspect(connection)
        return {
            table.name: {index["name"] for index in inspector.get_indexes(table.name)}
            for table in TABLES
        }


def test_the_first_fill_leaves_every_secondary_index_in_place(led: Ledger) -> None:
    attach(led)
    declared = {table.name: {str(index.name) for index in table.indexes} for table in TABLES}
    assert index_names(led) == declared
    led.record_stream(located(EVENTS), chunk=100)  # built after the rows, on both backends
    assert index_names(led) == declared
    assert_a_rebuild_leaves_the_same_rows(led)


def test_a_first_fill_that_fails_leaves_the_tables_and_their_indexes_as_they_were(
    led: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    attach(led)
    before = index_names(led)

    def fails(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the fill broke")

    monkeypatch.setattr(fill, "replay", fails)  # after the indexes are dropped
    with pytest.raises(RuntimeError, match="the fill broke"):
        led.record_stream(located(EVENTS), chunk=100)
    assert index_names(led) == before
    assert dump(led) == [[], [], []]
    assert checkpoints(led) == {}


@pytest.mark.postgres
def test_on_postgresql_a_first_fill_never_waits_for_a_reader_of_the_read_models(
    tmp_path: Path, clock: SetClock
) -> None:
    url = postgres_url()
    with Ledger.open(url, clock=clock) as led:
        attach(led)
        reader = led.engine.connect()
        reading = reader.begin()
        reader.execute(select(position_buckets).limit(1)).all()  # holds the table until it ends
        released = threading.Timer(30, reading.rollback)  # never hang, whatever happens
        released.start()
        try:
            led.record_stream(located(EVENTS), chunk=100)
            assert released.is_alive(), "the import waited for the reader"
        finally:
            released.cancel()
            if reading.is_active:
                reading.rollback()
            reader.close()
        assert checkpoints(led) == {projection.name: len(EVENTS) for projection in BUILTINS}
        assert_a_rebuild_leaves_the_same_rows(led)
