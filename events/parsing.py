"""Input to events: a mapping (from JSON, CSV or Python) validated as the model its type names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .errors import InvalidEvent
from .models import BaseEvent, Event
from .plain import plain_event
from .registry import event_class
from .validation_errors import invalid_event

__all__ = ["parse_event", "validated_event"]


def parse_event(data: Mapping[str, Any] | BaseEvent, *, origin: str | None = None) -> Event:
    """Validate an event given as a mapping (from JSON, CSV or Python); models pass through.

    Raises InvalidEvent naming the origin, the first field at fault and the rule it breaks.
    """
    if type(data) is dict:  # the common case, without the checks against ABCs
        model = plain_event(data)
        if model is not None:
            return model  # type: ignore[return-value]
    return validated_event(data, origin)


def validated_event(data: Mapping[str, Any] | BaseEvent, origin: str | None) -> Event:
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
        raise invalid_event(e, origin) from None
