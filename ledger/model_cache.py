"""The models of stored rows, parsed once and remembered (bounded, oldest first out)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from events import Event, EventCorrected, load_stored

if TYPE_CHECKING:
    from .event_rows import PendingEvent

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


def remember_models(models: Sequence[Event], pending: Sequence[PendingEvent]) -> None:
    """Seed the row-model cache with the models just checked: the next chunk re-reads them."""
    for model, row in zip(models, pending, strict=True):
        if isinstance(model, EventCorrected) and model.replacement.id is not None:
            continue  # the stored payload drops the replacement's id: let a read parse it
        remember_model((row.type_name, row.schema_version, row.key, row.payload), model)
