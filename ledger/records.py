"""The generic rows the store reads and writes: it never needs to know the event classes."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events import Event, load_stored

# Rows are immutable and a row's model is a pure function of (type, schema version, id, payload),
# so models are remembered by those: the write path re-reads the streams a batch touches (for
# the rules and the read models) and would otherwise parse the same rows again chunk after chunk.
# Bounded (oldest first out) so that memory stays flat on any ledger.
MODEL_CACHE_SIZE = 20_000
ModelKey = tuple[str, int, str, str]
"""(type, schema version, event id as text, payload)."""
_models: OrderedDict[ModelKey, Event] = OrderedDict()
_models_lock = threading.Lock()


def remember_model(key: ModelKey, model: Event) -> None:
    """Remember the model of a row (the append path seeds it with the models it just checked)."""
    with _models_lock:
        _models[key] = model
        if len(_models) > MODEL_CACHE_SIZE:
            _models.popitem(last=False)


def model_of(
    type_name: str, schema_version: int, event_id: str, payload: str, *, remember: bool = True
) -> Event:
    """The model of a stored row, parsed once and then remembered (unless `remember` is
    false: a bulk read that will not ask again only looks the cache up)."""
    key = (type_name, schema_version, event_id, payload)
    model = _models.get(key)
    if model is None:
        model = load_stored(type_name, schema_version, event_id, payload)
        if remember:
            remember_model(key, model)
    return model


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event ready to append: identified, serialised, not yet positioned."""

    event_id: UUID
    commitment: str
    type_name: str
    schema_version: int
    effective: date | None
    payload: str
    origin: str | None = None
    key: str = ""
    """The event id as text, as the store keeps it (computed once, by the mapper)."""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", str(self.event_id))


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One row of the event log, exactly as stored."""

    position: int
    event_id: UUID
    commitment: str
    version: int
    type_name: str
    schema_version: int
    effective: date | None
    recorded_at: datetime
    recorded_by: str
    payload: str
    prev_hash: str
    hash: str

    @property
    def event(self) -> Event:
        """The event model, upcast from the stored schema version."""
        return model_of(self.type_name, self.schema_version, str(self.event_id), self.payload)

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data, for the feed and the command line."""
        return {
            "position": self.position,
            "id": str(self.event_id),
            "commitment": self.commitment,
            "version": self.version,
            "type": self.type_name,
            "schema_version": self.schema_version,
            "effective": self.effective.isoformat() if self.effective else None,
            "recorded_at": self.recorded_at.isoformat(timespec="microseconds"),
            "recorded_by": self.recorded_by,
            "payload": json.loads(self.payload),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class Receipt:
    """What an append did: how many events landed, how many were already there."""

    recorded: int
    already_present: int
    first_position: int | None = None
    last_position: int | None = None
    recorded_at: datetime | None = None
