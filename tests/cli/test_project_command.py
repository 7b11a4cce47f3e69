"""`capledger project`: catch the read models up, or rebuild them from zero."""

from __future__ import annotations

from pathlib import Path

from ledger import Ledger

from .conftest import DEALS, Run, as_json


def test_project_catches_up_after_a_writer_without_read_models(run: Run, store_url: str) -> None:
    with Ledger.open(store_url) as bare:  # never attached: the read models fall behind
        bare.record(DEALS)
    rows = as_json(run("project", "--format", "json"))
    assert rows and all(row["events_processed"] == len(DEALS) for row in rows)
    assert all(row["events_processed"] == 0 for row in as_json(run("project", "--format", "json")))


def test_rebuild_processes_every_event_and_answers_the_same(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    before = run("positions", "--as-of", "2026-12-31", "--format", "json").stdout
    rows = as_json(run("project", "--rebuild", "--format", "json"))
    assert all(row["events_processed"] == len(DEALS) for row in rows)
    assert run("positions", "--as-of", "2026-12-31", "--format", "json").stdout == before
