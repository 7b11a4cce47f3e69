"""capledger events: the vocabulary, the reference fold and the rules. Pure: no I/O, no clock."""

from .amounts import canonical, decimal_text, describe, parse_amount
from .commitment_fold import CommitmentFold
from .commitment_states import CommitmentState, TrancheState
from .content_ids import EVENT_NAMESPACE, canonical_json, content_id
from .errors import InvalidEvent, LedgerError, RuleViolation
from .fold import apply_corrections, first_change, fold, in_fold_order, states_by_date
from .models import (
    SCHEMA_VERSION,
    BaseEvent,
    Bound,
    CommitmentAmended,
    CommitmentCancelled,
    CommitmentMade,
    DatedEvent,
    DeliveryRecorded,
    Event,
    EventCorrected,
    EventRetracted,
    Kind,
    Source,
    TrancheCancelled,
    TrancheScheduled,
)
from .parsing import parse_event
from .payloads import to_payload
from .registry import EVENT_TYPES, event_class
from .rules import StreamWalk, check_stream
from .stamping import Stamped, parse_and_stamp, stamp, with_id
from .stored_rows import load_event, load_stored
from .stream_fold import StatesByDate, StreamFold
from .upcasting import UPCASTERS, Upcaster, Upcasters, upcast

__all__ = [
    "EVENT_NAMESPACE",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "UPCASTERS",
    "BaseEvent",
    "Bound",
    "CommitmentAmended",
    "CommitmentCancelled",
    "CommitmentFold",
    "CommitmentMade",
    "CommitmentState",
    "DatedEvent",
    "DeliveryRecorded",
    "Event",
    "EventCorrected",
    "EventRetracted",
    "InvalidEvent",
    "Kind",
    "LedgerError",
    "RuleViolation",
    "Source",
    "Stamped",
    "StatesByDate",
    "StreamFold",
    "StreamWalk",
    "TrancheCancelled",
    "TrancheScheduled",
    "TrancheState",
    "Upcaster",
    "Upcasters",
    "apply_corrections",
    "canonical",
    "canonical_json",
    "check_stream",
    "content_id",
    "decimal_text",
    "describe",
    "event_class",
    "first_change",
    "fold",
    "in_fold_order",
    "load_event",
    "load_stored",
    "parse_amount",
    "parse_and_stamp",
    "parse_event",
    "stamp",
    "states_by_date",
    "to_payload",
    "upcast",
    "with_id",
]
