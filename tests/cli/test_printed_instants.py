"""Instants are printed in the form the flags accept (ISO 8601, UTC, `Z`), and every form
capledger prints, or once printed, can be pasted back into --known-at and --recorded-at."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from freezegun import freeze_time

from cli.main import capledger

from .conftest import Run, as_json

PRINTED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
"""An instant as capledger prints it: 2026-12-05T23:18:12.481101Z."""
QUESTION = ["--holder", "openai", "--provider", "nvidia", "--kind", "investment"]


def test_the_instant_the_demo_prints_can_be_pasted_into_known_at(tmp_path: Path) -> None:
    runner = CliRunner()
    database = tmp_path / "demo.db"
    shown = runner.invoke(
        capledger, ["demo", "--path", str(database), "--chart", str(tmp_path / "chart.png")]
    )
    assert shown.exit_code == 0, shown.output
    line = next(line for line in shown.stdout.splitlines() if "as known now, at" in line)
    found = PRINTED.search(line)
    assert found is not None, line
    asked = runner.invoke(
        capledger,
        ["--db", f"sqlite:///{database}", "positions", *QUESTION, "--known-at", found.group()],
    )
    assert asked.exit_code == 0, asked.stderr
    assert "$30.0B" in asked.stdout
    then = runner.invoke(
        capledger,
        ["--db", f"sqlite:///{database}", "positions", *QUESTION, "--known-at", "2025-10-01"],
    )
    assert "as known at 2025-10-01, as reported then: $100.0B committed" in shown.stdout
    assert "$100.0B" in then.stdout


def test_the_form_earlier_versions_printed_is_accepted_too(run: Run, deals_file: Path) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        recorded = run("record", str(deals_file), "--recorded-at", "2026-05-01 09:30:00.25 UTC")
        assert recorded.exit_code == 0, recorded.stderr
        before = run(
            "positions", "--known-at", "2026-05-01 09:30:00.249999 UTC", "--format", "json"
        )
        after = run("positions", "--known-at", "2026-05-01 09:30:00.250000 UTC", "--format", "json")
    assert as_json(before) == []
    assert as_json(after) != []


def test_tables_and_json_print_each_recorded_instant_whole_with_z(
    run: Run, deals_file: Path
) -> None:
    with freeze_time("2026-10-01T12:00:00.123456Z"):
        run("record", str(deals_file))
    instant = "2026-10-01T12:00:00.123456Z"
    for args in (["log"], ["history", "aws-anthropic-2026-capacity"]):
        table = run(*args).stdout
        assert instant in table, table
        assert all(
            PRINTED.fullmatch(entry["recorded_at"])
            for entry in as_json(run(*args, "--format", "json"))
        )
    assert instant in run("log", "--format", "csv").stdout
    pasted = run("positions", "--known-at", instant, "--format", "json")
    assert as_json(pasted) != []
