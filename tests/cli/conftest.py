"""Running the command line in-process, on each backend, as a user's script would."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import capledger

Run = Callable[..., Result]

DEALS = [
    {
        "type": "CommitmentMade",
        "commitment": "aws-anthropic-2026-capacity",
        "effective": "2026-04-20",
        "provider": "amazon",
        "holder": "anthropic",
        "kind": "capacity",
        "bound": "up_to",
        "amounts": {"gw": "5"},
        "term_start": "2026-04-20",
        "term_end": "2036-04-20",
        "source": {"publisher": "Reuters", "date": "2026-04-20"},
    },
    {
        "type": "TrancheScheduled",
        "commitment": "aws-anthropic-2026-capacity",
        "effective": "2026-04-20",
        "tranche": "trainium-2026",
        "amounts": {"gw": "1"},
        "due": "2026-12-31",
    },
    {
        "type": "DeliveryRecorded",
        "commitment": "aws-anthropic-2026-capacity",
        "effective": "2026-09-30",
        "tranche": "trainium-2026",
        "amounts": {"mw": "400"},
    },
    {
        "type": "CommitmentMade",
        "commitment": "amazon-anthropic-investment-2023",
        "effective": "2023-09-25",
        "provider": "amazon",
        "holder": "anthropic",
        "kind": "investment",
        "bound": "up_to",
        "amounts": {"usd": "4000000000"},
    },
    {
        "type": "DeliveryRecorded",
        "commitment": "amazon-anthropic-investment-2023",
        "effective": "2023-09-25",
        "amounts": {"usd": "1250000000"},
    },
]


@pytest.fixture
def run(store_url: str) -> Run:
    """Invoke `capledger --db STORE ARGS...`; stdout and stderr are kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            capledger, ["--db", store_url, *args], input=input, env=env, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def deals_file(tmp_path: Path) -> Path:
    """The example deals as a JSONL file."""
    path = tmp_path / "deals.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in DEALS), encoding="utf-8")
    return path


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
