"""A writer that loses a race re-reads the commitment and checks its rules again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ledger.store
from ledger import Ledger, RuleViolation
from ledger.store import MAX_ATTEMPTS, CheckedBatch

from .conftest import STREAM, delivery, made


def _race(
    monkeypatch: pytest.MonkeyPatch, rival: Ledger, events: list[dict[str, Any]], times: int = 1
) -> list[int]:
    """After our rules pass, a rival appends `events` before we do (`times` times)."""
    real: Callable[..., CheckedBatch] = ledger.store.check_batch
    checks: list[int] = []

    rival_writing: list[bool] = []

    def check_then_lose_the_race(*args: Any, **options: Any) -> CheckedBatch:
        checked = real(*args, **options)
        if rival_writing:  # the rival's own check
            return checked
        checks.append(1)
        if len(checks) <= times:
            rival_writing.append(True)
            rival.record([events[len(checks) - 1]])
            rival_writing.clear()
        return checked

    monkeypatch.setattr(ledger.store, "check_batch", check_then_lose_the_race)
    return checks


def test_a_conflicting_append_is_rechecked_and_lands_when_still_valid(
    ledger: Ledger, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.record([made()])
    with Ledger.open(store_url, actor="rival") as rival:
        checks = _race(monkeypatch, rival, [delivery(gw="1")])
        receipt = ledger.record([delivery("2026-07-01", gw="2")])
    assert len(checks) == 2
    assert receipt.recorded == 1
    assert [row.version for row in ledger.read_stream(STREAM)] == [1, 2, 3]


def test_a_conflicting_append_that_is_no_longer_valid_is_refused(
    ledger: Ledger, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.record([made()])
    with Ledger.open(store_url, actor="rival") as rival:
        _race(monkeypatch, rival, [delivery(gw="4")])
        with pytest.raises(RuleViolation, match="over the 5 GW committed"):
            ledger.record([delivery("2026-07-01", gw="2")])
    assert ledger.count() == 2


def test_a_writer_that_keeps_losing_lands_on_its_last_attempt_holding_the_tail(
    ledger: Ledger, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.record([made()])
    with Ledger.open(store_url, actor="rival") as rival:
        races = MAX_ATTEMPTS - 1  # the last check runs under the lock: no rival can get ahead
        rivals = [delivery(f"2026-06-{day:02d}", gw="0.1") for day in range(1, races + 1)]
        checks = _race(monkeypatch, rival, rivals, times=races)
        receipt = ledger.record([delivery("2026-07-01", gw="0.1")])
    assert receipt.recorded == 1
    assert len(checks) == MAX_ATTEMPTS
    assert ledger.count() == 1 + races + 1
