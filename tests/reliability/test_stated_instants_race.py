"""Two processes record at stated knowledge instants at once: the one that waited for the
write lock is checked against the store as the other left it, so an append that lost the race
to a later instant is refused, never put before it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .conftest import open_ledger
from .workload import made

SCRIPT = Path(__file__).with_name("stated_recorder.py")


def start(url: str, instant: str, commitment: str, signals: Path, role: str) -> Any:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), url, instant, commitment, str(signals), role],
        cwd=SCRIPT.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outcome(process: Any) -> dict[str, Any]:
    out, errors = process.communicate(timeout=180)
    assert process.returncode == 0, errors
    result: dict[str, Any] = json.loads(out)
    return result


def test_an_append_at_a_stated_instant_that_loses_the_race_to_a_later_one_is_refused(
    store_url: str, tmp_path: Path
) -> None:
    with open_ledger(store_url) as ledger:
        ledger.record([made("first", gw="1")], recorded_at="2025-01-01")
    # Valid when it starts (after 2025-01-01), the earlier instant waits for the holder's lock.
    latecomer = start(store_url, "2025-03-01", "latecomer", tmp_path, "latecomer")
    deadline = time.monotonic() + 120
    while not (tmp_path / "opened").exists():
        assert latecomer.poll() is None, latecomer.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    holder = start(store_url, "2025-06-01", "holder", tmp_path, "holder")

    assert outcome(holder) == {"recorded": 1}
    assert outcome(latecomer) == {
        "refused": "KnowledgeTimeRefused",
        "message": "recorded at 2025-03-01T00:00:00Z: not after the store's latest knowledge "
        "instant, 2025-06-01T00:00:00Z; the log stays ordered in knowledge time",
    }
    with open_ledger(store_url) as ledger:
        stored = list(ledger.read_all())
        assert ledger.verify().intact
    assert [(row.commitment, row.recorded_at) for row in stored] == [
        ("first", datetime(2025, 1, 1, tzinfo=UTC)),
        ("holder", datetime(2025, 6, 1, tzinfo=UTC)),
    ]
