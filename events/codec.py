"""Turning input into events and events into canonical JSON, content ids and back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from hashlib import sha1
from typing import Any, NamedTuple
from uuid import UUID, SafeUUID, uuid5

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .amounts import decimal_text
from .errors import InvalidEvent
from .models import BaseEvent, Event, EventCorrected, FieldProblem, Source
from .plain import plain_event, plain_validator, shared_names
from .registry import EVENT_TYPES, event_class
from .upcasting import UPCASTERS, upcast

__all__ = [
    "EVENT_NAMESPACE",
    "Stamped",
    "canonical_json",
    "content_id",
    "load_event",
    "load_stored",
    "parse_and_stamp",
    "parse_event",
    "stamp",
    "stamp_fresh",
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
    if type(data) is dict:  # the common case, without the checks against ABCs
        model = plain_event(data)
        if model is not None:
            return model  # type: ignore[return-value]
    return _validated(data, origin)


def _validated(data: Mapping[str, Any] | BaseEvent, origin: str | None) -> Event:
    """parse_event by pydantic validation alone: the reference path."""
    if type(data) is dict:
        pass
    elif isinstance(data, BaseEvent):
        return data  # type: ignore[return-value]
    elif not isinstance(data, Mapping):
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


def _dumped(event: Event) -> dict[str, Any]:
    """The payload as pydantic's serializer spells it: the reference the fast path matches."""
    exclude = _CORRECTION_WITHOUT_IDS if isinstance(event, EventCorrected) else _WITHOUT_ID
    return event.model_dump(mode="json", exclude_none=True, exclude=exclude)


# The payload built straight from the validated fields, as model_dump(mode="json",
# exclude_none=True) spells it for this vocabulary: text as is, days as ISO dates, amounts as
# decimal_text, ids as text, sources and replacements (their ids left out) likewise. A field this
# table does not know, or a value of an unexpected type, sends the event down the model_dump path.
_TEXT, _DAY, _AMOUNTS, _UUID, _SOURCE, _REPLACEMENT = range(6)
_KINDS = {
    "commitment": _TEXT,
    "source": _SOURCE,
    "note": _TEXT,
    "effective": _DAY,
    "type": _TEXT,
    "provider": _TEXT,
    "holder": _TEXT,
    "kind": _TEXT,
    "amounts": _AMOUNTS,
    "bound": _TEXT,
    "term_start": _DAY,
    "term_end": _DAY,
    "tranche": _TEXT,
    "due": _DAY,
    "condition": _TEXT,
    "site": _TEXT,
    "reason": _TEXT,
    "target": _UUID,
    "replacement": _REPLACEMENT,
    "publisher": _TEXT,
    "date": _DAY,
    "url": _TEXT,
}
_Plan = tuple[tuple[str, int], ...]


def _plan(model: type[BaseModel]) -> _Plan | None:
    fields = [name for name in model.model_fields if name != "id"]
    if any(name not in _KINDS for name in fields):
        return None
    return tuple((name, _KINDS[name]) for name in fields)


_MODELS: tuple[type[BaseModel], ...] = (*EVENT_TYPES.values(), Source)
_PLANS: dict[type[BaseModel], _Plan | None] = {model: _plan(model) for model in _MODELS}


class _Unusual(Exception):
    """A model or value the fast payload does not handle: use model_dump instead."""


def _fields(model: BaseModel) -> dict[str, Any]:
    plan = _PLANS.get(type(model))
    if plan is None:
        raise _Unusual
    values = model.__dict__
    payload: dict[str, Any] = {}
    for name, kind in plan:
        value = values[name]
        if value is None:
            continue
        if kind == _TEXT:
            if type(value) is not str:
                raise _Unusual
            payload[name] = value
        elif kind == _DAY:
            if type(value) is not date:
                raise _Unusual
            payload[name] = value.isoformat()
        elif kind == _AMOUNTS:
            if type(value) is not dict:
                raise _Unusual
            amounts = {}
            for resource, amount in value.items():
                if type(resource) is not str or type(amount) is not Decimal:
                    raise _Unusual
                amounts[resource] = decimal_text(amount)
            payload[name] = amounts
        elif kind == _UUID:
            if type(value) is not UUID:
                raise _Unusual
            payload[name] = str(value)
        else:  # a source, or a replacement (whose id the payload leaves out)
            if not isinstance(value, BaseModel):
                raise _Unusual
            payload[name] = _fields(value)
    return payload


