"""The rules checked on append (DESIGN.md, "Rules checked on append").

`check_stream` walks the stream once, as it would stand with the new events, over every
effective date. Only when that walk finds a problem does it search for the new event to blame.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter, itemgetter
from uuid import UUID

from .amounts import describe, plus
from .commitment_fold import CommitmentFold
from .commitment_states import CommitmentState
from .errors import RuleViolation
from .fold import apply_corrections, first_change
from .models import (
    CommitmentAmended,
    CommitmentMade,
    DatedEvent,
    DeliveryRecorded,
    Event,
    EventCorrected,
    EventRetracted,
    TrancheCancelled,
    TrancheScheduled,
)

__all__ = ["StatesByDate", "StreamWalk", "check_stream"]

_ZERO = Decimal(0)

StatesByDate = list[tuple[date, CommitmentState]]
"""A stream's state at the end of each distinct effective date (what `states_by_date` yields)."""


@dataclass(frozen=True, slots=True)
class StreamWalk:
    """What checking a stream saw: its states by date, and what it walked.

    `states` equals `states_by_date` of the `count` events walked; `changed_from` is the first
    date whose state the last check may have changed (None: any date). `_corrected` (the events
    with corrections applied, position order) lets the next check of the same stream walk
    again only from the first date its new events change.
    """

    count: int
    states: StatesByDate
    changed_from: date | None
    _corrected: list[DatedEvent] | None = None


def check_stream(
    known: Sequence[Event],
    new: Sequence[Event],
    origins: Sequence[str | None],
    *,
    resume: StreamWalk | None = None,
) -> StreamWalk:
    """Refuse the new events of one stream if the stream with them would break a rule.

    `known` are the stream's stored events (position order, ids set, valid); `new` the batch's
    events for this stream in batch order (ids set), `origins[i]` naming where `new[i]` came from.
    Raises RuleViolation located at the new event whose addition breaks the stream for good.

    Returns what the walk saw on the way, the stream's state (with the new events) at the end of
    each effective date (equal to `states_by_date(known + new)`), so that nothing need fold the
    stream again. Given `resume`, the walk of exactly `known` returned by an earlier check, new
    events that all take effect on or after the last date walked (and correct nothing) are
    walked from where it stopped; anything else, or any breach, walks the whole stream again.
    """
    if len(origins) != len(new):
        raise ValueError(f"{len(new)} new events but {len(origins)} origins")
    if resume is not None:
        resumed = _resumed(resume, known, new)
        if resumed is not None:
            return resumed
    stored = list(known)
    walk = _Walk()
    violation = _violation([*stored, *new], walk)
    if violation is None:
        return walk.result(len(stored) + len(new))
    # Search back from the end for a prefix of the batch that obeys the rules, galloping then
    # bisecting. Searching from the end ignores breaches the batch itself repairs (a tranche
    # cancelled on an earlier line than it is scheduled); for rules that stay broken once
    # broken it finds the first culprit.
    passing, failing, stride = 0, len(new), 1
    while failing - stride > 0:
        found = _violation([*stored, *new[: failing - stride]])
        if found is None:
            passing = failing - stride
            break
        failing, violation, stride = failing - stride, found, stride * 2
    while failing - passing > 1:
        middle = (passing + failing) // 2
        found = _violation([*stored, *new[:middle]])
        if found is None:
            passing = middle
        else:
            failing, violation = middle, found
    raise violation.located(origins[failing - 1])


class _Walk:
    """The states a walk collects, and what it walked."""

    def __init__(self, states: StatesByDate | None = None) -> None:
        self.states: StatesByDate = [] if states is None else states
        self.corrected: list[DatedEvent] | None = None
        self.changed_from: date | None = None

    def result(self, count: int) -> StreamWalk:
        return StreamWalk(count, self.states, self.changed_from, self.corrected)


