"""What a projection is to the upkeep: a read model fed from the event log, exactly once.

A projection keeps its own tables current from the event log. Its checkpoint (the last global
position it has processed) is written in the same transaction as its rows, so a crash or a
rollback can never leave the two apart: every event is applied exactly once
(docs/design.md, "Read models").

    class DeliveriesBySite:
        name = "deliveries_by_site"
        tables = (sites,)
        def handle(self, connection, rows): ...     # rows share one recorded_at
        def reset(self, connection): ...

    register(ledger, DeliveriesBySite())             # kept current inside every append
    catch_up(ledger, projection)                     # or brought current on demand
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy import Connection, Table

from ledger import StoredEvent

__all__ = ["Progress", "Projection"]


class Projection(Protocol):
    """A read model fed from the event log: its name, its tables, and what it does with events."""

    @property
    def name(self) -> str:
        """Unique among the projections of a store: it names the checkpoint row."""
        ...

    @property
    def tables(self) -> Sequence[Table]:
        """The projection's own tables (created if missing when it is registered)."""
        ...

    def handle(self, connection: Connection, rows: Sequence[StoredEvent]) -> None:
        """Apply events of one recording instant, in position order, inside the transaction."""
        ...

    def reset(self, connection: Connection) -> None:
        """Empty the projection's tables, before a rebuild from position 0."""
        ...


Progress = Callable[[str, int], None]
"""Told (projection name, events processed so far) after each page, for a progress display."""
