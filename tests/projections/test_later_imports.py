"""An import into a store whose read models are filled feeds them its first batch as it comes,
and writes what its later batches change once, before it commits: each stream it touched
folded once, however many of its batches touched it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert

from events import UPCASTERS, states_by_date
from ledger import Ledger, RuleViolation
from ledger.schema import events
from ledger.stream_reads import read_stream_models
from projections import attach
from projections.fold.rows import Posting
from projections.read_models.built_in_models import PositionPostings
from projections.read_models.posting_tables import PostingProjection
from projections.upkeep import put_off
from projections.upkeep.built_in import BUILTINS
from projections.upkeep.replay import wanted_at_end

from .conftest import SetClock, delivered, made
from .test_first_fill import (
    EVENTS,
    assert_a_rebuild_leaves_the_same_rows,
    checkpoints,
    dump,
    located,
)
from .test_rebuild_upcasting import amounts_from_amount_usd

HEAD, LATER = EVENTS[:200], EVENTS[200:]


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """Each write of posting rows: the projection, and the streams it was for."""
    calls: list[tuple[str, list[str]]] = []
    real = PostingProjection.write_wanted

    def spy(
        self: PostingProjection, connection: Any, instant: Any, wanted: Any, **options: Any
    ) -> Any:
        calls.append((self.name, sorted(wanted)))
        return real(self, connection, instant, wanted, **options)

    monkeypatch.setattr(PostingProjection, "write_wanted", spy)
    return calls


def batches(events: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(events), size):
        yield events[start : start + size]


def test_a_later_import_in_chunks_leaves_the_rows_a_rebuild_leaves(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    led.record_stream(located(HEAD), chunk=50)
    clock.tick(hours=1)
    led.record_stream(located(LATER), chunk=37)
    assert checkpoints(led) == {projection.name: len(EVENTS) for projection in BUILTINS}
    assert_a_rebuild_leaves_the_same_rows(led)
    earlier = {event["commitment"] for event in HEAD}
    assert earlier & {event["commitment"] for event in LATER}, "the import changes old streams"


def test_a_later_import_writes_each_stream_it_touched_once_after_its_first_batch(
    led: Ledger, clock: SetClock, written: list[tuple[str, list[str]]]
) -> None:
    attach(led)
    led.record_stream(located(HEAD), chunk=50)
    clock.tick(hours=1)
    written.clear()
    led.record_stream(located(LATER), chunk=50)
    first, *rest = list(batches(LATER, 50))
    touched_first = sorted({event["commitment"] for event in first})
    touched_later = sorted({event["commitment"] for batch in rest for event in batch})
    for projection in BUILTINS:
        mine = [streams for name, streams in written if name == projection.name]
        assert mine[0] == touched_first  # fed as it came
        at_commit = [name for streams in mine[1:] for name in streams]
        assert sorted(at_commit) == touched_later  # each once, whatever the batches


def test_a_later_import_of_one_batch_is_fed_as_it_comes(
    led: Ledger, clock: SetClock, written: list[tuple[str, list[str]]]
) -> None:
    attach(led)
    led.record_stream(located(HEAD))
    clock.tick(hours=1)
    written.clear()
    led.record(LATER[:40])
    assert [name for name, _ in written] == [projection.name for projection in BUILTINS]


def test_a_refused_later_import_leaves_the_read_models_as_they_were(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    led.record_stream(located(HEAD), chunk=50)
    before, marks = dump(led), checkpoints(led)
    clock.tick(hours=1)
    broken = [*LATER[:150], delivered("never-made", "2025-01-01", usd="5")]
    with pytest.raises(RuleViolation):
        led.record_stream(located(broken), chunk=50)
    assert dump(led) == before
    assert checkpoints(led) == marks
    led.record_stream(located(LATER), chunk=50)  # and the next import goes through whole
    assert_a_rebuild_leaves_the_same_rows(led)


def test_later_imports_at_one_instant_leave_what_one_import_leaves(
    led: Ledger, clock: SetClock
) -> None:
    attach(led)
    led.record_stream(located(HEAD), chunk=50)
    clock.tick(hours=1)
    parts = list(batches(LATER, 70))
    for part in parts:  # the clock stands still: every import records at the same instant
        led.record_stream(located(part), chunk=30)
    assert_a_rebuild_leaves_the_same_rows(led)


def test_a_later_import_tells_its_progress_as_it_writes_what_it_put_off(
    led: Ledger, clock: SetClock
) -> None:
    told: list[tuple[str, int]] = []
    attach(led, progress=lambda name, count: told.append((name, count)))
    led.record_stream(located(HEAD), chunk=50)
    clock.tick(hours=1)
    told.clear()
    led.record_stream(located(LATER), chunk=50)
    put_off = {event["commitment"] for batch in list(batches(LATER, 50))[1:] for event in batch}
    events = sum(1 for event in EVENTS if event["commitment"] in put_off)  # whole streams
    names = {projection.name for projection in BUILTINS}
    assert {name for name, _ in told} == names
    assert {name: count for name, count in told} == dict.fromkeys(names, events)
    for name in names:
        counts = [count for told_name, count in told if told_name == name]
        assert counts == sorted(counts)


def test_the_buckets_told_in_parts_leave_what_they_leave_told_at_once(
    led: Ledger, clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(put_off, "SETTLE_STREAMS", 3)  # memory stays flat: a few streams at a time
    monkeypatch.setattr(put_off, "SETTLE_CHANGES", 7)  # and the buckets told every few rows
    attach(led)
    led.record_stream(located(HEAD), chunk=50)
    clock.tick(hours=1)
    led.record_stream(located(LATER), chunk=25)
    assert_a_rebuild_leaves_the_same_rows(led)


@pytest.mark.parametrize("kept_back", [1, 11, 10**6])
def test_new_rows_kept_back_and_inserted_in_sorted_batches_leave_what_inserting_each_leaves(
    led: Ledger, clock: SetClock, monkeypatch: pytest.MonkeyPatch, kept_back: int
) -> None:
    monkeypatch.setattr(put_off, "SETTLE_STREAMS", 3)  # many parts, each a few streams
    monkeypatch.setattr(put_off, "SETTLE_INSERTS", kept_back)  # inserted every part ... at the end
    attach(led)
    led.record_stream(located(HEAD), chunk=50)
    clock.tick(hours=1)
    led.record_stream(located(LATER), chunk=25)
    clock.tick(hours=1)
    led.record_stream(located(HEAD[::3]), chunk=25)  # already there: nothing changes
    assert checkpoints(led) == {projection.name: len(EVENTS) for projection in BUILTINS}
    assert_a_rebuild_leaves_the_same_rows(led)


def wanted_from_models(
    led: Ledger, names: list[str], projections: Sequence[PostingProjection]
) -> list[dict[str, set[Posting]]]:
    """The reference: each stream's models folded whole, the rows each projection wants."""
    with led.engine.connect() as connection:
        streams = read_stream_models(connection, names, remember=False)
    wanted: list[dict[str, set[Posting]]] = [{} for _ in projections]
    for name, stream in streams.items():
        states = list(states_by_date([model for _, _, model in stream]))
        for rows, projection in zip(wanted, projections, strict=True):
            rows[name] = projection.from_states(name, states)
    return wanted


