"""The rules checked on append (docs/design.md, "Rules checked on append"), as the checks a
stream's walk runs on its way (`StreamRules`, a `FoldChecks` of stream_fold.py): the stream as a
whole, each event against the state just before it, and each day's closing state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

from .amounts import describe, plus
from .commitment_fold import CommitmentFold
from .errors import RuleViolation
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

__all__ = ["StreamRules"]

_ZERO = Decimal(0)


class StreamRules:
    """The rules one walk of a stream checks (raising RuleViolation, without origin)."""

    def __init__(self) -> None:
        self.opened = date.min
        # The event of the day that last moved each (total, resource), to explain a breach.
        self.movers: dict[tuple[str, str], DatedEvent] = {}

    def check_whole(self, events: Sequence[Event], corrected: Sequence[DatedEvent]) -> None:
        """Corrections target earlier events of the stream; the stream opens once, first."""
        if not events:
            return
        _check_corrections(events)
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

    def open_walk(self, opening: DatedEvent) -> None:
        self.opened = opening.effective

    def check_event(self, state: CommitmentFold, event: DatedEvent) -> None:
        """The rules an event must meet against the state just before it."""
        if event.effective < self.opened:
            raise RuleViolation(
                "effective", f"{event.effective} is before the commitment, effective {self.opened}"
            )
        if state.cancelled_on is not None:
            raise RuleViolation(
                "effective",
                f"{event.effective}: the commitment was cancelled on {state.cancelled_on}; "
                "nothing may take effect on or after that",
            )
        if isinstance(event, (DeliveryRecorded, TrancheScheduled)):  # a tuple: faster than a union
            committed, movers = state.committed, self.movers
            total = "delivered" if isinstance(event, DeliveryRecorded) else "scheduled"
            for name in event.amounts:
                if name not in committed:
                    has = ", ".join(sorted(state.committed))
                    raise RuleViolation(
                        f"amounts.{name}",
                        f"the commitment has no {name} on {event.effective} (it has {has})",
                    )
                movers[total, name] = event
        if isinstance(event, TrancheScheduled) and event.tranche in state.tranches:
            earlier = state.tranches[event.tranche].scheduled_on
            raise RuleViolation(
                "tranche", f"tranche {event.tranche!r} was already scheduled on {earlier}"
            )
        if isinstance(event, (DeliveryRecorded, TrancheCancelled)) and event.tranche is not None:
            _check_tranche_open(state, event)
        if isinstance(event, CommitmentAmended):
            _check_amendment(state, event)

    def check_day(self, state: CommitmentFold, day: date) -> None:
        """The rules a day's closing state must meet."""
        _check_within_commitment(state, day, self.movers)
        self.movers.clear()


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