def to_payload(event: Event) -> dict[str, Any]:
    """The JSON-ready content of an event, without its id and with absent fields omitted."""
    try:
        return _fields(event)
    except _Unusual:
        return _dumped(event)


# What json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(obj: Any) -> str:
    """One spelling of JSON-ready data: sorted keys, no spaces, UTF-8 kept as is."""
    return _CANONICAL.encode(obj)


_NAMESPACE_BYTES = EVENT_NAMESPACE.bytes


class _Encoded(NamedTuple):
    payload: dict[str, Any]
    canonical: str
    utf8: bytes | None
    """The canonical JSON as UTF-8, when the fast path made it."""

    def content_id(self) -> UUID:
        if self.utf8 is None:
            return uuid5(EVENT_NAMESPACE, self.canonical)
        return _content_id(self.utf8)


_VERSION_5 = 5 << 76 | 0x8000 << 48
"""The version and variant bits of a UUID v5."""
_NOT_VERSION = ~(0xF000 << 64 | 0xC000 << 48)
_new = object.__new__
_set = object.__setattr__
_UNKNOWN_SAFETY = SafeUUID.unknown  # an enum member's lookup costs a property call each time


def _content_id(utf8: bytes) -> UUID:
    """What uuid5(EVENT_NAMESPACE, text) computes, from the text's UTF-8 at hand: the bits of
    UUID(bytes=..., version=5), set without its argument checks."""
    digest = int.from_bytes(sha1(_NAMESPACE_BYTES + utf8).digest()[:16])
    identity = _new(UUID)
    _set(identity, "int", digest & _NOT_VERSION | _VERSION_5)
    _set(identity, "is_safe", _UNKNOWN_SAFETY)
    return identity


def _encode(event: Event) -> _Encoded:
    """Payload and canonical JSON of an event.

    The fast path builds the payload from the fields (only exact str and dict values) and lets
    orjson write it: for such data its output is byte for byte that of canonical_json (both
    escape only quotes, backslashes and control characters, alike). Anything else, and text
    orjson refuses (lone surrogates), goes the reference way.
    """
    try:
        payload = _fields(event)
    except _Unusual:
        payload = _dumped(event)
        return _Encoded(payload, canonical_json(payload), None)
    return _encoded(payload)


def _encoded(payload: dict[str, Any]) -> _Encoded:
    """The canonical JSON of a payload of exact str and dict values (see _encode)."""
    try:
        utf8 = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return _Encoded(payload, canonical_json(payload), None)
    return _Encoded(payload, utf8.decode(), utf8)


def content_id(event: Event) -> UUID:
    """The id derived from an event's content: equal content, equal id."""
    return _encode(event).content_id()


class Stamped(NamedTuple):
    """An event ready to store: its id set, its payload, and that payload's canonical JSON."""

    event: Event
    payload: dict[str, Any]
    canonical: str


def stamp(event: Event) -> Stamped:
    """Set the event's id (its own or its content id) and encode it, computing the payload once."""
    encoded = _encode(event)
    if event.id is None:
        event = event.model_copy(update={"id": encoded.content_id()})
    return Stamped(event, encoded.payload, encoded.canonical)


def stamp_fresh(event: Event) -> Stamped:
    """`stamp` for an event nobody else holds yet (just parsed): its id is set in place.

    The same as model_copy(update={"id": ...}) without the copy: the id in __dict__ and in the
    fields set. Never for a model that came from a caller.
    """
    encoded = _encode(event)
    if event.id is None:
        _set_id(event, encoded.content_id())
    return Stamped(event, encoded.payload, encoded.canonical)


def _set_id(event: BaseEvent, event_id: UUID) -> None:
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
    it straight from the input, as _encode would from the fields.
    """
    if type(data) is dict:
        event = plain_event(data)
        if event is not None:
            utf8 = _plain_json(data)
            if utf8 is None:  # not JSON as it stands (e.g. a model given for a source)
                stamped = stamp_fresh(event)  # type: ignore[arg-type]
                return stamped.event, stamped.canonical
            if event.id is None:
                _set_id(event, _content_id(utf8))
            return event, utf8.decode()  # type: ignore[return-value]
    stamped = stamp_fresh(_validated(data, origin))
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
        raise _invalid(e, f"stored {type_name}") from None


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
        _set_id(event, event_id)
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
