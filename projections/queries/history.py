"""The audit trail of one commitment: every event as recorded, and what later ones did to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from events import EventCorrected, EventRetracted, to_payload
from ledger import Ledger, instant_text

from .known_at import known_instant

__all__ = ["HistoryEntry", "history"]

_SHARED = ("type", "commitment", "effective", "source", "note")
Status = Literal["in force", "corrected", "retracted", "correction", "retraction"]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event of a commitment's stream, with both times (and the source's date), its actor,
    its hash and its fate.

    `status` says what holds now: "in force" as recorded, "corrected" (the last of
    `corrected_by` replaced it), "retracted", or "correction"/"retraction" for the fixes
    themselves, whose `target` names the event they act on.
    """

    position: int
    version: int
    event_id: UUID
    type: str
    effective: date | None
    recorded_at: datetime
    recorded_by: str
    source: dict[str, Any] | None
    note: str | None
    hash: str
    fields: dict[str, Any]
    status: Status
    target: UUID | None = None
    corrected_by: list[tuple[int, UUID]] = field(default_factory=list)
    retracted_by: int | None = None

    @property
    def source_date(self) -> date | None:
        """The date its source reported it (`source.date`), if given."""
        reported = (self.source or {}).get("date")
        return date.fromisoformat(reported) if isinstance(reported, str) else reported

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ids as strings, dates ISO 8601, amounts as decimal strings."""
        return {
            "position": self.position,
            "version": self.version,
            "id": str(self.event_id),
            "type": self.type,
            "effective": self.effective.isoformat() if self.effective else None,
            "source_date": self.source_date.isoformat() if self.source_date else None,
            "recorded_at": instant_text(self.recorded_at),
            "recorded_by": self.recorded_by,
            "source": self.source,
            "note": self.note,
            "hash": self.hash,
            "fields": self.fields,
            "status": self.status,
            "target": str(self.target) if self.target else None,
            "corrected_by": [
                {"position": position, "id": str(event_id)}
                for position, event_id in self.corrected_by
            ],
            "retracted_by": self.retracted_by,
        }


def history(
    ledger: Ledger, commitment: str, *, known_at: date | datetime | None = None
) -> list[HistoryEntry]:
    """Every event of the commitment in position order (as known at `known_at`, default now)."""
    stored = ledger.read_stream(commitment, known_at=known_instant(known_at))
    corrected_by: dict[UUID, list[tuple[int, UUID]]] = {}
    retracted_by: dict[UUID, int] = {}
    last_fix: dict[UUID, Status] = {}
    for row in stored:
        event = row.event
        if isinstance(event, EventCorrected):
            corrected_by.setdefault(event.target, []).append((row.position, row.event_id))
            last_fix[event.target] = "corrected"
        elif isinstance(event, EventRetracted):
            retracted_by[event.target] = row.position
            last_fix[event.target] = "retracted"
    entries: list[HistoryEntry] = []
    for row in stored:
        event = row.event
        payload = to_payload(event)
        target: UUID | None = None
        status: Status = last_fix.get(row.event_id, "in force")
        if isinstance(event, EventCorrected):
            target, status = event.target, "correction"
        elif isinstance(event, EventRetracted):
            target, status = event.target, "retraction"
        entries.append(
            HistoryEntry(
                position=row.position,
                version=row.version,
                event_id=row.event_id,
                type=row.type_name,
                effective=row.effective,
                recorded_at=row.recorded_at,
                recorded_by=row.recorded_by,
                source=payload.get("source"),
                note=payload.get("note"),
                hash=row.hash,
                fields={k: v for k, v in payload.items() if k not in (*_SHARED, "target")},
                status=status,
                target=target,
                corrected_by=corrected_by.get(row.event_id, []),
                retracted_by=retracted_by.get(row.event_id),
            )
        )
    return entries
