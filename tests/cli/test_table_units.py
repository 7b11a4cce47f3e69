"""Every amount in a table shows its unit, every amount of one resource at one scale; JSON and
CSV stay exact and unit-free."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from freezegun import freeze_time

from cli.amounts import amount_columns, scale_for, with_unit
from cli.render import render

from .conftest import Run


def _record(run: Run, deals_file: Path) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0


def test_gigawatts_share_one_scale_so_a_fraction_reads_beside_a_whole() -> None:
    scale = scale_for("gw", [Decimal(5), Decimal("0.4")])
    assert [scale.show(amount) for amount in (Decimal(5), Decimal("0.4"))] == ["5.0 GW", "0.4 GW"]
    assert scale_for("gw", [Decimal("0.3"), Decimal("0.75")]).show(Decimal("0.3")) == "300 MW"
    assert scale_for("gw", [Decimal("56.25"), Decimal(1)]).show(Decimal(1)) == "1.00 GW"


def test_dollars_take_the_unit_of_the_middle_amount_with_thousands_separated() -> None:
    column = [Decimal("16.3e9"), Decimal("76.7e9"), Decimal("1102.4e9"), Decimal("350e6")]
    scale = scale_for("usd", column)
    assert [scale.show(amount) for amount in column] == ["$16.3B", "$76.7B", "$1,102.4B", "$0.4B"]
    assert scale.show(Decimal("-70e9"), signed=True) == "-$70.0B"
    assert scale.show(Decimal("70e9"), signed=True) == "+$70.0B"
    assert with_unit("usd", Decimal("350000000")) == "$350.0M"
    assert with_unit("usd", Decimal("1250000000")) == "$1.25B"  # alone: as exact as it can
    assert with_unit("usd", Decimal(0)) == "$0"


def test_chips_of_every_model_share_one_scale_in_a_table() -> None:
    rows = [
        {"resource": "chips:tpu", "committed": Decimal(1_000_000), "delivered": Decimal(0)},
        {"resource": "chips:gpu", "committed": Decimal(220_000), "delivered": Decimal(500_000)},
        {"resource": "gw", "committed": Decimal(5), "delivered": Decimal("0.4")},
    ]
    human = amount_columns(rows, ("committed", "delivered"), lambda row: row["resource"])
    table = render(rows, "table", columns=["resource", "committed", "delivered"], human=human)
    assert table.splitlines()[2:] == [
        "chips:tpu  1.0M chips  0.0M chips",
        "chips:gpu  0.2M chips  0.5M chips",
        "gw             5.0 GW      0.4 GW",
    ]


def test_positions_show_units_at_one_scale_per_resource(run: Run, deals_file: Path) -> None:
    _record(run, deals_file)
    lines = run("positions", "--as-of", "2026-10-01").stdout.splitlines()
    assert [line.split()[4:] for line in lines[2:4]] == [
        ["≤", "5.0", "GW", "1.0", "GW", "0.4", "GW", "4.6", "GW"],
        ["≤", "$4.0B", "$0.0B", "$1.3B", "$2.8B"],
    ]


def test_positions_show_units_when_resource_is_not_a_column(run: Run, deals_file: Path) -> None:
    _record(run, deals_file)
    result = run("positions", "--as-of", "2026-10-01", "--resource", "usd", "--by", "kind")
    assert result.stdout.splitlines()[2].split() == [
        *("investment", "≤", "$4.0B", "$0.0B", "$1.3B", "$2.8B"),
    ]


def test_the_timeline_table_shows_units_and_json_and_csv_stay_exact(
    run: Run, deals_file: Path
) -> None:
    _record(run, deals_file)
    asked = ("timeline", "--resource", "gw", "--from", "2026-07-01", "--to", "2026-12-31")
    assert [line.split()[3:] for line in run(*asked).stdout.splitlines()[2:]] == [
        ["5.0", "GW", "0.0", "GW", "0.4", "GW"],
        ["5.0", "GW", "1.0", "GW", "0.4", "GW"],
    ]
    rows = json.loads(run(*asked, "--format", "json").stdout)
    assert [row["delivered"] for row in rows] == ["0.4", "0.4"]
    csv_lines = run(*asked, "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "period,end,kind,committed,scheduled,delivered"
    assert csv_lines[1] == "2026-Q3,2026-09-30,capacity,5,0,0.4"
