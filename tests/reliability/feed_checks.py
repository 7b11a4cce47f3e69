"""What the relay's reliability tests check once the relay is done: the stream holds every
event of the log exactly once, in log order, and the example consumer's table equals
`capledger positions`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.nats_servers import stream_messages

from .conftest import cli, open_ledger

ROOT = Path(__file__).parents[2]
CONSUMER = ROOT / "examples" / "consumer.py"
DATES = ("2026-03-01", "2026-10-15", "2100-01-01")


def assert_exactly_once_in_order(store_url: str, nats_url: str, stream: str) -> int:
    """The stream's messages are the log's events, each once, in position order; their count."""
    with open_ledger(store_url) as ledger:
        ids = [str(row.event_id) for row in ledger.read_all()]
    found = stream_messages(nats_url, stream)
    positions = [int(message.headers["Capledger-Seq"]) for message in found]
    duplicated = len(positions) - len(set(positions))
    lost = len(set(range(1, len(ids) + 1)) - set(positions))
    assert (lost, duplicated) == (0, 0), (lost, duplicated)
    assert positions == list(range(1, len(ids) + 1))
    assert [message.headers["Nats-Msg-Id"] for message in found] == ids
    return len(found)


def assert_consumer_equals_positions(
    store_url: str, nats_url: str, stream: str, consumer_db: Path
) -> None:
    """examples/consumer.py, run to the end of the stream, answers as `positions` does."""
    base = [sys.executable, str(CONSUMER), "--db", str(consumer_db)]
    consumed = subprocess.run(
        [*base, "--server", nats_url, "--stream", stream, "--wait", "0.3"],
        capture_output=True,
        text=True,
    )
    assert consumed.returncode == 0, consumed.stderr[-3000:]
    for as_of in DATES:
        shown = subprocess.run(
            [*base, "--show", "--as-of", as_of], check=True, capture_output=True, text=True
        )
        expected = cli(store_url, "positions", "--as-of", as_of, "--format", "json")
        assert json.loads(shown.stdout) == json.loads(expected.stdout), as_of
