"""The states by date of the streams a batch of rows touches, folded once per batch.

The write path hands over the streams it checked and the rules' walk of each (their states by
date): where those end exactly with the batch's rows, nothing is read or folded again. The
posting projections handed the same rows share what was folded.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from events import Event, states_by_date
from ledger import HandedRows, StoredEvent, read_streams

from ..fold import Folded

__all__ = ["folded_states"]


class _Folded:
    """What one batch's folds gave, kept on its transaction for every projection handed it."""

    batch: tuple[int, str] | None = None
    states: dict[str, Folded]


def _last_rows(rows: Sequence[StoredEvent]) -> dict[str, StoredEvent]:
    last: dict[str, StoredEvent] = {}
    for row in rows:
        last[row.commitment] = row
    return last


def _handed(rows: HandedRows) -> dict[str, list[Event]]:
    """The touched streams the writer handed over, where they match these rows exactly."""
    usable: dict[str, list[Event]] = {}
    for commitment, row in _last_rows(rows).items():
        stream = rows.streams.get(commitment)
        # The stream as known up to these rows has `row.version` events, `row` the last.
        if (
            stream is not None
            and len(stream) == row.version
            and getattr(stream[-1], "id", None) == row.event_id
        ):
            usable[commitment] = list(stream)
    return usable


def _handed_states(rows: HandedRows, streams: dict[str, list[Event]]) -> dict[str, Folded]:
    """The states by date the rules walked, for the handed streams whose walk ends with them."""
    usable: dict[str, Folded] = {}
    for commitment in streams:
        found = rows.walks.get(commitment)
        # Walked over exactly the handed stream, which ends with these rows.
        if found is not None and found.count == len(streams[commitment]):
            usable[commitment] = (found.states, found.changed_from)
    return usable


def folded_states(connection: Connection, rows: Sequence[StoredEvent]) -> dict[str, Folded]:
    """Per stream the rows touch, its states by date as known up to the last of the rows, and
    the first date these rows may have changed (None: any).

    Folded once per batch (or not at all, when the rules' walk was handed over): the posting
    projections handed the same rows (`HandedRows`) share the result.
    """
    names = {row.commitment for row in rows}
    known: dict[str, Folded] = {}
    if isinstance(rows, HandedRows):
        kept = rows.transaction.kept(_Folded, _Folded)
        batch = (rows[-1].position, rows[-1].hash)
        if kept.batch != batch:
            kept.batch, kept.states = batch, {}
        known = kept.states
    missing = names - known.keys()
    if missing:
        handed = _handed(rows) if isinstance(rows, HandedRows) else {}
        walked = _handed_states(rows, handed) if isinstance(rows, HandedRows) else {}
        for name in missing & walked.keys():
            known[name] = walked[name]
        missing -= walked.keys()
        for name in missing & handed.keys():
            known[name] = (list(states_by_date(handed[name])), None)
        unread = missing - handed.keys()
        if unread:
            for name, stream in read_streams(connection, unread, upto=rows[-1].position).items():
                known[name] = (list(states_by_date([row.event for row in stream])), None)
    return {name: known[name] for name in sorted(names)}
