"""`capledger demo`: the bundled ledger built into a fresh file, shown, and charted."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from cli.main import capledger


def test_the_demo_builds_a_fresh_ledger_shows_it_and_draws_a_chart(tmp_path: Path) -> None:
    database, chart = tmp_path / "demo.db", tmp_path / "timeline.png"
    runner = CliRunner()
    for _ in range(2):  # replaced on each run, never appended to
        result = runner.invoke(capledger, ["demo", "--path", str(database), "--chart", str(chart)])
        assert result.exit_code == 0, result.output
    assert "recorded 74 reported facts and 5 later revisions" in result.stdout
    assert "known from the day it was reported (2023-01-23 to 2026-05-28)" in result.stdout
    assert "One question, two answers" in result.stdout
    assert "as known at 2025-10-01, as reported then: $100.0B committed" in result.stdout
    assert re.search(r"as known now, at \S+Z: \$30.0B committed", result.stdout)
    assert chart.stat().st_size > 20_000
    verified = runner.invoke(capledger, ["--db", f"sqlite:///{database}", "verify"])
    assert verified.stdout == "ok: 79 events, chain intact\n"
