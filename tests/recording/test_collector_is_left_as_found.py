"""Long imports keep the garbage collector off their long-lived objects, and leave it as found."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ledger import Ledger, RuleViolation

from .conftest import delivery, made


def _located(events: list[dict[str, object]]) -> Iterator[tuple[dict[str, object], str]]:
    return ((event, f"deals.jsonl:{line}") for line, event in enumerate(events, start=1))


HISTORY = [made(), *(delivery(f"2026-06-{day:02d}", gw="0.1") for day in range(1, 11))]


def test_an_import_leaves_the_collector_running_and_nothing_frozen(ledger: Ledger) -> None:
    assert gc.isenabled()
    ledger.record_stream(_located(HISTORY), chunk=3)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_refused_import_leaves_the_collector_as_found(ledger: Ledger) -> None:
    broken = [*HISTORY, delivery("2026-07-01", gw="9")]
    with pytest.raises(RuleViolation):
        ledger.record_stream(_located(broken), chunk=3)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_collector_turned_off_by_the_caller_stays_off(ledger: Ledger) -> None:
    gc.disable()
    try:
        ledger.record_stream(_located(HISTORY), chunk=3)
        ledger.record([delivery("2026-08-01", gw="0.1")])
        assert not gc.isenabled()
    finally:
        gc.enable()


def _garbage_after(ledger: Ledger, events: list[dict[str, object]]) -> int:
    """How many objects only the cyclic collector could free, after importing `events`."""
    gc.collect()
    ledger.record_stream(_located(events), chunk=2)
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_an_import_makes_no_more_cyclic_garbage_the_longer_it_runs(ledger: Ledger) -> None:
    # The collector waits for a whole import: garbage made per chunk would pile up to its end.
    first = _garbage_after(ledger, HISTORY[:4])
    later = [delivery(f"2026-07-{day:02d}", gw="0.1") for day in range(1, 21)]
    assert _garbage_after(ledger, later) <= first
