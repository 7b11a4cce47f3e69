"""Events made ready to store: their id set (their own or their content id) and encoded once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

import orjson

from .content_ids import content_id, encode, utf8_id
from .models import BaseEvent, Event
from .parsing import validated_event
from .plain import plain_event, shared_names

__all__ = ["Stamped", "parse_and_stamp", "set_id", "stamp", "stamp_fresh", "with_id"]


class Stamped(NamedTuple):
    """An event ready to store: its id set, its payload, and that payload's canonical JSON."""

    event: Event
    payload: dict[str, Any]
    canonical: str


def stamp(event: Event) -> Stamped:
    """Set the event's id (its own or its content id) and encode it, computing the payload once."""
    encoded = encode(event)
    if event.id is None:
        event = event.model_copy(update={"id": encoded.content_id()})
    return Stamped(event, encoded.payload, encoded.canonical)


def stamp_fresh(event: Event) -> Stamped:
    """`stamp` for an event nobody else holds yet (just parsed): its id is set in place.

    The same as model_copy(update={"id": ...}) without the copy: the id in __dict__ and in the
    fields set. Never for a model that came from a caller.
    """
    encoded = encode(event)
    if event.id is None:
        set_id(event, encoded.content_id())
    return Stamped(event, encoded.payload, encoded.canonical)


def set_id(event: BaseEvent, event_id: UUID) -> None:
    """Set the id of a model nobody else holds yet, as model_copy(update=...) would: in its
    __dict__ and its fields set (the shared one of its names with "id")."""
    event.__dict__["id"] = event_id
    names = shared_names(event.__pydantic_fields_set__ | _ID_NAME)
    object.__setattr__(event, "__pydantic_fields_set__", names)


_ID_NAME = frozenset(("id",))


def parse_and_stamp(data: Mapping[str, Any], *, origin: str | None = None) -> tuple[Event, str]:
    """The event of an input mapping, its id set in place, and its canonical JSON: what
    `stamp_fresh(parse_event(data, origin=origin))` gives as its event and canonical text.

    Input of the plain shape (events/plain.py) is its own payload, ids left out: orjson writes
    it straight from the input, as `encode` would from the fields.
    """
    if type(data) is dict:
        event = plain_event(data)
        if event is not None:
            utf8 = _plain_json(data)
            if utf8 is None:  # not JSON as it stands (e.g. a model given for a source)
                stamped = stamp_fresh(event)  # type: ignore[arg-type]
                return stamped.event, stamped.canonical
            if event.id is None:
                set_id(event, utf8_id(utf8))
            return event, utf8.decode()  # type: ignore[return-value]
    stamped = stamp_fresh(validated_event(data, origin))
    return stamped.event, stamped.canonical


def _plain_json(data: dict[str, Any]) -> bytes | None:
    """The canonical JSON of input plain_event accepted: the input without its ids."""
    payload = data
    if "id" in payload:
        payload = {name: value for name, value in payload.items() if name != "id"}
    replacement = payload.get("replacement")
    if replacement is not None and type(replacement) is not dict:
        return None  # a mapping of another kind: its id is left out the reference way
    if replacement is not None and "id" in replacement:
        replacement = {name: value for name, value in replacement.items() if name != "id"}
        payload = {**payload, "replacement": replacement}
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None


def with_id(event: Event) -> Event:
    """The event with its id set: its own if given, else its content id."""
    if event.id is not None:
        return event
    return event.model_copy(update={"id": content_id(event)})
