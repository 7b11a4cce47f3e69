"""`capledger positions` shows how much of committed is a ceiling or a floor: exact columns in
JSON and CSV, a mark and a footnote in the table."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from freezegun import freeze_time

from .conftest import Run, as_json

SPEND_FLOOR = {
    "type": "CommitmentMade",
    "commitment": "aws-anthropic-spend",
    "effective": "2026-01-01",
    "provider": "amazon",
    "holder": "anthropic",
    "kind": "spend",
    "bound": "at_least",
    "amounts": {"usd": "100000000000"},
}
EXACT_SPEND = {**SPEND_FLOOR, "commitment": "gcp-anthropic-spend", "provider": "google"}
EXACT_SPEND["bound"] = "exact"


def _record(run: Run, deals_file: Path, tmp_path: Path) -> None:
    more = tmp_path / "spend.jsonl"
    more.write_text("".join(json.dumps(e) + "\n" for e in (SPEND_FLOOR, EXACT_SPEND)), "utf-8")
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file), str(more)).exit_code == 0


def test_json_and_csv_say_how_much_of_committed_is_a_ceiling_or_a_floor(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record(run, deals_file, tmp_path)
    asked = ("positions", "--as-of", "2026-10-01", "--resource", "usd", "--by", "provider,kind")
    rows = as_json(run(*asked, "--format", "json"))
    assert [(r["provider"], r["kind"], r["ceiling"], r["floor"]) for r in rows] == [
        ("amazon", "investment", "4000000000", "0"),
        ("amazon", "spend", "0", "100000000000"),
        ("google", "spend", "0", "0"),
    ]
    table = list(csv.DictReader(io.StringIO(run(*asked, "--format", "csv").stdout)))
    assert list(table[0]) == [
        *("provider", "kind", "committed", "scheduled", "delivered", "outstanding"),
        *("ceiling", "floor"),
    ]
    assert table[1]["floor"] == "100000000000"


def test_the_table_marks_bounded_figures_and_explains_the_marks(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record(run, deals_file, tmp_path)
    result = run("positions", "--as-of", "2026-10-01", "--resource", "usd", "--by", "provider,kind")
    lines = result.stdout.splitlines()
    assert [line.split()[:4] for line in lines[2:5]] == [
        ["amazon", "investment", "≤", "$4.0B"],
        ["amazon", "spend", "≥", "$100.0B"],
        ["google", "spend", "$100.0B", "$0.0B"],
    ]
    assert lines[6].startswith("≤ committed is, in part or whole, a ceiling (up to")
    assert "≥ a floor" in lines[6] and "~ some of each" in lines[7]


def test_a_table_with_nothing_bounded_has_no_footnote(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record(run, deals_file, tmp_path)
    result = run("positions", "--provider", "google", "--resource", "usd", "--by", "kind")
    assert [line.split() for line in result.stdout.splitlines()[2:]] == [
        ["spend", "$100.0B", "$0.0B", "$0.0B", "$100.0B"]
    ]
