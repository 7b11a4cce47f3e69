"""`capledger history`: the audit trail of one commitment."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, as_json


def test_history_lists_every_event_with_both_times_actor_and_hash(
    run: Run, deals_file: Path
) -> None:
    assert run("record", str(deals_file), env={"CAPLEDGER_ACTOR": "analyst"}).exit_code == 0
    entries = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))
    assert [entry["type"] for entry in entries] == [
        "CommitmentMade",
        "TrancheScheduled",
        "DeliveryRecorded",
    ]
    first = entries[0]
    assert first["effective"] == "2026-04-20"
    assert first["recorded_by"] == "analyst"
    assert len(first["hash"]) == 64
    assert first["source"]["publisher"] == "Reuters"


def test_history_shows_what_a_later_correction_did(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    run("record", str(deals_file))
    delivery = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))[2]
    fix = tmp_path / "fix.jsonl"
    fix.write_text(
        json.dumps(
            {
                "type": "EventCorrected",
                "commitment": "aws-anthropic-2026-capacity",
                "target": delivery["id"],
                "replacement": {
                    "type": "DeliveryRecorded",
                    "commitment": "aws-anthropic-2026-capacity",
                    "effective": "2026-09-30",
                    "tranche": "trainium-2026",
                    "amounts": {"gw": "0.5"},
                },
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert run("record", str(fix)).exit_code == 0
    table = run("history", "aws-anthropic-2026-capacity").stdout
    assert "corrected at 6" in table
    entries = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))
    assert entries[2]["corrected_by"][0]["position"] == 6


def test_an_unknown_commitment_is_refused_naming_the_nearest(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    result = run("history", "aws-anthropic-2026-capacty")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no commitment is named 'aws-anthropic-2026-capacty'; "
        "did you mean aws-anthropic-2026-capacity?\n"
    )
