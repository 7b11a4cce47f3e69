"""The broker restarted under `capledger publish --follow` (a nats-server of the test's own, on
a free port, with its own store directory): the relay retries, resumes by itself, and the stream
ends up holding every event exactly once, in log order."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.nats_servers import OwnServer, own_server_available, stream_count

from .conftest import open_ledger
from .feed_checks import assert_consumer_equals_positions, assert_exactly_once_in_order

CAPLEDGER = [sys.executable, "-c", "from cli.main import main; main()"]
APPENDER = [sys.executable, str(Path(__file__).with_name("appender.py"))]


def _wait_until(check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.nats
def test_a_relay_resumes_by_itself_after_the_broker_restarts_losing_and_doubling_nothing(
    store_url: str, tmp_path: Path
) -> None:
    missing = own_server_available()
    if missing:
        pytest.skip(missing)  # fails under CI=true (tests/conftest.py)
    server = OwnServer(tmp_path / "jetstream")
    server.start()
    stop = tmp_path / "stop"
    stream = "RESTARTED"
    relay_err = tmp_path / "relay.err"
    open_ledger(store_url).close()  # made before the relay starts: publish reads, never creates
    appender = relay = None
    try:
        appender = subprocess.Popen([*APPENDER, store_url, "3", "0.02", str(stop)])
        with relay_err.open("wb") as errors:
            destination = ["--to", server.url, "--stream", stream]
            relay = subprocess.Popen(
                [*CAPLEDGER, "--db", store_url, "publish", *destination, "--follow"],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        _wait_until(lambda: stream_count(server.url, stream) > 50)
        server.stop()  # mid-publish: the log keeps growing meanwhile
        time.sleep(1.0)
        server.start()
        _wait_until(lambda: relay_err.read_text().count("retrying in") >= 1)
        published = stream_count(server.url, stream)
        _wait_until(lambda: stream_count(server.url, stream) > published + 50)
        stop.touch()
        assert appender.wait(timeout=60) == 0
        with_all = len(list(_ids(store_url)))
        _wait_until(lambda: stream_count(server.url, stream) >= with_all)
        relay.send_signal(signal.SIGTERM)
        out, _ = relay.communicate(timeout=30)

        assert relay.returncode == 0, relay_err.read_text()
        assert out.startswith("published ")
        said = relay_err.read_text().splitlines()
        assert said and all(" retrying in " in line for line in said), said
        assert assert_exactly_once_in_order(store_url, server.url, stream) == with_all
        assert_consumer_equals_positions(store_url, server.url, stream, tmp_path / "consumer.db")
    finally:
        stop.touch()
        for process in (relay, appender):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        server.stop()


def _ids(store_url: str) -> list[str]:
    with open_ledger(store_url) as ledger:
        return [str(row.event_id) for row in ledger.read_all()]
