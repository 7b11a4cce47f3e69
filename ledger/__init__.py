"""The store: an append-only, hash-chained, bitemporal event log on SQLite or PostgreSQL.

from ledger import Ledger
led = Ledger.open("sqlite:///capledger.db")
receipt = led.record(events)
for stored in led.read_all(after=0): ...
"""

from events import InvalidEvent, LedgerError, RuleViolation

from .anchor import read_anchor, write_anchor
from .append import STATES_INFO_KEY, STREAMS_INFO_KEY, AppendHook, CommitHook
from .clock import Clock, as_utc, utc_now
from .engine import TRANSACTION_INFO_PREFIX, safe_url
from .errors import ChainBroken, ConcurrencyConflict, EventIdConflict, StoreError
from .records import PendingEvent, Receipt, StoredEvent
from .store import Ledger
from .verify import Anchor, ChainReport

__all__ = [
    "STATES_INFO_KEY",
    "STREAMS_INFO_KEY",
    "TRANSACTION_INFO_PREFIX",
    "Anchor",
    "AppendHook",
    "ChainBroken",
    "ChainReport",
    "Clock",
    "CommitHook",
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
    "read_anchor",
    "safe_url",
    "utc_now",
    "write_anchor",
]
