"""Late tranches: every live tranche whose due date has passed with part of it undelivered.

The tranche schedule read model narrows the question to the commitments that have a live
tranche due before the date asked about (known then); only those streams are read and folded
(the reference fold), since what was delivered against each tranche is in no read model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, or_, select

from events import (
    CommitmentState,
    Event,
    EventCorrected,
    Source,
    TrancheScheduled,
    apply_corrections,
    fold,
)
from ledger import Ledger, event_log, read_stream_models

from ..fold import text
from ..read_models import tranche_schedule
from ..upkeep import ensure_current
from .known_at import as_of_date, known_instant, known_rows

__all__ = ["OverdueRow", "overdue"]

_ZERO = Decimal(0)
_EXACT = Context(prec=400, Emax=10_000, Emin=-10_000)  # differences of amounts are exact


@dataclass(frozen=True, slots=True)
class OverdueRow:
    """One resource of one late tranche: what was scheduled by `due`, what was delivered
    against it by the date asked about, what is still outstanding, and where the schedule
    was reported (the source of the event that set its amounts and due date, as corrected)."""

    commitment: str
    tranche: str
    resource: str
    holder: str
    provider: str
    kind: str
    due: date
    days_late: int
    scheduled: Decimal
    delivered: Decimal
    outstanding: Decimal
    publisher: str | None = None
    source_date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO 8601, amounts as exact decimal strings."""
        return {
            "commitment": self.commitment,
            "tranche": self.tranche,
            "resource": self.resource,
            "holder": self.holder,
            "provider": self.provider,
            "kind": self.kind,
            "due": self.due.isoformat(),
            "days_late": self.days_late,
            "scheduled": text(self.scheduled),
            "delivered": text(self.delivered),
            "outstanding": text(self.outstanding),
            "publisher": self.publisher,
            "source_date": self.source_date.isoformat() if self.source_date else None,
        }


def overdue(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    known_at: date | datetime | None = None,
    holder: str | None = None,
    provider: str | None = None,
    kind: str | None = None,
    resource: str | None = None,
    commitment: str | None = None,
) -> list[OverdueRow]:
    """Every tranche live as of `as_of` (default today) and due before it, with part still
    undelivered, as known at `known_at` (a date: the end of that day, UTC): a row per
    resource, the latest first (most days late), then by commitment, tranche and resource.

    A tranche due on `as_of` itself is not late yet; a tranche without a due date never is;
    a cancelled one (or one of a cancelled commitment) owes nothing more.
    """
    day, instant = as_of_date(ledger, as_of), known_instant(known_at)
    wanted = {
        "holder": holder,
        "provider": provider,
        "kind": kind,
        "resource": resource,
        "commitment": commitment,
    }
    ensure_current(ledger)
    with ledger.engine.connect() as connection:
        names = _with_tranches_due(connection, day, instant, wanted)
        if not names:
            return []
        upto = _last_position(connection, instant)
        streams = read_stream_models(connection, names, upto=upto)
    rows: list[OverdueRow] = []
    for stream in streams.values():
        events = [model for _, _, model in stream]
        state = fold(events, day)
        if state is not None:
            rows.extend(_late(state, _schedule_sources(events), day, resource))
    return sorted(rows, key=lambda r: (-r.days_late, r.commitment, r.tranche, r.resource))


def _with_tranches_due(
    connection: Connection, day: date, instant: datetime | None, wanted: dict[str, str | None]
) -> list[str]:
    """The commitments with something scheduled and still live as of `day`, due before it:
    every commitment with a late tranche, and a few more (tranches delivered in full, the
    delivered part of cancelled ones, undated ones counted from their scheduled date)."""
    table = tranche_schedule
    chosen = [table.c[name] == value for name, value in wanted.items() if value is not None]
    # units + nanos / 1e9 > 0 implies units > 0 or nanos > 0 (nanos never negative): a
    # superset, without a product that could overflow.
    query = (
        select(table.c.commitment)
        .where(*chosen, known_rows(table, instant), table.c.effective <= day, table.c.due < day)
        .group_by(table.c.commitment, table.c.resource, table.c.due)
        .having(or_(func.sum(table.c.units) > 0, func.sum(table.c.nanos) > 0))
    )
    return sorted(set(connection.execute(query).scalars()))


def _last_position(connection: Connection, instant: datetime | None) -> int | None:
    """The last position recorded at or before `instant` (None: the whole log)."""
    if instant is None:
        return None
    last = select(func.coalesce(func.max(event_log.c.position), 0))
    return int(connection.execute(last.where(event_log.c.recorded_at <= instant)).scalar_one())


def _schedule_sources(events: Sequence[Event]) -> dict[str, Source | None]:
    """Each tranche's source: that of the event scheduling it as in force (a correction's
    replacement), else the correction's own."""
    fixed_by: dict[UUID, EventCorrected] = {}
    for event in events:
        if isinstance(event, EventCorrected):
            fixed_by[event.target] = event
    sources: dict[str, Source | None] = {}
    for event in apply_corrections(events):
        if isinstance(event, TrancheScheduled):
            fix = fixed_by.get(event.id) if event.id is not None else None
            sources[event.tranche] = event.source or (fix.source if fix is not None else None)
    return sources


def _late(
    state: CommitmentState,
    sources: dict[str, Source | None],
    day: date,
    resource: str | None,
) -> Iterable[OverdueRow]:
    for tranche in state.tranches.values():
        due = tranche.due
        if due is None or due >= day or tranche.cancelled_on is not None:
            continue
        source = sources.get(tranche.tranche)
        for name, scheduled in sorted(tranche.amounts.items()):
            delivered = tranche.delivered.get(name, _ZERO)
            if (resource is not None and name != resource) or delivered >= scheduled:
                continue
            yield OverdueRow(
                commitment=state.commitment,
                tranche=tranche.tranche,
                resource=name,
                holder=state.holder,
                provider=state.provider,
                kind=state.kind,
                due=due,
                days_late=(day - due).days,
                scheduled=scheduled,
                delivered=delivered,
                outstanding=_EXACT.subtract(scheduled, delivered),
                publisher=source.publisher if source is not None else None,
                source_date=source.date if source is not None else None,
            )
