"""Recording as reported: each event is known from its own source date. A file's events are
grouped by `source.date` and appended in date order, each date's at its midnight UTC, all in
one transaction (checked and appended a chunk of that order at a time, whatever the dates);
within a date the file's order is kept. A missing source date, an earliest date not after the
store's latest instant, or a date later than now is refused, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger import InvalidEvent, KnowledgeTimeRefused, Ledger, RuleViolation
from projections import attach, positions, project

from ..projections.test_first_fill import assert_a_rebuild_leaves_the_same_rows
from .conftest import NOW, delivery, event, made, tranche


def reported(day: str | None, body: dict[str, Any]) -> dict[str, Any]:
    """The event as reported by Reuters on `day`."""
    source: dict[str, Any] = {"publisher": "Reuters"}
    if day is not None:
        source["date"] = day
    return {**body, "source": source}


def lines(events: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    return [(item, f"deals.jsonl:{line}") for line, item in enumerate(events, start=1)]


def midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)


def stored(led: Ledger) -> list[tuple[Any, ...]]:
    return [(row.position, row.event_id, row.recorded_at, row.hash) for row in led.read_all()]


# The file lists the cut before the delivery reported earlier: the ledger appends by date.
FILE = [
    reported("2025-01-02", made(amounts={"gw": "5"})),
    reported("2025-03-02", event("CommitmentAmended", "2026-05-01", amounts={"gw": "3"})),
    reported("2025-02-01", delivery("2026-06-01", gw="1")),
    reported("2025-01-02", tranche("phase-1", "2026-05-01", gw="2")),
]


def test_each_event_is_known_from_its_source_date_in_date_order(led: Ledger) -> None:
    receipt = led.record_stream(lines(FILE), as_reported=True)
    assert receipt.recorded == 4
    assert [(row.type_name, row.recorded_at) for row in led.read_all()] == [
        ("CommitmentMade", midnight("2025-01-02")),
        ("TrancheScheduled", midnight("2025-01-02")),
        ("DeliveryRecorded", midnight("2025-02-01")),
        ("CommitmentAmended", midnight("2025-03-02")),
    ]
    assert led.verify().intact


def test_within_one_date_the_files_order_is_kept_across_chunks(led: Ledger) -> None:
    same_day = [
        reported("2025-01-02", made()),
        *(reported("2025-01-02", delivery(f"2026-06-0{day}", gw="0.5")) for day in range(1, 8)),
    ]
    led.record_stream(lines(same_day), as_reported=True, chunk=3)
    assert [row.event_id for row in led.read_all()] == [
        row.event_id for row in _recorded_plainly(same_day)
    ]
    assert {row.recorded_at for row in led.read_all()} == {midnight("2025-01-02")}


def _recorded_plainly(events: list[dict[str, Any]]) -> list[Any]:
    with Ledger.open("sqlite://", clock=lambda: NOW) as plain:
        plain.record(events)
        return list(plain.read_all())


def test_positions_known_at_each_date_see_what_was_reported_by_then(led: Ledger) -> None:
    led.record_stream(lines(FILE), as_reported=True)

    def committed_and_delivered(known_at: date) -> list[tuple[Any, ...]]:
        rows = positions(led, as_of=date(2026, 12, 31), known_at=known_at, by=("kind", "resource"))
        return [(row.committed, row.delivered) for row in rows]

    expected = {
        date(2025, 1, 1): [],
        date(2025, 1, 2): [(5, 0)],
        date(2025, 2, 1): [(5, 1)],
        date(2025, 3, 1): [(5, 1)],
        date(2025, 3, 2): [(3, 1)],
    }
    assert {known: committed_and_delivered(known) for known in expected} == expected
    project(led, rebuild=True)
    assert {known: committed_and_delivered(known) for known in expected} == expected


def test_the_whole_file_is_one_transaction_a_later_dates_broken_rule_writes_nothing(
    led: Ledger,
) -> None:
    overdrawn = reported("2025-04-01", delivery("2026-07-01", gw="9"))
    with pytest.raises(RuleViolation):
        led.record_stream(lines([*FILE, overdrawn]), as_reported=True)
    assert led.count() == 0


def test_each_date_must_obey_the_rules_as_known_then_not_only_the_whole_file(
    led: Ledger,
) -> None:
    # Valid once the amendment reported ten days later is known, but on 2025-01-10 the
    # ledger would hold 3 GW delivered on a 2 GW commitment: the delivery's line is refused.
    file = [
        reported("2025-01-02", made(amounts={"gw": "2"})),
        reported("2025-01-10", delivery("2026-06-01", gw="3")),
        reported("2025-01-20", event("CommitmentAmended", "2026-05-01", amounts={"gw": "5"})),
    ]
    with pytest.raises(RuleViolation) as refused:
        led.record_stream(lines(file), as_reported=True)
    assert str(refused.value).startswith("deals.jsonl:2: ")
    assert led.count() == 0
    led.record_stream(
        lines([file[0], file[2], {**file[1], "source": file[2]["source"]}]), as_reported=True
    )
    assert led.count() == 3


def test_an_event_without_a_source_date_is_refused_with_its_line(led: Ledger) -> None:
    undated = [FILE[0], reported(None, delivery()), FILE[2]]
    with pytest.raises(KnowledgeTimeRefused) as refused:
        led.record_stream(lines(undated), as_reported=True)
    assert str(refused.value) == (
        "deals.jsonl:2: source.date: missing; recording as reported needs every event's source date"
    )
    without_source = [FILE[0], delivery()]
    with pytest.raises(KnowledgeTimeRefused, match=r"deals\.jsonl:2: source\.date: missing"):
        led.record_stream(lines(without_source), as_reported=True)
    assert led.count() == 0


def test_a_malformed_source_date_is_refused_with_its_line(led: Ledger) -> None:
    with pytest.raises(KnowledgeTimeRefused, match=r"^deals\.jsonl:2: source\.date: "):
        led.record_stream(lines([FILE[0], reported("2025-02-30", delivery())]), as_reported=True)
    assert led.count() == 0


def test_other_invalid_input_is_refused_as_it_always_is(led: Ledger) -> None:
    negative = reported("2025-02-01", delivery(gw="-1"))
    with pytest.raises(InvalidEvent):
        led.record_stream(lines([FILE[0], negative]), as_reported=True)


def test_a_file_whose_earliest_date_is_not_after_the_stores_latest_is_refused(
    led: Ledger,
) -> None:
    led.record([made(commitment="other")], recorded_at="2025-01-02")
    before = stored(led)
    with pytest.raises(KnowledgeTimeRefused) as refused:
        led.record_stream(lines(FILE), as_reported=True)
    assert str(refused.value) == (
        "as reported: the earliest source date, 2025-01-02, known from 2025-01-02T00:00:00Z: "
        "not after the store's latest knowledge instant, 2025-01-02T00:00:00Z; the log stays "
        "ordered in knowledge time"
    )
    assert stored(led) == before


def test_recording_the_same_file_as_reported_again_is_refused(led: Ledger) -> None:
    led.record_stream(lines(FILE), as_reported=True)
    with pytest.raises(KnowledgeTimeRefused, match="not after the store's latest"):
        led.record_stream(lines(FILE), as_reported=True)
    assert led.count() == 4


def test_a_source_date_later_than_now_is_refused_with_its_line(led: Ledger) -> None:
    future = reported("2026-10-02", delivery("2026-07-01"))
    with pytest.raises(KnowledgeTimeRefused) as refused:
        led.record_stream(lines([*FILE, future]), as_reported=True)
    assert str(refused.value) == (
        "deals.jsonl:5: source.date 2026-10-02, known from 2026-10-02T00:00:00Z: later than now, "
        "2026-10-01T12:00:00Z (the store's latest knowledge instant: none (the store is empty))"
    )
    assert led.count() == 0


def test_a_source_date_of_today_is_known_from_its_midnight(led: Ledger) -> None:
    led.record_stream(lines([reported("2026-10-01", made())]), as_reported=True)
    assert [row.recorded_at for row in led.read_all()] == [midnight("2026-10-01")]


def test_a_stated_instant_and_as_reported_exclude_each_other(led: Ledger) -> None:
    with pytest.raises(ValueError, match="not both"):
        led.record_stream(lines(FILE), as_reported=True, recorded_at="2025-01-01")


def _many_dates() -> list[dict[str, Any]]:
    """Two commitments reported over many dates, listed out of date order."""
    events = [
        reported("2025-01-05", made(commitment="second", amounts={"gw": "50"})),
        *(
            reported(f"2025-02-{day:02}", delivery(f"2026-06-{day:02}", gw="0.5"))
            for day in range(1, 20)
        ),
        *(
            reported(f"2025-02-{day:02}", {**delivery(f"2026-07-{day:02}"), "commitment": "second"})
            for day in range(19, 0, -1)
        ),
    ]
    return events


def test_read_models_already_filled_keep_the_rows_a_rebuild_leaves(led: Ledger) -> None:
    led.record([reported("2025-01-01", made(amounts={"gw": "50"}))], recorded_at="2025-01-01")
    led.record_stream(lines(_many_dates()), as_reported=True, chunk=4)
    assert len({row.recorded_at for row in led.read_all()}) == 21
    assert_a_rebuild_leaves_the_same_rows(led)


@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_how_the_file_is_chunked_changes_nothing_that_is_stored(
    new_store: Callable[[], str], chunk: int
) -> None:
    file = lines([reported("2025-01-01", made(amounts={"gw": "50"})), *_many_dates()])
    with Ledger.open(new_store(), clock=lambda: NOW, actor="tester") as whole:
        attach(whole)
        whole.record_stream(file, as_reported=True)
        at_once = stored(whole)
    with Ledger.open(new_store(), clock=lambda: NOW, actor="tester") as chunked:
        attach(chunked)
        chunked.record_stream(file, as_reported=True, chunk=chunk)
        assert stored(chunked) == at_once
        assert_a_rebuild_leaves_the_same_rows(chunked)
    assert len({instant for _, _, instant, _ in at_once}) == 21


def test_read_models_caught_up_later_keep_the_rows_a_rebuild_leaves(store_url: str) -> None:
    with Ledger.open(store_url, clock=lambda: NOW) as plain:
        plain.record([reported("2025-01-01", made(amounts={"gw": "50"}))], recorded_at="2025-01-01")
        plain.record_stream(lines(_many_dates()), as_reported=True, chunk=4)
    with Ledger.open(store_url, clock=lambda: NOW) as reader:
        attach(reader)
        project(reader)
        assert_a_rebuild_leaves_the_same_rows(reader)
        rows = positions(
            reader, as_of=date(2026, 12, 31), known_at=date(2025, 2, 10), by=("kind", "resource")
        )
        assert [(row.committed, row.delivered) for row in rows] == [(100, 5 + 10)]
