"""Several processes appending at once never fork the chain nor lose an event."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ledger import Ledger

WRITERS = 4
BATCHES = 15
SIZE = 5


def test_four_writer_processes_store_every_event_once_in_one_intact_chain(store_url: str) -> None:
    Ledger.open(store_url).close()  # create the schema once, as a first user would
    script = Path(__file__).with_name("writer.py")
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), store_url, str(w), str(BATCHES), str(SIZE)],
            cwd=script.parent,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    with Ledger.open(store_url) as ledger:
        rows = list(ledger.read_all())
        report = ledger.verify()
    assert report.intact, report
    assert [row.position for row in rows] == list(range(1, len(rows) + 1))
    assert len({row.event_id for row in rows}) == len(rows)
    assert len(rows) == WRITERS * BATCHES * (SIZE + 1)
    assert sum(row.commitment.startswith("own-") for row in rows) == WRITERS * BATCHES
    for stream in {row.commitment for row in rows}:
        versions = [row.version for row in rows if row.commitment == stream]
        assert versions == list(range(1, len(versions) + 1))
