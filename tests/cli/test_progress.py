"""Progress for long work goes to stderr on a terminal, and nowhere otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import record as record_command
from cli.progress import Reporter, counting, finish, reporter

from .conftest import Run


def test_counting_reports_every_few_thousand_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert sum(1 for _ in counting(range(5_000), "recording", enabled=True)) == 5_000
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "recording: 4,000" in captured.err
    assert captured.err.endswith("recording: 5,000 done\n")


def test_counting_is_quiet_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert list(counting(range(5_000), "recording", enabled=False)) == list(range(5_000))
    assert capsys.readouterr().err == ""


def test_a_reporter_draws_one_line_per_projection(capsys: pytest.CaptureFixture[str]) -> None:
    report = reporter("rebuilding", enabled=True)
    assert report is not None
    report("position_postings", 10_000)
    finish(report)
    assert capsys.readouterr().err == "\rrebuilding position_postings: 10,000 events\n"
    assert reporter("rebuilding", enabled=False) is None


def test_a_reporter_that_drew_nothing_leaves_no_line(capsys: pytest.CaptureFixture[str]) -> None:
    finish(reporter("filling", enabled=True))
    assert capsys.readouterr().err == ""


def test_record_on_a_terminal_tells_how_far_the_read_models_are_updated(
    run: Run, deals_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_command, "reporter", lambda label: Reporter(label))
    result = run("record", str(deals_file))
    assert result.exit_code == 0
    assert result.stdout == "recorded 5 events (0 already present)\n"
    assert "updating position_postings: 5 events" in result.stderr
    assert "updating tranche_schedule: 5 events" in result.stderr
    assert result.stderr.endswith("\n")
