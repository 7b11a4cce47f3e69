"""examples/consumer.py, a downstream projection of the stream, equals `capledger positions`,
after a full replay and after incremental ones."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from datetime import date
from pathlib import Path
from types import ModuleType

from tests.nats_servers import unique_stream

from .conftest import cli, demo_lines, publish, record

EXAMPLE = Path(__file__).parents[2] / "examples" / "consumer.py"
DATES = ("2023-12-31", "2025-06-30", "2027-01-01", "2040-01-01")


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("capledger_example_consumer", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def consume(consumer: ModuleType, db: Path, nats_url: str, stream: str) -> None:
    args = ["--db", str(db), "--server", nats_url, "--stream", stream, "--wait", "0.3"]
    assert consumer.main([*args, "--durable", "positions", "--batch", "25"]) == 0


def consumer_positions(consumer: ModuleType, db: Path, as_of: str) -> list[dict[str, str]]:
    connection = sqlite3.connect(db)
    try:
        return list(consumer.positions(connection, date.fromisoformat(as_of)))
    finally:
        connection.close()


def capledger_positions(store_url: str, as_of: str) -> list[dict[str, str]]:
    result = cli(store_url, "positions", "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def assert_equal_to_positions(consumer: ModuleType, db: Path, store_url: str) -> None:
    for as_of in DATES:
        expected = capledger_positions(store_url, as_of)
        assert expected, as_of
        assert consumer_positions(consumer, db, as_of) == expected, as_of


def test_the_example_consumer_equals_positions_after_incremental_and_full_replays(
    store_url: str, nats_url: str, stream: str, tmp_path: Path
) -> None:
    consumer = example()
    incremental = tmp_path / "incremental.db"
    for start, stop in ((0, 30), (30, 55), (55, None)):  # corrections come in the last part
        record(store_url, demo_lines(start, stop))
        assert publish(store_url, nats_url, stream).exit_code == 0
        consume(consumer, incremental, nats_url, stream)
        assert_equal_to_positions(consumer, incremental, store_url)

    full = tmp_path / "full.db"
    again = unique_stream("full")
    try:
        assert publish(store_url, nats_url, again).exit_code == 0
        consume(consumer, full, nats_url, again)
        assert_equal_to_positions(consumer, full, store_url)
    finally:
        from tests.nats_servers import delete_stream

        delete_stream(nats_url, again)
    consume(consumer, incremental, nats_url, stream)  # nothing new: nothing applied twice
    assert_equal_to_positions(consumer, incremental, store_url)
    with sqlite3.connect(incremental) as connection:
        assert connection.execute("SELECT count(*) FROM stream_events").fetchone() == (79,)
