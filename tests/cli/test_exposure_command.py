"""`capledger exposure`: concentration per provider (or holder), bounds in sight; the chart."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from .conftest import Run, as_json


def test_each_provider_row_shows_its_holders_share_hhi_and_ceiling(
    run: Run, deals_file: Path
) -> None:
    run("record", str(deals_file))
    rows = as_json(run("exposure", "--as-of", "2026-12-31", "--format", "json"))
    assert [(row["provider"], row["kind"], row["resource"]) for row in rows] == [
        ("amazon", "capacity", "gw"),
        ("amazon", "investment", "usd"),
    ]
    capacity = rows[0]
    assert capacity | {"measure": "committed"} == {
        "provider": "amazon",
        "kind": "capacity",
        "resource": "gw",
        "measure": "committed",
        "total": "5",
        "ceiling": "5",
        "floor": "0",
        "holders": 1,
        "top_holder": "anthropic",
        "top_share": "1",
        "hhi": "10000",
    }


def test_the_table_reads_as_percentages_and_amounts_at_one_scale(
    run: Run, deals_file: Path
) -> None:
    run("record", str(deals_file))
    result = run("exposure", "--as-of", "2026-12-31", "--measure", "outstanding", "--detail")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "provider", "kind", "resource", "total", "ceiling", "floor", "holders", "top_holder",
        "top_share", "hhi",
    ]  # fmt: skip
    # 4.6 GW outstanding of 5 GW committed "up to": every gigawatt of the table at one scale.
    assert lines[2].split() == [
        "amazon", "capacity", "gw", "4.6", "GW", "5.0", "GW", "0.0", "GW", "1", "anthropic",
        "100.0%", "10,000",
    ]  # fmt: skip
    # $2.75B of $4B up to is outstanding; every dollar of the table in billions.
    assert lines[3].split()[3:6] == ["$2.8B", "$4.0B", "$0.0B"]
    assert "Each holder's part:" in result.stdout
    assert result.stdout.rstrip().endswith("or at least (it may turn out more), as in positions.")
    assert "total is what is outstanding; ceiling and floor are how much of" in result.stdout


def test_the_holder_side_and_csv_with_detail(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    result = run(
        "exposure", "--as-of", "2026-12-31", "--side", "holder", "--detail", "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [
        (row["holder"], row["kind"], row["provider"], row["provider_share"]) for row in rows
    ] == [
        ("anthropic", "capacity", "amazon", "1"),
        ("anthropic", "investment", "amazon", "1"),
    ]


def test_a_date_before_any_deal_says_there_is_nothing_to_share(run: Run, deals_file: Path) -> None:
    run("record", str(deals_file))
    result = run("exposure", "--as-of", "2020-01-01")
    assert result.exit_code == 0
    assert result.stdout.strip() == "no committed amounts as of 2020-01-01: no exposure"
    as_data = run("exposure", "--as-of", "2020-01-01", "--provider", "amazon", "--format", "json")
    assert as_data.stdout.strip() == "[]"
    assert "no committed amounts for amazon as of 2020-01-01" in as_data.stderr


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_chart_draws_one_providers_holders_per_quarter(
    run: Run, deals_file: Path, tmp_path: Path, suffix: str
) -> None:
    run("record", str(deals_file))
    chart = tmp_path / f"amazon{suffix}"
    result = run("exposure", "--as-of", "2026-12-31", "--provider", "amazon", "--chart", str(chart))
    assert result.exit_code == 0, result.stderr
    assert chart.stat().st_size > 5_000
    assert f"chart written to {chart}" in result.stderr


def test_the_chart_needs_its_party_and_a_known_format(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    run("record", str(deals_file))
    unnamed = run("exposure", "--chart", str(tmp_path / "x.png"))
    assert unnamed.exit_code == 2
    assert "name it with --provider" in unnamed.stderr
    gif = run("exposure", "--provider", "amazon", "--chart", str(tmp_path / "x.gif"))
    assert gif.exit_code == 2
    assert "write a .png or .svg file" in gif.stderr
    nothing = run(
        "exposure", "--provider", "amazon", "--kind", "spend", "--chart", str(tmp_path / "x.png")
    )
    assert nothing.exit_code == 1
    assert nothing.stderr.strip() == (
        "Error: no committed amounts for provider 'amazon': nothing to draw"
    )
