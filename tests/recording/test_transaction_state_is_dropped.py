"""What a write transaction holds for its own later batches is dropped when it ends, committed or
rolled back: pooled connections keep their info, and an import's held rows must neither reach
the next transaction nor stay in memory while the connection waits in the pool."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger import TRANSACTION_INFO_PREFIX, Ledger, RuleViolation
from projections import attach

from .conftest import delivery, made

HISTORY = [made(), *(delivery(f"2026-06-{day:02d}", gw="0.1") for day in range(1, 11))]


def _located(events: list[dict[str, object]]) -> Iterator[tuple[dict[str, object], str]]:
    return ((event, f"deals.jsonl:{line}") for line, event in enumerate(events, start=1))


def _held(ledger: Ledger) -> list[str]:
    with ledger.engine.connect() as connection:
        return [str(key) for key in connection.info if str(key).startswith(TRANSACTION_INFO_PREFIX)]


def test_an_import_in_chunks_leaves_nothing_held_on_the_pooled_connection(ledger: Ledger) -> None:
    attach(ledger)
    ledger.record_stream(_located(HISTORY), chunk=3)
    assert _held(ledger) == []


def test_a_refused_import_leaves_nothing_held_either(ledger: Ledger) -> None:
    attach(ledger)
    ledger.record_stream(_located(HISTORY[:4]), chunk=3)
    with pytest.raises(RuleViolation):
        ledger.record_stream(_located([*HISTORY[4:], delivery("2026-07-01", gw="9")]), chunk=3)
    assert _held(ledger) == []


def test_a_transaction_that_holds_rows_sees_them_until_it_commits(ledger: Ledger) -> None:
    key = TRANSACTION_INFO_PREFIX + "test"
    with ledger.engine.connect() as connection:
        with connection.begin():
            connection.info[key] = "held"
            assert connection.info[key] == "held"
        assert key not in connection.info
        with connection.begin() as transaction:
            connection.info[key] = "held"
            transaction.rollback()
        assert key not in connection.info
