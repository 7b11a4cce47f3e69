"""Stored rows to events: a payload upcast to the current schema, validated as its model."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import orjson
from pydantic import ValidationError

from .errors import InvalidEvent
from .models import Event
from .plain import plain_validator
from .registry import event_class
from .stamping import set_id
from .upcasting import UPCASTERS, upcast
from .validation_errors import invalid_event

__all__ = ["load_event", "load_stored"]


def load_event(
    type_name: str,
    schema_version: int,
    payload: Mapping[str, Any],
    *,
    event_id: UUID | None = None,
) -> Event:
    """Build an event from a stored row: upcast its payload, then validate it as a model."""
    current = upcast(type_name, schema_version, dict(payload))
    if current.get("type", type_name) != type_name:
        raise InvalidEvent("type", f"payload says {current['type']!r}, the row says {type_name!r}")
    model = event_class(type_name)
    fields = {**current, "type": type_name}
    fast = _load_plain(fields, event_id)
    if fast is not None:
        return fast
    if event_id is not None:
        fields["id"] = event_id
    try:
        return model.model_validate(fields)  # type: ignore[return-value]
    except ValidationError as e:
        raise invalid_event(e, f"stored {type_name}") from None


def _load_plain(fields: dict[str, Any], event_id: UUID | None) -> Event | None:
    """load_event's model by the plain validator, or None.

    A UUID given as the id is set in place, as validation would pass it through; an id of any
    other type goes through the validator with the rest.
    """
    validator = plain_validator(fields["type"])
    if validator is None:
        return None
    in_place = type(event_id) is UUID
    if in_place:
        fields = {name: value for name, value in fields.items() if name != "id"}
    elif event_id is not None:
        fields = {**fields, "id": event_id}
    try:
        event: Event = validator.validate_python(fields)
    except Exception:  # the reference path meets it too, and says what it says
        return None
    if type(event_id) is UUID:  # in place
        set_id(event, event_id)
    return event


def load_stored(type_name: str, schema_version: int, event_id: str, payload: str) -> Event:
    """The event of a stored row, given as the store holds it: its id and payload as text.

    What `load_event(type_name, schema_version, json.loads(payload), event_id=UUID(event_id))`
    gives. A current payload of the plain shape is read by orjson (as json reads it, but for
    numbers, which the plain shape refuses anyway) and goes to the plain validator with the id
    as text, which it reads as UUID() does. (pydantic-core reading the JSON itself is slower.)
    """
    validator = plain_validator(type_name)
    current = schema_version == UPCASTERS.target_version
    if validator is not None and current and type(payload) is str:
        try:
            data = orjson.loads(payload)
        except orjson.JSONDecodeError:
            data = None
        if type(data) is dict and data.get("type", type_name) == type_name:
            data["type"] = type_name
            data["id"] = event_id  # text: the plain validator reads it as UUID() does
            try:
                event: Event = validator.validate_python(data)
            except Exception:  # the reference path meets it too, and says what it says
                pass
            else:
                return event
    return load_event(type_name, schema_version, json.loads(payload), event_id=UUID(event_id))
