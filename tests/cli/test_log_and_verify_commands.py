"""`capledger log` (the feed) and `capledger verify` (the chain)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from ledger import Ledger

from .conftest import Run, as_json


def test_log_streams_json_lines_after_a_position(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    lines = run("log", "--since", "2", "--limit", "2", "--format", "jsonl").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert [event["position"] for event in events] == [3, 4]
    assert events[0]["payload"]["amounts"] == {"gw": "0.4"}


def test_log_as_json_is_an_array_of_every_event(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    assert [row["position"] for row in as_json(run("log", "--format", "json"))] == [1, 2, 3, 4, 5]


def test_verify_reports_an_intact_chain(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    result = run("verify")
    assert (result.exit_code, result.stdout) == (0, "ok: 5 events, chain intact\n")


def test_verify_names_the_first_tampered_position_and_exits_1(
    run: Run, deals_file: Path, store_url: str
) -> None:
    run("record", str(deals_file))
    with Ledger.open(store_url) as ledger, ledger.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER events_refuse_change ON events"))
        else:
            connection.execute(text("DROP TRIGGER events_refuse_update"))
        connection.execute(text("UPDATE events SET recorded_by = 'mallory' WHERE position = 4"))
    result = run("verify")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: chain broken at position 4: its content does not match its hash\n"
    )
