"""Turns event models into the generic rows the store appends."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from events import SCHEMA_VERSION, Event, canonical_json, parse_event, to_payload, with_id

from .records import PendingEvent

EventInput = Event | Mapping[str, Any]


def to_pending(event: Event, origin: str | None = None) -> PendingEvent:
    """An identified event as a row ready to append."""
    event = with_id(event)
    assert event.id is not None
    return PendingEvent(
        event_id=event.id,
        commitment=event.commitment,
        type_name=event.type,
        schema_version=SCHEMA_VERSION,
        effective=getattr(event, "effective", None),
        payload=canonical_json(to_payload(event)),
        origin=origin,
    )


def parse_batch(
    items: Iterable[EventInput], origins: Sequence[str | None] | None = None
) -> tuple[list[Event], list[str | None]]:
    """Validate a batch of dicts or models; every event gets its id; origins default to
    `event N` (1-based)."""
    models: list[Event] = []
    labels: list[str | None] = []
    for index, item in enumerate(items):
        origin = origins[index] if origins is not None else f"event {index + 1}"
        model = item if not isinstance(item, Mapping) else parse_event(item, origin=origin)
        models.append(with_id(model))
        labels.append(origin)
    return models, labels
