"""Each commitment's bound (`exact`, `up_to`, `at_least`) as of a date, known at an instant.

The read models keep amounts, not bounds, so the bound is taken from the few events that can
set it: the `CommitmentMade` that opens a stream, the amendments (which may name a new bound),
and the corrections and retractions among them, folded by the reference fold (`events.fold`,
which applies the corrections). A stream's tranches and deliveries, nearly all of its events,
are never read: one bulk query of a couple of events per commitment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, select

from events import Bound, Event, fold
from ledger import among, event_log, to_stored

__all__ = ["BOUND_SETTERS", "bounds_of"]

BOUND_SETTERS = ("CommitmentMade", "CommitmentAmended", "EventCorrected", "EventRetracted")
"""The event types that can set or change a commitment's bound (directly or by correcting)."""


def bounds_of(
    connection: Connection, commitments: Iterable[str], as_of: date, known_at: datetime | None
) -> dict[str, Bound]:
    """The bound of each named commitment as of `as_of` (included), known at `known_at` (None:
    now); a commitment not yet made then is left out."""
    names = sorted(set(commitments))
    streams: dict[str, list[Event]] = {name: [] for name in names}
    table = event_log
    for matching, values in among(connection, table.c.commitment, names):
        query = select(table).where(matching, table.c.type.in_(BOUND_SETTERS))
        if known_at is not None:
            query = query.where(table.c.recorded_at <= known_at)
        for row in connection.execute(query.order_by(table.c.position), values):
            stored = to_stored(row)
            streams[stored.commitment].append(stored.event)
    found: dict[str, Bound] = {}
    for name, stream in streams.items():
        state = fold(stream, as_of) if stream else None
        if state is not None:
            found[name] = state.bound
    return found
