"""NATS servers for the tests: the machine's (127.0.0.1:4222, or CAPLEDGER_TEST_NATS), one of a
test's own that it may stop and start, and reading back what a stream holds.

Each test uses streams of its own (`unique_stream`), deleted when it ends, so that runs never
collide on the shared server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

NATS_URL = os.environ.get("CAPLEDGER_TEST_NATS", "nats://127.0.0.1:4222")
T = TypeVar("T")


def host_port(url: str) -> tuple[str, int]:
    host, _, port = url.removeprefix("nats://").rpartition(":")
    return host, int(port)


def nats_answers(url: str = NATS_URL, timeout: float = 1.0) -> str | None:
    """None if a NATS server with JetStream answers at `url`, else why not."""
    host, port = host_port(url)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            greeting = connection.recv(4096).decode("utf-8", "replace")
    except OSError as error:
        return f"no NATS server answers at {url}: {type(error).__name__}"
    if not greeting.startswith("INFO") or '"jetstream":true' not in greeting.replace(" ", ""):
        return f"the server at {url} is not NATS with JetStream enabled"
    return None


def unique_stream(label: str = "T") -> str:
    return f"CAPTEST_{label}_{uuid.uuid4().hex[:10]}"


def on_server(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(jetstream)` against the server at `url`, connected for the call."""
    import nats

    async def call() -> T:
        connection = await nats.connect(url, allow_reconnect=False, connect_timeout=3)
        try:
            return await work(connection.jetstream())
        finally:
            await connection.close()

    return asyncio.run(call())


@dataclass(frozen=True)
class Stored:
    """A message as the stream holds it."""

    sequence: int
    subject: str
    headers: dict[str, str]
    body: bytes


def stream_messages(url: str, stream: str) -> list[Stored]:
    """Every message the stream holds, in stream order."""

    async def read(jetstream: Any) -> list[Stored]:
        state = (await jetstream.stream_info(stream)).state
        found = []
        for sequence in range(state.first_seq, state.last_seq + 1) if state.messages else ():
            raw = await jetstream.get_msg(stream, seq=sequence)
            found.append(Stored(sequence, raw.subject, dict(raw.headers or {}), raw.data or b""))
        return found

    return on_server(url, read)


def stream_count(url: str, stream: str) -> int:
    """How many messages the stream holds (0 if it is not made yet)."""

    async def count(jetstream: Any) -> int:
        try:
            return int((await jetstream.stream_info(stream)).state.messages)
        except Exception:
            return 0

    return on_server(url, count)


def delete_stream(url: str, stream: str) -> None:
    async def delete(jetstream: Any) -> None:
        with contextlib.suppress(Exception):  # never made, or already gone
            await jetstream.delete_stream(stream)

    on_server(url, delete)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnServer:
    """A nats-server of a test's own, with JetStream, on a free port: stopped and started at will
    (the machine's server is never restarted)."""

    def __init__(self, store: Path) -> None:
        binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.command = [binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(store)]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while nats_answers(self.url, timeout=0.2) is not None:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"nats-server did not start: {' '.join(self.command)}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


def own_server_available() -> str | None:
    """None if this machine can run a nats-server of a test's own, else why not."""
    if shutil.which("nats-server") or Path("/usr/sbin/nats-server").exists():
        return None
    return "no nats-server binary to start a server of the test's own"
