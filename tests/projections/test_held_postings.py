"""An import remembers the rows it left for each stream and bucket instead of reading them
back: the tables come out the same however little it may hold, and nothing outlives its
transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ledger import Ledger, RuleViolation
from projections import attach, project
from projections.read_models import held_rows as held_module
from projections.read_models.tables import position_buckets, position_postings, tranche_schedule
from tests.bench.synth import synthetic_events

from .conftest import SetClock

TABLES = (position_postings, tranche_schedule, position_buckets)


def dump(led: Ledger) -> list[list[tuple[object, ...]]]:
    with led.engine.connect() as connection:
        return [
            [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]
            for table in TABLES
        ]


@pytest.mark.parametrize("max_rows", [1, 60, 200_000])
def test_an_import_leaves_the_rows_of_a_rebuild_whatever_it_may_hold(
    led: Ledger, clock: SetClock, monkeypatch: pytest.MonkeyPatch, max_rows: int
) -> None:
    monkeypatch.setattr(held_module, "MAX_ROWS", max_rows)
    monkeypatch.setattr(held_module, "MAX_BUCKETS", max_rows)
    history = list(synthetic_events(1_500, seed=11, active=30))
    attach(led)
    clock.set("2026-01-01T00:00:00")
    led.record_stream(((event, None) for event in history[:600]), chunk=120)
    clock.tick(hours=1)
    led.record_stream(((event, None) for event in history[600:]), chunk=90)
    imported = dump(led)
    project(led, rebuild=True)
    assert dump(led) == imported


def test_rows_held_by_a_refused_import_are_not_trusted_by_the_next(
    led: Ledger, clock: SetClock
) -> None:
    history = list(synthetic_events(900, seed=5, active=20))
    attach(led)
    clock.set("2026-01-01T00:00:00")
    led.record_stream(((event, None) for event in history[:300]), chunk=100)
    # A delivery to a stream never opened, after three chunks were appended and projected.
    broken = {"type": "DeliveryRecorded", "commitment": "never-opened"}
    broken |= {"effective": "2026-01-01", "amounts": {"gw": "1"}}
    with pytest.raises(RuleViolation, match="must open with CommitmentMade"):
        led.record_stream(((event, None) for event in [*history[300:600], broken]), chunk=100)
    led.record_stream(((event, None) for event in history[300:]), chunk=100)
    imported = dump(led)
    project(led, rebuild=True)
    assert dump(led) == imported
