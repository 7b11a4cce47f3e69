"""The relay's benchmark rows: `capledger publish` beside nats-py alone, and --follow's latency.

- publish: `capledger publish` (the CLI, start-up included) of a store's N events to a fresh
  JetStream stream, beside the raw limit: nats-py publishing the same bodies and headers to
  another fresh stream with the same pipelining (a window of RelayOptions.batch publishes,
  then every acknowledgement), in the same run.
- follow latency: the relay following a log that a writer process appends to at `rate` events
  a second (batches of ten); per event, from the writer's commit returning to the broker's
  acknowledgement reaching the relay, p50 and p99.

    python -m tests.bench.feed writer URL RATE SECONDS LOG   (the writer, in its own process)
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from .limits import median
from .run import Row
from .synth import synthetic_events

NATS_URL = "nats://127.0.0.1:4222"
PUBLISH = "publish to NATS JetStream (CLI)"
FOLLOW_P50 = "publish --follow: commit to ack, p50"
FOLLOW_P99 = "publish --follow: commit to ack, p99"
WRITER_BATCH = 10


def nats_answers(url: str = NATS_URL) -> bool:
    from tests.nats_servers import nats_answers as why_not

    return why_not(url) is None


def feed_rows(
    store_url: str,
    n: int,
    workdir: Path,
    *,
    follow_seconds: float = 10.0,
    rate: int = 1_000,
    log: Callable[[str], None] = print,
) -> list[Row]:
    """The three rows, against the NATS server at NATS_URL (streams made and deleted here)."""
    from tests.nats_servers import delete_stream

    ours, raw = f"CAPBENCH_{uuid.uuid4().hex[:8]}", f"CAPBENCH_RAW_{uuid.uuid4().hex[:8]}"
    try:
        log(f"[feed {n}] capledger publish ...")
        started = time.perf_counter()
        destination = ["--to", NATS_URL, "--stream", ours, "--subject-prefix", ours.lower()]
        subprocess.run(
            [
                str(Path(sys.executable).with_name("capledger")),
                "--db",
                store_url,
                "publish",
                *destination,
            ],
            check=True,
            capture_output=True,
        )
        publish_rate = n / (time.perf_counter() - started)
        log(f"[feed {n}] nats-py alone ...")
        raw_rate = n / asyncio.run(_raw_publish(store_url, raw))
    finally:
        delete_stream(NATS_URL, ours)
        delete_stream(NATS_URL, raw)
    log(f"[feed {n}] --follow latency, a writer at {rate} events/s ...")
    latencies = follow_latencies(workdir, follow_seconds, rate)
    return [
        Row(PUBLISH, "events/s", publish_rate, None, raw_rate),
        Row(FOLLOW_P50, "ms", median(latencies), better="lower"),
        Row(FOLLOW_P99, "ms", percentile(latencies, 0.99), better="lower"),
    ]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


async def _raw_publish(store_url: str, stream: str) -> float:
    """Seconds nats-py takes to publish the store's messages (made beforehand, not timed) with
    the relay's pipelining: a window of publishes, then every acknowledgement."""
    import nats

    from ledger import Ledger
    from relay import RelayOptions, message_of

    prefix = stream.lower()
    with Ledger.open(store_url) as ledger:
        messages = [message_of(stored, prefix) for stored in ledger.read_all()]
    window = RelayOptions().batch
    connection = await nats.connect(NATS_URL)
    try:
        jetstream = connection.jetstream(publish_async_max_pending=window)
        await jetstream.add_stream(name=stream, subjects=[f"{prefix}.>"], storage="file")
        started = time.perf_counter()
        for start in range(0, len(messages), window):
            pending = [
                await jetstream.publish_async(m.subject, m.body, headers=dict(m.headers))
                for m in messages[start : start + window]
            ]
            await asyncio.gather(*pending)
        return time.perf_counter() - started
    finally:
        await connection.close()


def follow_latencies(workdir: Path, seconds: float, rate: int) -> list[float]:
    """Per event, ms from the writer's commit to the relay's acknowledgement."""
    from ledger import Ledger
    from relay import nats_sink
    from tests.nats_servers import delete_stream

    url = f"sqlite:///{workdir / f'feed_follow_{uuid.uuid4().hex[:6]}.db'}"
    Ledger.open(url).close()
    stream = f"CAPBENCH_FOLLOW_{uuid.uuid4().hex[:8]}"
    commits = workdir / f"{stream}.json"
    acked: dict[int, float] = {}
    arguments = [url, str(rate), str(seconds), str(commits)]
    writer = subprocess.Popen([sys.executable, "-m", "tests.bench.feed", "writer", *arguments])
    try:
        with Ledger.open(url) as ledger:
            sink = _Timed(nats_sink(NATS_URL, stream=stream, prefix=stream.lower()), acked)
            asyncio.run(_follow_until(ledger, sink, stream.lower(), writer))
    finally:
        writer.kill()
        delete_stream(NATS_URL, stream)
    latencies = []
    for last_position, size, committed in json.loads(commits.read_text(encoding="utf-8")):
        for position in range(last_position - size + 1, last_position + 1):
            latencies.append((acked[position] - committed) * 1000)
    return latencies


async def _follow_until(ledger: Any, sink: Any, prefix: str, writer: Any) -> None:
    from relay import Relay, RelayOptions

    stop = asyncio.Event()
    relay = Relay(ledger, sink, prefix, RelayOptions(follow=True), stop=stop)
    task = asyncio.create_task(relay.run())
    while writer.poll() is None:
        await asyncio.sleep(0.05)
    head = ledger.count()
    while relay.position < head:
        await asyncio.sleep(0.01)
    stop.set()
    await task


class _Timed:
    """A sink that notes the wall time each position's acknowledgement came back."""

    def __init__(self, sink: Any, acked: dict[int, float]) -> None:
        self.sink, self.acked = sink, acked
        self.destination = sink.destination

    async def open(self) -> None:
        await self.sink.open()

    async def last_published(self) -> Any:
        return await self.sink.last_published()

    async def publish_batch(self, messages: Sequence[Any], after_sequence: int) -> int:
        sequence = await self.sink.publish_batch(messages, after_sequence)
        now = time.time()
        for message in messages:
            self.acked[message.position] = now
        return int(sequence)

    async def close(self) -> None:
        await self.sink.close()


def writer(url: str, rate: int, seconds: float, log: str) -> None:
    """Append `rate` events a second for `seconds`, noting when each batch's commit returned."""
    from ledger import Ledger
    from projections import attach

    events = synthetic_events(int(rate * seconds) + WRITER_BATCH, seed=7)
    commits: list[tuple[int, int, float]] = []
    every = WRITER_BATCH / rate
    with Ledger.open(url, actor="bench-writer") as ledger:
        attach(ledger)
        started = time.perf_counter()
        for number in range(int(rate * seconds) // WRITER_BATCH):
            batch = list(islice(events, WRITER_BATCH))
            receipt = ledger.record(batch)
            assert receipt.last_position is not None
            commits.append((receipt.last_position, receipt.recorded, time.time()))
            time.sleep(max(started + (number + 1) * every - time.perf_counter(), 0))
    Path(log).write_text(json.dumps(commits), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1] == "writer":
        writer(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
