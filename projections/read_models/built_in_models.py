"""The two built-in read models: position postings and the tranche schedule by due date.

Both take a stream's state at the end of each effective date from the reference fold and post
the differences from one date to the next, so that summing the rows effective on or before D
gives back the fold as of D exactly.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Mapping, Sequence
from datetime import date, datetime
from decimal import Context, Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection

from events import CommitmentState
from ledger import WriteTransaction

from ..fold import Posting, States, split
from . import bucket_tally, bucket_upkeep
from .held_rows import held_buckets
from .posting_tables import PostingProjection
from .tables import MEASURES, position_buckets, position_postings, tranche_schedule

__all__ = ["MEASURES", "PositionPostings", "TrancheSchedule", "scheduled_by_due"]

_ZERO = Decimal(0)
_EXACT = Context(prec=400, Emax=10_000, Emin=-10_000)  # as events.amounts: differences are exact
K = TypeVar("K", bound=Hashable)


def _steps(before: Mapping[K, Decimal], after: Mapping[K, Decimal]) -> list[tuple[K, int, int]]:
    """The non-zero changes from one total to the next, as (key, units, nanos), in no order."""
    steps = []
    get = before.get
    for key, amount in after.items():
        previous = get(key, _ZERO)
        if amount != previous:
            steps.append((key, *_split(_EXACT.subtract(amount, previous))))
    if not before.keys() <= after.keys():
        for key, previous in before.items():
            if key not in after and previous:
                steps.append((key, *_split(_EXACT.subtract(_ZERO, previous))))
    return steps


def _first_on_or_after(states: States, since: date | None) -> int:
    """The index of the first state dated `since` or later (0 when `since` is None)."""
    return 0 if since is None else bisect_left(states, since, key=itemgetter(0))


def excess(state: CommitmentState) -> dict[str, Decimal]:
    """What was delivered beyond what is committed, per resource (only over an `at_least`
    floor): so that outstanding = committed - delivered + excess is a plain sum."""
    committed = state.committed
    over: dict[str, Decimal] = {}
    for resource, amount in state.delivered.items():
        beyond = _EXACT.subtract(amount, committed.get(resource, _ZERO))
        if beyond > 0:
            over[resource] = beyond
    return over


_TOTALS = ("committed", "scheduled", "delivered")
_DERIVED = ("excess", "ceiling", "floor")
Derived = tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]


def derived(state: CommitmentState) -> Derived:
    """The measures derived from a state's totals and terms: excess, ceiling and floor."""
    return excess(state), state.ceiling, state.floor


def _derived_moved(previous: CommitmentState | None, state: CommitmentState) -> bool:
    """Whether the derived measures may differ between two states: only committed,
    delivered, the bound and a cancellation move them."""
    return (
        previous is None
        or state.delivered is not previous.delivered
        or state.committed is not previous.committed
        or state.bound != previous.bound
        or state.cancelled_on != previous.cancelled_on
    )


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
    insert_order = ("effective", "holder", "provider", "kind", "resource", "measure")
    tables = (position_postings, position_buckets)

    def changed(
        self,
        connection: Connection,
        instant: datetime,
        added: list[Posting],
        removed: list[Posting],
        *,
        transaction: WriteTransaction | None = None,
    ) -> None:
        held = held_buckets(transaction, instant)
        bucket_upkeep.apply(connection, self.columns, instant, added, removed, held)

    def tally(self, rows: Sequence[Posting], into: Any = None) -> bucket_tally.Changes:
        return bucket_tally.tally(self.all_columns, rows, into)

    def combine(self, into: Any, more: Any) -> Any:
        if into is None or more is None:
            return into if more is None else more
        return bucket_tally.merge(into, more)

    def replayed(self, connection: Connection, tally: Any) -> None:
        bucket_tally.rebuild(connection, {} if tally is None else tally)

    def from_states(
        self, commitment: str, states: States, since: date | None = None
    ) -> set[Posting]:
        wanted: set[Posting] = set()
        start = _first_on_or_after(states, since)
        if start == len(states):
            return wanted
        first = states[start][1]
        parties = (commitment, first.holder, first.provider, first.kind)
        previous = states[start - 1][1] if start else None
        held = derived(previous) if previous else ({}, {}, {})
        for day, state in states[start:]:
            for measure in _TOTALS:
                after: dict[str, Decimal] = getattr(state, measure)
                before: dict[str, Decimal] = getattr(previous, measure) if previous else {}
                if after is before:
                    continue  # the fold lends an unchanged total as the same object
                for resource, units, nanos in _steps(before, after):
                    wanted.add((*parties, resource, measure, day, units, nanos))
            if _derived_moved(previous, state):
                now = derived(state)
                for measure, was, is_now in zip(_DERIVED, held, now, strict=True):
                    for resource, units, nanos in _steps(was, is_now):
                        wanted.add((*parties, resource, measure, day, units, nanos))
                held = now
            previous = state
        return wanted


def scheduled_by_due(state: CommitmentState) -> dict[tuple[date, str], Decimal]:
    """A state's scheduled amounts keyed by (the date they are expected by, resource).

    A live tranche counts at its due date (its scheduled date when it has none); a cancelled
    one keeps only its delivered part, which exists already: it counts at the cancellation.
    Summed over every date, this is `state.scheduled`.
    """
    totals: dict[tuple[date, str], Decimal] = {}
    add = _EXACT.add
    for tranche in state.tranches.values():
        if tranche.cancelled_on is None:
            when, amounts = tranche.due or tranche.scheduled_on, tranche.amounts
        else:
            when, amounts = tranche.cancelled_on, tranche.delivered
        for resource, amount in amounts.items():
            key = (when, resource)
            total = totals.get(key)
            totals[key] = amount if total is None else add(total, amount)
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
    insert_order = ("resource", "effective", "due", "holder", "provider", "kind")

    def from_states(
        self, commitment: str, states: States, since: date | None = None
    ) -> set[Posting]:
        wanted: set[Posting] = set()
        start = _first_on_or_after(states, since)
        if start == len(states):
            return wanted
        first = states[start][1]
        parties = (commitment, first.holder, first.provider, first.kind)
        scheduled = states[start - 1][1].scheduled if start else None
        before = scheduled_by_due(states[start - 1][1]) if start else {}
        for day, state in states[start:]:
            # What is due when moves only as tranches are scheduled or lapse, or as cancelled
            # ones are delivered: each of which changes `scheduled`, which the fold then lends
            # as a new object. A delivery on a live tranche leaves both alone.
            if state.scheduled is scheduled:
                continue
            scheduled = state.scheduled
            after = scheduled_by_due(state)
            for (due, resource), units, nanos in _steps(before, after):
                wanted.add((*parties, resource, day, due, units, nanos))
            before = after
        return wanted
