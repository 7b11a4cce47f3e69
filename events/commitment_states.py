"""A commitment as of a date: its terms, its totals and its tranches (the fold's snapshots)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .amounts import minus
from .models import Bound, Kind

__all__ = ["CommitmentState", "TrancheState"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class TrancheState:
    """One tranche of a commitment as of a date."""

    tranche: str
    amounts: dict[str, Decimal]
    due: date | None
    condition: str | None
    scheduled_on: date
    cancelled_on: date | None
    delivered: dict[str, Decimal]


@dataclass(frozen=True)
class CommitmentState:
    """One commitment as of a date: its terms and the committed, scheduled, delivered totals.

    Its dicts may be shared with the states of other dates (a total that did not move is the
    same object): read them, never change them.
    """

    commitment: str
    provider: str
    holder: str
    kind: Kind
    bound: Bound
    term_start: date | None
    term_end: date | None
    made_on: date
    cancelled_on: date | None
    committed: dict[str, Decimal]
    scheduled: dict[str, Decimal]
    delivered: dict[str, Decimal]
    tranches: dict[str, TrancheState]

    @property
    def outstanding(self) -> dict[str, Decimal]:
        """Committed minus delivered, never below zero, per resource."""
        names = sorted(self.committed.keys() | self.delivered.keys())
        committed, delivered = self.committed, self.delivered
        return {
            name: max(minus(committed.get(name, _ZERO), delivered.get(name, _ZERO)), _ZERO)
            for name in names
        }

    @property
    def ceiling(self) -> dict[str, Decimal]:
        """The part of committed that is an upper bound, per resource: all of it while an
        `up_to` commitment stands, none once it is cancelled (committed is then what was
        delivered, a fact) or for any other bound."""
        return dict(self.committed) if self.bound == "up_to" and self.cancelled_on is None else {}

    @property
    def floor(self) -> dict[str, Decimal]:
        """The part of committed that is a lower bound, per resource: all of it while an
        `at_least` commitment stands, none once it is cancelled or for any other bound."""
        if self.bound == "at_least" and self.cancelled_on is None:
            return dict(self.committed)
        return {}

    @property
    def resources(self) -> tuple[str, ...]:
        """Every resource the state mentions, sorted."""
        return tuple(sorted(self.committed.keys() | self.scheduled.keys() | self.delivered.keys()))
