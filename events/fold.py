"""The reference fold: the state of one commitment as of a date (docs/design.md, "The fold").

Everything here is one pass: corrections applied in position order, then a step function
(CommitmentFold.step) folded over the events in (effective, position) order. `fold` and
`states_by_date` share that step.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from datetime import date
from operator import attrgetter
from typing import TypeVar
from uuid import UUID

from .commitment_fold import CommitmentFold
from .commitment_states import CommitmentState
from .models import DatedEvent, Event, EventCorrected, EventRetracted

T = TypeVar("T")

__all__ = [
    "apply_corrections",
    "first_change",
    "fold",
    "in_fold_order",
    "states_by_date",
]


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


def first_change(
    before: Sequence[T],
    after: Sequence[T],
    *,
    ident: Callable[[T], Hashable | None] = attrgetter("id"),
    day: Callable[[T], date] = attrgetter("effective"),
) -> date | None:
    """The earliest effective date of an event added, removed or changed from `before` to
    `after` (both with corrections applied); None if nothing changed or an id is missing.

    Events are models by default; `ident` and `day` read the id and the effective date of
    another shape (the read models' folds of stored payloads use tuples)."""
    earlier: dict[Hashable, T] = {}
    for event in before:
        key = ident(event)
        if key is None:
            return None
        earlier[key] = event
    dates: list[date] = []
    for event in after:
        key = ident(event)
        if key is None:
            return None
        was = earlier.pop(key, None)
        if was is None:
            dates.append(day(event))
        elif was is not event and was != event:
            dates.extend((day(was), day(event)))
    dates.extend(day(event) for event in earlier.values())  # retracted since
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
