"""What a write transaction holds for its own later batches lives on the transaction's own
object (`ledger.WriteTransaction`), never on the connection: pooled connections outlive their
transactions, and an import's held rows must neither reach the next transaction nor stay in
memory while the connection waits in the pool."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection

from ledger import HandedRows, Ledger, RuleViolation
from projections import attach

from .conftest import delivery, made

HISTORY = [made(), *(delivery(f"2026-06-{day:02d}", gw="0.1") for day in range(1, 11))]
MINE = object()
"""A test's own key for what it keeps on a transaction."""


def _located(events: list[dict[str, object]]) -> Iterator[tuple[dict[str, object], str]]:
    return ((event, f"deals.jsonl:{line}") for line, event in enumerate(events, start=1))


def _left_on_connections(ledger: Ledger) -> list[str]:
    with ledger.engine.connect() as connection:
        return [str(key) for key in connection.info if "capledger" in str(key)]


def test_an_import_in_chunks_leaves_nothing_on_the_pooled_connection(ledger: Ledger) -> None:
    attach(ledger)
    ledger.record_stream(_located(HISTORY), chunk=3)
    assert _left_on_connections(ledger) == []


def test_a_refused_import_leaves_nothing_on_it_either(ledger: Ledger) -> None:
    attach(ledger)
    ledger.record_stream(_located(HISTORY[:4]), chunk=3)
    with pytest.raises(RuleViolation):
        ledger.record_stream(_located([*HISTORY[4:], delivery("2026-07-01", gw="9")]), chunk=3)
    assert _left_on_connections(ledger) == []


def test_the_chunks_of_one_import_share_one_transaction_and_each_import_has_its_own(
    ledger: Ledger,
) -> None:
    seen: list[tuple[int, int]] = []

    def hook(connection: Connection, rows: HandedRows) -> None:
        kept: list[int] = rows.transaction.kept(MINE, list)
        kept.append(len(rows))
        seen.append((id(rows.transaction), len(kept)))

    ledger.on_append(hook)
    ledger.record_stream(_located(HISTORY[:6]), chunk=3)
    ledger.record_stream(_located(HISTORY[6:]), chunk=3)
    first, second = seen[:2], seen[2:]
    assert [count for _, count in first] == [1, 2]  # kept across the import's two chunks
    assert [count for _, count in second] == [1, 2]  # and begun anew by the next import
    assert first[0][0] == first[1][0]


def test_work_asked_for_before_the_commit_is_done_once_inside_the_transaction(
    ledger: Ledger,
) -> None:
    done: list[int] = []

    def hook(connection: Connection, rows: HandedRows) -> None:
        asked: list[bool] = rows.transaction.kept(MINE, list)
        if not asked:
            asked.append(True)
            rows.transaction.before_commit(lambda: done.append(ledger.count()))

    ledger.on_append(hook)
    ledger.record_stream(_located(HISTORY), chunk=3)
    assert done == [0]  # done once, before the commit: other connections saw no event yet
    assert ledger.count() == len(HISTORY)


def test_a_refused_import_does_none_of_the_work_it_asked_for(ledger: Ledger) -> None:
    done: list[str] = []

    def hook(connection: Connection, rows: HandedRows) -> None:
        rows.transaction.before_commit(lambda: done.append("done"))

    ledger.on_append(hook)
    with pytest.raises(RuleViolation):
        ledger.record_stream(_located([*HISTORY, delivery("2026-07-01", gw="9")]), chunk=3)
    assert done == []
