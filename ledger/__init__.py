"""The store: an append-only, hash-chained, bitemporal event log on SQLite or PostgreSQL.

from ledger import Ledger
led = Ledger.open("sqlite:///capledger.db")
receipt = led.record(events)
for stored in led.read_all(after=0): ...
"""

from events import InvalidEvent, LedgerError, RuleViolation

from .anchor import Anchor, read_anchor, write_anchor
from .append import (
    AppendHook,
    CommitHook,
)
from .backends import among, insert_converted, lock_tail, mark
from .bulk_insert import converted, insert_rows
from .chain_report import ChainReport
from .clock import Clock, as_utc, utc_now
from .engine import safe_url
from .errors import (
    ChainBroken,
    ConcurrencyConflict,
    EventIdConflict,
    KnowledgeTimeRefused,
    NoLedger,
    StoreError,
)
from .event_files import FORMATS, Located, read_file, read_stdin
from .event_rows import PendingEvent, Receipt, StoredEvent
from .forked_workers import Taken, detach, messages, started, take, worker_count
from .instant_text import instant_text, read_instant
from .interrupts import all_or_nothing, held_interrupts
from .log_reads import read_streams, stream_names, to_stored
from .nearest_names import nearest, no_such
from .schema import UTCDateTime
from .schema import events as event_log
from .stated_instants import Stated, stated_instant
from .store import Ledger
from .stream_reads import (
    StoredPayload,
    iter_stream_payloads,
    read_stream_models,
    read_stream_payloads,
    stream_event,
)
from .value_conversions import bind_processor, memoised, result_processor
from .write_transaction import HandedRows, WriteTransaction

__all__ = [
    "FORMATS",
    "Anchor",
    "AppendHook",
    "ChainBroken",
    "ChainReport",
    "Clock",
    "CommitHook",
    "ConcurrencyConflict",
    "EventIdConflict",
    "HandedRows",
    "InvalidEvent",
    "KnowledgeTimeRefused",
    "Ledger",
    "LedgerError",
    "Located",
    "NoLedger",
    "PendingEvent",
    "Receipt",
    "RuleViolation",
    "Stated",
    "StoreError",
    "StoredEvent",
    "StoredPayload",
    "Taken",
    "UTCDateTime",
    "WriteTransaction",
    "all_or_nothing",
    "among",
    "as_utc",
    "bind_processor",
    "converted",
    "detach",
    "event_log",
    "held_interrupts",
    "insert_converted",
    "insert_rows",
    "instant_text",
    "iter_stream_payloads",
    "lock_tail",
    "mark",
    "memoised",
    "messages",
    "nearest",
    "no_such",
    "read_anchor",
    "read_file",
    "read_instant",
    "read_stdin",
    "read_stream_models",
    "read_stream_payloads",
    "read_streams",
    "result_processor",
    "safe_url",
    "started",
    "stated_instant",
    "stream_event",
    "stream_names",
    "take",
    "to_stored",
    "utc_now",
    "worker_count",
    "write_anchor",
]
