"""The audit trail of one commitment: every event as recorded, and what later ones did to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from events import EventCorrected, EventRetracted, to_payload
from ledger import Ledger, instant_text

from .known_at import known_instant

__all__ = ["FieldChange", "HistoryEntry", "history", "short_ids"]

_SHARED = ("type", "commitment", "effective", "source", "note")
_SHORTEST = 8
Status = Literal["in force", "corrected", "retracted", "correction", "retraction"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field a correction changed: its dotted name (`amounts.gw`, `source.date`), the value
    in force before the correction and the one after (None where absent), as stored text."""

    field: str
    old: str | None
    new: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "from": self.old, "to": self.new}


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
    short_id: str = ""
    target: UUID | None = None
    corrected_by: list[tuple[int, UUID]] = field(default_factory=list)
    retracted_by: int | None = None
    changes: list[FieldChange] = field(default_factory=list)
    """For a correction: what it changed in its target, against the version then in force."""

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
            "short_id": self.short_id,
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
            "changes": [change.as_dict() for change in self.changes],
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
    shorts = short_ids([row.event_id for row in stored])
    in_force: dict[UUID, dict[str, Any]] = {}
    entries: list[HistoryEntry] = []
    for row in stored:
        event = row.event
        payload = to_payload(event)
        target: UUID | None = None
        changes: list[FieldChange] = []
        status: Status = last_fix.get(row.event_id, "in force")
        if isinstance(event, EventCorrected):
            target, status = event.target, "correction"
            replacement = payload["replacement"]
            changes = _changed(in_force.get(target, {}), replacement)
            in_force[target] = replacement
        elif isinstance(event, EventRetracted):
            target, status = event.target, "retraction"
        else:
            in_force[row.event_id] = payload
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
                short_id=shorts[row.event_id],
                target=target,
                corrected_by=corrected_by.get(row.event_id, []),
                retracted_by=retracted_by.get(row.event_id),
                changes=changes,
            )
        )
    return entries


def short_ids(ids: Sequence[UUID]) -> dict[UUID, str]:
    """Each id shortened to one length, the shortest (8 characters at least) that tells the
    ids apart: how `history` names events, and what an input may name a target by."""
    texts = {event_id: str(event_id) for event_id in ids}
    length = _SHORTEST
    while length < 36 and len({text[:length] for text in texts.values()}) < len(texts):
        length += 1
    return {event_id: text[:length] for event_id, text in texts.items()}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """The fields whose values differ between two payloads, by dotted name, in a stable order."""
    old, new = _flat(before), _flat(after)
    return [
        FieldChange(name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys(), key=_field_order)
        if old.get(name) != new.get(name) and name not in ("type", "commitment")
    ]


def _flat(payload: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        elif value is not None:
            flat[f"{prefix}{key}"] = str(value)
    return flat


_ORDER = ("effective", "amounts", "due", "tranche", "bound", "term_start", "term_end")


def _field_order(name: str) -> tuple[int, str]:
    head = name.split(".", 1)[0]
    return (_ORDER.index(head) if head in _ORDER else len(_ORDER), name)
