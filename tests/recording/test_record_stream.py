"""record_stream: any number of events, chunk by chunk, in one transaction, counted exactly."""

from __future__ import annotations

import pytest

from ledger import Ledger, RuleViolation

from .conftest import delivery, made, tranche


def _located(events: list[dict[str, object]]) -> list[tuple[dict[str, object], str]]:
    return [(event, f"deals.jsonl:{line}") for line, event in enumerate(events, start=1)]


HISTORY = [
    made(),
    tranche("phase-1", "2026-05-01", gw="2"),
    delivery("2026-06-01", gw="1"),
    delivery("2026-06-02", gw="0.5"),
    tranche("phase-2", "2026-06-03", gw="2"),
    delivery("2026-06-04", gw="1"),
    delivery("2026-06-05", gw="0.25"),
]


def test_an_import_of_several_chunks_reports_every_event_and_its_ends(ledger: Ledger) -> None:
    receipt = ledger.record_stream(_located(HISTORY), chunk=3)
    assert (receipt.recorded, receipt.already_present) == (7, 0)
    assert (receipt.first_position, receipt.last_position) == (1, 7)
    rows = list(ledger.read_all())
    assert {row.recorded_at for row in rows} == {receipt.recorded_at}  # one transaction


def test_importing_again_records_nothing_and_counts_what_was_there(ledger: Ledger) -> None:
    ledger.record_stream(_located(HISTORY[:4]), chunk=2)
    receipt = ledger.record_stream(_located(HISTORY), chunk=3)
    assert (receipt.recorded, receipt.already_present) == (3, 4)
    assert (receipt.first_position, receipt.last_position) == (5, 7)


def test_a_broken_rule_in_a_late_chunk_leaves_nothing_of_the_earlier_ones(ledger: Ledger) -> None:
    broken = [*HISTORY, delivery("2026-06-06", gw="9")]
    with pytest.raises(RuleViolation, match=r"^deals\.jsonl:8: amounts\.gw: "):
        ledger.record_stream(_located(broken), chunk=3)
    assert ledger.count() == 0
