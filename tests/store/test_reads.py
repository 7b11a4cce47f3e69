"""Reads by position, stream and recording instant, paged rather than loaded whole."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time

from ledger import Ledger
from ledger.log_reads import iter_events

from .conftest import make_pending


def _two_batches(ledger: Ledger) -> None:
    with freeze_time("2026-01-01T00:00:00Z"):
        ledger.append([make_pending("a", 1), make_pending("b", 1)])
    with freeze_time("2026-02-01T00:00:00Z"):
        ledger.append([make_pending("a", 2), make_pending("b", 2)])


def test_read_all_starts_after_a_position_and_stops_at_a_limit(ledger: Ledger) -> None:
    _two_batches(ledger)
    assert [row.position for row in ledger.read_all(after=1, limit=2)] == [2, 3]
    assert [row.position for row in ledger.read_all(upto=2)] == [1, 2]


def test_read_all_known_at_an_instant_sees_only_what_was_recorded_by_then(ledger: Ledger) -> None:
    _two_batches(ledger)
    known = ledger.read_all(known_at=datetime(2026, 1, 15, tzinfo=UTC))
    assert [row.position for row in known] == [1, 2]


def test_read_stream_returns_one_commitment_in_order(ledger: Ledger) -> None:
    _two_batches(ledger)
    assert [row.version for row in ledger.read_stream("a")] == [1, 2]
    early = ledger.read_stream("a", known_at=datetime(2026, 1, 2, tzinfo=UTC))
    assert [row.version for row in early] == [1]


def test_reads_page_through_the_log_without_skipping_or_repeating(ledger: Ledger) -> None:
    ledger.append([make_pending("a", i) for i in range(25)])
    positions = [row.position for row in iter_events(ledger.engine, page=7)]
    assert positions == list(range(1, 26))
