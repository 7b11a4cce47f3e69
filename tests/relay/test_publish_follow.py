"""`capledger publish --follow` in a process of its own: it publishes what is recorded while it
runs, and Ctrl-C or SIGTERM stops it cleanly, the checkpoint at what was acknowledged."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.nats_servers import free_port, stream_messages

from .conftest import checkpoints, demo_lines, prefix_of, record

CAPLEDGER = [sys.executable, "-c", "from cli.main import main; main()"]


def started(store_url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CAPLEDGER, "--db", store_url, "publish", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(count: int, nats_url: str, stream: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(stream_messages(nats_url, stream)) >= count:
                return
        except Exception:
            pass  # the stream is not made yet
        time.sleep(0.05)
    raise AssertionError(f"the stream never held {count} messages")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_following_publishes_new_events_and_a_signal_stops_it_cleanly_with_status_0(
    store_url: str, nats_url: str, stream: str, stop: signal.Signals
) -> None:
    record(store_url, demo_lines(0, 30))
    destination = ("--to", nats_url, "--stream", stream, "--subject-prefix", prefix_of(stream))
    follower = started(store_url, *destination, "--follow")
    try:
        wait_for(30, nats_url, stream)
        record(store_url, demo_lines(30))
        wait_for(79, nats_url, stream)
        follower.send_signal(stop)
        out, err = follower.communicate(timeout=20)
    finally:
        follower.kill()

    assert follower.returncode == 0, err
    assert out == f"published 79 events to {nats_url} stream {stream} (up to position 79)\n"
    assert err == ""
    found = stream_messages(nats_url, stream)
    assert [int(message.headers["Capledger-Seq"]) for message in found] == list(range(1, 80))
    assert checkpoints(store_url) == {f"{nats_url} stream {stream}": (79, 79)}


@pytest.mark.parametrize(("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_run_stopped_before_it_reached_the_head_exits_128_plus_the_signal(
    sqlite_url: str, tmp_path: Path, stop: signal.Signals, status: int
) -> None:
    record(sqlite_url, demo_lines(0, 5))
    unreachable = f"nats://127.0.0.1:{free_port()}"
    runner = started(sqlite_url, "--to", unreachable, "--give-up-after", "30")
    time.sleep(1.5)  # retrying, with nothing acknowledged
    runner.send_signal(stop)
    out, err = runner.communicate(timeout=20)

    assert runner.returncode == status
    assert out == f"published 0 events to {unreachable} stream CAPLEDGER (up to position 0)\n"
    assert "retrying in" in err and "Traceback" not in err
    assert checkpoints(sqlite_url) == {}
