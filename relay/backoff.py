"""Capped exponential back-off: for polling an idle log and for retrying a broker that is down."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

__all__ = ["Backoff", "pause"]


@dataclass
class Backoff:
    """Waits that double from `first` up to `cap`, until `reset()`."""

    first: float
    cap: float
    _next: float = field(default=0.0, init=False)

    def next(self) -> float:
        """The wait to take now; the one after is twice as long, up to the cap."""
        wait = self._next or self.first
        self._next = min(wait * 2, self.cap)
        return wait

    def reset(self) -> None:
        self._next = 0.0


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
