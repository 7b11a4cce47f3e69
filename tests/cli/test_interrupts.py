"""Ctrl-C (SIGINT) during a command: exit status 130 and one line on stderr, `interrupted:
nothing recorded` or, when the commit had happened, what it recorded; never click's `Aborted!`
nor a database library's message. The ledger holds all of the batch or none of it.

A real `capledger record` of a large file is interrupted in a process of its own at seeded
moments; in-process, the signal is raised just before the commit and during it, so that both
answers are seen every time."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import RootTransaction

from ledger import Ledger, NoLedger
from tests.reliability.workload import import_events, write_jsonl

from .conftest import Run

EVENTS = 20_000
TRIALS = 3
CAPLEDGER = [sys.executable, "-c", "from cli.main import main; main()"]
AFTER_THE_COMMIT = re.compile(
    r"interrupted after the commit: (\d+) events recorded \(positions 1 to \1\)\n"
)


def wait_for_a_ledger(url: str, process: subprocess.Popen[str]) -> None:
    """Until the recorder has made its store (it records next), or has ended."""
    while process.poll() is None:
        try:
            Ledger.open(url, create=False).close()
            return
        except NoLedger:
            time.sleep(0.02)


def stored(url: str) -> tuple[int, bool]:
    """How many events the store holds, and whether its chain is intact."""
    try:
        ledger = Ledger.open(url, create=False)
    except NoLedger:
        return 0, True
    with ledger:
        report = ledger.verify()
    return report.count, report.intact


@pytest.mark.slow
def test_ctrl_c_during_a_large_record_exits_130_with_all_of_it_or_none(
    new_store: Callable[[], str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    rng = random.Random(f"interrupt/{request.node.callspec.params['new_store']}")
    big = write_jsonl(tmp_path / "big.jsonl", import_events(EVENTS, seed=7))
    answers = []
    for trial in range(TRIALS):
        url = new_store()
        process = subprocess.Popen(
            [*CAPLEDGER, "--db", url, "record", str(big)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for_a_ledger(url, process)
        time.sleep(rng.uniform(0.0, 0.3) if trial else 0.0)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        count, intact = stored(url)
        assert intact, (trial, err)
        assert process.returncode == 130, (trial, process.returncode, out, err)
        if err == "interrupted: nothing recorded\n":
            assert (count, out) == (0, ""), trial
        else:
            done = AFTER_THE_COMMIT.fullmatch(err)
            assert done is not None, (trial, err)
            assert count == int(done.group(1)) == EVENTS, trial
        answers.append(err)
    # Signalled as the recording starts, the first trial is interrupted before its commit.
    assert answers[0] == "interrupted: nothing recorded\n", answers


@pytest.fixture
def second_file(tmp_path: Path) -> Path:
    """Two more events, of a commitment of their own."""
    events = [
        {
            "type": "CommitmentMade",
            "commitment": "oracle-openai-2026",
            "effective": "2026-01-10",
            "provider": "oracle",
            "holder": "openai",
            "kind": "capacity",
            "bound": "exact",
            "amounts": {"gw": "4.5"},
        },
        {
            "type": "TrancheScheduled",
            "commitment": "oracle-openai-2026",
            "effective": "2026-01-10",
            "tranche": "abilene",
            "amounts": {"gw": "1.2"},
            "due": "2026-09-30",
        },
    ]
    path = tmp_path / "second.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


@pytest.fixture
def sigint_before_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C as the write transaction's last work before its commit runs."""
    finish = Ledger._before_commit

    def interrupted(self: Ledger, transaction: Any) -> None:
        signal.raise_signal(signal.SIGINT)
        finish(self, transaction)

    monkeypatch.setattr(Ledger, "_before_commit", interrupted)


@pytest.fixture
def sigint_during_the_commit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Ctrl-C while a commit runs with interrupts held back (as the write path commits)."""
    commit = RootTransaction.commit

    def interrupted(self: RootTransaction) -> None:
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            signal.raise_signal(signal.SIGINT)
        commit(self)

    monkeypatch.setattr(RootTransaction, "commit", interrupted)
    yield


def test_ctrl_c_before_the_commit_records_nothing(
    run: Run, store_url: str, deals_file: Path, second_file: Path, request: pytest.FixtureRequest
) -> None:
    assert run("record", str(deals_file)).exit_code == 0
    request.getfixturevalue("sigint_before_the_commit")
    result = run("record", str(second_file))
    assert (result.exit_code, result.stdout) == (130, "")
    assert result.stderr == "interrupted: nothing recorded\n"
    assert stored(store_url) == (5, True)


def test_ctrl_c_during_the_commit_says_what_was_recorded(
    run: Run, store_url: str, deals_file: Path, second_file: Path, request: pytest.FixtureRequest
) -> None:
    assert run("record", str(deals_file)).exit_code == 0
    request.getfixturevalue("sigint_during_the_commit")
    result = run("record", str(second_file))
    assert (result.exit_code, result.stdout) == (130, "")
    assert result.stderr == "interrupted after the commit: 2 events recorded (positions 6 to 7)\n"
    assert stored(store_url) == (7, True)


def test_ctrl_c_during_a_rebuild_exits_130_and_leaves_the_read_models_whole(
    run: Run, deals_file: Path, request: pytest.FixtureRequest
) -> None:
    assert run("record", str(deals_file)).exit_code == 0
    before = run("positions", "--by", "commitment,resource", "--format", "json").stdout
    request.getfixturevalue("sigint_during_the_commit")
    result = run("project", "--rebuild")
    assert (result.exit_code, result.stderr) == (130, "interrupted: nothing recorded\n")
    after = run("positions", "--by", "commitment,resource", "--format", "json")
    assert after.stdout == before
