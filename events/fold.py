"""The reference fold: the state of one commitment as of a date (DESIGN.md, "The fold").

Everything here is one pass: corrections applied in position order, then a step function
folded over the events in (effective, position) order. `fold` and `states_by_date` (which the
rules walk) share that step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter
from uuid import UUID

from .amounts import minus, plus
from .models import (
    Bound,
    CommitmentAmended,
    CommitmentCancelled,
    CommitmentMade,
    DatedEvent,
    DeliveryRecorded,
    Event,
    EventCorrected,
    EventRetracted,
    Kind,
    TrancheCancelled,
    TrancheScheduled,
)

__all__ = [
    "CommitmentFold",
    "CommitmentState",
    "TrancheState",
    "apply_corrections",
    "first_change",
    "fold",
    "in_fold_order",
    "states_by_date",
]

_ZERO = Decimal(0)


def _add(totals: dict[str, Decimal], amounts: Mapping[str, Decimal], sign: int = 1) -> None:
    for resource, amount in amounts.items():
        total = totals.get(resource, _ZERO)
        totals[resource] = plus(total, amount) if sign > 0 else minus(total, amount)


@dataclass(frozen=True)
class TrancheState:
    """One tranche of a commitment as of a date."""

    tranche: str
    amounts: dict[str, Decimal]
    due: date | None
    condition: str | None
    scheduled_on: date
    cancelled_on: date | None
    delivered: dict[str, Decimal]


@dataclass(frozen=True)
class CommitmentState:
    """One commitment as of a date: its terms and the committed, scheduled, delivered totals.

    Its dicts may be shared with the states of other dates (a total that did not move is the
    same object): read them, never change them.
    """

    commitment: str
    provider: str
    holder: str
    kind: Kind
    bound: Bound
    term_start: date | None
    term_end: date | None
    made_on: date
    cancelled_on: date | None
    committed: dict[str, Decimal]
    scheduled: dict[str, Decimal]
    delivered: dict[str, Decimal]
    tranches: dict[str, TrancheState]

    @property
    def outstanding(self) -> dict[str, Decimal]:
        """Committed minus delivered, never below zero, per resource."""
        names = sorted(self.committed.keys() | self.delivered.keys())
        committed, delivered = self.committed, self.delivered
        return {
            name: max(minus(committed.get(name, _ZERO), delivered.get(name, _ZERO)), _ZERO)
            for name in names
        }

    @property
    def resources(self) -> tuple[str, ...]:
        """Every resource the state mentions, sorted."""
        return tuple(sorted(self.committed.keys() | self.scheduled.keys() | self.delivered.keys()))


class CommitmentFold:
    """The running state of one commitment while its events are folded in, one `step` each.

    Snapshots share the fold's dicts instead of copying them (a stream has a snapshot per
    date): a dict lent to a snapshot is copied before its next change, never changed in place.
    So a total that did not move from one date to the next is the very same object in both
    snapshots, which lets readers skip it by identity; and a total that any step touched
    (even to the same sums, as a tranche cancelled with nothing delivered) is a new object.
    """

    def __init__(self) -> None:
        self.made: CommitmentMade | None = None
        self.bound: Bound = "exact"
        self.term_start: date | None = None
        self.term_end: date | None = None
        self.cancelled_on: date | None = None
        self.committed: dict[str, Decimal] = {}
        self.scheduled: dict[str, Decimal] = {}
        self.delivered: dict[str, Decimal] = {}
        self.tranches: dict[str, TrancheState] = {}
        self._lent = False
        self._own: set[str] = set()  # the dicts changed since they were last lent
        # After a cancellation: (committed, delivered) as last lent, and what the snapshot showed.
        self._closed: tuple[object, object, dict[str, Decimal]] | None = None

    @classmethod
    def resumed(cls, made: CommitmentMade, state: CommitmentState) -> CommitmentFold:
        """The fold as it stood when it took `state` (not cancelled), `made` opening the stream."""
        if state.cancelled_on is not None:
            raise ValueError("a cancelled state keeps only what was delivered: fold it again")
        fold = cls()
        fold.made, fold.bound = made, state.bound
        fold.term_start, fold.term_end = state.term_start, state.term_end
        # Shared with `state`, which must never see them change: copied on first write.
        fold.committed, fold.scheduled = state.committed, state.scheduled
        fold.delivered, fold.tranches = state.delivered, state.tranches
        fold._lent = True
        return fold

    def _mine(self, name: str) -> None:
        """Make the dict `name` the fold's own before it changes (copy it if it was lent)."""
        if self._lent and name not in self._own:
            setattr(self, name, dict(getattr(self, name)))
            self._own.add(name)

    def step(self, event: DatedEvent) -> None:
        """Fold one event in; events come in (effective, position) order."""
        if isinstance(event, DeliveryRecorded):  # the commonest first
            self._mine("delivered")
            _add(self.delivered, event.amounts)
            tranche = self.tranches.get(event.tranche or "")
            if tranche is not None:
                delivered = dict(tranche.delivered)
                _add(delivered, event.amounts)
                self._mine("tranches")
                self.tranches[tranche.tranche] = TrancheState(  # dataclasses.replace, faster
                    tranche.tranche,
                    tranche.amounts,
                    tranche.due,
                    tranche.condition,
                    tranche.scheduled_on,
                    tranche.cancelled_on,
                    delivered,
                )
                if tranche.cancelled_on is not None:
                    self._mine("scheduled")
                    _add(self.scheduled, event.amounts)
        elif isinstance(event, CommitmentMade):
            self.made = event
            self.bound = event.bound
            self.term_start, self.term_end = event.term_start, event.term_end
            self.committed = dict(event.amounts)
            self._own.add("committed")
        elif isinstance(event, CommitmentAmended):
            if event.amounts:
                self._mine("committed")
                self.committed.update(event.amounts)
            self.bound = event.bound or self.bound
            self.term_start = event.term_start or self.term_start
            self.term_end = event.term_end or self.term_end
        elif isinstance(event, TrancheScheduled):
            self._mine("tranches")
            self.tranches[event.tranche] = TrancheState(
                event.tranche, event.amounts, event.due, event.condition, event.effective, None, {}
            )
            self._mine("scheduled")
            _add(self.scheduled, event.amounts)
        elif isinstance(event, TrancheCancelled):
            self._lapse(event.tranche, event.effective)
        elif isinstance(event, CommitmentCancelled) and self.cancelled_on is None:
            self.cancelled_on = event.effective
            for name in list(self.tranches):
                self._lapse(name, event.effective)

    def _lapse(self, name: str, on: date) -> None:
        # A cancelled tranche keeps only its delivered part in `scheduled`.
        tranche = self.tranches.get(name)
        if tranche is None or tranche.cancelled_on is not None:
            return
        self._mine("scheduled")
        _add(self.scheduled, tranche.amounts, -1)
        _add(self.scheduled, tranche.delivered)
        self._mine("tranches")
        self.tranches[name] = TrancheState(  # dataclasses.replace, faster
            tranche.tranche,
            tranche.amounts,
            tranche.due,
            tranche.condition,
            tranche.scheduled_on,
            on,
            tranche.delivered,
        )

    def _committed_now(self) -> dict[str, Decimal]:
        """Committed as a snapshot shows it: after a cancellation, what was delivered."""
        if self.cancelled_on is None:
            return self.committed
        closed = self._closed
        # Lent dicts are copied before they change: the same objects hold the same totals.
        if closed is not None and closed[0] is self.committed and closed[1] is self.delivered:
            return closed[2]
        names = self.committed.keys() | self.delivered.keys()
        committed = {name: self.delivered.get(name, _ZERO) for name in sorted(names)}
        self._closed = (self.committed, self.delivered, committed)
        return committed

    def snapshot(self) -> CommitmentState | None:
        """The state so far, or None while no CommitmentMade is in effect."""
        made = self.made
        if made is None:
            return None
        self._lent = True
        self._own.clear()
        return CommitmentState(
            made.commitment,
            made.provider,
            made.holder,
            made.kind,
            self.bound,
            self.term_start,
            self.term_end,
            made.effective,
            self.cancelled_on,
            self._committed_now(),
            self.scheduled,
            self.delivered,
            self.tranches,
        )


