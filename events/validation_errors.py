"""pydantic's validation errors told as InvalidEvent: the first field at fault and the rule it
breaks, in words a person recording events can act on."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .errors import InvalidEvent
from .models import FieldProblem
from .registry import EVENT_TYPES

__all__ = ["invalid_event"]

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


def invalid_event(error: ValidationError, origin: str | None) -> InvalidEvent:
    """The InvalidEvent telling a validation error, located at `origin`."""
    details = error.errors()
    # An unknown field explains the rest: a misspelt "amount" also leaves "amounts" missing.
    first = next((d for d in details if d["type"] == "extra_forbidden"), details[0])
    return InvalidEvent(_location(first), _rule(first), origin)
