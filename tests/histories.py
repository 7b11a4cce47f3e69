"""Random valid histories, the one generator of every property test, and what the reference
fold says of them.

A history is several commitment streams recorded in batches, one batch per recording instant:
commitments made, amended and cancelled, tranches scheduled, delivered against and cancelled,
deliveries against no tranche, and corrections and retractions of any of these (a correction
may move an event to another date or change its amounts). Amounts are either round figures or
any number of cents, and sometimes exactly what is left to deliver or schedule. Dates fall
anywhere in BASE .. LAST_DAY, so events are often recorded after later-dated ones; a batch's
events may also come in any order that is valid as a whole (an event before the one it depends
on). Each event is kept only if the rules accept the stream with it: every history is valid.

    histories()                     the batches, as event dicts with ids set
    one_stream()                    one commitment's events (models), in recording order
    moved(batches, delta)           the same history, every date moved
    expected_positions(...)         positions the reference fold gives, as of and known at
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st

from events import (
    CommitmentState,
    Event,
    EventCorrected,
    EventRetracted,
    RuleViolation,
    StreamWalk,
    check_stream,
    fold,
    parse_event,
    to_payload,
)

BASE = date(2025, 1, 1)
"""The earliest date of any event; every date falls in BASE .. LAST_DAY."""
LAST_DAY = BASE + timedelta(days=150)
FIRST_INSTANT = datetime(2026, 1, 1, tzinfo=UTC)
"""When the first batch is recorded; each later one an hour after the one before."""
STREAMS = ("c0", "c1", "c2")
RESOURCES = ("usd", "gw", "chips:trainium2")
AMOUNTS = ("1", "2.5", "0.125", "7.000000001")
TRANCHE_AMOUNTS = ("5", "10", "20.5")
TOTALS = ("100", "250.5", "1000")
KINDS = ("deliver", "deliver", "schedule", "schedule", "amend", "cancel", "correct", "retract")
TRANCHE_KINDS = ("deliver_tranche", "deliver_tranche", "cancel_tranche", "cancel_tranche")

Batches = list[list[dict[str, Any]]]

_RESOURCE_SETS = st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3, unique=True)
_PROVIDERS = st.sampled_from(["amazon", "google"])
_HOLDERS = st.sampled_from(["anthropic", "openai"])
_KINDS = st.sampled_from(["investment", "spend", "capacity"])
_BOUNDS = st.sampled_from(["exact", "up_to", "at_least"])
_DUE = st.none() | st.integers(0, 150).map(lambda n: str(BASE + timedelta(n)))
_RESTS = st.integers(0, 3)
_CORRECTED_AMOUNTS = st.sampled_from(AMOUNTS + TOTALS)
_ROUND_AMOUNTS = st.sampled_from(AMOUNTS)
_ANY_KIND = st.sampled_from(KINDS)
_KIND_WITH_TRANCHES = st.sampled_from(KINDS + TRANCHE_KINDS)
_UNCORRECTED_KIND = st.sampled_from(KINDS[:-2])
_UNCORRECTED_KIND_WITH_TRANCHES = st.sampled_from(KINDS[:-2] + TRANCHE_KINDS)
Draw = Callable[[st.SearchStrategy[Any]], Any]


def money(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2))


@cache
def _days(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: (BASE + timedelta(days=n)).isoformat())


def day(draw: Draw, low: int = 0, high: int = 90) -> str:
    """A date `low` to `high` days after BASE."""
    return str(draw(_days(low, high)))


@cache
def _amounts(figures: tuple[str, ...], most: int) -> st.SearchStrategy[str]:
    round_figures = st.sampled_from(figures)
    return round_figures | round_figures | st.integers(0, most * 100).map(money)


def amount(draw: Draw, figures: tuple[str, ...], most: int) -> str:
    """Usually a round figure of `figures`, else any number of cents up to `most`."""
    return str(draw(_amounts(figures, most)))


def state_on(walk: StreamWalk | None, effective: str) -> CommitmentState | None:
    """The stream's state as of `effective`, from the walk of its rules check."""
    if walk is None:
        return None
    states = walk.states
    at = bisect_right(states, date.fromisoformat(effective), key=lambda pair: pair[0])
    return states[at - 1][1] if at else None


def resources_of(stream: list[Event]) -> list[str]:
    names: set[str] = set()
    for event in stream:
        names |= set(getattr(event, "amounts", None) or {})
        if isinstance(event, EventCorrected):
            names |= set(getattr(event.replacement, "amounts", None) or {})
    return sorted(names)


