"""An event on a commitment the ledger does not hold: the rules' refusal, with the nearest
commitment names the store and the batch hold (a mistyped name is the usual cause)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection

from events import CommitmentMade, Event, RuleViolation

from .log_reads import stream_names
from .nearest_names import no_such


@contextmanager
def unknown_named(
    connection: Connection,
    commitment: str,
    stored: Sequence[object],
    fresh: Sequence[Event],
    batch: Iterable[Event],
) -> Iterator[None]:
    """Inside, a RuleViolation of a stream with nothing `stored` that its `fresh` events do
    not open (a commitment the ledger does not hold) names the nearest commitments."""
    try:
        yield
    except RuleViolation as violation:
        if stored or opens(fresh):
            raise
        raise naming_the_nearest(connection, violation, commitment, batch) from None


def opens(events: Iterable[Event]) -> bool:
    """Whether these events of one stream open it (a stream with nothing stored that they do
    not open is a commitment the ledger does not hold)."""
    return any(isinstance(event, CommitmentMade) for event in events)


def naming_the_nearest(
    connection: Connection, violation: RuleViolation, commitment: str, batch: Iterable[Event]
) -> RuleViolation:
    """`violation`, its rule followed by the commitments nearest to `commitment`: those the
    store holds and those the batch opens."""
    opened = {event.commitment for event in batch if isinstance(event, CommitmentMade)}
    known = {*stream_names(connection), *opened} - {commitment}
    rule = f"{violation.rule}: {no_such('commitment', commitment, known)}"
    return RuleViolation(violation.field, rule, violation.origin)
