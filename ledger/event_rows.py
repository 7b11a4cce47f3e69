"""The generic rows the store reads and writes (it never needs to know the event classes), and
the receipt of an append."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events import Event

from .instant_text import instant_text
from .model_cache import model_of


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event ready to append: identified, serialised, not yet positioned."""

    event_id: UUID
    commitment: str
    type_name: str
    schema_version: int
    effective: date | None
    payload: str
    origin: str | None = None
    key: str = ""
    """The event id as text, as the store keeps it (computed once, by `pending_rows.prepare`)."""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", str(self.event_id))


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One row of the event log, exactly as stored."""

    position: int
    event_id: UUID
    commitment: str
    version: int
    type_name: str
    schema_version: int
    effective: date | None
    recorded_at: datetime
    recorded_by: str
    payload: str
    prev_hash: str
    hash: str

    @property
    def event(self) -> Event:
        """The event model, upcast from the stored schema version."""
        return model_of(self.type_name, self.schema_version, str(self.event_id), self.payload)

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data, for the feed and the command line."""
        return {
            "position": self.position,
            "id": str(self.event_id),
            "commitment": self.commitment,
            "version": self.version,
            "type": self.type_name,
            "schema_version": self.schema_version,
            "effective": self.effective.isoformat() if self.effective else None,
            "recorded_at": instant_text(self.recorded_at),
            "recorded_by": self.recorded_by,
            "payload": json.loads(self.payload),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class Receipt:
    """What an append did: how many events landed, how many were already there."""

    recorded: int
    already_present: int
    first_position: int | None = None
    last_position: int | None = None
    recorded_at: datetime | None = None


def receipt(rows: Sequence[StoredEvent], skipped: int) -> Receipt:
    """What an append did, from its first and last rows (all of them or just the two ends)."""
    if not rows:
        return Receipt(recorded=0, already_present=skipped)
    return Receipt(
        recorded=rows[-1].position - rows[0].position + 1,
        already_present=skipped,
        first_position=rows[0].position,
        last_position=rows[-1].position,
        recorded_at=rows[0].recorded_at,
    )
