"""Running `capledger publish` against a store on each backend and a NATS server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import select

from cli.main import capledger
from ledger import Ledger
from relay import feed_checkpoints

DEMO = Path(__file__).parents[2] / "cli" / "demo" / "public-deals.jsonl"


def cli(store_url: str, *args: str) -> Result:
    """`capledger --db URL ARGS...` in-process; an uncaught exception fails the test."""
    return CliRunner().invoke(capledger, ["--db", store_url, *args], catch_exceptions=False)


def prefix_of(stream: str) -> str:
    """The subject prefix of a test's stream: its own, as streams' subjects may not overlap."""
    return stream.lower()


def publish(store_url: str, nats_url: str, stream: str, *args: str) -> Result:
    """`capledger publish` to the test's stream (under its own prefix unless one is given)."""
    if "--subject-prefix" not in args:
        args = ("--subject-prefix", prefix_of(stream), *args)
    return cli(store_url, "publish", "--to", nats_url, "--stream", stream, *args)


def demo_lines(start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
    """Events of the bundled demo ledger (public deals), lines [start, stop)."""
    lines = DEMO.read_text(encoding="utf-8").splitlines()[start:stop]
    return [json.loads(line) for line in lines if line.strip()]


def record(store_url: str, events: list[dict[str, Any]]) -> None:
    with Ledger.open(store_url, actor="tester") as ledger:
        ledger.record(events)


def checkpoints(store_url: str) -> dict[str, tuple[int, int]]:
    with Ledger.open(store_url) as ledger, ledger.engine.connect() as connection:
        rows = connection.execute(
            select(
                feed_checkpoints.c.destination,
                feed_checkpoints.c.position,
                feed_checkpoints.c.sequence,
            )
        )
        return {destination: (position, sequence) for destination, position, sequence in rows}


def log_lines(store_url: str) -> list[str]:
    """What `capledger log --format jsonl` prints, a line an event."""
    result = cli(store_url, "log", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()
