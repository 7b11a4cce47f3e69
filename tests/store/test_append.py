"""Appending: gapless positions, stream versions, both recorders, atomic batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from ledger import ConcurrencyConflict, EventIdConflict, Ledger

from .conftest import make_pending


def test_positions_are_gapless_and_versions_count_per_stream(ledger: Ledger) -> None:
    ledger.append([make_pending("a", 1), make_pending("b", 1), make_pending("a", 2)])
    ledger.append([make_pending("b", 2)])
    rows = list(ledger.read_all())
    assert [row.position for row in rows] == [1, 2, 3, 4]
    assert [(row.commitment, row.version) for row in rows] == [
        ("a", 1),
        ("b", 1),
        ("a", 2),
        ("b", 2),
    ]


def test_recorded_at_comes_from_the_clock_and_recorded_by_from_the_actor(ledger: Ledger) -> None:
    with freeze_time("2026-05-01T12:00:00Z"):
        receipt = ledger.append([make_pending("a", 1)], actor="alice")
    (row,) = ledger.read_all()
    assert row.recorded_at == datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert row.recorded_by == "alice"
    assert receipt.recorded_at == row.recorded_at


def test_recorded_at_never_decreases_when_the_clock_steps_back(ledger: Ledger) -> None:
    with freeze_time("2026-05-01T12:00:00Z"):
        ledger.append([make_pending("a", 1)])
    with freeze_time("2026-04-01T08:00:00Z"):
        ledger.append([make_pending("a", 2)])
    first, second = ledger.read_all()
    assert second.recorded_at >= first.recorded_at


def test_the_same_event_twice_is_skipped_and_counted(ledger: Ledger) -> None:
    first = ledger.append([make_pending("a", 1), make_pending("a", 2)])
    again = ledger.append([make_pending("a", 1), make_pending("a", 2), make_pending("a", 3)])
    assert (first.recorded, first.already_present) == (2, 0)
    assert (again.recorded, again.already_present) == (1, 2)
    assert ledger.count() == 3


def test_a_repeated_id_with_other_content_is_refused_and_nothing_lands(ledger: Ledger) -> None:
    original = make_pending("a", 1)
    ledger.append([original])
    forged = make_pending("a", 99, event_id=original.event_id)
    with pytest.raises(EventIdConflict, match=str(original.event_id)):
        ledger.append([make_pending("a", 2), forged])
    assert ledger.count() == 1
    assert ledger.verify().intact


def test_a_stale_expected_version_raises_a_conflict_naming_both_versions(ledger: Ledger) -> None:
    ledger.append([make_pending("a", 1), make_pending("a", 2)])
    with pytest.raises(ConcurrencyConflict) as caught:
        ledger.append([make_pending("a", 3)], expected_versions={"a": 1})
    assert (caught.value.commitment, caught.value.expected, caught.value.actual) == ("a", 1, 2)
    assert "commitment a: expected stream version 1" in str(caught.value)
    assert ledger.count() == 2


def test_a_matching_expected_version_appends(ledger: Ledger) -> None:
    ledger.append([make_pending("a", 1)])
    receipt = ledger.append([make_pending("a", 2)], expected_versions={"a": 1, "b": 0})
    assert receipt.recorded == 1


def test_an_empty_batch_records_nothing(ledger: Ledger) -> None:
    assert ledger.append([]).recorded == 0
    assert ledger.count() == 0
