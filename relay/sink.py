"""What the relay needs of a broker: one small class, so another broker can be added.

The relay's loop (loop.py) knows only this interface. A sink for another broker (Kafka, say)
implements the same four methods; nothing else changes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from events import LedgerError

from .messages import Message

__all__ = ["DestinationRefused", "Published", "Sink", "SinkUnavailable", "Tail"]


class SinkUnavailable(Exception):
    """The broker cannot be reached or did not acknowledge in time: worth retrying.

    `acknowledged`: the last position the broker did acknowledge before it failed and the
    destination's sequence of it ((0, 0) if none).
    """

    def __init__(self, reason: str, acknowledged: tuple[int, int] = (0, 0)) -> None:
        super().__init__(reason)
        self.acknowledged = acknowledged


class DestinationRefused(LedgerError):
    """The destination cannot take this ledger's events (it holds others, or does not fit).
    Not retried: nothing is published."""


@dataclass(frozen=True, slots=True)
class Tail:
    """One message found at the destination: its headers and body as stored."""

    sequence: int
    """The destination's own sequence number of the message."""
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Published:
    """What the destination holds: enough to tell where to resume and whose messages they are."""

    count: int
    """How many messages it holds now."""
    last_sequence: int
    """The destination's sequence of the last message it ever stored (0: never stored one); it
    never goes back, unless the destination was deleted and made again or lost messages."""
    first: Tail | None
    last: Tail | None


class Sink(ABC):
    """A broker destination of the log: opened, asked what it holds, given batches in order."""

    destination: str
    """The name of the destination, as the checkpoint table keys it."""

    @abstractmethod
    async def open(self) -> None:
        """Connect, and make the destination (or check that an existing one fits): raises
        SinkUnavailable to be retried, DestinationRefused to stop."""

    @abstractmethod
    async def last_published(self) -> Published:
        """What the destination holds now (its first and last messages, its count)."""

    @abstractmethod
    async def publish_batch(self, messages: Sequence[Message], after_sequence: int) -> int:
        """Publish `messages` in order, pipelined, and wait for every acknowledgement.

        `after_sequence` is the destination's last sequence before the batch: the broker must
        refuse a message that would not directly follow the one before it, so that a message
        lost on the way can never leave a gap. Returns the destination's sequence of the last
        message; raises SinkUnavailable (with the last acknowledged position) otherwise.
        """

    @abstractmethod
    async def close(self) -> None:
        """Let go of the connection (what was acknowledged stays acknowledged)."""
