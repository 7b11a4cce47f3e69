"""An event's canonical JSON (one spelling of its payload) and the content id derived from it."""

from __future__ import annotations

import json
from hashlib import sha1
from typing import Any, NamedTuple
from uuid import UUID, SafeUUID, uuid5

import orjson

from .models import Event
from .payloads import UnusualPayload, dumped_payload, payload_fields

__all__ = ["EVENT_NAMESPACE", "Encoded", "canonical_json", "content_id", "encode", "utf8_id"]

EVENT_NAMESPACE = UUID("6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30")
"""The namespace of content ids: uuid5(EVENT_NAMESPACE, canonical JSON of the payload)."""

# What json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(obj: Any) -> str:
    """One spelling of JSON-ready data: sorted keys, no spaces, UTF-8 kept as is."""
    return _CANONICAL.encode(obj)


_NAMESPACE_BYTES = EVENT_NAMESPACE.bytes


class Encoded(NamedTuple):
    """An event's payload and its canonical JSON."""

    payload: dict[str, Any]
    canonical: str
    utf8: bytes | None
    """The canonical JSON as UTF-8, when the fast path made it."""

    def content_id(self) -> UUID:
        if self.utf8 is None:
            return uuid5(EVENT_NAMESPACE, self.canonical)
        return utf8_id(self.utf8)


_VERSION_5 = 5 << 76 | 0x8000 << 48
"""The version and variant bits of a UUID v5."""
_NOT_VERSION = ~(0xF000 << 64 | 0xC000 << 48)
_new = object.__new__
_set = object.__setattr__
_UNKNOWN_SAFETY = SafeUUID.unknown  # an enum member's lookup costs a property call each time


def utf8_id(utf8: bytes) -> UUID:
    """What uuid5(EVENT_NAMESPACE, text) computes, from the text's UTF-8 at hand: the bits of
    UUID(bytes=..., version=5), set without its argument checks."""
    digest = int.from_bytes(sha1(_NAMESPACE_BYTES + utf8).digest()[:16])
    identity = _new(UUID)
    _set(identity, "int", digest & _NOT_VERSION | _VERSION_5)
    _set(identity, "is_safe", _UNKNOWN_SAFETY)
    return identity


def encode(event: Event) -> Encoded:
    """Payload and canonical JSON of an event.

    The fast path builds the payload from the fields (only exact str and dict values) and lets
    orjson write it: for such data its output is byte for byte that of canonical_json (both
    escape only quotes, backslashes and control characters, alike). Anything else, and text
    orjson refuses (lone surrogates), goes the reference way.
    """
    try:
        payload = payload_fields(event)
    except UnusualPayload:
        payload = dumped_payload(event)
        return Encoded(payload, canonical_json(payload), None)
    return _encoded(payload)


def _encoded(payload: dict[str, Any]) -> Encoded:
    """The canonical JSON of a payload of exact str and dict values (see encode)."""
    try:
        utf8 = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return Encoded(payload, canonical_json(payload), None)
    return Encoded(payload, utf8.decode(), utf8)


def content_id(event: Event) -> UUID:
    """The id derived from an event's content: equal content, equal id."""
    return encode(event).content_id()
