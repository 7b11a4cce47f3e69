"""One stream's states by date, kept as recording instants add events to it (for replays).

Refolding the whole stream after each instant costs the square of its instants; but an instant
only changes the states from the first date its events touch (a new event's date; both dates
of a corrected event; a retracted event's date), so the fold resumes from the state of the day
before, as the rules' walk does (events/rules.py). Equal to `states_by_date` of the events so
far after every instant: tests/projections/test_rebuild_property.py checks it against the reference.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date
from operator import attrgetter, itemgetter

from events import (
    CommitmentFold,
    CommitmentMade,
    CommitmentState,
    DatedEvent,
    Event,
    apply_corrections,
    first_change,
    states_by_date,
)

__all__ = ["Refold"]

States = list[tuple[date, CommitmentState]]


class Refold:
    """A stream's events so far and their states by date (`states_by_date`)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.states: States = []
        self._corrected: list[DatedEvent] | None = None

    def add(self, new: Sequence[Event]) -> date | None:
        """Add the events of the next instant (position order, ids set); return the first date
        whose state may have changed (None: any date, the stream was folded whole)."""
        if not self.events:
            self.events.extend(new)
            self.states = list(states_by_date(self.events))
            return None
        # The first instant's corrections are applied only once a second instant comes.
        before = self._corrected if self._corrected is not None else apply_corrections(self.events)
        self.events.extend(new)
        corrected = apply_corrections(self.events)
        self._corrected = corrected
        since = self._resume(before, corrected)
        if since is None:
            self.states = list(states_by_date(self.events))
        return since

    def _resume(self, before: list[DatedEvent], corrected: list[DatedEvent]) -> date | None:
        """Fold again from the first changed date; None where only a whole fold will do."""
        if not corrected or not isinstance(corrected[0], CommitmentMade):
            return None
        opening = corrected[0]
        if any(isinstance(event, CommitmentMade) for event in corrected[1:]):
            return None
        since = first_change(before, corrected)
        if since is None:
            return None
        start = bisect_left(self.states, since, key=itemgetter(0))
        if start == 0:
            return None  # the opening's own date changed: nothing before it to start from
        base = self.states[start - 1][1]
        if base.cancelled_on is not None:
            return None  # a cancelled state no longer holds what was committed
        fold = CommitmentFold.resumed(opening, base)
        later = sorted((e for e in corrected if e.effective >= since), key=attrgetter("effective"))
        self.states = [*self.states[:start], *_closing_states(fold, later)]
        return since


def _closing_states(
    fold: CommitmentFold, ordered: Sequence[DatedEvent]
) -> Iterable[tuple[date, CommitmentState]]:
    """The state at the end of each date of `ordered` (effective order), as `states_by_date`."""
    for index, event in enumerate(ordered):
        fold.step(event)
        if index + 1 == len(ordered) or ordered[index + 1].effective != event.effective:
            snapshot = fold.snapshot()
            if snapshot is not None:
                yield event.effective, snapshot
