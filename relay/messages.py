"""The message each event becomes: its subject, its body and its headers (docs/feed.md).

The body is the event as `capledger log` gives it: the object `--format json` prints, written as
the one line `--format jsonl` prints for it. The headers let a consumer route and de-duplicate
without parsing the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ledger import StoredEvent

__all__ = [
    "EVENT_ID",
    "POSITION",
    "RECORDED_AT",
    "TYPE",
    "Message",
    "event_body",
    "message_of",
    "valid_prefix",
]

EVENT_ID = "Nats-Msg-Id"
"""The event's id: the broker's de-duplication key (JetStream reads this header)."""
POSITION = "Capledger-Seq"
"""The event's global position in the log."""
TYPE = "Capledger-Type"
RECORDED_AT = "Capledger-Recorded-At"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


@dataclass(frozen=True, slots=True)
class Message:
    """One event as a broker message: where it goes, what it says, and its position."""

    position: int
    subject: str
    body: bytes
    headers: Mapping[str, str]

    @property
    def event_id(self) -> str:
        return self.headers[EVENT_ID]


def event_body(stored: StoredEvent) -> bytes:
    """The event's JSON, as the line `capledger log --format jsonl` prints for it (UTF-8)."""
    return _body(stored.as_dict())


def _body(data: Mapping[str, object]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def message_of(stored: StoredEvent, prefix: str) -> Message:
    """The message of a stored event: subject `PREFIX.<commitment>`, the body, the headers."""
    data = stored.as_dict()
    return Message(
        position=stored.position,
        subject=f"{prefix}.{stored.commitment}",
        body=_body(data),
        headers={
            EVENT_ID: data["id"],
            POSITION: str(stored.position),
            TYPE: stored.type_name,
            RECORDED_AT: data["recorded_at"],
        },
    )


def valid_prefix(prefix: str) -> bool:
    """Whether `prefix` can start a subject: dot-separated tokens without wildcards or spaces
    (a commitment's slug is always a valid last token)."""
    return bool(_TOKEN.match(prefix))
