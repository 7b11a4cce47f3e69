"""The fold's step function: one commitment's running state as its events are folded in, in
(effective, position) order (docs/design.md, "The fold")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from .amounts import minus, plus
from .commitment_states import CommitmentState, TrancheState
from .models import (
    Bound,
    CommitmentAmended,
    CommitmentCancelled,
    CommitmentMade,
    DatedEvent,
    DeliveryRecorded,
    TrancheCancelled,
    TrancheScheduled,
)

__all__ = ["CommitmentFold"]

_ZERO = Decimal(0)


def _add(totals: dict[str, Decimal], amounts: Mapping[str, Decimal], sign: int = 1) -> None:
    for resource, amount in amounts.items():
        total = totals.get(resource, _ZERO)
        totals[resource] = plus(total, amount) if sign > 0 else minus(total, amount)


class CommitmentFold:
    """The running state of one commitment while its events are folded in, one `step` each.

    Snapshots share the fold's dicts instead of copying them (a stream has a snapshot per
    date): a dict lent to a snapshot is copied before its next change, never changed in place.
    So a total that did not move from one date to the next is the very same object in both
    snapshots, which lets readers skip it by identity; and a total that any step touched
    (even to the same sums, as a tranche cancelled with nothing delivered) is a new object.
    """

    def __init__(self) -> None:
        self.made: CommitmentMade | None = None
        self.bound: Bound = "exact"
        self.term_start: date | None = None
        self.term_end: date | None = None
        self.cancelled_on: date | None = None
        self.committed: dict[str, Decimal] = {}
        self.scheduled: dict[str, Decimal] = {}
        self.delivered: dict[str, Decimal] = {}
        self.tranches: dict[str, TrancheState] = {}
        self._lent = False
        self._own: set[str] = set()  # the dicts changed since they were last lent
        # After a cancellation: (committed, delivered) as last lent, and what the snapshot showed.
        self._closed: tuple[object, object, dict[str, Decimal]] | None = None

    @classmethod
    def resumed(cls, made: CommitmentMade, state: CommitmentState) -> CommitmentFold:
        """The fold as it stood when it took `state` (not cancelled), `made` opening the stream."""
        if state.cancelled_on is not None:
            raise ValueError("a cancelled state keeps only what was delivered: fold it again")
        fold = cls()
        fold.made, fold.bound = made, state.bound
        fold.term_start, fold.term_end = state.term_start, state.term_end
        # Shared with `state`, which must never see them change: copied on first write.
        fold.committed, fold.scheduled = state.committed, state.scheduled
        fold.delivered, fold.tranches = state.delivered, state.tranches
        fold._lent = True
        return fold

    def _mine(self, name: str) -> None:
        """Make the dict `name` the fold's own before it changes (copy it if it was lent)."""
        if self._lent and name not in self._own:
            setattr(self, name, dict(getattr(self, name)))
            self._own.add(name)

    def step(self, event: DatedEvent) -> None:
        """Fold one event in; events come in (effective, position) order."""
        if isinstance(event, DeliveryRecorded):  # the commonest first
            self._mine("delivered")
            _add(self.delivered, event.amounts)
            tranche = self.tranches.get(event.tranche or "")
            if tranche is not None:
                delivered = dict(tranche.delivered)
                _add(delivered, event.amounts)
                # Only `delivered` moves: what is due when stays (else see `_put_tranche`).
                self._mine("tranches")
                self.tranches[tranche.tranche] = TrancheState(  # dataclasses.replace, faster
                    tranche.tranche,
                    tranche.amounts,
                    tranche.due,
                    tranche.condition,
                    tranche.scheduled_on,
                    tranche.cancelled_on,
                    delivered,
                )
                if tranche.cancelled_on is not None:
                    self._mine("scheduled")
                    _add(self.scheduled, event.amounts)
        elif isinstance(event, CommitmentMade):
            self.made = event
            self.bound = event.bound
            self.term_start, self.term_end = event.term_start, event.term_end
            self.committed = dict(event.amounts)
            self._own.add("committed")
        elif isinstance(event, CommitmentAmended):
            self._amend(event)
        elif isinstance(event, TrancheScheduled):
            self._put_tranche(
                TrancheState(
                    event.tranche,
                    event.amounts,
                    event.due,
                    event.condition,
                    event.effective,
                    None,
                    {},
                )
            )
            _add(self.scheduled, event.amounts)
        elif isinstance(event, TrancheCancelled):
            self._lapse(event.tranche, event.effective)
        elif isinstance(event, CommitmentCancelled) and self.cancelled_on is None:
            self.cancelled_on = event.effective
            for name in list(self.tranches):
                self._lapse(name, event.effective)

    def _amend(self, event: CommitmentAmended) -> None:
        # Amendments are rare: kept out of `step`, whose commonest branches stay inline.
        if event.amounts:
            self._mine("committed")
            self.committed.update(event.amounts)
        self.bound = event.bound or self.bound
        self.term_start = event.term_start or self.term_start
        self.term_end = event.term_end or self.term_end

    def _lapse(self, name: str, on: date) -> None:
        # A cancelled tranche keeps only its delivered part in `scheduled`.
        tranche = self.tranches.get(name)
        if tranche is None or tranche.cancelled_on is not None:
            return
        self._put_tranche(
            TrancheState(  # dataclasses.replace, faster
                tranche.tranche,
                tranche.amounts,
                tranche.due,
                tranche.condition,
                tranche.scheduled_on,
                on,
                tranche.delivered,
            )
        )
        _add(self.scheduled, tranche.amounts, -1)
        _add(self.scheduled, tranche.delivered)

    def _put_tranche(self, tranche: TrancheState) -> None:
        """Set a tranche that is new, or whose amounts, due date or cancellation change.

        What is due when has moved, so `scheduled` is lent anew even where its totals do not
        move (a due date changed): readers take an unchanged `scheduled` object for an
        unchanged schedule (the tranche schedule read model skips such a day). Every step
        that changes a tranche but its `delivered` goes through here.
        """
        self._mine("tranches")
        self.tranches[tranche.tranche] = tranche
        self._mine("scheduled")

    def _committed_now(self) -> dict[str, Decimal]:
        """Committed as a snapshot shows it: after a cancellation, what was delivered."""
        if self.cancelled_on is None:
            return self.committed
        closed = self._closed
        # Lent dicts are copied before they change: the same objects hold the same totals.
        if closed is not None and closed[0] is self.committed and closed[1] is self.delivered:
            return closed[2]
        names = self.committed.keys() | self.delivered.keys()
        committed = {name: self.delivered.get(name, _ZERO) for name in sorted(names)}
        self._closed = (self.committed, self.delivered, committed)
        return committed

    def snapshot(self) -> CommitmentState | None:
        """The state so far, or None while no CommitmentMade is in effect."""
        made = self.made
        if made is None:
            return None
        self._lent = True
        self._own.clear()
        return CommitmentState(
            made.commitment,
            made.provider,
            made.holder,
            made.kind,
            self.bound,
            self.term_start,
            self.term_end,
            made.effective,
            self.cancelled_on,
            self._committed_now(),
            self.scheduled,
            self.delivered,
            self.tranches,
        )
