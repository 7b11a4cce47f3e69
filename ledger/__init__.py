"""The store: an append-only, hash-chained, bitemporal event log on SQLite or PostgreSQL.

from ledger import Ledger
led = Ledger.open("sqlite:///capledger.db")
receipt = led.record(events)
for stored in led.read_all(after=0): ...
"""

from events import InvalidEvent, LedgerError, RuleViolation

from .append import AppendHook
from .clock import Clock, as_utc, utc_now
from .engine import safe_url
from .errors import ChainBroken, ConcurrencyConflict, EventIdConflict, StoreError
from .records import PendingEvent, Receipt, StoredEvent
from .store import Ledger
from .verify import ChainReport

__all__ = [
    "AppendHook",
    "ChainBroken",
    "ChainReport",
    "Clock",
    "ConcurrencyConflict",
    "EventIdConflict",
    "InvalidEvent",
    "Ledger",
    "LedgerError",
    "PendingEvent",
    "Receipt",
    "RuleViolation",
    "StoreError",
    "StoredEvent",
    "as_utc",
    "safe_url",
    "utc_now",
]
