"""The rules checked on append (docs/design.md, "Rules checked on append").

`check_stream` walks the stream once, as it would stand with the new events, over every
effective date (a StreamFold given the rules, rule_checks.py), or from the first date the new
events change when it resumes an earlier check. Only when that walk finds a problem does it
search for the new event to blame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .errors import RuleViolation
from .models import DatedEvent, Event
from .rule_checks import StreamRules
from .stream_fold import StatesByDate, StreamFold

__all__ = ["StatesByDate", "StreamWalk", "check_stream"]


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
    _corrected: Sequence[DatedEvent] | None = None


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
    stream again. Given `resume`, the walk of exactly `known` returned by an earlier check, the
    walk starts from the first date the new events change (StreamFold.add); anything it cannot
    resume, or any breach, walks the whole stream again.
    """
    if len(origins) != len(new):
        raise ValueError(f"{len(new)} new events but {len(origins)} origins")
    if resume is not None and resume.count == len(known) and resume._corrected:
        stream = StreamFold.restored(known, resume._corrected, resume.states)
        try:
            since = stream.add(new, StreamRules())
        except RuleViolation:
            pass  # the whole walk below finds and explains it
        else:
            return StreamWalk(len(stream.events), stream.states, since, stream.corrected)
    stored = list(known)
    stream = StreamFold()
    violation = _violation([*stored, *new], stream)
    if violation is None:
        return StreamWalk(len(stream.events), stream.states, None, stream.corrected)
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


def _violation(events: Sequence[Event], stream: StreamFold | None = None) -> RuleViolation | None:
    """What the rules find wrong with the stream `events` (a whole walk, into `stream`)."""
    try:
        (StreamFold() if stream is None else stream).add(events, StreamRules())
    except RuleViolation as e:
        return e
    return None
