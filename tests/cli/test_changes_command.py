"""`capledger changes`: what moved between two readings, in three formats, explained, and
refused with exit status 2 when the question is not one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from .conftest import DEALS, Run, as_json

CAPACITY = "aws-anthropic-2026-capacity"
KNOWLEDGE = ["changes", "--known-from", "2026-10-01", "--known-to", "2026-10-20"]


def _record_then_revise(run: Run, deals_file: Path, tmp_path: Path) -> str:
    """The deals recorded on 2026-10-01; on 2026-10-15 the capacity deal is corrected from 5 GW
    to 6 GW, as Bloomberg reported on 2026-10-14. The correction's id."""
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0
    made = next(row for row in as_json(run("log", "--format", "json")) if row["version"] == 1)
    assert made["commitment"] == CAPACITY
    correction = {
        "type": "EventCorrected",
        "commitment": CAPACITY,
        "target": made["id"],
        "replacement": {**DEALS[0], "amounts": {"gw": "6"}},
        "source": {"publisher": "Bloomberg", "date": "2026-10-14"},
    }
    path = tmp_path / "correction.json"
    path.write_text(json.dumps(correction), encoding="utf-8")
    with freeze_time("2026-10-15T12:00:00Z"):
        assert run("record", str(path)).exit_code == 0
    fixed = as_json(run("log", "--format", "json"))[-1]
    assert fixed["type"] == "EventCorrected"
    return str(fixed["id"])


def test_a_correction_between_two_instants_changes_only_its_row(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record_then_revise(run, deals_file, tmp_path)
    rows = as_json(run(*KNOWLEDGE, "--as-of", "2026-12-31", "--format", "json"))
    assert rows == [
        {
            "holder": "anthropic",
            "provider": "amazon",
            "kind": "capacity",
            "resource": "gw",
            "committed_before": "5",
            "committed_after": "6",
            "committed_change": "1",
            "scheduled_before": "1",
            "scheduled_after": "1",
            "scheduled_change": "0",
            "delivered_before": "0.4",
            "delivered_after": "0.4",
            "delivered_change": "0",
            "outstanding_before": "4.6",
            "outstanding_after": "5.6",
            "outstanding_change": "1",
        }
    ]


def test_explain_names_the_correction_with_its_source(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    correction = _record_then_revise(run, deals_file, tmp_path)
    (row,) = as_json(
        run(*KNOWLEDGE, "--by", "holder,kind,resource", "--explain", "--format", "json")
    )
    assert row["events"] == [
        {
            "id": correction,
            "position": 6,
            "type": "EventCorrected",
            "commitment": CAPACITY,
            "effective": None,
            "recorded_at": "2026-10-15T12:00:00.000000Z",
            "publisher": "Bloomberg",
            "source_date": "2026-10-14",
        }
    ]


def test_the_table_shows_each_figure_that_moved_and_the_events_behind_it(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    correction = _record_then_revise(run, deals_file, tmp_path)
    result = run(*KNOWLEDGE, "--by", "holder,kind,resource", "--explain")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["holder", "kind", "resource", "figure", "before", "after", "change"]
    assert lines[2].split()[2:] == ["gw", "committed", "5.0", "GW", "6.0", "GW", "+1.0", "GW"]
    assert lines[3].split()[3:] == ["outstanding", "4.6", "GW", "5.6", "GW", "+1.0", "GW"]
    assert "The events behind them:" in result.stdout
    assert f"{correction[:8]}  EventCorrected" in result.stdout
    assert "Bloomberg" in result.stdout and "2026-10-14" in result.stdout


def test_csv_has_a_column_per_figure_before_after_and_change(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record_then_revise(run, deals_file, tmp_path)
    result = run(*KNOWLEDGE, "--by", "holder,kind,resource", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["committed_before"] == "5" and row["committed_after"] == "6"
    assert row["committed_change"] == "1"
    assert "events" not in row


def test_moving_the_world_date_is_explained_by_what_took_effect_in_between(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record_then_revise(run, deals_file, tmp_path)
    args = ["changes", "--from", "2026-09-29", "--to", "2026-09-30", "--explain"]
    (row,) = as_json(run(*args, "--format", "json"))
    assert (row["resource"], row["delivered_change"], row["outstanding_change"]) == (
        "gw",
        "0.4",
        "-0.4",
    )
    assert [(e["type"], e["effective"]) for e in row["events"]] == [
        ("DeliveryRecorded", "2026-09-30")
    ]


def test_known_before_the_correction_the_world_moved_from_the_first_figures(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record_then_revise(run, deals_file, tmp_path)
    args = ["changes", "--from", "2026-04-19", "--to", "2026-04-20", "--resource", "gw"]
    (before,) = as_json(run(*args, "--known-at", "2026-10-01", "--format", "json"))
    (after,) = as_json(run(*args, "--format", "json"))
    assert (before["committed_change"], after["committed_change"]) == ("5", "6")


def test_nothing_changed_is_no_rows(run: Run, deals_file: Path, tmp_path: Path) -> None:
    _record_then_revise(run, deals_file, tmp_path)
    result = run("changes", "--known-from", "2026-10-16", "--known-to", "2026-10-20")
    assert (result.exit_code, result.stdout.strip()) == (0, "(no rows)")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--known-from", "2026-10-20", "--known-to", "2026-10-01"], "before --known-from"),
        (["--from", "2026-10-20", "--to", "2026-10-01"], "before --from"),
        (["--known-from", "2026-10-01", "--from", "2026-01-01"], "not both"),
        ([], "say what moves"),
        (["--known-to", "2026-10-01"], "--known-to needs --known-from"),
        (["--from", "2026-01-01", "--as-of", "2026-12-31"], "--as-of fixes the world date"),
        (["--known-from", "2026-10-01", "--known-at", "2026-10-01"], "--known-at fixes"),
        (["--from", "2026-13-01"], "is not a date"),
        (["--known-from", "yesterday"], "is not an ISO 8601"),
    ],
)
def test_a_question_that_is_not_one_is_refused_in_one_line_with_status_2(
    run: Run, deals_file: Path, args: list[str], says: str
) -> None:
    assert run("record", str(deals_file)).exit_code == 0
    count = len(as_json(run("log", "--format", "json")))
    result = run("changes", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert len(as_json(run("log", "--format", "json"))) == count


def test_a_grouping_that_would_add_kinds_together_is_refused(run: Run, deals_file: Path) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0
    result = run(*KNOWLEDGE, "--resource", "usd", "--by", "holder")
    assert result.exit_code == 2
    assert "investment, spend and capacity are never added together" in result.stderr
    assert "--kind" in result.stderr
    kind_chosen = run(*KNOWLEDGE, "--resource", "usd", "--kind", "investment", "--by", "holder")
    assert kind_chosen.exit_code == 0, kind_chosen.stderr


def test_the_table_shows_each_amount_with_its_unit_when_resource_is_not_a_column(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record_then_revise(run, deals_file, tmp_path)
    result = run(*KNOWLEDGE, "--resource", "gw", "--by", "holder,kind")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2].split()[2:] == [
        *("committed", "5.0", "GW", "6.0", "GW", "+1.0", "GW"),
    ]
