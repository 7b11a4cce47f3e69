"""`capledger history`: the audit trail of one commitment."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

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
    entries = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))
    assert entries[2]["corrected_by"][0]["position"] == 6
    correction = entries[-1]
    assert correction["changes"] == [{"field": "amounts.gw", "from": "0.4", "to": "0.5"}]
    table = run("history", "aws-anthropic-2026-capacity").stdout
    assert f"CORRECTED by {correction['short_id']}: 400 MW, on tranche trainium-2026" in table
    assert (
        f"corrects {delivery['short_id']} (DeliveryRecorded): amounts.gw 400 MW -> 500 MW" in table
    )


def test_an_unknown_commitment_is_refused_naming_the_nearest(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    result = run("history", "aws-anthropic-2026-capacty")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no commitment is named 'aws-anthropic-2026-capacty'; "
        "did you mean aws-anthropic-2026-capacity?\n"
    )


def _recorded(path: Path, *events: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


def test_the_table_names_each_event_by_a_short_id_with_its_source_due_date_and_instant(
    run: Run, deals_file: Path
) -> None:
    assert run("record", str(deals_file)).exit_code == 0
    entries = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))
    lines = run("history", "aws-anthropic-2026-capacity").stdout.splitlines()
    assert lines[0].split() == ["id", "effective", "type", "recorded_at", "source"]
    made, scheduled, _ = entries
    assert made["short_id"] == made["id"][:8]
    first = lines[2].split()
    assert first[:3] == [made["short_id"], "2026-04-20", "CommitmentMade"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", first[3])
    assert lines[2].endswith("Reuters, 2026-04-20")
    assert lines[3].strip() == (
        "amazon -> anthropic, capacity, up to 5 GW, term 2026-04-20 to 2036-04-20"
    )
    assert lines[5].strip() == "tranche trainium-2026: 1 GW, due 2026-12-31"
    assert lines[4].startswith(scheduled["short_id"])


def test_a_retracted_event_is_marked_with_the_reason_and_its_summary_is_never_cut(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    run("record", str(deals_file))
    reason = (
        "double-counted: the 400 MW reported in September were the same halls the October "
        "filing listed again under another site name"
    )
    retraction = {
        "type": "EventRetracted",
        "commitment": "aws-anthropic-2026-capacity",
        "target": "tranche:trainium-2026",
        "reason": "the tranche was never agreed",
    }
    delivery = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))[2]
    first = {**retraction, "target": delivery["short_id"], "reason": reason}
    assert run("record", str(_recorded(tmp_path / "fix.jsonl", first, retraction))).exit_code == 0
    entries = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))
    retracting = entries[3]["short_id"]
    table = run("history", "aws-anthropic-2026-capacity").stdout
    assert f"RETRACTED by {retracting} ({reason}): 400 MW, on tranche trainium-2026" in table
    assert f"retracts {delivery['short_id']} (DeliveryRecorded): {reason}" in table
    assert "RETRACTED by " + entries[4]["short_id"] + " (the tranche was never agreed): " in table


def test_summaries_wrap_to_the_terminal_width_and_stay_whole(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    run("record", str(deals_file))
    delivery = as_json(run("history", "aws-anthropic-2026-capacity", "--format", "json"))[2]
    reason = " ".join(f"word{n}" for n in range(40))
    retraction = {
        "type": "EventRetracted",
        "commitment": "aws-anthropic-2026-capacity",
        "target": delivery["short_id"],
        "reason": reason,
    }
    assert run("record", str(_recorded(tmp_path / "fix.jsonl", retraction))).exit_code == 0
    narrow = run("history", "aws-anthropic-2026-capacity", env={"COLUMNS": "80"}).stdout
    summary = [line for line in narrow.splitlines() if line.startswith(" ")]
    assert len(summary) > 5 and max(len(line) for line in summary) <= 80
    assert reason in " ".join(line.strip() for line in summary)
    piped = run("history", "aws-anthropic-2026-capacity", env={"COLUMNS": ""}).stdout
    assert f"({reason}): 400 MW, on tranche trainium-2026" in piped.splitlines()[7]


def test_a_target_that_names_no_event_is_refused_in_one_line_and_records_nothing(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    run("record", str(deals_file))
    before = run("log", "--format", "json").stdout
    retraction = {
        "type": "EventRetracted",
        "commitment": "aws-anthropic-2026-capacity",
        "target": "tranche:no-such-tranche",
    }
    result = run("record", str(_recorded(tmp_path / "fix.jsonl", retraction)))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'fix.jsonl'}:1: target: no tranche 'no-such-tranche' of "
        "aws-anthropic-2026-capacity; its tranches: trainium-2026\n"
    )
    assert run("log", "--format", "json").stdout == before
