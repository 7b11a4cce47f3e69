"""The events that explain a change of positions: those recorded between two knowledge
instants, or those (as corrected) effective between two world dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from events import EventCorrected, EventRetracted, Source
from ledger import Ledger, StoredEvent, event_log, instant_text, read_streams

__all__ = ["ChangeEvent", "known_between", "moved_between"]


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One event behind a change: its id, position, type, commitment, effective date (after
    corrections, for a change of world date), when it was recorded and its source."""

    event_id: UUID
    position: int
    type: str
    commitment: str
    effective: date | None
    recorded_at: datetime
    publisher: str | None = None
    source_date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the id as a string, dates ISO 8601."""
        return {
            "id": str(self.event_id),
            "position": self.position,
            "type": self.type,
            "commitment": self.commitment,
            "effective": self.effective.isoformat() if self.effective else None,
            "recorded_at": instant_text(self.recorded_at),
            "publisher": self.publisher,
            "source_date": self.source_date.isoformat() if self.source_date else None,
        }


def known_between(
    ledger: Ledger, commitments: Sequence[str], first: datetime | None, last: datetime | None
) -> dict[str, list[ChangeEvent]]:
    """Each commitment's events recorded after `first` and by `last` (None: now); corrections
    and retractions among them, which belong to their target's commitment."""
    return {
        name: [
            _change_event(stored, stored.effective, stored.event.source)
            for stored in stream
            if first is None or stored.recorded_at > first
        ]
        for name, stream in _streams(ledger, commitments, last).items()
    }


def moved_between(
    ledger: Ledger, commitments: Sequence[str], start: date, end: date, known_at: datetime | None
) -> dict[str, list[ChangeEvent]]:
    """Each commitment's events known at `known_at` whose effective date, after the
    corrections known then, is after `start` and by `end`; retracted events left out. An
    event is named by its own id and type, with the source of the version in force."""
    found: dict[str, list[ChangeEvent]] = {}
    for name, stream in _streams(ledger, commitments, known_at).items():
        in_force: dict[UUID, tuple[StoredEvent, date, Source | None]] = {}
        for stored in stream:
            event = stored.event
            if isinstance(event, EventCorrected):
                if event.target in in_force:
                    fixed = event.replacement
                    source = fixed.source or event.source
                    in_force[event.target] = (in_force[event.target][0], fixed.effective, source)
            elif isinstance(event, EventRetracted):
                in_force.pop(event.target, None)
            else:
                in_force[stored.event_id] = (stored, event.effective, event.source)
        found[name] = [
            _change_event(stored, effective, source)
            for stored, effective, source in in_force.values()
            if start < effective <= end
        ]
    return found


def _streams(
    ledger: Ledger, commitments: Sequence[str], known_at: datetime | None
) -> dict[str, list[StoredEvent]]:
    """The streams' events known at `known_at` (None: now), in a few bulk reads."""
    with ledger.engine.connect() as connection:
        upto = None
        if known_at is not None:
            last = select(func.coalesce(func.max(event_log.c.position), 0))
            upto = int(
                connection.execute(last.where(event_log.c.recorded_at <= known_at)).scalar_one()
            )
        return read_streams(connection, commitments, upto=upto)


def _change_event(
    stored: StoredEvent, effective: date | None, source: Source | None
) -> ChangeEvent:
    return ChangeEvent(
        event_id=stored.event_id,
        position=stored.position,
        type=stored.type_name,
        commitment=stored.commitment,
        effective=effective,
        recorded_at=stored.recorded_at,
        publisher=source.publisher if source is not None else None,
        source_date=source.date if source is not None else None,
    )
