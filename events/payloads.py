"""Events to payloads: an event's JSON-ready content, its id left out and absent fields omitted,
built straight from the validated fields where it can and by pydantic's serializer elsewhere."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from .amounts import decimal_text
from .models import Event, EventCorrected, Source
from .registry import EVENT_TYPES

__all__ = ["UnusualPayload", "dumped_payload", "payload_fields", "to_payload"]

_WITHOUT_ID: Any = {"id"}
_CORRECTION_WITHOUT_IDS: Any = {"id": True, "replacement": {"id": True}}


def dumped_payload(event: Event) -> dict[str, Any]:
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


class UnusualPayload(Exception):
    """A model or value the fast payload does not handle: use model_dump instead."""


def payload_fields(model: BaseModel) -> dict[str, Any]:
    """The payload of a model from its fields; raises UnusualPayload where it cannot."""
    plan = _PLANS.get(type(model))
    if plan is None:
        raise UnusualPayload
    values = model.__dict__
    payload: dict[str, Any] = {}
    for name, kind in plan:
        value = values[name]
        if value is None:
            continue
        if kind == _TEXT:
            if type(value) is not str:
                raise UnusualPayload
            payload[name] = value
        elif kind == _DAY:
            if type(value) is not date:
                raise UnusualPayload
            payload[name] = value.isoformat()
        elif kind == _AMOUNTS:
            payload[name] = _amounts_text(value)
        elif kind == _UUID:
            if type(value) is not UUID:
                raise UnusualPayload
            payload[name] = str(value)
        else:  # a source, or a replacement (whose id the payload leaves out)
            if not isinstance(value, BaseModel):
                raise UnusualPayload
            payload[name] = payload_fields(value)
    return payload


def _amounts_text(value: object) -> dict[str, str]:
    """Amounts by resource as the payload spells them (exact str keys, Decimal values only)."""
    if type(value) is not dict:
        raise UnusualPayload
    amounts = {}
    for resource, amount in value.items():
        if type(resource) is not str or type(amount) is not Decimal:
            raise UnusualPayload
        amounts[resource] = decimal_text(amount)
    return amounts


def to_payload(event: Event) -> dict[str, Any]:
    """The JSON-ready content of an event, without its id and with absent fields omitted."""
    try:
        return payload_fields(event)
    except UnusualPayload:
        return dumped_payload(event)