class OwnPositions(PositionPostings):
    """Not exactly a built-in: its rows come from the models."""


def test_the_rows_a_later_import_writes_are_those_of_each_stream_folded_whole(
    led: Ledger, clock: SetClock
) -> None:
    led.record_stream(located(HEAD), chunk=50)
    clock.tick(hours=1)
    led.record_stream(located(LATER), chunk=50)
    names = sorted({event["commitment"] for event in EVENTS})
    reference = wanted_from_models(led, names, BUILTINS)
    with led.engine.connect() as connection:
        head = len(EVENTS)
        from_payloads, read = wanted_at_end(connection, names, head, BUILTINS)
        from_models, _ = wanted_at_end(connection, names, head, [OwnPositions()])
    assert from_payloads == reference
    assert from_models == reference[:1]
    assert read == len(EVENTS)
    assert all(rows for rows in reference[0].values())


def test_a_stream_with_a_payload_of_an_older_schema_is_folded_through_the_upcaster(
    led: Ledger, clock: SetClock
) -> None:
    clock.set("2026-01-01T00:00:00")
    led.record([made("c1", "2025-01-01", usd="100"), delivered("c1", "2025-02-01", usd="10")])
    last = list(led.read_all())[-1]
    v0 = {
        "type": "DeliveryRecorded",
        "commitment": "c1",
        "effective": "2025-03-01",
        "amount_usd": "5",
    }
    with led.engine.begin() as connection:
        connection.execute(  # as an older writer stored it
            insert(events).values(
                position=last.position + 1,
                event_id=str(uuid.uuid4()),
                commitment="c1",
                version=3,
                type="DeliveryRecorded",
                schema_version=0,
                effective=date(2025, 3, 1),
                recorded_at=clock(),
                recorded_by="an older writer",
                payload=json.dumps(v0, sort_keys=True),
                prev_hash=last.hash,
                hash="0" * 64,
            )
        )
    with UPCASTERS.registered("DeliveryRecorded", 0, amounts_from_amount_usd):
        reference = wanted_from_models(led, ["c1"], BUILTINS)
        with led.engine.connect() as connection:
            wanted, read = wanted_at_end(connection, ["c1"], last.position + 1, BUILTINS)
    assert wanted == reference
    assert read == 3
    delivered_usd = {row for row in wanted[0]["c1"] if row[5] == "delivered"}
    assert sum(row[7] for row in delivered_usd) == 15
