"""A seeded synthetic ledger: commitments with tranches, deliveries, amendments, cancellations,
corrections, retractions and back-dated events, interleaved so that batches touch many streams.

Every event is valid when recorded in file order: amounts are planned in whole nanos (9 decimal
places) so that tranches, deliveries and corrections stay within the commitment at every date.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROVIDERS = ("amazon", "google", "microsoft", "oracle", "coreweave", "nvidia", "meta", "softbank")
HOLDERS = ("anthropic", "openai", "xai", "mistral", "cohere", "deepmind", "inflection", "ssi")
CHIPS = ("chips:trainium2", "chips:tpu", "chips:h100", "chips:gb200")
NANO = 10**9
ACTIVE = 1_000  # streams open at once: a 5,000-event chunk touches ~1,000 commitments
START = date(2021, 1, 1)


def amount(nanos: int) -> str:
    """Whole nanos as a decimal string with at most 9 places."""
    whole, frac = divmod(nanos, NANO)
    return f"{whole}.{frac:09d}".rstrip("0").rstrip(".") if frac else str(whole)


def _scale(rng: random.Random, resource: str) -> int:
    if resource == "usd":
        return rng.randint(1, 400) * 250_000_000 * NANO
    if resource == "gw":
        return rng.randint(100_000_000, 5_000_000_000)  # 0.1 .. 5 GW, in nanos
    return rng.randint(1_000, 500_000) * NANO


def commitment_events(rng: random.Random, index: int) -> list[dict[str, Any]]:
    """One commitment's events (~20 on average), in an order that is valid when recorded."""
    name = f"c{index:07d}"
    opened = START + timedelta(days=rng.randrange(0, 9 * 365))
    kind = rng.choice(("investment", "spend", "capacity"))
    bound = rng.choices(("up_to", "exact", "at_least"), (45, 25, 30))[0]
    resources = ["usd"] if kind != "capacity" else ["gw"]
    if kind == "capacity" and rng.random() < 0.5:
        resources.append(rng.choice(CHIPS))
    elif rng.random() < 0.2:
        resources.append("gw")
    committed = {r: _scale(rng, r) for r in resources}
    provider = rng.choice(PROVIDERS)
    holder = rng.choice(HOLDERS)
    term_days = rng.randint(365, 3650)
    made: dict[str, Any] = {
        "type": "CommitmentMade",
        "commitment": name,
        "effective": opened.isoformat(),
        "provider": provider,
        "holder": holder,
        "kind": kind,
        "bound": bound,
        "amounts": {r: amount(v) for r, v in committed.items()},
        "term_start": opened.isoformat(),
        "term_end": (opened + timedelta(days=term_days)).isoformat(),
        "source": {"publisher": "Reuters", "date": opened.isoformat()},
    }
    out: list[dict[str, Any]] = [made]
    day = opened
    last_day = opened

    def later(most: int = 120) -> date:
        nonlocal day, last_day
        day = day + timedelta(days=rng.randint(1, most))
        last_day = max(last_day, day)
        return day

    # Budgets against the ORIGINAL totals (amendments only raise them), so every date is valid:
    # tranches take at most 60%, deliveries outside tranches at most 30%.
    tranche_left = {r: v * 6 // 10 for r, v in committed.items()}
    loose_left = {r: v * 3 // 10 for r, v in committed.items()}
    tranches: dict[str, dict[str, Any]] = {}
    deliveries: list[dict[str, Any]] = []
    size = max(4, int(rng.expovariate(1 / 20)))
    size = min(size, 80)
    while len(out) < size - 2:
        roll = rng.random()
        if roll < 0.18 or not tranches:
            tid = f"t{len(tranches) + 1}"
            share = {r: left * rng.randint(10, 40) // 100 for r, left in tranche_left.items()}
            share = {r: v for r, v in share.items() if v > 0}
            if not share:
                continue
            for r, v in share.items():
                tranche_left[r] -= v
            eff = later()
            tranches[tid] = {"effective": eff, "left": dict(share)}
            out.append(
                {
                    "type": "TrancheScheduled",
                    "commitment": name,
                    "effective": eff.isoformat(),
                    "tranche": tid,
                    "amounts": {r: amount(v) for r, v in share.items()},
                    "due": (eff + timedelta(days=rng.randint(90, 1500))).isoformat(),
                }
            )
        elif roll < 0.80:
            on_tranche = rng.random() < 0.7
            if on_tranche:
                tid = rng.choice(list(tranches))
                pool = tranches[tid]["left"]
                floor = tranches[tid]["effective"]
            else:
                tid, pool, floor = None, loose_left, opened
            portion = {r: v * rng.randint(5, 30) // 100 for r, v in pool.items()}
            portion = {r: v for r, v in portion.items() if v > 0}
            if not portion:
                continue
            for r, v in portion.items():
                pool[r] -= v
            if rng.random() < 0.12 and day > floor:  # back-dated: before what came earlier
                eff = floor + timedelta(days=rng.randrange(0, (day - floor).days + 1))
            else:
                eff = later(60)
            event: dict[str, Any] = {
                "id": _uuid(rng),
                "type": "DeliveryRecorded",
                "commitment": name,
                "effective": eff.isoformat(),
                "amounts": {r: amount(v) for r, v in portion.items()},
                "site": f"site-{rng.randint(1, 400)}",
            }
            if tid is not None:
                event["tranche"] = tid
            out.append(event)
            deliveries.append(event)
        elif roll < 0.86:
            raised = {r: v + v * rng.randint(1, 30) // 100 for r, v in committed.items()}
            out.append(
                {
                    "type": "CommitmentAmended",
                    "commitment": name,
                    "effective": later().isoformat(),
                    "amounts": {r: amount(v) for r, v in raised.items()},
                    "note": "revised upwards in a later report",
                }
            )
            committed = raised  # later amendments raise from here; budgets stay on the original
        elif roll < 0.95 and deliveries:
            target = rng.choice(deliveries)
            deliveries.remove(target)
            replacement = {k: v for k, v in target.items() if k != "id"}
            if rng.random() < 0.6:  # a smaller figure
                replacement["amounts"] = {
                    r: amount(_nanos(v) * rng.randint(50, 99) // 100)
                    for r, v in target["amounts"].items()
                }
            else:
                replacement["note"] = "site corrected in a later filing"
            out.append(
                {
                    "type": "EventCorrected",
                    "commitment": name,
                    "target": target["id"],
                    "replacement": replacement,
                }
            )
        elif deliveries:
            target = rng.choice(deliveries)
            deliveries.remove(target)
            out.append(
                {
                    "type": "EventRetracted",
                    "commitment": name,
                    "target": target["id"],
                    "reason": "double-counted",
                }
            )
    if tranches and rng.random() < 0.15:
        out.append(
            {
                "type": "TrancheCancelled",
                "commitment": name,
                "effective": (last_day + timedelta(days=1)).isoformat(),
                "tranche": rng.choice(list(tranches)),
            }
        )
    if rng.random() < 0.06:
        out.append(
            {
                "type": "CommitmentCancelled",
                "commitment": name,
                "effective": (last_day + timedelta(days=2)).isoformat(),
                "reason": "the deal was called off",
            }
        )
    return out


def _uuid(rng: random.Random) -> str:
    """A random (seeded) UUID: deliveries carry explicit ids so corrections can name them."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _nanos(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * NANO + int((frac + "0" * 9)[:9])


def synthetic_events(
    n: int, *, seed: int = 20260420, active: int = ACTIVE
) -> Iterator[dict[str, Any]]:
    """N events of many commitments, interleaved: each comes from a random open stream."""
    rng = random.Random(seed)
    streams: list[list[dict[str, Any]]] = []
    opened = 0
    emitted = 0
    while emitted < n:
        while len(streams) < active:
            streams.append(commitment_events(rng, opened)[::-1])
            opened += 1
        slot = rng.randrange(len(streams))
        stream = streams[slot]
        yield stream.pop()
        emitted += 1
        if not stream:
            streams[slot] = streams[-1]
            streams.pop()


def write_jsonl(path: Path, n: int, *, seed: int = 20260420) -> Path:
    """Write N synthetic events, one JSON object a line."""
    with open(path, "w", encoding="utf-8") as out:
        for event in synthetic_events(n, seed=seed):
            out.write(json.dumps(event, separators=(",", ":")))
            out.write("\n")
    return path
