"""One commitment folded from its stored payloads, keeping only what the built-in read models
show, and posting each date's changes as `PositionPostings` and `TrancheSchedule` do.

The step is the reference fold's (events/commitment_fold.py, `CommitmentFold.step`) over parsed
JSON in place of models; the posting is `from_states` (read_models/built_in_models.py) without
building a state per date. Amounts are whole nanos (ints) where the models have Decimals:
stored amounts have at most 9 places, so the sums are as exact and the rows the same, and
integer arithmetic is cheaper than Decimal's. A shape it does not expect raises `UnexpectedPayload`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .exact_amounts import split
from .rows import Posting

__all__ = ["PayloadFold", "UnexpectedPayload", "day_of"]

_NANO = 10**9
_BIGINT = 2**63 - 1


class UnexpectedPayload(Exception):
    """A payload this fast path does not read: the reference way will."""


@lru_cache(maxsize=65_536)
def day_of(text: str) -> date:
    """The date of ISO text (dates repeat: remembered)."""
    return date.fromisoformat(text)


@lru_cache(maxsize=65_536)
def _nanos(text: str) -> int:
    """An amount's text in whole nanos: exact, since stored amounts have at most 9 places.
    Anything else is not a stored amount (the reference way says what it is)."""
    whole, point, fraction = text.partition(".")
    if whole.isdigit() and (not point or (fraction.isdigit() and len(fraction) <= 9)):
        return int(whole) * _NANO + (int(fraction.ljust(9, "0")) if point else 0)
    try:
        scaled = Decimal(text).scaleb(9)
    except InvalidOperation:
        raise UnexpectedPayload from None
    if not scaled.is_finite() or scaled != int(scaled):
        raise UnexpectedPayload
    return int(scaled)


def _split(nanos: int) -> tuple[int, int]:
    """(units, nanos) of an amount in whole nanos, as `split` gives them for the amount."""
    units, rest = divmod(nanos, _NANO)  # floor: rest in 0..999999999
    if -_BIGINT <= units <= _BIGINT:
        return units, rest
    return split(Decimal(nanos).scaleb(-9))  # refuses it, as it should


def _amounts(raw: Any) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UnexpectedPayload
    amounts: dict[str, int] = {}
    for resource, value in raw.items():
        if type(value) is str:
            amounts[resource] = _nanos(value)
        elif type(value) is int:
            amounts[resource] = value * _NANO
        else:
            raise UnexpectedPayload  # a float, a null: as stored by nothing we know
    return amounts


def _add(totals: dict[str, int], amounts: Mapping[str, int]) -> None:
    for resource, amount in amounts.items():
        totals[resource] = totals.get(resource, 0) + amount


class _Tranche:
    """A tranche as the two read models need it."""

    __slots__ = ("amounts", "cancelled_on", "delivered", "when")

    def __init__(self, amounts: dict[str, int], when: date) -> None:
        self.amounts = amounts
        self.when = when  # its due date, else the date it was scheduled
        self.cancelled_on: date | None = None
        self.delivered: dict[str, int] = {}


class PayloadFold:
    """The running totals of one commitment (`CommitmentFold`, less what no row shows), and
    the value at the last posted date of each total moved since.

    Both read models post, per date, the totals that differ from the date before. Recomputing
    every total each date and comparing would cost the stream's size per date; instead each
    step notes the totals it may move (an absent total is zero to both), and the end of a date
    compares only those.
    """

    def __init__(self) -> None:
        self.made: dict[str, Any] | None = None
        self.cancelled_on: date | None = None
        self.committed: dict[str, int] = {}
        self.scheduled: dict[str, int] = {}
        self.delivered: dict[str, int] = {}
        self.tranches: dict[str, _Tranche] = {}
        self.by_due: dict[tuple[date, str], int] = {}
        """Scheduled keyed by (the date it is expected by, resource), as `scheduled_by_due`."""
        self.moved: dict[tuple[str, str], int] = {}
        self.moved_due: dict[tuple[date, str], int] = {}
        self.bound = "exact"
        self.bound_moved = False
        """Whether the bound or the cancellation moved since the last posted date."""
        self.bounds: dict[tuple[str, str], int] = {}
        """The ceiling and floor as posted: (measure, resource) -> amount, as `derived`."""

    def copy(self) -> PayloadFold:
        """An independent fold in the same state (tranches are changed in place)."""
        twin = PayloadFold()
        twin.made, twin.cancelled_on = self.made, self.cancelled_on
        twin.committed = dict(self.committed)
        twin.scheduled = dict(self.scheduled)
        twin.delivered = dict(self.delivered)
        for name, tranche in self.tranches.items():
            copied = _Tranche(tranche.amounts, tranche.when)
            copied.cancelled_on, copied.delivered = tranche.cancelled_on, dict(tranche.delivered)
            twin.tranches[name] = copied
        twin.by_due = dict(self.by_due)
        twin.moved, twin.moved_due = dict(self.moved), dict(self.moved_due)
        twin.bound, twin.bound_moved, twin.bounds = self.bound, self.bound_moved, dict(self.bounds)
        return twin

    def measure(self, measure: str, resource: str) -> int:
        """One total as `_measures` of the snapshot has it (zero when absent)."""
        if measure == "delivered":
            return self.delivered.get(resource, 0)
        if measure == "scheduled":
            return self.scheduled.get(resource, 0)
        if self.cancelled_on is not None:
            return self.delivered.get(resource, 0)  # committed became what was delivered
        return self.committed.get(resource, 0)

    def _moving(self, measure: str, resources: Iterable[str]) -> None:
        moved = self.moved
        for resource in resources:
            if (measure, resource) not in moved:
                moved[(measure, resource)] = self.measure(measure, resource)

    def _shift(
        self, measure: str, totals: dict[str, int], amounts: Mapping[str, int], sign: int
    ) -> None:
        """Add (or take) amounts to scheduled or delivered, which are their own measure."""
        moved = self.moved
        for resource, amount in amounts.items():
            total = totals.get(resource, 0)
            moved.setdefault((measure, resource), total)
            totals[resource] = total + amount if sign > 0 else total - amount

    def _due(self, when: date, amounts: Mapping[str, int], sign: int) -> None:
        by_due, moved = self.by_due, self.moved_due
        for resource, amount in amounts.items():
            key = (when, resource)
            total = by_due.get(key, 0)
            moved.setdefault(key, total)
            by_due[key] = total + amount if sign > 0 else total - amount

    def step(self, day: date, type_name: str, payload: dict[str, Any]) -> None:
        if type_name == "DeliveryRecorded":
            amounts = _amounts(payload["amounts"])
            if self.cancelled_on is not None:
                self._moving("committed", amounts)
            self._shift("delivered", self.delivered, amounts, 1)
            tranche = self.tranches.get(payload.get("tranche") or "")
            if tranche is not None:
                _add(tranche.delivered, amounts)
                if tranche.cancelled_on is not None:
                    self._shift("scheduled", self.scheduled, amounts, 1)
                    self._due(tranche.cancelled_on, amounts, 1)
        elif type_name == "TrancheScheduled":
            amounts = _amounts(payload["amounts"])
            due = payload.get("due")
            tranche = _Tranche(amounts, day_of(due) if due else day)
            self.tranches[payload["tranche"]] = tranche
            self._shift("scheduled", self.scheduled, amounts, 1)
            self._due(tranche.when, amounts, 1)
        elif type_name == "CommitmentAmended":
            amounts = _amounts(payload.get("amounts"))
            self._moving("committed", amounts)
            self.committed.update(amounts)
            if payload.get("bound"):
                self.bound, self.bound_moved = payload["bound"], True
        elif type_name == "TrancheCancelled":
            self._lapse(payload["tranche"], day)
        elif type_name == "CommitmentMade":
            amounts = _amounts(payload["amounts"])
            self._moving("committed", self.committed.keys() | amounts.keys())
            self.made = payload
            self.committed = amounts
            self.bound, self.bound_moved = payload["bound"], True
        elif type_name == "CommitmentCancelled":
            if self.cancelled_on is None:
                self._moving("committed", self.committed.keys() | self.delivered.keys())
                self.cancelled_on, self.bound_moved = day, True
                for name in list(self.tranches):
                    self._lapse(name, day)
        else:
            raise UnexpectedPayload

    def _lapse(self, name: str, on: date) -> None:
        # A cancelled tranche keeps only its delivered part in `scheduled`.
        tranche = self.tranches.get(name)
        if tranche is None or tranche.cancelled_on is not None:
            return
        self._shift("scheduled", self.scheduled, tranche.amounts, -1)
        self._shift("scheduled", self.scheduled, tranche.delivered, 1)
        self._due(tranche.when, tranche.amounts, -1)
        self._due(on, tranche.delivered, 1)
        tranche.cancelled_on = on

    def post(
        self, parties: tuple[Any, ...], day: date, positions: set[Posting], schedule: set[Posting]
    ) -> None:
        """Post, as of `day`, what moved since the last posted date."""
        if self.moved:
            delivered, scheduled = self.delivered, self.scheduled
            committed = delivered if self.cancelled_on is not None else self.committed
            moved = self.moved
            for (measure, resource), was in moved.items():
                if measure == "delivered":
                    now = delivered.get(resource, 0)
                elif measure == "scheduled":
                    now = scheduled.get(resource, 0)
                else:
                    now = committed.get(resource, 0)
                if now != was:
                    positions.add((*parties, resource, measure, day, *_split(now - was)))
            # The excess over committed (models.excess) moves only with committed or delivered.
            for resource in {r for m, r in moved if m != "scheduled"}:
                now_delivered = delivered.get(resource, 0)
                now_committed = committed.get(resource, 0)
                was_delivered = moved.get(("delivered", resource), now_delivered)
                was_committed = moved.get(("committed", resource), now_committed)
                now = max(now_delivered - now_committed, 0)
                was = max(was_delivered - was_committed, 0)
                if now != was:
                    positions.add((*parties, resource, "excess", day, *_split(now - was)))
        self._post_bounds(parties, day, positions)
        by_due = self.by_due
        for (due, resource), was in self.moved_due.items():
            now = by_due[(due, resource)]
            if now != was:
                schedule.add((*parties, resource, day, due, *_split(now - was)))
        self.moved.clear()
        self.moved_due.clear()

    def _post_bounds(self, parties: tuple[Any, ...], day: date, positions: set[Posting]) -> None:
        """Post the changes of ceiling and floor (`CommitmentState.ceiling`, `.floor`): all of
        committed of a standing `up_to` or `at_least` commitment), if anything moved them:
        committed, the bound or a cancellation."""
        if not self.bound_moved and all(measure != "committed" for measure, _ in self.moved):
            return
        self.bound_moved = False
        measure = {"up_to": "ceiling", "at_least": "floor"}.get(self.bound)
        now: dict[tuple[str, str], int] = {}
        if measure is not None and self.cancelled_on is None:
            now = {(measure, resource): amount for resource, amount in self.committed.items()}
        for key in self.bounds.keys() | now.keys():
            change = now.get(key, 0) - self.bounds.get(key, 0)
            if change:
                positions.add((*parties, key[1], key[0], day, *_split(change)))
        self.bounds = now
