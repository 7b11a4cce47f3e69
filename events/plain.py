"""A second validator per event type, for input of the plain shape: the reference, minus Python.

Validating an event with its model runs pydantic-core, calling Python back for every date and
amount (the Day and Amount validators) and for the mw and non-empty checks of amounts. Most input
is plain: every value a str, dates written YYYY-MM-DD, amounts already in canonical form, no mw,
no nulls, target ids spelt as str() spells them. For such input the model's own core schema with
- dates: a strict str written YYYY-MM-DD, then pydantic-core's date (what parse_day_text gives);
- amounts: a strict str in canonical form, then Decimal (what parse_amount returns for it);
- resources: usd, gw or chips (no mw, which merge_mw would fold into gw), at least one of them
  (what require_resource checks);
- every other str strict, nulls refused, UUIDs only in str()'s spelling;
- the model validators kept, and instances made as pydantic-core makes them (see _model),
gives the very model the reference gives, a few microseconds sooner. Whatever it refuses, the
reference path then validates, so refusals keep their wording. As every value it accepts is a str
that the payload holds unchanged, such input is its own payload, ids left out (see
stamping.parse_and_stamp).

A schema holding anything this module does not know (another validator, another type) gets no
fast path: a model changed without this module loses speed, never exactness.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from .amounts import RESOURCE_PATTERN, merge_mw, parse_amount
from .models import BaseEvent, parse_day, require_resource
from .registry import EVENT_TYPES

__all__ = ["PLAIN_TYPES", "plain_event", "plain_validator", "shared_names"]

_CANONICAL_FIGURE = r"^(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{0,8}[1-9])?$"
"""An amount as decimal_text writes it, in parse_amount's own fast path: Decimal(text) is the
amount parse_amount returns, and the text is its rendering."""
_RESOURCES_BUT_MW = r"^(usd|gw|chips:[a-z0-9][a-z0-9-]{0,49})$"
_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
"""What parse_day_text reads: anything else goes the reference way."""
_UUID_TEXT = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
"""The spelling str() gives a UUID: the payload holds targets spelt so."""

_DAY: dict[str, Any] = {
    "type": "chain",
    "steps": [{"type": "str", "strict": True, "pattern": _ISO_DAY}, {"type": "date"}],
}
"""pydantic-core's own date, from text the Day validator would read: for such text it gives the
date date.fromisoformat gives, and refuses what it refuses (checked for every year)."""
_AMOUNTS: dict[str, Any] = {
    "type": "dict",
    "strict": True,
    "keys_schema": {"type": "str", "strict": True, "pattern": _RESOURCES_BUT_MW},
    "values_schema": {
        "type": "function-after",
        "function": {"type": "no-info", "function": Decimal},
        "schema": {"type": "str", "strict": True, "pattern": _CANONICAL_FIGURE},
    },
}
_UUID: dict[str, Any] = {
    "type": "chain",
    "steps": [{"type": "str", "strict": True, "pattern": _UUID_TEXT}, {"type": "uuid"}],
}
# Schema types taken over as they are, their inner schemas made plain in turn.
_KEPT = frozenset(("model-fields", "model-field", "default", "literal", "tagged-union"))
# What a model schema may hold: its class and fields, and settings checked in _model.
_MODEL_KEYS = frozenset(
    ("type", "cls", "schema", "custom_init", "root_model", "post_init", "config", "ref", "metadata")
)


class _Unknown(Exception):
    """A part of a schema this module does not know: the model gets no fast path."""


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """The plain counterpart of a core schema (see the module's docstring)."""
    kind = schema["type"]
    if kind == "str":
        return {**schema, "strict": True}
    if kind == "nullable":
        return _plain(schema["schema"])
    if kind == "uuid" and schema.keys() <= {"type", "metadata"}:
        return _UUID
    if kind == "function-plain" and schema["function"]["function"] is parse_day:
        return _DAY
    if kind == "function-after":
        return _after(schema)
    if kind == "model":
        return _model(schema)
    if kind not in _KEPT:
        raise _Unknown(kind)
    plain = dict(schema)
    if "schema" in schema:
        plain["schema"] = _plain(schema["schema"])
    for by_name in ("fields", "choices"):  # a model's fields, a union's models
        if by_name in schema:
            plain[by_name] = {name: _plain(inner) for name, inner in schema[by_name].items()}
    return plain


def _model(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's fields validated, then its instance made as pydantic-core makes it.

    pydantic-core would swap a model schema for the class's own validator (its prebuilt one,
    Python validators and all), so the instance is made here instead, from the model-fields
    result (values, extra, fields set): the same four attributes set to the same values (the
    fields set the one shared by every model given the same names: see shared_names).
    """
    config = schema.get("config", {})
    if (
        not schema.keys() <= _MODEL_KEYS
        or schema.get("custom_init")
        or schema.get("root_model")
        or schema.get("post_init")
        or not config.keys() <= {"title", "extra_fields_behavior"}
        or schema["schema"]["type"] != "model-fields"
    ):
        raise _Unknown(schema.get("cls"))
    fields = _plain(schema["schema"])
    if "extra_fields_behavior" in config:  # the model's config, which its fields would inherit
        fields["extra_behavior"] = config["extra_fields_behavior"]
    return {
        "type": "function-after",
        "function": {"type": "no-info", "function": _instance_of(schema["cls"])},
        "schema": fields,
    }


def _instance_of(model: type[BaseModel]) -> Callable[[tuple[Any, Any, Any]], BaseModel]:
    def instance(validated: tuple[Any, Any, Any]) -> BaseModel:
        values, extra, given = validated
        event = _new(model)
        _set(event, "__dict__", values)
        _set(event, "__pydantic_extra__", extra)
        _set(event, "__pydantic_fields_set__", shared_names(given))
        _set(event, "__pydantic_private__", None)
        return event

    return instance


_SHARED_NAMES: dict[frozenset[str], set[str]] = {}
_MAX_SHARED_NAMES = 4096
"""Far more than the models' fields can make (the names are the model's own: extra is
forbidden); past it, sets are no longer shared, nothing else changes."""


def shared_names(names: set[str]) -> set[str]:
    """The one set of these field names that models share as their fields set.

    pydantic-core makes a new set of the fields given for every instance: 728 bytes for six
    names, two fifths of a DeliveryRecorded, for a handful of distinct values. Models keep
    one per distinct value instead. Nothing changes a frozen model's fields set in place:
    setattr is refused before it would add to it, and model_copy copies it first.
    """
    key = frozenset(names)
    shared = _SHARED_NAMES.get(key)
    if shared is None:
        if len(_SHARED_NAMES) >= _MAX_SHARED_NAMES:
            return names
        shared = _SHARED_NAMES[key] = set(key)
    return shared


def _after(schema: dict[str, Any]) -> dict[str, Any]:
    function, inner = schema["function"]["function"], schema["schema"]
    if inner["type"] == "model":  # a model validator: the same one runs on the same instance
        return {**schema, "schema": _plain(inner)}
    if function is merge_mw and _is_amounts(inner):
        return _AMOUNTS
    if function is require_resource:
        amounts = _plain(inner)
        if amounts is _AMOUNTS:
            return {**amounts, "min_length": 1}
    raise _Unknown(function)


def _is_amounts(schema: dict[str, Any]) -> bool:
    """Whether a schema is the models' own: resource names to amounts, nothing else."""
    keys, values = schema.get("keys_schema", {}), schema.get("values_schema", {})
    return (
        schema["type"] == "dict"
        and schema.keys() <= {"type", "keys_schema", "values_schema", "metadata"}
        and keys == {"type": "str", "pattern": RESOURCE_PATTERN}
        and values.get("type") == "function-plain"
        and values["function"]["function"] is parse_amount
    )


def _validator(model: type[BaseEvent]) -> SchemaValidator | None:
    try:
        return SchemaValidator(_plain(model.__pydantic_core_schema__))  # type: ignore[arg-type]
    except _Unknown:
        return None


_new = object.__new__
_set = object.__setattr__

_VALIDATORS = {
    name: validator
    for name, model in EVENT_TYPES.items()
    if (validator := _validator(model)) is not None
}
PLAIN_TYPES = frozenset(_VALIDATORS)
"""The event types with a fast path (all of them, unless a model grew something unknown here)."""


def plain_validator(type_name: object) -> SchemaValidator | None:
    """The plain validator of an event type, if it has one."""
    return _VALIDATORS.get(type_name) if type(type_name) is str else None


def plain_event(data: dict[str, Any]) -> BaseEvent | None:
    """The model of input of the plain shape, exactly as validation builds it; None otherwise
    (the reference path decides)."""
    validator = plain_validator(data.get("type"))
    if validator is None:
        return None
    try:
        model: BaseEvent = validator.validate_python(data)
    except Exception:  # whatever it is, the reference path meets it too and says what it says
        return None
    return model
