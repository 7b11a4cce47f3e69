"""`capledger log` filtered by commitment, type, recording instant and effective date (each
bound included), and `Ledger.read_all` doing the filtering in its queries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from freezegun import freeze_time
from sqlalchemy import event

from ledger import Ledger

from .conftest import DEALS, Run, as_json

AWS = "aws-anthropic-2026-capacity"
INVESTMENT = "amazon-anthropic-investment-2023"


def recorded_in_two_batches(run: Run, tmp_path: Path) -> None:
    """The three AWS capacity events at 2026-05-01 09:00, the investment's two a day later."""
    for name, events, instant in (
        ("first.jsonl", DEALS[:3], "2026-05-01T09:00:00Z"),
        ("second.jsonl", DEALS[3:], "2026-05-02T09:00:00Z"),
    ):
        path = tmp_path / name
        path.write_text("".join(json.dumps(item) + "\n" for item in events), encoding="utf-8")
        with freeze_time(instant):
            assert run("record", str(path)).exit_code == 0


def logged(run: Run, *args: str) -> list[tuple[int, str, str]]:
    """(position, commitment, type) of each event `log ARGS` prints."""
    rows: list[dict[str, Any]] = as_json(run("log", *args, "--format", "json"))
    return [(row["position"], row["commitment"], row["type"]) for row in rows]


def test_log_keeps_only_the_commitment_and_the_types_asked_for(run: Run, tmp_path: Path) -> None:
    recorded_in_two_batches(run, tmp_path)
    assert logged(run, "--commitment", INVESTMENT) == [
        (4, INVESTMENT, "CommitmentMade"),
        (5, INVESTMENT, "DeliveryRecorded"),
    ]
    assert logged(run, "--type", "DeliveryRecorded") == [
        (3, AWS, "DeliveryRecorded"),
        (5, INVESTMENT, "DeliveryRecorded"),
    ]
    both = logged(run, "--type", "CommitmentMade", "--type", "TrancheScheduled")
    assert [position for position, _, _ in both] == [1, 2, 4]
    assert logged(run, "--commitment", AWS, "--type", "DeliveryRecorded") == [
        (3, AWS, "DeliveryRecorded")
    ]


def test_log_keeps_what_was_recorded_and_effective_within_the_bounds_given(
    run: Run, tmp_path: Path
) -> None:
    recorded_in_two_batches(run, tmp_path)
    exact = "2026-05-02T09:00:00.000000Z"
    assert [p for p, _, _ in logged(run, "--recorded-from", exact)] == [4, 5]
    assert [p for p, _, _ in logged(run, "--recorded-to", exact)] == [1, 2, 3, 4, 5]
    assert [p for p, _, _ in logged(run, "--recorded-to", "2026-05-02T08:59:59Z")] == [1, 2, 3]
    # A date starts a range at its first instant and ends one at its last.
    assert [p for p, _, _ in logged(run, "--recorded-from", "2026-05-02")] == [4, 5]
    assert [p for p, _, _ in logged(run, "--recorded-to", "2026-05-01")] == [1, 2, 3]
    assert [p for p, _, _ in logged(run, "--effective-from", "2026-04-20")] == [1, 2, 3]
    window = logged(run, "--effective-from", "2023-09-25", "--effective-to", "2026-04-20")
    assert [p for p, _, _ in window] == [1, 2, 4, 5]
    mixed = ["--recorded-from", "2026-05-01", "--recorded-to", "2026-05-01"]
    assert [p for p, _, _ in logged(run, *mixed, "--effective-to", "2026-04-20")] == [1, 2]
    assert [p for p, _, _ in logged(run, "--since", "1", "--limit", "1", *mixed)] == [2]


def test_a_range_that_ends_before_it_starts_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    recorded_in_two_batches(run, tmp_path)
    result = run("log", "--effective-from", "2026-05-01", "--effective-to", "2026-04-01")
    assert result.exit_code == 2
    assert "Error: --effective-to 2026-04-01 is before --effective-from 2026-05-01" in (
        result.stderr
    )
    unknown = run("log", "--type", "DeliveryMade")
    assert unknown.exit_code == 2
    assert "'DeliveryMade' is not one of 'CommitmentMade'" in unknown.stderr


def test_read_all_filters_in_its_queries_not_after_reading(ledger: Ledger) -> None:
    with freeze_time("2026-05-01T09:00:00Z"):
        ledger.record(DEALS)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]).lower())

    event.listen(ledger.engine, "before_cursor_execute", seen)
    try:
        found = ledger.read_all(
            commitment=AWS,
            types=["TrancheScheduled", "DeliveryRecorded"],
            recorded_from=datetime(2026, 5, 1, tzinfo=UTC),
            effective_from=date(2026, 4, 20),
            effective_to=date(2026, 9, 30),
        )
        assert [row.position for row in found] == [2, 3]
    finally:
        event.remove(ledger.engine, "before_cursor_execute", seen)
    page = next(text for text in statements if "select events.position, events.event_id" in text)
    for clause in ("events.commitment =", "events.type in", "events.effective >=", "effective <="):
        assert clause in page, page
    assert any("recorded_at <" in text for text in statements), statements
