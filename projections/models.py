"""The two built-in read models: position postings and the tranche schedule by due date.

Both take a stream's state at the end of each effective date from the reference fold and post
the differences from one date to the next, so that summing the rows effective on or before D
gives back the fold as of D exactly.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import TypeVar

from sqlalchemy import Connection

from events import CommitmentState
from events.amounts import minus, plus

from . import bucket_rebuild, buckets
from .nanos import split
from .postings import Posting, PostingProjection, States
from .tables import MEASURES, position_buckets, position_postings, tranche_schedule

__all__ = ["MEASURES", "PositionPostings", "TrancheSchedule", "scheduled_by_due"]

_ZERO = Decimal(0)
K = TypeVar("K", bound=tuple[object, ...])


def _steps(before: Mapping[K, Decimal], after: Mapping[K, Decimal]) -> Iterator[tuple[K, int, int]]:
    """The non-zero changes from one total to the next, as (key, units, nanos), in no order."""
    for key, amount in after.items():
        previous = before.get(key, _ZERO)
        if amount != previous:
            yield (key, *_split(minus(amount, previous)))
    for key, previous in before.items():
        if key not in after and previous:
            yield (key, *_split(minus(_ZERO, previous)))


def _first_on_or_after(states: States, since: date | None) -> int:
    """The index of the first state dated `since` or later (0 when `since` is None)."""
    return 0 if since is None else bisect_left(states, since, key=itemgetter(0))


def _measures(state: CommitmentState) -> dict[tuple[str, str], Decimal]:
    """A state's totals keyed by (measure, resource)."""
    totals = {
        (measure, resource): amount
        for measure in ("committed", "scheduled", "delivered")
        for resource, amount in getattr(state, measure).items()
    }
    for resource, amount in state.delivered.items():
        over = minus(amount, state.committed.get(resource, _ZERO))
        if over > 0:
            totals[("excess", resource)] = over
    return totals


# Equal amounts split alike (Decimal("1.0") == Decimal("1")), so caching by value is exact.
_split = lru_cache(maxsize=4_096)(split)


class PositionPostings(PostingProjection):
    """Step changes of committed, scheduled and delivered, per resource and effective date."""

    name = "position_postings"
    table = position_postings
    columns = (
        "commitment",
        "holder",
        "provider",
        "kind",
        "resource",
        "measure",
        "effective",
        "units",
        "nanos",
    )
    key = ("commitment", "resource", "measure", "effective")
    tables = (position_postings, position_buckets)

    def changed(
        self,
        connection: Connection,
        instant: datetime,
        added: list[Posting],
        removed: list[Posting],
    ) -> None:
        buckets.apply(connection, self.columns, instant, added, removed)

    def replayed(self, connection: Connection) -> None:
        bucket_rebuild.rebuild(connection)

    def from_states(
        self, commitment: str, states: States, since: date | None = None
    ) -> set[Posting]:
        wanted: set[Posting] = set()
        start = _first_on_or_after(states, since)
        before = _measures(states[start - 1][1]) if start else {}
        for day, state in states[start:]:
            after = _measures(state)
            for (measure, resource), units, nanos in _steps(before, after):
                wanted.add(
                    (
                        commitment,
                        state.holder,
                        state.provider,
                        state.kind,
                        resource,
                        measure,
                        day,
                        units,
                        nanos,
                    )
                )
            before = after
        return wanted


def scheduled_by_due(state: CommitmentState) -> dict[tuple[date, str], Decimal]:
    """A state's scheduled amounts keyed by (the date they are expected by, resource).

    A live tranche counts at its due date (its scheduled date when it has none); a cancelled
    one keeps only its delivered part, which exists already: it counts at the cancellation.
    Summed over every date, this is `state.scheduled`.
    """
    totals: dict[tuple[date, str], Decimal] = {}
    for tranche in state.tranches.values():
        if tranche.cancelled_on is None:
            when, amounts = tranche.due or tranche.scheduled_on, tranche.amounts
        else:
            when, amounts = tranche.cancelled_on, tranche.delivered
        for resource, amount in amounts.items():
            totals[(when, resource)] = plus(totals.get((when, resource), _ZERO), amount)
    return totals


class TrancheSchedule(PostingProjection):
    """Step changes of scheduled amounts per resource, effective date and due date."""

    name = "tranche_schedule"
    table = tranche_schedule
    columns = (
        "commitment",
        "holder",
        "provider",
        "kind",
        "resource",
        "effective",
        "due",
        "units",
        "nanos",
    )
    key = ("commitment", "resource", "effective", "due")

    def from_states(
        self, commitment: str, states: States, since: date | None = None
    ) -> set[Posting]:
        wanted: set[Posting] = set()
        start = _first_on_or_after(states, since)
        before = scheduled_by_due(states[start - 1][1]) if start else {}
        for day, state in states[start:]:
            after = scheduled_by_due(state)
            for (due, resource), units, nanos in _steps(before, after):
                wanted.add(
                    (
                        commitment,
                        state.holder,
                        state.provider,
                        state.kind,
                        resource,
                        day,
                        due,
                        units,
                        nanos,
                    )
                )
            before = after
        return wanted
