"""The relay's loop against another broker: an in-memory one, written to the `Sink` interface
alone (so the loop needs nothing of NATS), which fails when told to."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ledger import Ledger
from relay import (
    GaveUp,
    Message,
    Published,
    Relay,
    RelayOptions,
    Sink,
    SinkUnavailable,
    Tail,
    read_checkpoint,
)

from .conftest import demo_lines

FAST = {"retry": (0.01, 0.04), "idle_poll": (0.005, 0.02)}


class MemoryBroker(Sink):
    """A broker in a list: down for the first `down` opens, and acknowledging only the first
    `acks` messages of the next batch when told to."""

    def __init__(self, *, down: int = 0, acks: int | None = None) -> None:
        self.destination = "memory"
        self.stored: list[Message] = []
        self.down = down
        self.acks = acks
        self.opened = 0

    async def open(self) -> None:
        self.opened += 1
        if self.opened <= self.down:
            raise SinkUnavailable("connection refused")

    async def last_published(self) -> Published:
        def tail(index: int) -> Tail:
            message = self.stored[index]
            return Tail(index + 1, dict(message.headers), message.body)

        if not self.stored:
            return Published(0, 0, None, None)
        return Published(len(self.stored), len(self.stored), tail(0), tail(-1))

    async def publish_batch(self, messages: Sequence[Message], after_sequence: int) -> int:
        assert after_sequence == len(self.stored)  # what the stream's expected sequence checks
        taken = messages if self.acks is None else messages[: self.acks]
        self.stored.extend(taken)
        if self.acks is not None:
            self.acks = None
            last = (taken[-1].position, len(self.stored)) if taken else (0, 0)
            raise SinkUnavailable("not acknowledged: timeout", last)
        return len(self.stored)

    async def close(self) -> None:
        pass


def relay(ledger: Ledger, broker: MemoryBroker, **options: object) -> Relay:
    said: list[str] = []
    made = Relay(
        ledger,
        broker,
        "capledger",
        RelayOptions(**{**FAST, **options}),  # type: ignore[arg-type]
        stop=asyncio.Event(),
        say=said.append,
    )
    made.said = said  # type: ignore[attr-defined]
    return made


def positions(broker: MemoryBroker) -> list[int]:
    return [message.position for message in broker.stored]


def test_a_broker_down_at_first_is_retried_then_gets_every_event_once(ledger: Ledger) -> None:
    ledger.record(demo_lines(0, 20))
    broker = MemoryBroker(down=3)
    running = relay(ledger, broker, batch=7)

    progress = asyncio.run(running.run())

    assert positions(broker) == list(range(1, 21))
    assert (progress.published, progress.position, progress.lag) == (20, 20, 0)
    assert running.said == [  # type: ignore[attr-defined]
        f"memory: connection refused; retrying in {delay} s" for delay in ("0.0", "0.0", "0.0")
    ]
    checkpoint = read_checkpoint(ledger.engine, "memory")
    assert (checkpoint.position, checkpoint.sequence) == (20, 20)


def test_a_batch_acknowledged_in_part_moves_the_checkpoint_that_far_and_no_further(
    ledger: Ledger,
) -> None:
    ledger.record(demo_lines(0, 20))
    broker = MemoryBroker(acks=4)
    running = relay(ledger, broker, batch=10)

    async def first_session() -> None:
        with pytest.raises(SinkUnavailable):
            await running._session()
        assert read_checkpoint(ledger.engine, "memory").position == 0  # nothing saved yet

    asyncio.run(first_session())
    broker.acks = 4
    asyncio.run(running.run())

    assert positions(broker) == list(range(1, 21))
    assert read_checkpoint(ledger.engine, "memory").position == 20


def test_the_relay_gives_up_after_the_time_it_was_given_leaving_the_checkpoint(
    ledger: Ledger,
) -> None:
    ledger.record(demo_lines(0, 5))
    broker = MemoryBroker(down=1_000)

    with pytest.raises(GaveUp, match=r"^memory: connection refused; gave up after 0 s"):
        asyncio.run(relay(ledger, broker, give_up_after=0.2).run())

    assert broker.opened > 3
    assert read_checkpoint(ledger.engine, "memory").position == 0


def test_following_publishes_what_is_recorded_later_and_stops_when_asked(
    ledger: Ledger,
) -> None:
    ledger.record(demo_lines(0, 10))
    broker = MemoryBroker()
    running = relay(ledger, broker, follow=True)

    async def follow_then_stop() -> None:
        task = asyncio.create_task(running.run())
        while len(broker.stored) < 10:
            await asyncio.sleep(0.01)
        ledger.record(demo_lines(10, 25))
        while len(broker.stored) < 25:
            await asyncio.sleep(0.01)
        running.stop.set()
        progress = await asyncio.wait_for(task, timeout=5)
        assert (progress.published, progress.position, progress.lag) == (25, 25, 0)

    asyncio.run(follow_then_stop())
    assert positions(broker) == list(range(1, 26))
