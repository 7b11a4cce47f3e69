"""The relay: capledger's log published to a message broker, in order, exactly once.

    from relay import Relay, RelayOptions, nats_sink
    sink = nats_sink("nats://127.0.0.1:4222", stream="CAPLEDGER", prefix="capledger")
    await Relay(ledger, sink, "capledger", RelayOptions(follow=True), stop=stop).run()

A consumer of the log beside the read side (cli -> relay -> ledger): it reads the log through
the ledger's public API and keeps its own checkpoints in the ledger's database. The loop
knows a broker only as a `Sink`; NATS JetStream is the one there is (the `nats` extra).
See docs/feed.md.
"""

from .checkpoints import Checkpoint, feed_checkpoints, read_checkpoint
from .loop import GaveUp, Progress, Relay, RelayOptions
from .messages import (
    EVENT_ID,
    POSITION,
    RECORDED_AT,
    TYPE,
    Message,
    event_body,
    message_of,
    valid_prefix,
)
from .sink import DestinationRefused, Published, Sink, SinkUnavailable, Tail

__all__ = [
    "EVENT_ID",
    "POSITION",
    "RECORDED_AT",
    "TYPE",
    "Checkpoint",
    "DestinationRefused",
    "GaveUp",
    "Message",
    "Progress",
    "Published",
    "Relay",
    "RelayOptions",
    "Sink",
    "SinkUnavailable",
    "Tail",
    "event_body",
    "feed_checkpoints",
    "message_of",
    "nats_sink",
    "read_checkpoint",
    "valid_prefix",
]


def nats_sink(url: str, *, stream: str, prefix: str, timeout: float = 5.0) -> Sink:
    """A NATS JetStream stream as the relay's sink (needs the `nats` extra: nats-py)."""
    try:
        from .jetstream import NatsSink
    except ImportError as error:
        raise SinkMissing(
            f"publishing to NATS needs nats-py: pip install 'capacity-ledger[nats]' ({error})"
        ) from None
    return NatsSink(url, stream, prefix, timeout=timeout)


class SinkMissing(DestinationRefused):
    """The client library a destination needs is not installed."""
