"""`capledger positions`: the as-of table in three formats, filtered and grouped."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from freezegun import freeze_time

from .conftest import Run, as_json


def _record(run: Run, deals_file: Path) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0


def test_json_rows_carry_the_contract_keys_and_exact_decimal_strings(
    run: Run, deals_file: Path
) -> None:
    _record(run, deals_file)
    rows = as_json(
        run("positions", "--as-of", "2026-10-01", "--resource", "gw", "--format", "json")
    )
    assert rows == [
        {
            "holder": "anthropic",
            "provider": "amazon",
            "kind": "capacity",
            "resource": "gw",
            "committed": "5",
            "scheduled": "1",
            "delivered": "0.4",
            "outstanding": "4.6",
            "ceiling": "5",
            "floor": "0",
        }
    ]


def test_by_chooses_the_keys_and_sums_over_the_rest(run: Run, deals_file: Path) -> None:
    _record(run, deals_file)
    rows = as_json(
        run(
            *("positions", "--as-of", "2026-10-01", "--by", "holder,kind,resource"),
            *("--format", "json"),
        )
    )
    assert {row["resource"]: row["committed"] for row in rows} == {"gw": "5", "usd": "4000000000"}
    assert set(rows[0]) == {
        "holder",
        "kind",
        "resource",
        "committed",
        "scheduled",
        "delivered",
        "outstanding",
        "ceiling",
        "floor",
    }


def test_as_of_a_date_before_a_delivery_leaves_it_out(run: Run, deals_file: Path) -> None:
    _record(run, deals_file)
    rows = as_json(
        run("positions", "--as-of", "2026-09-29", "--kind", "capacity", "--format", "json")
    )
    assert rows[0]["delivered"] == "0"


def test_known_at_before_the_recording_shows_nothing(run: Run, deals_file: Path) -> None:
    _record(run, deals_file)
    assert as_json(run("positions", "--known-at", "2026-09-30", "--format", "json")) == []


def test_a_grouping_that_would_add_kinds_together_is_refused(run: Run, deals_file: Path) -> None:
    _record(run, deals_file)
    result = run("positions", "--resource", "usd", "--by", "provider")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --by: investment, spend and capacity are never added "
        "together: include kind in --by or choose one with --kind"
    )
    asked = ("positions", "--resource", "usd", "--kind", "investment", "--by", "provider")
    chosen = as_json(run(*asked, "--format", "json"))
    assert chosen == [
        {
            "provider": "amazon",
            "committed": "4000000000",
            "scheduled": "0",
            "delivered": "1250000000",
            "outstanding": "2750000000",
            "ceiling": "4000000000",
            "floor": "0",
        }
    ]
    per_commitment = run("positions", "--resource", "usd", "--by", "commitment")
    assert per_commitment.exit_code == 0, per_commitment.stderr


def test_csv_has_a_header_and_exact_numbers(run: Run, deals_file: Path) -> None:
    _record(run, deals_file)
    text = run(
        "positions",
        "--as-of",
        "2026-10-01",
        "--holder",
        "anthropic",
        "--provider",
        "amazon",
        "--resource",
        "usd",
        "--format",
        "csv",
    ).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["committed"] == "4000000000" and rows[0]["outstanding"] == "2750000000"


def test_an_unknown_grouping_is_a_usage_error(run: Run) -> None:
    result = run("positions", "--by", "colour")
    assert result.exit_code == 2
    assert "--by" in result.stderr


def test_a_bad_date_is_a_usage_error(run: Run) -> None:
    result = run("positions", "--as-of", "2026-02-30")
    assert result.exit_code == 2
    assert "is not a date" in result.stderr