def apply_corrections(events: Sequence[Event]) -> list[DatedEvent]:
    """Apply the corrections and retractions among one stream's events (position order, ids set).

    A correction replaces its target's content, effective date included, keeping the target's
    id and position; a retraction removes the target; a later correction of a target wins. The
    corrections themselves are left out; the rest keep their position order.
    """
    fixes: dict[UUID, DatedEvent | None] = {}
    for event in events:
        if isinstance(event, EventCorrected):
            fixes[event.target] = event.replacement
        elif isinstance(event, EventRetracted):
            fixes[event.target] = None
    corrected: list[DatedEvent] = []
    for event in events:
        if isinstance(event, EventCorrected | EventRetracted):
            continue
        if event.id is None or event.id not in fixes:
            corrected.append(event)
            continue
        fix = fixes[event.id]
        if fix is not None:
            corrected.append(fix if fix.id == event.id else fix.model_copy(update={"id": event.id}))
    return corrected


def first_change(before: Sequence[DatedEvent], after: Sequence[DatedEvent]) -> date | None:
    """The earliest effective date of an event added, removed or changed from `before` to
    `after` (both with corrections applied); None if nothing changed or an id is missing."""
    earlier: dict[UUID, DatedEvent] = {}
    for event in before:
        if event.id is None:
            return None
        earlier[event.id] = event
    dates: list[date] = []
    for event in after:
        if event.id is None:
            return None
        was = earlier.pop(event.id, None)
        if was is None:
            dates.append(event.effective)
        elif was is not event and was != event:
            dates.extend((was.effective, event.effective))
    dates.extend(event.effective for event in earlier.values())  # retracted since
    return min(dates) if dates else None


def in_fold_order(events: Sequence[Event]) -> list[DatedEvent]:
    """The stream's events with corrections applied, in (effective, position) order."""
    return sorted(apply_corrections(events), key=attrgetter("effective"))  # sort is stable


def fold(events: Sequence[Event], as_of: date) -> CommitmentState | None:
    """The commitment as of the end of `as_of`, from one stream's events in position order."""
    state = CommitmentFold()
    for event in in_fold_order(events):
        if event.effective > as_of:
            break
        state.step(event)
    return state.snapshot()


def states_by_date(events: Sequence[Event]) -> Iterator[tuple[date, CommitmentState]]:
    """The state at the end of each distinct effective date of the stream, in one pass."""
    ordered = in_fold_order(events)
    state = CommitmentFold()
    for index, event in enumerate(ordered):
        state.step(event)
        last_of_day = index + 1 == len(ordered) or ordered[index + 1].effective != event.effective
        snapshot = state.snapshot() if last_of_day else None
        if snapshot is not None:
            yield event.effective, snapshot
