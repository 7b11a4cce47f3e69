"""The read models are checked against the reference fold over random, valid histories."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import (
    Event,
    EventCorrected,
    EventRetracted,
    RuleViolation,
    check_stream,
    fold,
    parse_event,
    to_payload,
)
from ledger import Ledger
from projections import attach, positions, timeline

from .conftest import SetClock, fresh_store

BASE = date(2025, 1, 1)
FIRST_INSTANT = datetime(2026, 1, 1, tzinfo=UTC)
STREAMS = ("c0", "c1", "c2")
AMOUNTS = ("1", "2.5", "0.125", "7.000000001")
TRANCHE_AMOUNTS = ("5", "10", "20.5")
TOTALS = ("100", "250.5", "1000")

Draw = Callable[[st.SearchStrategy[Any]], Any]


def day(draw: Draw, low: int = 0, high: int = 90) -> str:
    return (BASE + timedelta(days=draw(st.integers(low, high)))).isoformat()


def resources_of(stream: list[Event]) -> list[str]:
    names: set[str] = set()
    for event in stream:
        names |= set(getattr(event, "amounts", None) or {})
        if isinstance(event, EventCorrected):
            names |= set(getattr(event.replacement, "amounts", None) or {})
    return sorted(names)


def candidate(draw: Draw, name: str, stream: list[Event]) -> dict[str, Any]:
    """An event for the stream, usually valid; the caller keeps it only if the rules agree."""
    if not stream:
        resources = draw(st.lists(st.sampled_from(["usd", "gw"]), min_size=1, unique=True))
        return {
            "type": "CommitmentMade",
            "effective": day(draw, 0, 20),
            "provider": draw(st.sampled_from(["amazon", "google"])),
            "holder": draw(st.sampled_from(["anthropic", "openai"])),
            "kind": draw(st.sampled_from(["investment", "spend", "capacity"])),
            "bound": draw(st.sampled_from(["exact", "up_to", "at_least"])),
            "amounts": {r: draw(st.sampled_from(TOTALS)) for r in resources},
        }
    resource = draw(st.sampled_from(resources_of(stream)))
    tranches = sorted({e.tranche for e in stream if e.type == "TrancheScheduled"})  # type: ignore[union-attr]
    originals = [e for e in stream if not isinstance(e, EventCorrected | EventRetracted)]
    kinds = ["deliver", "deliver", "schedule", "schedule", "amend", "cancel", "correct", "retract"]
    if tranches:
        kinds += ["deliver_tranche", "deliver_tranche", "cancel_tranche", "cancel_tranche"]
    kind = draw(st.sampled_from(kinds))
    if kind == "deliver":
        return {
            "type": "DeliveryRecorded",
            "effective": day(draw),
            "amounts": {resource: draw(st.sampled_from(AMOUNTS))},
        }
    if kind == "deliver_tranche":
        return {
            "type": "DeliveryRecorded",
            "effective": day(draw),
            "tranche": draw(st.sampled_from(tranches)),
            "amounts": {resource: draw(st.sampled_from(AMOUNTS))},
        }
    if kind == "schedule":
        due = draw(st.none() | st.integers(0, 150).map(lambda n: str(BASE + timedelta(n))))
        return {
            "type": "TrancheScheduled",
            "effective": day(draw),
            "tranche": f"t{len(tranches)}",
            "amounts": {resource: draw(st.sampled_from(TRANCHE_AMOUNTS))},
            **({"due": due} if due else {}),
        }
    if kind == "cancel_tranche":
        return {
            "type": "TrancheCancelled",
            "effective": day(draw),
            "tranche": draw(st.sampled_from(tranches)),
        }
    if kind == "amend":
        return {
            "type": "CommitmentAmended",
            "effective": day(draw),
            "amounts": {resource: draw(st.sampled_from(TOTALS))},
        }
    if kind == "cancel":
        return {"type": "CommitmentCancelled", "effective": day(draw, 40, 100)}
    target = draw(st.sampled_from(originals))
    if kind == "retract":
        return {"type": "EventRetracted", "target": str(target.id)}
    replacement = to_payload(target)
    if draw(st.booleans()) or "amounts" not in replacement:
        replacement["effective"] = day(draw, 0, 40)
    else:
        replacement["amounts"] = {
            name: draw(st.sampled_from(AMOUNTS + TOTALS)) for name in replacement["amounts"]
        }
    return {"type": "EventCorrected", "target": str(target.id), "replacement": replacement}


@st.composite
def histories(draw: Draw) -> list[list[dict[str, Any]]]:
    """Batches of events that pass the rules, recorded one batch per instant."""
    streams: dict[str, list[Event]] = {name: [] for name in STREAMS}
    batches: list[list[dict[str, Any]]] = []
    counter = 0
    for _ in range(draw(st.integers(1, 5))):
        batch: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(1, 10))):
            name = draw(st.sampled_from(STREAMS))
            counter += 1
            data = {
                **candidate(draw, name, streams[name]),
                "commitment": name,
                "id": str(uuid.uuid5(uuid.NAMESPACE_OID, str(counter))),
            }
            model = parse_event(data)
            try:
                check_stream(streams[name], [model], [None])
            except RuleViolation:
                continue
            streams[name].append(model)
            batch.append(data)
        if batch:
            batches.append(batch)
    return batches


def expected(
    batches: list[list[dict[str, Any]]],
    instants: list[datetime],
    as_of: date,
    known_at: datetime | None,
    keys: tuple[str, ...],
) -> dict[tuple[str, ...], tuple[Decimal, ...]]:
    """The reference: fold each commitment's events known at `known_at`, as of `as_of`, sum."""
    streams: dict[str, list[Event]] = {}
    for batch, instant in zip(batches, instants, strict=True):
        if known_at is None or instant <= known_at:
            for data in batch:
                streams.setdefault(data["commitment"], []).append(parse_event(data))
    totals: dict[tuple[str, ...], list[Decimal]] = {}
    for stream in streams.values():
        state = fold(stream, as_of)
        if state is None:
            continue
        for resource in state.resources:
            values = {
                "commitment": state.commitment,
                "holder": state.holder,
                "provider": state.provider,
                "kind": state.kind,
                "resource": resource,
            }
            running = totals.setdefault(tuple(values[k] for k in keys), [Decimal(0)] * 4)
            for index, measure in enumerate(
                (state.committed, state.scheduled, state.delivered, state.outstanding)
            ):
                running[index] += measure.get(resource, Decimal(0))
    return {key: tuple(v) for key, v in totals.items() if any(v)}


