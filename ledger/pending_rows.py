"""Validates event inputs (dicts or models) and turns each into the row the store appends."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from events import SCHEMA_VERSION, Event, parse_and_stamp, stamp

from .event_rows import PendingEvent
from .gc_pauses import paused
from .target_refs import resolved_batch, resolving

__all__ = ["EventInput", "prepare", "resolved_batch", "resolving", "to_pending"]

EventInput = Event | Mapping[str, Any]


def prepare(
    items: Iterable[EventInput], origins: Sequence[str | None] | None = None
) -> tuple[list[Event], list[PendingEvent]]:
    """Validate a batch of dicts or models and turn each into a row ready to append.

    Every event gets its id (its own, or its content id); origins default to `event N`.
    """
    with paused():  # validation makes no cycles: see gc_pauses.py
        return _prepare(items, origins)


def _prepare(
    items: Iterable[EventInput], origins: Sequence[str | None] | None
) -> tuple[list[Event], list[PendingEvent]]:
    models: list[Event] = []
    rows: list[PendingEvent] = []
    for index, item in enumerate(items):
        origin = origins[index] if origins is not None else f"event {index + 1}"
        if type(item) is dict or isinstance(item, Mapping):
            # Just parsed, held by no one else: its id can be set in place.
            event, canonical = parse_and_stamp(item, origin=origin)
        else:
            event, _, canonical = stamp(item)
        assert event.id is not None
        models.append(event)
        rows.append(
            PendingEvent(
                event_id=event.id,
                commitment=event.commitment,
                type_name=event.type,
                schema_version=SCHEMA_VERSION,
                # Corrections have none: their __dict__ says so without pydantic's __getattr__.
                effective=event.__dict__.get("effective"),
                payload=canonical,
                origin=origin,
                key=str(event.id),
            )
        )
    return models, rows


def to_pending(event: EventInput, origin: str | None = None) -> PendingEvent:
    """One event as a row ready to append."""
    return prepare([event], [origin])[1][0]