def _resumed(resume: StreamWalk, known: Sequence[Event], new: Sequence[Event]) -> StreamWalk | None:
    """The walk of `known + new` from the first date the new events change, starting from the
    state `resume` (the walk of `known`) saw the day before; None where only a whole walk will
    do: nothing to start from, a breach to explain, a change to the opening.

    A correction changes the dates of its target both before and after; a retraction, its
    target's date; a new event, its own date. States before the earliest of those dates are the
    same as before, and so are the rules' verdicts on them.
    """
    before = resume._corrected
    if resume.count != len(known) or before is None or not before or not new:
        return None
    events = [*known, *new]
    added = _plainly_added(before, new)
    if added is not None:
        corrected, since = added
        opening: Event | None = corrected[0]
    else:
        try:
            _check_corrections(events)
        except RuleViolation:
            return None
        corrected = apply_corrections(events)
        opening = corrected[0] if corrected else None
        if opening is not before[0] or any(isinstance(e, CommitmentMade) for e in corrected[1:]):
            return None
        found = first_change(before, corrected)
        if found is None:
            return None
        since = found
    start = bisect_left(resume.states, since, key=itemgetter(0))
    if start == 0:
        return None
    base = resume.states[start - 1][1]
    if base.cancelled_on is not None or not isinstance(opening, CommitmentMade):
        return None
    walk = _Walk(resume.states[:start])
    walk.corrected, walk.changed_from = corrected, since
    later = sorted((e for e in corrected if e.effective >= since), key=attrgetter("effective"))
    try:
        _walk(later, opening.effective, walk, CommitmentFold.resumed(opening, base))
    except RuleViolation:
        return None  # the whole walk finds and explains it
    return walk.result(len(events))


def _plainly_added(
    before: list[DatedEvent], new: Sequence[Event]
) -> tuple[list[DatedEvent], date] | None:
    """Where the new events are plain additions (no correction, retraction or second opening,
    all of the stream, all with ids): the stream with corrections applied, and the first date
    they change, without going over the known events again. Else None.

    Corrections only ever target earlier events, so plain new events leave every known event
    as it was corrected and are themselves kept as they are.
    """
    stream = before[0].commitment
    since: date | None = None
    for event in new:
        if (
            isinstance(event, EventCorrected | EventRetracted | CommitmentMade)
            or event.commitment != stream
            or event.id is None
        ):
            return None
        if since is None or event.effective < since:
            since = event.effective
    if since is None:
        return None
    return [*before, *new], since  # type: ignore[list-item]


def _violation(events: Sequence[Event], walk: _Walk | None = None) -> RuleViolation | None:
    try:
        _check(events, _Walk() if walk is None else walk)
    except RuleViolation as e:
        return e
    return None


def _check(events: Sequence[Event], walk: _Walk) -> None:
    """Raise RuleViolation (without origin) if the stream breaks a rule at any date; keep the
    state at the end of each date in `walk` on the way."""
    if not events:
        return
    _check_corrections(events)
    corrected = apply_corrections(events)
    if not corrected:
        return
    opening = corrected[0]
    if not isinstance(opening, CommitmentMade):
        raise RuleViolation(
            "type",
            f"stream {opening.commitment!r} must open with CommitmentMade, not {opening.type}",
        )
    for event in corrected[1:]:
        if isinstance(event, CommitmentMade):
            raise RuleViolation(
                "type", f"stream {event.commitment!r} was already opened on {opening.effective}"
            )
    walk.corrected = corrected
    _walk(sorted(corrected, key=attrgetter("effective")), opening.effective, walk, CommitmentFold())


def _check_corrections(events: Sequence[Event]) -> None:
    stream = events[0].commitment
    earlier: dict[UUID, Event] = {}
    retracted: set[UUID] = set()
    for event in events:
        if event.commitment != stream:
            raise RuleViolation("commitment", f"{event.commitment!r} is not stream {stream!r}")
        if isinstance(event, EventCorrected | EventRetracted):
            target = earlier.get(event.target)
            if target is None:
                raise RuleViolation("target", f"no event {event.target} in stream {stream!r}")
            if isinstance(target, EventCorrected | EventRetracted):
                raise RuleViolation(
                    "target", f"{event.target} is an {target.type}; correct the original event"
                )
            if event.target in retracted:
                raise RuleViolation("target", f"{event.target} was retracted")
            if isinstance(event, EventRetracted):
                retracted.add(event.target)
            elif event.replacement.type != target.type:
                raise RuleViolation(
                    "replacement.type",
                    f"must be {target.type}, the type of the target, not {event.replacement.type}",
                )
        if event.id is not None:
            earlier[event.id] = event


def _walk(ordered: Sequence[DatedEvent], opened: date, walk: _Walk, state: CommitmentFold) -> None:
    """Fold `ordered` into `state`, checking every rule on the way and keeping each day's
    closing state (and the fold at the end) in `walk`."""
    states = walk.states
    # The event of the day that last moved each (total, resource), to explain a breach.
    movers: dict[tuple[str, str], DatedEvent] = {}
    last = len(ordered) - 1
    for index, event in enumerate(ordered):
        _check_event(state, event, opened)
        state.step(event)
        if isinstance(event, DeliveryRecorded):
            for name in event.amounts:
                movers["delivered", name] = event
        elif isinstance(event, TrancheScheduled):
            for name in event.amounts:
                movers["scheduled", name] = event
        day = event.effective
        if index == last or ordered[index + 1].effective != day:
            _check_within_commitment(state, day, movers)
            movers.clear()
            snapshot = state.snapshot()
            if snapshot is not None:
                states.append((day, snapshot))


