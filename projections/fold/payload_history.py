"""The built-in rows one stream wants after each of its recording instants, from its payloads.

After each instant the stream's rows are those of the fold of every event known by then. An
instant changes the fold only from the first date its events touch (a new event's date; both
dates of a corrected event; a retracted event's date): rows before that date stay, and the
fold resumes there from a copy of the state the previous instant's fold had at the end of the
date before. The stream is known whole before folding, so each fold knows where the next one
will resume and keeps that state on its way. Where it cannot (the next instant reaches back
before this one's start), the next fold starts from the beginning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from operator import itemgetter

from events import first_change
from ledger import StoredPayload

from .payload_fold import PayloadFold
from .payload_postings import Corrected, Unreadable, corrected, fold_postings
from .rows import Posting

__all__ = ["Wanted", "raw_history"]

Wanted = tuple[date | None, set[Posting], set[Posting]]
"""After an instant: the first date it may have changed (None: any), and every row
`PositionPostings` and `TrancheSchedule` want."""

_POSITION_EFFECTIVE = 6
_SCHEDULE_EFFECTIVE = 5
_DAY = itemgetter(0)
_ID = itemgetter(3)


def raw_history(
    commitment: str, stream: Sequence[StoredPayload], ends: Sequence[int]
) -> list[Wanted] | None:
    """The rows wanted after each instant, `stream[:end]` known for each end of `ends`; None
    if a payload is not as expected."""
    try:
        known = [corrected(stream[:end]) for end in ends]
        sinces = [None, *(_first_change(a, b) for a, b in pairwise(known))]
        wanted: list[Wanted] = []
        resume: PayloadFold | None = None
        for index, events in enumerate(known):
            ordered = sorted(events, key=itemgetter(0))  # stable: position order in a date
            since = sinces[index]
            following = sinces[index + 1] if index + 1 < len(sinces) else None
            if since is not None and resume is not None:
                fold, start = resume, _first_on_or_after(ordered, since)
                _, positions, schedule = wanted[-1]
                rows = (
                    {p for p in positions if p[_POSITION_EFFECTIVE] < since},
                    {p for p in schedule if p[_SCHEDULE_EFFECTIVE] < since},
                )
            else:
                since, fold, start, rows = None, PayloadFold(), 0, (set(), set())
            resume = fold_postings(
                commitment, ordered, fold, rows, start=start, keep_before=following
            )
            wanted.append((since, *rows))
    except Unreadable:
        return None
    return wanted


def _first_on_or_after(ordered: Sequence[Corrected], day: date) -> int:
    for index, event in enumerate(ordered):
        if event[0] >= day:
            return index
    return len(ordered)


def _first_change(before: Sequence[Corrected], after: Sequence[Corrected]) -> date | None:
    """`events.first_change` over payload events: an event given another payload by a
    correction is another tuple, with another payload object."""
    return first_change(before, after, ident=_ID, day=_DAY)
