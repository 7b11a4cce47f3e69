"""Turning input into events and events into canonical JSON, content ids and back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID, uuid5

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .errors import InvalidEvent
from .models import BaseEvent, Event, EventCorrected, FieldProblem
from .registry import EVENT_TYPES, event_class
from .upcasting import upcast

__all__ = [
    "EVENT_NAMESPACE",
    "Stamped",
    "canonical_json",
    "content_id",
    "load_event",
    "parse_event",
    "stamp",
    "to_payload",
    "with_id",
]

EVENT_NAMESPACE = UUID("6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30")
"""The namespace of content ids: uuid5(EVENT_NAMESPACE, canonical JSON of the payload)."""

_SLUG_RULE = (
    "must be a slug: lowercase letters, digits and hyphens, starting with a letter or digit, "
    "at most 100 characters"
)
_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "string_pattern_mismatch": _SLUG_RULE,
    "string_type": "must be a string",
    "union_tag_not_found": "must be an event with a type",
}
_SCALARS = (str, int, float, bool)


def _location(error: ErrorDetails) -> str:
    parts = [str(part) for part in error["loc"] if part != "[key]" and part not in EVENT_TYPES]
    problem = error.get("ctx", {}).get("error")
    if isinstance(problem, FieldProblem):
        parts.append(problem.field)
    return ".".join(parts) or "event"


def _rule(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "string_pattern_mismatch" and error["loc"][-1] == "[key]":
        return f"unknown resource {error['input']!r}: expected usd, gw, mw or chips:<model>"
    if kind in _RULES:
        return _RULES[kind]
    if kind == "union_tag_invalid":
        return f"{ctx['tag']!r} cannot stand here; expected one of {ctx['expected_tags']}"
    if kind == "string_too_long":
        return f"too long: at most {ctx['max_length']} characters"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "value_error":
        return str(ctx["error"])
    rule = error["msg"].splitlines()[0].replace("Input should be", "must be")
    value = error.get("input")
    if isinstance(value, _SCALARS) and len(repr(value)) <= 60:
        rule = f"{rule}, got {value!r}"
    return rule


def _invalid(error: ValidationError, origin: str | None) -> InvalidEvent:
    details = error.errors()
    # An unknown field explains the rest: a misspelt "amount" also leaves "amounts" missing.
    first = next((d for d in details if d["type"] == "extra_forbidden"), details[0])
    return InvalidEvent(_location(first), _rule(first), origin)


def parse_event(data: Mapping[str, Any] | BaseEvent, *, origin: str | None = None) -> Event:
    """Validate an event given as a mapping (from JSON, CSV or Python); models pass through.

    Raises InvalidEvent naming the origin, the first field at fault and the rule it breaks.
    """
    if isinstance(data, BaseEvent):
        return data  # type: ignore[return-value]
    if not isinstance(data, Mapping):
        raise InvalidEvent("event", f"must be an object, not {type(data).__name__}", origin)
    try:
        model = event_class(data.get("type"))
        return model.model_validate(data)  # type: ignore[return-value]
    except InvalidEvent as e:
        raise e.located(origin) from None
    except ValidationError as e:
        raise _invalid(e, origin) from None


_WITHOUT_ID: Any = {"id"}
_CORRECTION_WITHOUT_IDS: Any = {"id": True, "replacement": {"id": True}}


def to_payload(event: Event) -> dict[str, Any]:
    """The JSON-ready content of an event, without its id and with absent fields omitted."""
    exclude = _CORRECTION_WITHOUT_IDS if isinstance(event, EventCorrected) else _WITHOUT_ID
    return event.model_dump(mode="json", exclude_none=True, exclude=exclude)


# What json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(obj: Any) -> str:
    """One spelling of JSON-ready data: sorted keys, no spaces, UTF-8 kept as is."""
    return _CANONICAL.encode(obj)


def content_id(event: Event) -> UUID:
    """The id derived from an event's content: equal content, equal id."""
    return uuid5(EVENT_NAMESPACE, canonical_json(to_payload(event)))


class Stamped(NamedTuple):
    """An event ready to store: its id set, its payload, and that payload's canonical JSON."""

    event: Event
    payload: dict[str, Any]
    canonical: str


def stamp(event: Event) -> Stamped:
    """Set the event's id (its own or its content id) and encode it, computing the payload once."""
    payload = to_payload(event)
    canonical = canonical_json(payload)
    if event.id is None:
        event = event.model_copy(update={"id": uuid5(EVENT_NAMESPACE, canonical)})
    return Stamped(event, payload, canonical)


def with_id(event: Event) -> Event:
    """The event with its id set: its own if given, else its content id."""
    if event.id is not None:
        return event
    return event.model_copy(update={"id": content_id(event)})


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
    if event_id is not None:
        fields["id"] = event_id
    try:
        return model.model_validate(fields)  # type: ignore[return-value]
    except ValidationError as e:
        raise _invalid(e, f"stored {type_name}") from None