def opening(draw: Draw) -> dict[str, Any]:
    resources = draw(_RESOURCE_SETS)
    return {
        "type": "CommitmentMade",
        "effective": day(draw, 0, 20),
        "provider": draw(_PROVIDERS),
        "holder": draw(_HOLDERS),
        "kind": draw(_KINDS),
        "bound": draw(_BOUNDS),
        "amounts": {r: amount(draw, TOTALS, 100_000) for r in resources},
    }


def the_rest(draw: Draw, walk: StreamWalk | None, resource: str, measure: str) -> dict[str, Any]:
    """A dated amount of exactly what is left to deliver or schedule on that date, if any."""
    effective = day(draw)
    state = state_on(walk, effective)
    left = Decimal(0)
    if state is not None:
        taken = getattr(state, measure).get(resource, Decimal(0))
        left = state.committed.get(resource, Decimal(0)) - taken
    figure = str(left) if left > 0 else draw(_ROUND_AMOUNTS)
    return {"effective": effective, "amounts": {resource: figure}}


def candidate(
    draw: Draw, stream: list[Event], walk: StreamWalk | None, corrections: bool
) -> dict[str, Any]:
    """An event for the stream, usually valid; the caller keeps it only if the rules agree."""
    if not stream:
        return opening(draw)
    resource = draw(st.sampled_from(resources_of(stream)))
    tranches = sorted({e.tranche for e in stream if e.type == "TrancheScheduled"})  # type: ignore[union-attr]
    if corrections:
        kind = draw(_KIND_WITH_TRANCHES if tranches else _ANY_KIND)
    else:
        kind = draw(_UNCORRECTED_KIND_WITH_TRANCHES if tranches else _UNCORRECTED_KIND)
    rest = draw(_RESTS) == 0  # now and then, exactly what is left
    if kind == "deliver":
        if rest:
            return {"type": "DeliveryRecorded", **the_rest(draw, walk, resource, "delivered")}
        return {
            "type": "DeliveryRecorded",
            "effective": day(draw),
            "amounts": {resource: amount(draw, AMOUNTS, 1000)},
        }
    if kind == "deliver_tranche":
        return {
            "type": "DeliveryRecorded",
            "effective": day(draw),
            "tranche": draw(st.sampled_from(tranches)),
            "amounts": {resource: amount(draw, AMOUNTS, 1000)},
        }
    if kind == "schedule":
        due = draw(_DUE)
        dated = (
            the_rest(draw, walk, resource, "scheduled")
            if rest
            else {
                "effective": day(draw),
                "amounts": {resource: amount(draw, TRANCHE_AMOUNTS, 1000)},
            }
        )
        return {
            "type": "TrancheScheduled",
            "tranche": f"t{len(tranches)}",
            **dated,
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
            "amounts": {resource: amount(draw, TOTALS, 100_000)},
            **({"bound": draw(_BOUNDS)} if draw(st.booleans()) else {}),
        }
    if kind == "cancel":
        return {"type": "CommitmentCancelled", "effective": day(draw, 40, 100)}
    return correction(draw, stream, kind)


def correction(draw: Draw, stream: list[Event], kind: str) -> dict[str, Any]:
    """A retraction of any earlier event, or a correction moving it or changing its amounts."""
    originals = [e for e in stream if not isinstance(e, EventCorrected | EventRetracted)]
    target = draw(st.sampled_from(originals))
    if kind == "retract":
        return {"type": "EventRetracted", "target": str(target.id)}
    replacement = to_payload(target)
    if draw(st.booleans()) or "amounts" not in replacement:
        replacement["effective"] = day(draw, 0, 40)
    else:
        replacement["amounts"] = {name: draw(_CORRECTED_AMOUNTS) for name in replacement["amounts"]}
    return {"type": "EventCorrected", "target": str(target.id), "replacement": replacement}


