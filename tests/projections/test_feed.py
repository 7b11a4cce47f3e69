"""Checkpointed projections: current inside every append, caught up on demand, rebuilt alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Table, inspect, select

from events import parse_event
from ledger import InvalidEvent, Ledger, StoredEvent, WriteTransaction
from ledger.append import append_batch
from ledger.pending_rows import to_pending
from projections import attach, catch_up, positions, project, rebuild, register
from projections.read_models.tables import (
    position_postings,
    projection_checkpoints,
    tranche_schedule,
)
from projections.upkeep.append_hooks import hook_for
from projections.upkeep.built_in import BUILTINS
from projections.upkeep.feed_from_log import advance, write_transaction
from tests.bench.synth import synthetic_events

from .conftest import SetClock, amended, delivered, made, scheduled

TABLES = (position_postings, tranche_schedule)


def dump(led: Ledger, table: Table) -> list[tuple[Any, ...]]:
    with led.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]


def checkpoints(led: Ledger) -> dict[str, int]:
    with led.engine.connect() as connection:
        return dict(connection.execute(select(projection_checkpoints)).all())  # type: ignore[arg-type]


def last_id(led: Ledger) -> str:
    return str(list(led.read_all())[-1].event_id)


def busy_history(led: Ledger, clock: SetClock) -> None:
    """Several instants: tranches, deliveries, amendments, a correction, a retraction, a
    back-dated delivery, a tranche and a commitment cancelled."""
    clock.set("2026-01-01T00:00:00")
    led.record(
        [
            made("c1", "2025-01-01", kind="capacity", gw="10", usd="1000"),
            scheduled("c1", "2025-02-01", "t1", due="2025-12-31", gw="4"),
            scheduled("c1", "2025-02-01", "t2", gw="3"),
            made("c2", "2025-03-01", provider="google", usd="500"),
        ]
    )
    clock.tick(hours=1)
    led.record(
        [
            delivered("c1", "2025-06-01", tranche="t1", gw="1"),
            delivered("c2", "2025-04-01", usd="50"),
        ]
    )
    wrong = last_id(led)
    clock.tick(hours=1)
    led.record(
        [
            {
                "type": "EventCorrected",
                "commitment": "c2",
                "target": wrong,
                "replacement": delivered("c2", "2025-03-15", usd="75"),
            },
            amended("c1", "2025-07-01", gw="12"),
            {
                "type": "TrancheCancelled",
                "commitment": "c1",
                "effective": "2025-08-01",
                "tranche": "t1",
            },
        ]
    )
    clock.tick(hours=1)
    led.record([delivered("c1", "2025-01-15", gw="0.5")])
    back_dated = last_id(led)
    clock.tick(hours=1)
    led.record(
        [
            {"type": "EventRetracted", "commitment": "c1", "target": back_dated},
            {"type": "CommitmentCancelled", "commitment": "c2", "effective": "2025-09-01"},
        ]
    )


def test_attached_read_models_are_current_after_every_append(led: Ledger, clock: SetClock) -> None:
    attach(led)
    busy_history(led, clock)
    head = led.count()
    assert checkpoints(led) == {"position_postings": head, "tranche_schedule": head}


def test_an_incremental_read_model_equals_a_rebuild_from_zero(led: Ledger, clock: SetClock) -> None:
    attach(led)
    busy_history(led, clock)
    incremental = [dump(led, table) for table in TABLES]
    assert incremental[0] and incremental[1]
    assert project(led, rebuild=True) == {
        "position_postings": led.count(),
        "tranche_schedule": led.count(),
    }
    assert [dump(led, table) for table in TABLES] == incremental


def test_catching_up_in_pages_that_cut_an_instant_writes_the_same_rows(
    store_url: str, clock: SetClock
) -> None:
    attached = Ledger.open(store_url, clock=clock)
    attach(attached)
    busy_history(attached, clock)
    expected = [dump(attached, table) for table in TABLES]
    with write_transaction(attached.engine) as connection:
        for projection in BUILTINS:
            projection.reset(connection)
            connection.execute(projection_checkpoints.delete())
            assert advance(connection, projection, page=2) == attached.count()
    assert [dump(attached, table) for table in TABLES] == expected
    attached.close()


def test_a_transaction_appended_in_parts_leaves_the_same_rows_as_a_rebuild(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    clock.set("2026-01-01T00:00:00")
    led.record([made("c1", "2025-01-01", usd="100"), delivered("c1", "2025-02-01", usd="5")])
    first_delivery = last_id(led)
    fix = {"type": "EventCorrected", "commitment": "c1", "target": first_delivery}
    parts = [
        # Closes the earlier row of 5 and makes one of 6 ...
        [{**fix, "replacement": delivered("c1", "2025-02-01", usd="6")}],
        # ... then puts 5 back: the earlier row is revived, the 6 made at this instant vanishes.
        [{**fix, "replacement": delivered("c1", "2025-02-01", usd="5"), "note": "back"}],
        [delivered("c1", "2025-03-01", usd="7")],
        [amended("c1", "2025-01-01", usd="90")],
    ]
    pending = [[to_pending(parse_event(item)) for item in part] for part in parts]
    hooks = [hook_for(projection) for projection in BUILTINS]
    clock.tick(hours=1)
    with write_transaction(led.engine) as connection:
        transaction = WriteTransaction(connection)
        rows, _ = append_batch(
            transaction,
            pending[0],
            expected_versions=None,
            recorded_by="t",
            clock=clock,
            hooks=hooks,
        )
        for part in pending[1:]:
            append_batch(
                transaction,
                part,
                expected_versions=None,
                recorded_by="t",
                clock=clock,
                hooks=hooks,
                recorded_at=rows[0].recorded_at,
            )
    in_parts = [dump(led, table) for table in TABLES]
    project(led, rebuild=True)
    assert [dump(led, table) for table in TABLES] == in_parts
    deliveries = [row[6:] for row in in_parts[0] if row[5] == "delivered"]
    first, later = rows[0].recorded_at - timedelta(hours=1), rows[0].recorded_at
    assert deliveries == [
        (date(2025, 2, 1), 5, 0, first, None),
        (date(2025, 3, 1), 7, 0, later, None),
    ]
    (row,) = positions(led, as_of=date(2025, 12, 31))
    assert (row.committed, row.delivered) == (90, 12)


def test_a_ledger_attached_late_catches_up_inside_its_first_append(
    store_url: str, clock: SetClock
) -> None:
    with Ledger.open(store_url, clock=clock) as plain:
        busy_history(plain, clock)
        head = plain.count()
    with Ledger.open(store_url, clock=clock) as late:
        attach(late)
        assert checkpoints(late) == {}
        clock.tick(hours=1)
        late.record([delivered("c1", "2025-10-01", tranche="t2", gw="1")])
        assert checkpoints(late) == {"position_postings": head + 1, "tranche_schedule": head + 1}
        incremental = [dump(late, table) for table in TABLES]
        project(late, rebuild=True)
        assert [dump(late, table) for table in TABLES] == incremental


def test_project_catches_up_only_what_is_new(led: Ledger, clock: SetClock) -> None:
    busy_history(led, clock)
    head = led.count()
    assert project(led) == {"position_postings": head, "tranche_schedule": head}
    assert project(led) == {"position_postings": 0, "tranche_schedule": 0}
    assert checkpoints(led) == {"position_postings": head, "tranche_schedule": head}


class Failing:
    name = "failing"
    tables: Sequence[Table] = ()

    def handle(self, connection: Connection, rows: Sequence[StoredEvent]) -> None:
        raise RuntimeError("handler failed")

    def reset(self, connection: Connection) -> None:
        pass


def test_a_failing_projection_rolls_back_the_append_and_its_checkpoint(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    led.record([made("c1", "2025-01-01", usd="100")])
    register(led, Failing())
    with pytest.raises(RuntimeError, match="handler failed"):
        led.record([delivered("c1", "2025-02-01", usd="5")])
    assert led.count() == 1
    assert checkpoints(led) == {"position_postings": 1, "tranche_schedule": 1}
    with pytest.raises(RuntimeError):
        catch_up(led, Failing())
    assert rebuild(led, BUILTINS[0]) == 1


def test_an_amount_finer_than_a_nano_is_refused_before_it_reaches_a_read_model(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    with pytest.raises(InvalidEvent, match="at most 9 decimal places"):
        led.record([made("c1", "2025-01-01", gw="0.0000000001")])
    assert led.count() == 0


def test_the_migration_creates_the_read_model_tables_with_covering_indexes(led: Ledger) -> None:
    with led.engine.connect() as connection:
        inspector = inspect(connection)
        names = set(inspector.get_table_names())
        assert {"position_postings", "tranche_schedule", "projection_checkpoints"} <= names
        indexes = {index["name"] for index in inspector.get_indexes("position_postings")}
        assert {"ix_position_postings_current", "ix_position_postings_known"} <= indexes
        pk = inspector.get_pk_constraint("position_postings")["constrained_columns"]
        assert pk == ["commitment", "resource", "measure", "effective", "known_from"]


def test_nothing_of_a_recording_is_left_on_the_pooled_connection(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    led.record([made("c1", "2025-01-01", gw="5"), delivered("c1", "2025-02-01", gw="1")])
    rebuild(led, BUILTINS[0])
    with led.engine.connect() as connection:
        left = [key for key in connection.info if "capledger" in str(key)]
    assert left == []


def test_an_import_in_many_chunks_leaves_the_same_rows_as_a_rebuild(
    led: Ledger, clock: SetClock
) -> None:
    # Many interleaved streams with tranches, back-dated deliveries, amendments, corrections,
    # retractions and cancellations: chunks resume streams the earlier chunks walked.
    history = list(synthetic_events(2_400, seed=7, active=40))
    attach(led)
    clock.set("2026-01-01T00:00:00")
    led.record_stream(((event, None) for event in history[:700]), chunk=300)
    clock.tick(hours=1)
    led.record_stream(((event, None) for event in history[700:]), chunk=150)
    imported = [dump(led, table) for table in TABLES]
    project(led, rebuild=True)
    assert [dump(led, table) for table in TABLES] == imported
    assert len(imported[0]) > 2_000
