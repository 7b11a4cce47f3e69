"""The benchmark runs end to end at a tiny N, so that it never rots (no timing assertions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench.__main__ import main
from tests.bench.run import drop_pg_databases, postgres_answers

EXPECTED_ROWS = (
    "record, CLI",
    "record --as-reported, CLI",
    "record, API",
    "record, CLI: peak RSS",
    "record, API: peak RSS",
    "positions, median",
    "positions, p95",
    "timeline, 10 years monthly",
    "changes between two knowledge instants",
    "exposure (by provider, committed)",
    "flows, median",
    "flows --cycles",
    "overdue, median",
    "project --rebuild",
    "verify",
)
FEED_ROWS = (
    "publish to NATS JetStream",
    "publish --follow: commit to ack, p50",
    "publish --follow: commit to ack, p99",
)


def test_the_benchmark_runs_and_reports_every_row(tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    status = main(
        [
            "--sizes",
            "1500",
            "--backends",
            "sqlite",
            "--queries",
            "5",
            "--workdir",
            str(tmp_path),
            "--write",
            str(report),
        ]
    )
    assert status == 0
    text = report.read_text(encoding="utf-8")
    table = [
        line
        for line in text.splitlines()
        if (line.startswith("| ") and "events/s" in line) or " ms |" in line or " MB |" in line
    ]
    from tests.conftest import IN_CI
    from tests.nats_servers import nats_answers

    feed = FEED_ROWS if IN_CI or nats_answers() is None else ()  # .ci/run starts NATS
    for work in (*EXPECTED_ROWS, *feed):
        line = next((row for row in table if row.startswith(f"| {work}")), None)
        assert line is not None, f"no row for {work}"
        capledger = line.split(" | ")[2]
        assert float(capledger.rstrip("k").replace(",", "")) > 0
    assert "## Machine" in text and "## Targets" in text
    for target in ("| record ≥ 60k events/s (CLI) |", "| rebuild ≥ 150k events/s |"):
        line = next(row for row in text.splitlines() if row.startswith(target))
        alone = line.split(" | ")[2]
        assert alone.endswith(" events/s") and float(alone.split()[0].rstrip("k")) > 0


@pytest.mark.slow
@pytest.mark.postgres
def test_the_benchmark_on_postgresql_reports_and_leaves_no_database_behind(
    tmp_path: Path,
) -> None:
    if not postgres_answers():  # a skip fails the run under CI=true (tests/conftest.py)
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    report = tmp_path / "benchmarks.md"
    status = main(
        ["--sizes", "1500", "--backends", "postgresql", "--queries", "5", "--write", str(report)]
    )
    assert status == 0
    assert "## postgresql, N = 1,500" in report.read_text(encoding="utf-8")
    assert drop_pg_databases(1500) == []  # the run dropped its own
