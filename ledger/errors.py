"""The ledger's exceptions, rooted in :class:`events.LedgerError`.

LedgerError                  (events) anything the ledger refuses
 +-- InvalidEvent            (events) input that is not a valid event
 +-- RuleViolation           (events) a valid event that breaks a rule of its commitment
 +-- ConcurrencyConflict     another writer appended to the stream first
 +-- EventIdConflict         an event id already stored with other content
 +-- ChainBroken             verify found a row that does not match the hash chain
 +-- StoreError              the store cannot be opened or is not a capledger store
 |    +-- NoLedger           a store asked to hold a ledger holds none (and none was made)
 +-- KnowledgeTimeRefused    a stated knowledge instant (or source date) the log cannot take
"""

from __future__ import annotations

from uuid import UUID

from events import LedgerError

__all__ = [
    "ChainBroken",
    "ConcurrencyConflict",
    "EventIdConflict",
    "KnowledgeTimeRefused",
    "NoLedger",
    "StoreError",
]


class ConcurrencyConflict(LedgerError):
    """The stream moved on between reading it and appending to it."""

    def __init__(self, commitment: str, expected: int, actual: int) -> None:
        self.commitment = commitment
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"commitment {commitment}: expected stream version {expected}, "
            f"but another writer brought it to {actual}"
        )


class EventIdConflict(LedgerError):
    """An event id is already stored, or repeated in the batch, with different content."""

    def __init__(self, event_id: UUID, origin: str | None = None) -> None:
        self.event_id = event_id
        self.origin = origin
        where = f"{origin}: " if origin else ""
        super().__init__(
            f"{where}id: event {event_id} is already recorded with different content; "
            "nothing recorded is ever changed (use EventCorrected)"
        )


class ChainBroken(LedgerError):
    """A stored row does not match the hash chain."""

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"chain broken at position {position}: {reason}")


class StoreError(LedgerError):
    """The store cannot be used: a bad URL, an unreachable server, a foreign schema."""


class NoLedger(StoreError):
    """A store opened only to read holds no ledger: a missing SQLite file, a database or schema
    without the ledger's tables. Nothing was created in it."""


class KnowledgeTimeRefused(LedgerError):
    """A stated knowledge instant, or an as-reported source date, that the log cannot take:
    malformed, without a zone, not after the store's latest instant, or later than now."""
