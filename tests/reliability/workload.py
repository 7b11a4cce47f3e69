"""Seeded workloads for the reliability tests, and the reference they are checked against.

Pure (no store, no pytest): the recorder subprocesses import it too.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from events import fold

SOAK = os.environ.get("CAPLEDGER_SOAK", "").lower() not in ("", "0", "false", "no")
SOAK_FACTOR = 5
FAR_FUTURE = date(2100, 1, 1)
SHARED = ("shared-0", "shared-1", "shared-2")
"""The commitments every concurrent recorder delivers against."""


def scaled(trials: int) -> int:
    """More trials under `make soak` (CAPLEDGER_SOAK=1)."""
    return trials * SOAK_FACTOR if SOAK else trials


def made(
    commitment: str, *, holder: str = "anthropic", gw: str = "20", **extra: Any
) -> dict[str, Any]:
    """A commitment of up to `gw` gigawatts and 1000 dollars, from amazon, opened 2026-01-01."""
    return {
        "type": "CommitmentMade",
        "commitment": commitment,
        "effective": "2026-01-01",
        "provider": "amazon",
        "holder": holder,
        "kind": "capacity",
        "bound": "up_to",
        "amounts": {"gw": gw, "usd": "1000"},
        **extra,
    }


def delivery(
    commitment: str, gw: str, *, effective: str = "2026-06-01", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "DeliveryRecorded",
        "commitment": commitment,
        "effective": effective,
        "amounts": {"gw": gw},
        **extra,
    }


def import_events(count: int, seed: int) -> list[dict[str, Any]]:
    """A valid import of exactly `count` events over many commitments (every kind of event).

    Each commitment of 10 events: made, two tranches, deliveries within them, an amendment,
    a cancelled tranche, a correction and a retraction; every event has its own explicit id.
    """
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    number = 0
    while len(out) < count:
        name = f"import-{seed}-{number:06d}"
        number += 1
        ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(10)]
        month = rng.randint(2, 9)
        stream = [
            made(name, holder=f"lab-{number % 7}", gw="10"),
            {
                "type": "TrancheScheduled",
                "commitment": name,
                "effective": "2026-01-15",
                "tranche": "first",
                "amounts": {"gw": "4"},
                "due": "2026-12-31",
            },
            {
                "type": "TrancheScheduled",
                "commitment": name,
                "effective": "2026-01-15",
                "tranche": "second",
                "amounts": {"gw": "3"},
            },
            delivery(name, "1.5", effective=f"2026-{month:02d}-01", tranche="first"),
            delivery(name, "0.25", effective=f"2026-{month:02d}-02", tranche="second"),
            {
                "type": "CommitmentAmended",
                "commitment": name,
                "effective": "2026-10-01",
                "amounts": {"gw": "12"},
            },
            {
                "type": "TrancheCancelled",
                "commitment": name,
                "effective": "2026-11-01",
                "tranche": "second",
            },
            delivery(name, "2", effective="2026-11-15", tranche="first", site="virginia"),
        ]
        for event, event_id in zip(stream, ids, strict=False):
            event["id"] = event_id
        replacement = {k: v for k, v in stream[3].items() if k != "id"}
        replacement["amounts"] = {"gw": "1.75"}
        stream.append(
            {
                "type": "EventCorrected",
                "commitment": name,
                "target": ids[3],
                "replacement": replacement,
                "id": ids[8],
            }
        )
        stream.append(
            {"type": "EventRetracted", "commitment": name, "target": ids[7], "id": ids[9]}
        )
        out.extend(stream)
    return out[:count]


def write_jsonl(path: Path, events: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


def reference_positions(
    stored: Sequence[Any], as_of: date = FAR_FUTURE
) -> dict[tuple[str, str], tuple[Decimal, Decimal, Decimal, Decimal]]:
    """The reference fold over stored rows, per (commitment, resource): the four totals."""
    streams: dict[str, list[Any]] = defaultdict(list)
    for row in stored:
        streams[row.commitment].append(row.event)
    totals: dict[tuple[str, str], tuple[Decimal, Decimal, Decimal, Decimal]] = {}
    for commitment, stream in streams.items():
        state = fold(stream, as_of)
        if state is None:
            continue
        outstanding = state.outstanding
        for resource in state.resources:
            amounts = tuple(
                measure.get(resource, Decimal(0))
                for measure in (state.committed, state.scheduled, state.delivered, outstanding)
            )
            if any(amounts):
                totals[(commitment, resource)] = amounts  # type: ignore[assignment]
    return totals


def projected_positions(ledger: Any) -> dict[tuple[str, str], tuple[Decimal, ...]]:
    """What `positions` answers per (commitment, resource), far in the future."""
    from projections import positions

    rows = positions(ledger, as_of=FAR_FUTURE, by=("commitment", "resource"))
    return {
        (row.commitment, row.resource): (
            row.committed,
            row.scheduled,
            row.delivered,
            row.outstanding,
        )
        for row in rows
    }
