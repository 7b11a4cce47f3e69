"""One stream's states by date, kept as events are added to it (docs/design.md, "The fold").

Folding the whole stream again at each addition costs the square of its additions; but an
addition only changes the states from the first date its events touch (a new event's date; both
dates of a corrected event; a retracted event's date), so the fold resumes from the state of the
day before (CommitmentFold.resumed). The rules checked on append (rules.py) walk the stream the
same way, their checks given to the walk (`FoldChecks`, rule_checks.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from operator import attrgetter, itemgetter
from typing import Protocol

from .commitment_fold import CommitmentFold
from .commitment_states import CommitmentState
from .fold import apply_corrections, first_change
from .models import CommitmentMade, DatedEvent, Event, EventCorrected, EventRetracted

__all__ = ["FoldChecks", "StatesByDate", "StreamFold"]

StatesByDate = list[tuple[date, CommitmentState]]
"""A stream's state at the end of each distinct effective date (what `states_by_date` yields)."""

_effective = attrgetter("effective")


class FoldChecks(Protocol):
    """What a walk checks on its way (the rules checked on append); a check raises to stop it."""

    def check_whole(self, events: Sequence[Event], corrected: Sequence[DatedEvent]) -> None:
        """Check the stream before it is walked whole or resumed by anything but plain additions:
        its events in position order, and with corrections applied."""

    def open_walk(self, opening: DatedEvent) -> None:
        """A walk starts; `opening` is the stream's first event with corrections applied."""

    def check_event(self, fold: CommitmentFold, event: DatedEvent) -> None:
        """Check an event against the state just before it."""

    def check_day(self, fold: CommitmentFold, day: date) -> None:
        """Check the state at the end of a day (before its snapshot is kept)."""


class StreamFold:
    """One stream's events (position order, ids set), those events with corrections applied
    (position order), and its states by date: always `states_by_date(events)`.

    `add` never changes the lists it holds in place: it replaces them, so a list read from an
    earlier state of the fold (its `states`, say) stays as it was.
    """

    def __init__(self) -> None:
        self.events: Sequence[Event] = []
        self.corrected: Sequence[DatedEvent] = []
        self.states: StatesByDate = []

    @classmethod
    def restored(
        cls, events: Sequence[Event], corrected: Sequence[DatedEvent], states: StatesByDate
    ) -> StreamFold:
        """The fold as an earlier one left them: `corrected` must be `apply_corrections(events)`
        and `states` `states_by_date(events)`. They are kept, not copied (and never changed)."""
        stream = cls()
        stream.events, stream.corrected, stream.states = events, corrected, states
        return stream

    def add(self, new: Sequence[Event], checks: FoldChecks | None = None) -> date | None:
        """Add the next events (position order, ids set); return the first date whose state may
        have changed (None: any date, the stream was folded whole).

        Given `checks`, they run on the way (on everything walked) and what they raise leaves
        the fold as it was.
        """
        events = [*self.events, *new]
        since: date | None = None
        resumed = self._resumed(events, new, checks)
        if resumed is not None:
            corrected, states, since = resumed
        else:
            corrected = apply_corrections(events)
            states = _whole(events, corrected, checks)
        self.events, self.corrected, self.states = events, corrected, states
        return since

    def _resumed(
        self, events: list[Event], new: Sequence[Event], checks: FoldChecks | None
    ) -> tuple[list[DatedEvent], StatesByDate, date] | None:
        """The stream's events with corrections applied, states by date and first changed date,
        walked from the first date the new events change, starting from the state of the day
        before; None where only a whole fold will do: nothing to start from, a change to the
        opening (or its date), a cancellation before the change.

        A correction changes the dates of its target both before and after; a retraction, its
        target's date; a new event, its own date. States before the earliest of those dates are
        the same as before, and so are the checks' verdicts on them.
        """
        before = self.corrected
        if not before or not new:
            return None
        added = _plainly_added(before, new)
        if added is not None:
            corrected, since = added
        else:
            corrected = apply_corrections(events)
            if checks is not None:
                checks.check_whole(events, corrected)
            found = _first_change(before, corrected)
            if found is None:
                return None
            since = found
        opening = corrected[0]
        start = bisect_left(self.states, since, key=itemgetter(0))
        if start == 0:
            return None  # the opening's own date changed: nothing before it to start from
        base = self.states[start - 1][1]
        if base.cancelled_on is not None or not isinstance(opening, CommitmentMade):
            return None  # a cancelled state no longer holds what was committed
        states = self.states[:start]
        if added is not None and start == len(self.states):  # after every date walked so far
            later = sorted(corrected[len(before) :], key=_effective)  # the new events alone
        else:
            later = sorted((e for e in corrected if e.effective >= since), key=_effective)
        if checks is not None:
            checks.open_walk(opening)
        _walk(later, CommitmentFold.resumed(opening, base), states, checks)
        return corrected, states, since


def _first_change(before: Sequence[DatedEvent], corrected: list[DatedEvent]) -> date | None:
    """`first_change` where the same opening still opens the stream alone; else None."""
    opening = corrected[0] if corrected else None
    if opening is not before[0] or any(isinstance(e, CommitmentMade) for e in corrected[1:]):
        return None
    return first_change(before, corrected)


def _plainly_added(
    before: Sequence[DatedEvent], new: Sequence[Event]
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


def _whole(
    events: Sequence[Event], corrected: list[DatedEvent], checks: FoldChecks | None
) -> StatesByDate:
    """The states by date of the whole stream, as `states_by_date` finds them."""
    if checks is not None:
        checks.check_whole(events, corrected)
    states: StatesByDate = []
    if corrected:
        if checks is not None:
            checks.open_walk(corrected[0])
        _walk(sorted(corrected, key=_effective), CommitmentFold(), states, checks)
    return states


def _walk(
    ordered: Sequence[DatedEvent],
    fold: CommitmentFold,
    states: StatesByDate,
    checks: FoldChecks | None,
) -> None:
    """Fold `ordered` (effective order) into `fold`, keeping each day's closing state in
    `states`, the checks (if any) run on every event and at the end of every day."""
    check_event = None if checks is None else checks.check_event
    check_day = None if checks is None else checks.check_day
    last = len(ordered) - 1
    for index, event in enumerate(ordered):
        if check_event is not None:
            check_event(fold, event)
        fold.step(event)
        day = event.effective
        if index == last or ordered[index + 1].effective != day:
            if check_day is not None:
                check_day(fold, day)
            snapshot = fold.snapshot()
            if snapshot is not None:
                states.append((day, snapshot))
