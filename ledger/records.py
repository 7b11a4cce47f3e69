"""The generic rows the store reads and writes: it never needs to know the event classes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events import Event, load_event


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
        import json

        data: dict[str, Any] = json.loads(self.payload)
        return load_event(self.type_name, self.schema_version, data, event_id=self.event_id)

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data, for the feed and the command line."""
        import json

        return {
            "position": self.position,
            "id": str(self.event_id),
            "commitment": self.commitment,
            "version": self.version,
            "type": self.type_name,
            "schema_version": self.schema_version,
            "effective": self.effective.isoformat() if self.effective else None,
            "recorded_at": self.recorded_at.isoformat(timespec="microseconds"),
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