def _check_event(state: CommitmentFold, event: DatedEvent, opened: date) -> None:
    """The rules an event must meet against the state just before it."""
    if event.effective < opened:
        raise RuleViolation(
            "effective", f"{event.effective} is before the commitment, effective {opened}"
        )
    if state.cancelled_on is not None:
        raise RuleViolation(
            "effective",
            f"{event.effective}: the commitment was cancelled on {state.cancelled_on}; "
            "nothing may take effect on or after that",
        )
    if isinstance(event, (DeliveryRecorded, TrancheScheduled)):  # a tuple: faster than a union
        committed = state.committed
        for name in event.amounts:
            if name not in committed:
                has = ", ".join(sorted(state.committed))
                raise RuleViolation(
                    f"amounts.{name}",
                    f"the commitment has no {name} on {event.effective} (it has {has})",
                )
    if isinstance(event, TrancheScheduled) and event.tranche in state.tranches:
        earlier = state.tranches[event.tranche].scheduled_on
        raise RuleViolation(
            "tranche", f"tranche {event.tranche!r} was already scheduled on {earlier}"
        )
    if isinstance(event, (DeliveryRecorded, TrancheCancelled)) and event.tranche is not None:
        _check_tranche_open(state, event)
    if isinstance(event, CommitmentAmended):
        _check_amendment(state, event)


def _check_tranche_open(state: CommitmentFold, event: TrancheCancelled | DeliveryRecorded) -> None:
    name = event.tranche or ""
    tranche = state.tranches.get(name)
    if tranche is None:
        raise RuleViolation("tranche", f"no tranche {name!r} is scheduled by {event.effective}")
    if tranche.cancelled_on is not None:
        raise RuleViolation("tranche", f"tranche {name!r} was cancelled on {tranche.cancelled_on}")
    if isinstance(event, TrancheCancelled):
        return
    for resource, amount in event.amounts.items():
        limit = tranche.amounts.get(resource)
        if limit is None:
            raise RuleViolation(f"amounts.{resource}", f"tranche {name!r} has no {resource}")
        total = plus(tranche.delivered.get(resource, _ZERO), amount)
        if total > limit:
            raise RuleViolation(
                f"amounts.{resource}",
                f"delivery of {describe(resource, amount)} would bring tranche {name!r} "
                f"delivered to {describe(resource, total)}, over its {describe(resource, limit)}",
            )


def _check_amendment(state: CommitmentFold, event: CommitmentAmended) -> None:
    for resource, amount in (event.amounts or {}).items():
        for label, totals in (("delivered", state.delivered), ("scheduled", state.scheduled)):
            reached = totals.get(resource, _ZERO)
            if amount < reached:
                raise RuleViolation(
                    f"amounts.{resource}",
                    f"amending to {describe(resource, amount)} would cut committed below the "
                    f"{describe(resource, reached)} {label} by {event.effective}",
                )
    start = event.term_start or state.term_start
    end = event.term_end or state.term_end
    if start is not None and end is not None and start > end:
        raise RuleViolation(
            "term_end" if event.term_end else "term_start",
            f"term_start {start} would fall after term_end {end}",
        )


def _check_within_commitment(
    state: CommitmentFold, day: date, movers: dict[tuple[str, str], DatedEvent]
) -> None:
    """For exact and up_to: scheduled and delivered stay within committed at the end of a day."""
    if state.bound == "at_least" or state.cancelled_on is not None:
        return
    for label, totals in (("delivered", state.delivered), ("scheduled", state.scheduled)):
        for resource, total in totals.items():
            committed = state.committed.get(resource, _ZERO)
            if total <= committed:
                continue
            over = f"{describe(resource, total)}, over the {describe(resource, committed)}"
            mover = movers.get((label, resource))
            if isinstance(mover, DeliveryRecorded):
                amount = describe(resource, mover.amounts[resource])
                rule = f"delivery of {amount} would bring delivered to {over} committed on {day}"
            elif isinstance(mover, TrancheScheduled):
                amount = describe(resource, mover.amounts[resource])
                rule = (
                    f"tranche {mover.tranche!r} of {amount} would bring scheduled to {over} "
                    f"committed on {day}"
                )
            else:
                rule = f"{label} would be {over} committed on {day} ({state.bound})"
            raise RuleViolation(f"amounts.{resource}", rule)
