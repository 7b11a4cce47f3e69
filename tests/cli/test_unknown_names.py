"""A filter value the ledger has never held is refused on stderr, naming the nearest names it
does hold (exit 2); a known name that matches no row at the date asked about is an empty
answer. An event on a commitment the ledger does not hold names the nearest commitments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run

SUGGESTED = "did you mean anthropic?\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["positions", "--holder", "anthropc"], "no holder is named 'anthropc'; " + SUGGESTED),
        (
            ["positions", "--provider", "amazn", "--by", "holder,kind,resource"],
            "no provider is named 'amazn'; did you mean amazon?\n",
        ),
        (
            ["positions", "--resource", "gws", "--by", "holder,kind"],
            "no resource is named 'gws'; did you mean gw?\n",
        ),
        (
            ["positions", "--commitment", "aws-anthropic-2026-capcity"],
            "no commitment is named 'aws-anthropic-2026-capcity'; "
            "did you mean aws-anthropic-2026-capacity?\n",
        ),
        (["timeline", "--holder", "anthropc"], "no holder is named 'anthropc'; " + SUGGESTED),
        (
            ["changes", "--known-from", "2020-01-01", "--holder", "anthropc"],
            "no holder is named 'anthropc'; " + SUGGESTED,
        ),
        (
            ["log", "--commitment", "amazon-anthropic-investment-2032"],
            "no commitment is named 'amazon-anthropic-investment-2032'; "
            "did you mean amazon-anthropic-investment-2023?\n",
        ),
        (["exposure", "--holder", "anthropc"], "no holder is named 'anthropc'; " + SUGGESTED),
        (
            ["exposure", "--side", "holder", "--provider", "amazn"],
            "no provider is named 'amazn'; did you mean amazon?\n",
        ),
        (["exposure", "--resource", "gws"], "no resource is named 'gws'; did you mean gw?\n"),
        (
            ["exposure", "--provider", "amazn", "--chart", "amazn.png"],
            "no provider is named 'amazn'; did you mean amazon?\n",
        ),
        (["overdue", "--holder", "anthropc"], "no holder is named 'anthropc'; " + SUGGESTED),
        (
            ["overdue", "--commitment", "aws-anthropic-2026-capcity"],
            "no commitment is named 'aws-anthropic-2026-capcity'; "
            "did you mean aws-anthropic-2026-capacity?\n",
        ),
        (
            ["positions", "--holder", "xyzzy"],
            "no holder is named 'xyzzy'; the ledger's holders are anthropic\n",
        ),
    ],
)
def test_a_filter_value_that_names_nothing_is_refused_with_the_nearest_names(
    run: Run, deals_file: Path, args: list[str], message: str
) -> None:
    run("record", str(deals_file))
    result = run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: " + message


def test_a_known_name_without_rows_at_that_date_is_an_empty_answer(
    run: Run, deals_file: Path
) -> None:
    run("record", str(deals_file))
    result = run("positions", "--holder", "anthropic", "--as-of", "2020-01-01")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "(no rows)\n", "")
    logged = run("log", "--commitment", "aws-anthropic-2026-capacity", "--since", "99")
    assert (logged.exit_code, logged.stdout) == (0, "(no rows)\n")
    late = run("overdue", "--holder", "anthropic", "--as-of", "2020-01-01")
    assert (late.exit_code, late.stdout, late.stderr) == (0, "(no rows)\n", "")
    shared = run("exposure", "--provider", "amazon", "--as-of", "2020-01-01")
    assert (shared.exit_code, shared.stderr) == (0, "")
    assert shared.stdout == "no committed amounts for amazon as of 2020-01-01: no exposure\n"


def test_an_event_on_an_unknown_commitment_names_the_nearest_commitments(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    run("record", str(deals_file))
    typo = tmp_path / "typo.jsonl"
    delivery = {
        "type": "DeliveryRecorded",
        "commitment": "aws-anthropic-2026-capacty",
        "effective": "2026-10-01",
        "amounts": {"gw": "1"},
    }
    typo.write_text(json.dumps(delivery) + "\n", encoding="utf-8")
    result = run("record", str(typo))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {typo}:1: type: stream 'aws-anthropic-2026-capacty' must open with "
        "CommitmentMade, not DeliveryRecorded: no commitment is named "
        "'aws-anthropic-2026-capacty'; did you mean aws-anthropic-2026-capacity?\n"
    )
    assert run("verify").stdout == "ok: 5 events, chain intact\n"
