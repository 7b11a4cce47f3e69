"""Upcasters: bring payloads stored under an older schema version up to SCHEMA_VERSION.

An upcaster is a step from version v to v + 1 for one event type. Steps are held by an
`Upcasters` chain; `UPCASTERS` is the one stored rows are read through (stored_rows.py).
Registration can be scoped (`with UPCASTERS.registered(...)`) so tests and migrations do not
leak state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import InvalidEvent
from .models import SCHEMA_VERSION

__all__ = ["UPCASTERS", "Upcaster", "Upcasters", "upcast"]

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""One step: takes a payload of version v (a private copy) and returns it as version v + 1."""


class Upcasters:
    """A chain of upcasting steps, keyed by (event type, version upgraded from)."""

    def __init__(self, target_version: int = SCHEMA_VERSION) -> None:
        self.target_version = target_version
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, type_name: str, from_version: int, step: Upcaster) -> None:
        """Add the step that turns `type_name` payloads of `from_version` into the next version."""
        key = (type_name, from_version)
        if key in self._steps:
            raise ValueError(f"an upcaster for {type_name} v{from_version} is already registered")
        if from_version >= self.target_version:
            raise ValueError(f"v{from_version} is not older than v{self.target_version}")
        self._steps[key] = step

    def unregister(self, type_name: str, from_version: int) -> None:
        """Remove a step added by `register`."""
        del self._steps[(type_name, from_version)]

    @contextmanager
    def registered(self, type_name: str, from_version: int, step: Upcaster) -> Iterator[None]:
        """Register a step for the duration of a `with` block."""
        self.register(type_name, from_version, step)
        try:
            yield
        finally:
            self.unregister(type_name, from_version)

    def upcast(
        self, type_name: str, schema_version: int, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Return the payload as of the target version, applying each step in turn."""
        if schema_version == self.target_version:
            return payload
        if schema_version > self.target_version:
            raise InvalidEvent(
                "schema_version",
                f"{type_name} v{schema_version} is newer than this code (v{self.target_version})",
            )
        upgraded = dict(payload)
        for version in range(schema_version, self.target_version):
            step = self._steps.get((type_name, version))
            if step is None:
                raise InvalidEvent(
                    "schema_version", f"no upcaster from {type_name} v{version} to v{version + 1}"
                )
            upgraded = step(upgraded)
        return upgraded


UPCASTERS = Upcasters()
"""The chain stored payloads are read through (stored_rows.py)."""


def upcast(type_name: str, schema_version: int, payload: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored payload up to SCHEMA_VERSION through the registered upcasters."""
    return UPCASTERS.upcast(type_name, schema_version, payload)
