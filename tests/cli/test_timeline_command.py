"""`capledger timeline`: committed, scheduled by due date and delivered per period; charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, as_json


def test_quarters_show_the_build_out_of_a_reservation(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    rows = as_json(
        run(
            "timeline",
            "--resource",
            "gw",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "json",
        )
    )
    by_period = {row["period"]: row for row in rows}
    assert list(by_period) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert by_period["2026-Q1"]["committed"] == "0"
    assert by_period["2026-Q2"]["committed"] == "5"
    assert by_period["2026-Q3"]["delivered"] == "0.4"
    assert by_period["2026-Q3"]["scheduled"] == "0"
    assert by_period["2026-Q4"]["scheduled"] == "1"


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_chart_is_written(run: Run, deals_file: Path, tmp_path: Path, suffix: str) -> None:
    run("record", str(deals_file))
    chart = tmp_path / f"build-out{suffix}"
    result = run(
        "timeline",
        "--resource",
        "gw",
        "--from",
        "2026-01-01",
        "--to",
        "2027-12-31",
        "--chart",
        str(chart),
    )
    assert result.exit_code == 0, result.stderr
    assert chart.stat().st_size > 5_000
    assert f"chart written to {chart}" in result.stderr


def test_a_chart_in_an_unknown_format_is_a_usage_error(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    run("record", str(deals_file))
    result = run("timeline", "--chart", str(tmp_path / "chart.gif"))
    assert result.exit_code == 2
    assert "write a .png or .svg file" in result.stderr
