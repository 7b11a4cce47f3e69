"""Every command that prints rows does so as a table, JSON and CSV, on each backend."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .conftest import Run

LINES_PER_ROW = {"history": 2}
"""Table lines per row where it is not one: history writes each event's summary beneath it
(on one line, unwrapped, when no terminal width is known)."""
ROW_COMMANDS = {
    "positions": ["positions", "--as-of", "2026-12-31"],
    "history": ["history", "aws-anthropic-2026-capacity"],
    "timeline": ["timeline", "--from", "2026-01-01", "--to", "2026-12-31"],
    "log": ["log"],
    "overdue": ["overdue", "--as-of", "2027-01-10"],
    "project": ["project"],
    "exposure": ["exposure", "--as-of", "2026-12-31"],
    "flows": ["flows", "--as-of", "2026-12-31"],
}


@pytest.mark.parametrize("name", sorted(ROW_COMMANDS))
def test_rows_come_out_in_all_three_formats(run: Run, deals_file: Path, name: str) -> None:
    assert run("record", str(deals_file)).exit_code == 0
    args = ROW_COMMANDS[name]
    as_table = run(*args, "--format", "table", env={"COLUMNS": ""})
    as_json = run(*args, "--format", "json")
    as_csv = run(*args, "--format", "csv")
    for result in (as_table, as_json, as_csv):
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    rows = json.loads(as_json.stdout)
    assert rows, f"{name} printed no rows: nothing to compare the formats on"
    assert isinstance(rows, list) and all(isinstance(row, dict) for row in rows)
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(parsed) == len(rows)
    table = as_table.stdout.split("\n\n")[0]  # a footnote may follow, after a blank line
    assert len(table.splitlines()) == LINES_PER_ROW.get(name, 1) * len(rows) + 2


def test_json_never_carries_a_float(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    for args in ROW_COMMANDS.values():
        text = run(*args, "--format", "json").stdout

        def no_floats(value: str) -> None:
            raise AssertionError(f"a float in JSON output: {value}")

        json.loads(text, parse_float=no_floats)
