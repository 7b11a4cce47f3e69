"""A rebuild's fast paths against the reference: the resumed fold equals a whole fold after
every instant, and a rebuild leaves exactly the rows incremental maintenance left."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, select

from events import Event, parse_event
from ledger import Ledger
from projections import attach, project
from projections.read_models.built_in_models import PositionPostings, TrancheSchedule
from projections.read_models.tables import position_postings, tranche_schedule
from projections.upkeep.rebuild_from_zero import rebuild_all
from tests.histories import FIRST_INSTANT, Batches, histories

from .conftest import SetClock, fresh_store


@st.composite
def many_instants(draw: st.DrawFn) -> Batches:
    """A valid history cut into many instants: every prefix of a history is valid, so any cut
    is; single-event instants make corrections and back-dated events land late."""
    flat = [data for batch in draw(histories(in_any_order=False)) for data in batch]
    cuts = sorted(draw(st.sets(st.integers(1, max(len(flat) - 1, 1)), max_size=len(flat))))
    bounds = [0, *(cut for cut in cuts if cut < len(flat)), len(flat)]
    return [flat[start:end] for start, end in pairwise(bounds) if end > start]


def by_stream(batches: Batches) -> dict[str, list[list[Event]]]:
    """Per stream, its events at each instant that touches it."""
    streams: dict[str, list[list[Event]]] = {}
    for batch in batches:
        touched: dict[str, list[Event]] = {}
        for data in batch:
            touched.setdefault(data["commitment"], []).append(parse_event(data))
        for name, events in touched.items():
            streams.setdefault(name, []).append(events)
    return streams


def dump(led: Ledger, tables: Iterable[Table]) -> list[list[tuple[Any, ...]]]:
    with led.engine.connect() as connection:
        return [
            [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]
            for table in tables
        ]


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=many_instants(), through_models=st.booleans())
def test_a_rebuild_leaves_the_rows_incremental_maintenance_left(
    store_url: str, tmp_path: Path, batches: Batches, through_models: bool
) -> None:
    """From the payloads (the built-ins), or through the models and the resumed reference fold
    (what any other posting projection takes: here, subclasses of the built-ins)."""
    clock = SetClock(FIRST_INSTANT)
    tables = (position_postings, tranche_schedule)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        attach(led)
        for batch in batches:
            led.record(batch)
            clock.tick(hours=1)
        incremental = dump(led, tables)
        if through_models:
            rebuild_all(led, [ModelPositions(), ModelSchedule()])
        else:
            project(led, rebuild=True)
        assert dump(led, tables) == incremental


class ModelPositions(PositionPostings):
    """Not exactly the built-in class, so rebuilt through the models."""


class ModelSchedule(TrancheSchedule):
    """Not exactly the built-in class, so rebuilt through the models."""