def expected_timeline(
    batches: list[list[dict[str, Any]]],
    instants: list[datetime],
    as_of: date,
    known_at: datetime | None,
    resource: str,
) -> tuple[Decimal, Decimal, Decimal]:
    """Committed, scheduled by due date (live tranches due by `as_of`, undated ones counting
    from their scheduled date, plus what cancelled ones delivered) and delivered."""
    streams: dict[str, list[Event]] = {}
    for batch, instant in zip(batches, instants, strict=True):
        if known_at is None or instant <= known_at:
            for data in batch:
                streams.setdefault(data["commitment"], []).append(parse_event(data))
    committed = scheduled = delivered = Decimal(0)
    for stream in streams.values():
        state = fold(stream, as_of)
        if state is None:
            continue
        committed += state.committed.get(resource, Decimal(0))
        delivered += state.delivered.get(resource, Decimal(0))
        for tranche in state.tranches.values():
            if tranche.cancelled_on is not None:
                scheduled += tranche.delivered.get(resource, Decimal(0))
            elif (tranche.due or tranche.scheduled_on) <= as_of:
                scheduled += tranche.amounts.get(resource, Decimal(0))
    return committed, scheduled, delivered


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=histories(),
    attached=st.booleans(),
    queries=st.lists(
        st.tuples(st.integers(-5, 110), st.integers(-1, 13), st.integers(0, 2)),
        min_size=1,
        max_size=4,
    ),
)
def test_positions_and_timeline_equal_the_fold_at_any_as_of_and_known_at(
    store_url: str,
    tmp_path: Path,
    batches: list[list[dict[str, Any]]],
    attached: bool,
    queries: list[tuple[int, int, int]],
) -> None:
    clock = SetClock(FIRST_INSTANT)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        if attached:
            attach(led)
        instants = []
        for batch in batches:
            receipt = led.record(batch)
            assert receipt.recorded == len(batch)
            assert receipt.recorded_at is not None
            instants.append(receipt.recorded_at)
            clock.tick(hours=1)
        for as_of_days, known_index, shift in queries:
            as_of = BASE + timedelta(days=as_of_days)
            known_at: datetime | None = None
            if known_index >= 0:
                # Before, at, or between the recording instants.
                known_at = FIRST_INSTANT + timedelta(hours=known_index, minutes=30 * shift - 30)
            for keys in (("holder", "provider", "kind", "resource"), ("commitment", "resource")):
                rows = positions(led, as_of=as_of, known_at=known_at, by=keys)
                found = {
                    tuple(getattr(row, k) for k in keys): (
                        row.committed,
                        row.scheduled,
                        row.delivered,
                        row.outstanding,
                    )
                    for row in rows
                }
                assert found == expected(batches, instants, as_of, known_at, keys)
            for resource in ("usd", "gw"):
                rows_ = timeline(
                    led,
                    resource=resource,
                    every="month",
                    start=as_of,
                    end=as_of,
                    known_at=known_at,
                )
                (period,) = rows_
                assert period.as_of == as_of
                found_ = (period.committed, period.scheduled, period.delivered)
                assert found_ == expected_timeline(batches, instants, as_of, known_at, resource)
