"""The type registry: event type name -> model class."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import get_args

from .errors import InvalidEvent
from .models import BaseEvent, Event

__all__ = ["EVENT_TYPES", "event_class"]

EVENT_TYPES: Mapping[str, type[BaseEvent]] = MappingProxyType(
    {model.__name__: model for model in get_args(get_args(Event)[0])}
)
"""Every event type of the current schema, by name, in the order of the `Event` union: a new
type is registered by adding its model to that union (events/models.py)."""


def event_class(type_name: object) -> type[BaseEvent]:
    """Return the model class of an event type, or raise InvalidEvent naming field "type"."""
    model = EVENT_TYPES.get(type_name) if isinstance(type_name, str) else None
    if model is None:
        if type_name is None:
            raise InvalidEvent("type", "required")
        known = ", ".join(EVENT_TYPES)
        raise InvalidEvent("type", f"unknown event type {str(type_name)[:60]!r}; known: {known}")
    return model