class Streams:
    """The streams of a history being drawn: their events and the walks of their checks."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.events: dict[str, list[Event]] = {name: [] for name in names}
        self.walks: dict[str, StreamWalk | None] = dict.fromkeys(names)

    def add(self, name: str, model: Event) -> bool:
        """Append the event to its stream if the rules accept it there."""
        try:
            walk = check_stream(self.events[name], [model], [None], resume=self.walks[name])
        except RuleViolation:
            return False
        self.events[name].append(model)
        self.walks[name] = walk
        return True

    def reorder(
        self, draw: Draw, batch: list[dict[str, Any]], models: list[Event], start: dict[str, int]
    ) -> None:
        """Put the batch in an order drawn at random if every stream is valid with it so
        (`start`: each stream's length before the batch)."""
        order = draw(st.permutations(range(len(batch))))
        walks: dict[str, StreamWalk] = {}
        for name in {model.commitment for model in models}:
            new = [models[i] for i in order if models[i].commitment == name]
            if new == self.events[name][start[name] :]:
                continue
            try:
                walks[name] = check_stream(self.events[name][: start[name]], new, [None] * len(new))
            except RuleViolation:
                return
        batch[:] = [batch[i] for i in order]
        for name, walk in walks.items():
            self.events[name][start[name] :] = [
                models[i] for i in order if models[i].commitment == name
            ]
            self.walks[name] = walk


@st.composite
def histories(
    draw: Draw,
    streams: tuple[str, ...] = STREAMS,
    batches: int = 5,
    events: int = 10,
    corrections: bool = True,
    in_any_order: bool = True,
) -> Batches:
    """Up to `batches` batches of up to `events` events each, over `streams`, that pass the
    rules; with `in_any_order`, a batch's events may come in any order valid as a whole (so a
    prefix of a batch need not be valid); without it every prefix of the history is valid."""
    drawn = Streams(streams)
    made: Batches = []
    counter = 0
    for _ in range(draw(st.integers(1, batches))):
        batch: list[dict[str, Any]] = []
        models: list[Event] = []
        start = {name: len(events) for name, events in drawn.events.items()}
        for _ in range(draw(st.integers(1, events))):
            name = draw(st.sampled_from(streams))
            counter += 1
            data = {
                **candidate(draw, drawn.events[name], drawn.walks[name], corrections),
                "commitment": name,
                "id": str(uuid.uuid5(uuid.NAMESPACE_OID, str(counter))),
            }
            model = parse_event(data)
            if drawn.add(name, model):
                batch.append(data)
                models.append(model)
        if in_any_order and len(batch) > 1:
            drawn.reorder(draw, batch, models, start)
        if batch:
            made.append(batch)
    return made


def one_stream(corrections: bool = True) -> st.SearchStrategy[list[Event]]:
    """One commitment's history (models, ids set) in recording order, from a few batches."""
    return histories(streams=STREAMS[:1], batches=3, events=6, corrections=corrections).map(
        lambda batches: [parse_event(data) for batch in batches for data in batch]
    )


def moved(batches: Batches, delta: timedelta) -> Batches:
    """The history with every date moved by `delta` (the rules only compare dates)."""

    def move(data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        for name in ("effective", "due"):
            if name in out:
                out[name] = (date.fromisoformat(out[name]) + delta).isoformat()
        if "replacement" in out:
            out["replacement"] = move(out["replacement"])
        return out

    return [[move(data) for data in batch] for batch in batches]


def known_streams(
    batches: Batches, instants: list[datetime], known_at: datetime | None
) -> dict[str, list[Event]]:
    """Each stream's events recorded by `known_at` (all of them if None), in recording order."""
    streams: dict[str, list[Event]] = {}
    for batch, instant in zip(batches, instants, strict=True):
        if known_at is None or instant <= known_at:
            for data in batch:
                streams.setdefault(data["commitment"], []).append(parse_event(data))
    return streams


def expected_positions(
    batches: Batches,
    instants: list[datetime],
    as_of: date,
    known_at: datetime | None,
    keys: tuple[str, ...],
) -> dict[tuple[str, ...], tuple[Decimal, ...]]:
    """The reference: fold each commitment's events known at `known_at`, as of `as_of`, sum
    committed, scheduled, delivered, outstanding, ceiling and floor per `keys` (rows whose
    four totals are all zero left out)."""
    totals: dict[tuple[str, ...], list[Decimal]] = {}
    for stream in known_streams(batches, instants, known_at).values():
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
            running = totals.setdefault(tuple(values[k] for k in keys), [Decimal(0)] * 6)
            figures = (state.committed, state.scheduled, state.delivered, state.outstanding)
            for index, measure in enumerate((*figures, state.ceiling, state.floor)):
                running[index] += measure.get(resource, Decimal(0))
    return {key: tuple(v) for key, v in totals.items() if any(v[:4])}


def found_positions(
    rows: list[Any], keys: tuple[str, ...]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Position rows in the shape of `expected_positions`."""
    return {
        tuple(getattr(row, k) for k in keys): (
            row.committed,
            row.scheduled,
            row.delivered,
            row.outstanding,
            row.ceiling,
            row.floor,
        )
        for row in rows
    }
