"""The Ledger's reads: the feed with its filters, one stream, the count, the chain's check."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import Engine

from .anchor import Anchor
from .chain_report import ChainReport
from .event_rows import StoredEvent
from .log_reads import count_events, iter_events
from .verify import verify_chain


class LedgerReads:
    """What a Ledger reads back from its store (`engine`)."""

    engine: Engine

    def read_all(
        self,
        *,
        after: int = 0,
        upto: int | None = None,
        known_at: datetime | None = None,
        limit: int | None = None,
        commitment: str | None = None,
        types: Sequence[str] | None = None,
        recorded_from: datetime | None = None,
        recorded_to: datetime | None = None,
        effective_from: date | None = None,
        effective_to: date | None = None,
    ) -> Iterator[StoredEvent]:
        """The feed: every event after position `after`, in position order, streamed.

        Only those of `commitment`, of one of `types`, recorded from `recorded_from` to
        `recorded_to` (or `known_at`) and effective from `effective_from` to `effective_to`,
        when given: every bound included, each filter done by the query (an effective-date
        bound leaves out events without an effective date). `limit` counts what matches.
        """
        return iter_events(
            self.engine,
            after=after,
            upto=upto,
            known_at=known_at,
            limit=limit,
            commitment=commitment,
            types=types,
            recorded_from=recorded_from,
            recorded_to=recorded_to,
            effective_from=effective_from,
            effective_to=effective_to,
        )

    def read_stream(
        self, commitment: str, *, known_at: datetime | None = None
    ) -> list[StoredEvent]:
        """One commitment's events in position order, as known at `known_at` (default: now)."""
        return list(iter_events(self.engine, commitment=commitment, known_at=known_at))

    def count(self) -> int:
        """How many events are stored."""
        with self.engine.connect() as connection:
            return count_events(connection)

    def verify(self, *, anchor: Anchor | None = None) -> ChainReport:
        """Recompute the hash chain; the report names the first bad position, if any.

        With an anchor (a head recorded earlier, outside the store), also prove the chain
        still reaches it.
        """
        return verify_chain(self.engine, anchor=anchor)
