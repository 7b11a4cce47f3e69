"""Store-level helpers: the store is generic, so these tests append plain rows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date

import pytest

from ledger import PendingEvent

MakePending = Callable[..., PendingEvent]


def make_pending(
    commitment: str = "aws-anthropic",
    n: int = 0,
    *,
    payload: dict[str, object] | None = None,
    event_id: uuid.UUID | None = None,
) -> PendingEvent:
    """A row ready to append; `n` makes its content (and so its id) distinct."""
    body = payload if payload is not None else {"commitment": commitment, "n": n}
    return PendingEvent(
        event_id=event_id or uuid.uuid5(uuid.NAMESPACE_URL, f"{commitment}/{n}/{body}"),
        commitment=commitment,
        type_name="DeliveryRecorded",
        schema_version=1,
        effective=date(2026, 1, 1),
        payload=json.dumps(body, sort_keys=True, separators=(",", ":")),
    )


@pytest.fixture
def pending() -> MakePending:
    return make_pending
