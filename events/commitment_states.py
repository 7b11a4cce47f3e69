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
    def resources(self) -> tuple[str, ...]:
        """Every resource the state mentions, sorted."""
        return tuple(sorted(self.committed.keys() | self.scheduled.keys() | self.delivered.keys()))
