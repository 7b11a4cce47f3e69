"""kill -9 `capledger publish --follow` at random moments while another process appends, and
restart it each time: the stream ends up holding every event exactly once, in log order, and
the example consumer's table equals `capledger positions`."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.nats_servers import stream_count, unique_stream

from .conftest import cli, open_ledger
from .feed_checks import assert_consumer_equals_positions, assert_exactly_once_in_order
from .workload import scaled

TRIALS = scaled(10)  # per backend: 20 in `make test`, 100 under `make soak`
CAPLEDGER = [sys.executable, "-c", "from cli.main import main; main()"]
APPENDER = [sys.executable, str(Path(__file__).with_name("appender.py"))]


@pytest.mark.slow
def test_a_relay_killed_at_random_and_restarted_publishes_every_event_exactly_once(
    new_store: Callable[[], str],
    nats_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    backend = request.node.callspec.params["new_store"]
    rng = random.Random(f"relay-crash/{backend}")
    url = new_store()
    open_ledger(url).close()  # the store made before the appender and the relay race to it
    stream = unique_stream("crash")
    destination = ["--to", nats_url, "--stream", stream, "--subject-prefix", stream.lower()]
    appended = tmp_path / "appender.err"
    with appended.open("wb") as errors:
        stop = tmp_path / "stop"
        appender = subprocess.Popen([*APPENDER, url, "7", "0.03", str(stop)], stderr=errors)
    grew = 0
    try:
        for trial in range(TRIALS):
            before = stream_count(nats_url, stream)
            said = tmp_path / f"relay-{trial}.err"
            with said.open("wb") as errors:
                relay = subprocess.Popen(
                    [*CAPLEDGER, "--db", url, "publish", *destination, "--follow"],
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                )
            try:
                relay.wait(timeout=rng.uniform(0.4, 1.6))
            except subprocess.TimeoutExpired:
                os.kill(relay.pid, signal.SIGKILL)
                relay.wait()
            assert relay.returncode == -signal.SIGKILL, said.read_text()
            grew += stream_count(nats_url, stream) > before
        assert appender.poll() is None, appended.read_text()  # the log grew all along
        assert grew >= TRIALS // 2, grew  # most kills land while it publishes
        stop.touch()
        assert appender.wait(timeout=60) == 0, appended.read_text()

        result = cli(url, "publish", *destination)
        assert result.exit_code == 0, result.output
        assert assert_exactly_once_in_order(url, nats_url, stream) > 100
        assert_consumer_equals_positions(url, nats_url, stream, tmp_path / "consumer.db")
    finally:
        appender.kill()
        appender.wait()
        from tests.nats_servers import delete_stream

        delete_stream(nats_url, stream)
