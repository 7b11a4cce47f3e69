"""`capledger record`: files and stdin in, atomically; one-line errors naming file, line, field."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import DEALS, Run


def test_recording_a_file_reports_what_landed(run: Run, deals_file: Path) -> None:
    result = run("record", str(deals_file))
    assert result.exit_code == 0
    assert result.stdout == "recorded 5 events (0 already present)\n"


def test_recording_the_same_file_again_changes_nothing(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    result = run("record", str(deals_file))
    assert result.stdout == "recorded 0 events (5 already present)\n"


def test_standard_input_is_read_as_json_lines(run: Run) -> None:
    lines = "".join(json.dumps(event) + "\n" for event in DEALS[:2])
    result = run("record", "-", input=lines)
    assert result.stdout == "recorded 2 events (0 already present)\n"


def test_a_json_array_and_a_csv_file_are_read_too(run: Run, tmp_path: Path) -> None:
    array = tmp_path / "deals.json"
    array.write_text(json.dumps(DEALS[:3], indent=2), encoding="utf-8")
    table = tmp_path / "investment.csv"
    table.write_text(
        "type,commitment,effective,provider,holder,kind,bound,usd,source_publisher\n"
        "CommitmentMade,amazon-anthropic-investment-2023,2023-09-25,amazon,anthropic,"
        "investment,up_to,4000000000,Reuters\n"
        "DeliveryRecorded,amazon-anthropic-investment-2023,2023-09-25,,,,,1250000000,\n",
        encoding="utf-8",
    )
    result = run("record", str(array), str(table))
    assert result.stdout == "recorded 5 events (0 already present)\n"


def test_a_broken_rule_is_one_line_naming_file_line_field_and_rule(
    run: Run, tmp_path: Path, deals_file: Path
) -> None:
    run("record", str(deals_file))
    bad = tmp_path / "more.jsonl"
    bad.write_text(
        json.dumps({**DEALS[2], "effective": "2026-10-01", "amounts": {"gw": "0.2"}})
        + "\n"
        + json.dumps({**DEALS[2], "effective": "2026-10-02", "amounts": {"gw": "5"}})
        + "\n",
        encoding="utf-8",
    )
    result = run("record", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {bad}:2: amounts.gw: ")
    assert result.stderr.count("\n") == 1
    assert "verify" not in result.stderr
    assert run("log", "--format", "json").stdout.count('"position"') == 5


def test_an_invalid_event_refuses_the_whole_call(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps(DEALS[0]) + "\n" + '{"type": "CommitmentMade", "oops": 1}\n', encoding="utf-8"
    )
    result = run("record", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}:2: ")
    assert json.loads(run("log", "--format", "json").stdout) == []


def test_broken_json_names_the_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "broken.jsonl"
    bad.write_text(json.dumps(DEALS[0]) + "\n{not json\n", encoding="utf-8")
    result = run("record", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}:2: json: not valid JSON")


def test_a_missing_file_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("record", str(tmp_path / "nowhere.jsonl"))
    assert result.exit_code == 1
    assert "nowhere.jsonl: file: No such file or directory" in result.stderr


def test_an_unknown_suffix_is_refused(run: Run, tmp_path: Path) -> None:
    odd = tmp_path / "deals.xml"
    odd.write_text("<deals/>", encoding="utf-8")
    result = run("record", str(odd))
    assert result.exit_code == 1
    assert "unknown input format 'xml'" in result.stderr


def test_record_without_files_is_a_usage_error(run: Run) -> None:
    result = run("record")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
