"""Where a relay resumes, and whether the destination holds this ledger's events at all.

The destination's own record wins over the checkpoint only where the checkpoint can be behind
it (a crash between the acknowledgement and the checkpoint's write); a checkpoint that is ahead
of a destination that has not lost anything (its old messages expired) is kept. A destination
that holds a message capledger did not write from this ledger is refused before anything is
published (docs/feed.md, "Exactly once").
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import Ledger

from .checkpoints import Checkpoint
from .messages import EVENT_ID, POSITION, message_of
from .sink import DestinationRefused, Published, Tail

__all__ = ["Resume", "resume_point"]


@dataclass(frozen=True, slots=True)
class Resume:
    """The position to publish after, and a note to show when the checkpoint was set aside."""

    position: int
    note: str | None = None


def resume_point(
    ledger: Ledger, destination: str, published: Published, checkpoint: Checkpoint, prefix: str
) -> Resume:
    """After which position to go on publishing to `destination`; refused (DestinationRefused)
    if it holds anything but this ledger's events, in order, each once."""
    first, last = published.first, published.last
    tail = 0
    if first is not None and last is not None:
        tail = _checked(ledger, destination, last, prefix)
        start = _checked(ledger, destination, first, prefix)
        if published.count != tail - start + 1:
            raise DestinationRefused(
                f"{destination} holds {published.count} messages, but positions {start} to "
                f"{tail} make {tail - start + 1}: it holds messages capledger did not write "
                "from this ledger; nothing published"
            )
    if checkpoint.sequence > published.last_sequence:
        return Resume(
            tail,
            note=(
                f"{destination} ends at sequence {published.last_sequence}, before the "
                f"checkpoint's {checkpoint.sequence} (position {checkpoint.position}): it was "
                f"made again or lost messages; publishing after position {tail}"
            ),
        )
    return Resume(max(tail, checkpoint.position))


def _checked(ledger: Ledger, destination: str, found: Tail, prefix: str) -> int:
    """The position of a message the destination holds, if it is exactly the message this
    ledger's event at that position makes."""
    text = found.headers.get(POSITION, "")
    if not text.isdigit():
        raise DestinationRefused(
            f"{destination} holds a message not written by capledger (sequence "
            f"{found.sequence} has no {POSITION} header); nothing published"
        )
    position = int(text)
    ours = next(iter(ledger.read_all(after=position - 1, limit=1)), None)
    if ours is None or ours.position != position:
        raise DestinationRefused(
            f"{destination} holds position {position}, beyond this ledger's last: another "
            "ledger's events; nothing published"
        )
    expected = message_of(ours, prefix)
    if found.body != expected.body or found.headers.get(EVENT_ID) != expected.event_id:
        raise DestinationRefused(
            f"{destination} holds another ledger's events (position {position} there is not "
            f"this ledger's event {expected.event_id}); nothing published"
        )
    return position
