"""`capledger record --recorded-at INSTANT` and `--as-reported`: a file recorded as known from
a stated instant, or each event from its source date; a knowledge instant or source date the
store cannot take exits 2 with one line, and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from freezegun import freeze_time

from .conftest import DEALS, Run, as_json

NOW = "2026-10-01T12:00:00Z"
STREAM = "aws-anthropic-2026-capacity"


def write(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in events), encoding="utf-8")
    return path


def recorded_at(run: Run, commitment: str = STREAM) -> list[str]:
    entries = as_json(run("history", commitment, "--format", "json"))
    return [entry["recorded_at"] for entry in entries]


def one_error_line(result: Result, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


def test_a_file_recorded_at_a_stated_instant_is_known_from_it(run: Run, deals_file: Path) -> None:
    with freeze_time(NOW):
        result = run("record", str(deals_file), "--recorded-at", "2025-10-01T09:30:00+02:00")
    assert result.stdout == "recorded 5 events (0 already present)\n"
    assert recorded_at(run) == ["2025-10-01T07:30:00.000000Z"] * 3


def test_a_date_means_midnight_utc(run: Run, deals_file: Path) -> None:
    with freeze_time(NOW):
        assert run("record", str(deals_file), "--recorded-at", "2025-10-01").exit_code == 0
    assert recorded_at(run)[0] == "2025-10-01T00:00:00.000000Z"
    with freeze_time(NOW):
        positions = run("positions", "--known-at", "2025-09-30", "--format", "json")
    assert as_json(positions) == []


@pytest.mark.parametrize(
    ("instant", "says"),
    [
        ("2025-10-01", "recorded at 2025-10-01T00:00:00Z: not after the store's latest"),
        ("2025-09-01T00:00:00Z", "recorded at 2025-09-01T00:00:00Z: not after the store's latest"),
        ("2026-10-02", "recorded at 2026-10-02T00:00:00Z: later than now, 2026-10-01T12:00:00Z"),
        ("2025-12-01T09:00:00", "recorded at 2025-12-01T09:00:00: a date and time needs a zone"),
        ("last Tuesday", "recorded at 'last Tuesday': not an ISO 8601 date"),
    ],
)
def test_an_instant_the_store_cannot_take_exits_2_with_one_line_and_writes_nothing(
    run: Run, deals_file: Path, tmp_path: Path, instant: str, says: str
) -> None:
    with freeze_time(NOW):
        run("record", str(deals_file), "--recorded-at", "2025-10-01")
        before = run("log", "--format", "json").stdout
        more = write(tmp_path / "more.jsonl", [{**DEALS[2], "effective": "2026-10-01"}])
        line = one_error_line(run("record", str(more), "--recorded-at", instant))
        assert line.startswith(f"Error: {says}"), line
        assert run("log", "--format", "json").stdout == before


def test_a_refusal_names_the_stores_latest_instant_and_the_one_given(
    run: Run, deals_file: Path
) -> None:
    with freeze_time(NOW):
        run("record", str(deals_file), "--recorded-at", "2025-10-01")
        line = one_error_line(run("record", str(deals_file), "--recorded-at", "2025-09-01"))
    assert line == (
        "Error: recorded at 2025-09-01T00:00:00Z: not after the store's latest knowledge "
        "instant, 2025-10-01T00:00:00Z; the log stays ordered in knowledge time"
    )


def test_a_broken_rule_at_a_stated_instant_still_exits_1(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    too_much = write(tmp_path / "too-much.jsonl", [{**DEALS[2], "amounts": {"gw": "9"}}])
    with freeze_time(NOW):
        run("record", str(deals_file), "--recorded-at", "2025-10-01")
        one_error_line(run("record", str(too_much), "--recorded-at", "2025-11-01"), exit_code=1)


def reported(day: str | None, body: dict[str, Any]) -> dict[str, Any]:
    source = {"publisher": "Reuters", **({"date": day} if day else {})}
    return {**body, "source": source}


REPORTED = [
    reported("2026-04-20", DEALS[0]),
    reported("2026-10-01", DEALS[2]),
    reported("2026-05-02", DEALS[1]),
]


def test_as_reported_each_event_is_known_from_its_source_date(run: Run, tmp_path: Path) -> None:
    deals = write(tmp_path / "reported.jsonl", REPORTED)
    with freeze_time(NOW):
        assert run("record", str(deals), "--as-reported").exit_code == 0
    entries = as_json(run("history", STREAM, "--format", "json"))
    assert [(entry["type"], entry["source_date"], entry["recorded_at"]) for entry in entries] == [
        ("CommitmentMade", "2026-04-20", "2026-04-20T00:00:00.000000Z"),
        ("TrancheScheduled", "2026-05-02", "2026-05-02T00:00:00.000000Z"),
        ("DeliveryRecorded", "2026-10-01", "2026-10-01T00:00:00.000000Z"),
    ]
    with freeze_time(NOW):
        assert run("verify").exit_code == 0


def test_history_shows_the_effective_date_the_source_date_and_the_recorded_instant(
    run: Run, tmp_path: Path
) -> None:
    deals = write(tmp_path / "reported.jsonl", REPORTED)
    with freeze_time(NOW):
        run("record", str(deals), "--as-reported")
    table = run("history", STREAM).stdout.splitlines()
    assert table[0].split() == ["id", "effective", "type", "recorded_at", "source"]
    cells = table[-2].split()  # the last event's line; its summary is beneath
    effective = cells.index("2026-09-30")
    assert cells[effective : effective + 3] == [
        "2026-09-30",
        "DeliveryRecorded",
        "2026-10-01T00:00:00.000000Z",
    ]
    assert cells[-1] == "2026-10-01"  # the source's date, after its publisher
    csv = run("history", STREAM, "--format", "csv").stdout.splitlines()
    assert "source_date" in csv[0].split(",")
    column = csv[0].split(",").index("source_date")
    assert csv[1].split(",")[column] == "2026-04-20"


def test_as_reported_an_event_without_a_source_date_exits_2_naming_its_line(
    run: Run, tmp_path: Path
) -> None:
    deals = write(tmp_path / "reported.jsonl", [REPORTED[0], reported(None, DEALS[1])])
    with freeze_time(NOW):
        line = one_error_line(run("record", str(deals), "--as-reported"))
    assert line == (
        f"Error: {deals}:2: source.date: missing; recording as reported needs every event's "
        "source date"
    )
    assert as_json(run("log", "--format", "json")) == []


def test_as_reported_a_file_not_after_the_stores_latest_exits_2_naming_both(
    run: Run, tmp_path: Path
) -> None:
    deals = write(tmp_path / "reported.jsonl", REPORTED)
    with freeze_time(NOW):
        run("record", str(deals), "--as-reported")
        line = one_error_line(run("record", str(deals), "--as-reported"))
    assert line == (
        "Error: as reported: the earliest source date, 2026-04-20, known from "
        "2026-04-20T00:00:00Z: not after the store's latest knowledge instant, "
        "2026-10-01T00:00:00Z; the log stays ordered in knowledge time"
    )


def test_as_reported_a_source_date_later_than_now_exits_2(run: Run, tmp_path: Path) -> None:
    deals = write(tmp_path / "reported.jsonl", REPORTED)
    with freeze_time("2026-09-30T12:00:00Z"):
        line = one_error_line(run("record", str(deals), "--as-reported"))
    assert line.startswith(f"Error: {deals}:2: source.date 2026-10-01, known from "), line
    assert as_json(run("log", "--format", "json")) == []


def test_recorded_at_and_as_reported_together_are_a_usage_error(run: Run, deals_file: Path) -> None:
    result = run("record", str(deals_file), "--as-reported", "--recorded-at", "2025-10-01")
    assert result.exit_code == 2
    assert "--recorded-at and --as-reported exclude each other" in result.stderr
