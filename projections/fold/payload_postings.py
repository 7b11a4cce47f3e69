"""The built-in posting rows of one stream straight from its stored payloads, for rebuilds.

A rebuild through the models validates every stored payload, folds the models into a state
per date and derives rows from those states: nearly all of its time. Payloads stored in the
current schema were validated when appended, so here the parsed JSON is folded as the
reference fold folds models (docs/design.md, "The fold": corrections applied in position
order, then (effective, position) order), and each date's totals are posted as their changes
from the date before, as `PositionPostings` and `TrancheSchedule` do
(read_models/built_in_models.py). Only the totals those two read are kept (the fold itself:
payload_fold.py). Anything unexpected (a type or shape the fold does not know) returns None,
and the caller takes the reference way. tests/projections/test_payload_fold.py holds this
equal to the reference over random histories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import Any
from uuid import UUID

from ledger import StoredPayload

from .payload_fold import PayloadFold, UnexpectedPayload, day_of
from .rows import Posting

__all__ = ["Corrected", "Unreadable", "corrected", "fold_postings", "raw_postings"]

_CORRECTION = "EventCorrected"
_RETRACTION = "EventRetracted"

Corrected = tuple[date, str, dict[str, Any], str]
"""An event with corrections applied: its effective date, type, payload and id."""


def corrected(rows: Sequence[StoredPayload]) -> list[Corrected]:
    """Each event with corrections applied, in position order (`apply_corrections`): a
    correction's replacement payload stands at its target's place, a retracted event is gone."""
    fixes: dict[str, dict[str, Any] | None] = {}
    for row in rows:
        if row.type_name == _CORRECTION:
            fixes[str(UUID(row.payload["target"]))] = row.payload["replacement"]
        elif row.type_name == _RETRACTION:
            fixes[str(UUID(row.payload["target"]))] = None
    events: list[Corrected] = []
    for row in rows:
        if row.type_name in (_CORRECTION, _RETRACTION):
            continue
        payload: dict[str, Any] | None = row.payload
        type_name = row.type_name
        if fixes and row.event_id in fixes:
            payload = fixes[row.event_id]
            if payload is None:
                continue
            type_name = payload["type"]
        if not isinstance(payload, dict):
            raise UnexpectedPayload
        events.append((day_of(payload["effective"]), type_name, payload, row.event_id))
    return events


Unreadable = (UnexpectedPayload, KeyError, TypeError, ValueError)
"""What reading an unexpected payload raises: the caller then takes the reference way."""


def fold_postings(
    commitment: str,
    ordered: Sequence[Corrected],
    fold: PayloadFold,
    rows: tuple[set[Posting], set[Posting]],
    *,
    start: int = 0,
    keep_before: date | None = None,
) -> PayloadFold | None:
    """Fold `ordered[start:]` (effective order) into `fold`, adding to `rows` (positions,
    schedule) the changes posted at the end of each date.

    With `keep_before`, returns a copy of the fold as it stood at the end of the last date
    before it (None if that state is not here to take: no commitment yet, or that date was
    folded before `start`).
    """
    positions, schedule = rows
    kept: PayloadFold | None = None
    pending = keep_before is not None
    last = len(ordered) - 1
    for index in range(start, last + 1):
        day, type_name, payload, _ = ordered[index]
        if pending and keep_before is not None and day >= keep_before:
            pending = False
            kept = _kept(fold, ordered, index, keep_before)
        fold.step(day, type_name, payload)
        made = fold.made
        if made is None or (index < last and ordered[index + 1][0] == day):
            continue  # no state yet (what moved is posted with the first), or not day's end
        parties = (commitment, made["holder"], made["provider"], made["kind"])
        fold.post(parties, day, positions, schedule)
    if pending and keep_before is not None:
        kept = _kept(fold, ordered, last + 1, keep_before)  # nothing on or after it here
    return kept


def _kept(
    fold: PayloadFold, ordered: Sequence[Corrected], index: int, keep_before: date
) -> PayloadFold | None:
    """A copy of `fold`, which holds `ordered[:index]`, if that is the state at the end of the
    last date before `keep_before`: every event folded is before it and all is posted."""
    if index and ordered[index - 1][0] >= keep_before:
        return None  # folded already (before `start`): not this fold's to give
    if fold.made is None or fold.moved or fold.moved_due or fold.bound_moved:
        return None
    return fold.copy()


def raw_postings(
    commitment: str, rows: Sequence[StoredPayload]
) -> tuple[set[Posting], set[Posting]] | None:
    """The rows `PositionPostings` and `TrancheSchedule` want for a stream whose events (in
    position order, current schema) are `rows`; None if a payload is not as expected."""
    wanted: tuple[set[Posting], set[Posting]] = (set(), set())
    try:
        ordered = sorted(corrected(rows), key=itemgetter(0))  # stable: position order in a date
        fold_postings(commitment, ordered, PayloadFold(), wanted)
    except Unreadable:
        return None
    return wanted
