"""The exposure and money-flow questions, timed at the benchmark's (as_of, known_at) pairs."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from . import limits
from .run import Row

EXPOSURE = "exposure (by provider, committed), median"
FLOWS = "flows, median"
CYCLES = "flows --cycles, median"


def question_rows(
    led: Any, pairs: list[tuple[date, datetime]], log: Callable[[str], None], where: str
) -> list[Row]:
    """`exposure`, `flows` and `flows --cycles` through the API, one call per pair (after one
    warm-up each, not counted), medians in ms."""
    from projections import exposure, flows

    asked: list[tuple[str, Callable[[date, datetime], Any]]] = [
        (EXPOSURE, lambda as_of, known_at: exposure(led, as_of=as_of, known_at=known_at)),
        (FLOWS, lambda as_of, known_at: flows(led, as_of=as_of, known_at=known_at)),
        (CYCLES, lambda as_of, known_at: flows(led, as_of=as_of, known_at=known_at, cycles=True)),
    ]
    rows = []
    for work, ask in asked:
        log(f"[{where}] {work.removesuffix(', median')} at {len(pairs)} pairs ...")
        ask(*pairs[0])
        timings = []
        for as_of, known_at in pairs:
            started = time.perf_counter()
            ask(as_of, known_at)
            timings.append((time.perf_counter() - started) * 1000)
        rows.append(Row(work, "ms", limits.median(timings), better="lower"))
    return rows
