"""Builders of event dicts for the recording tests, as a user would write them, and a ledger
whose clock stands still."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger import Ledger
from projections import attach

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
"""The instant the `led` fixture's clock stands at."""


@pytest.fixture
def led(store_url: str) -> Iterator[Ledger]:
    """A ledger on each backend whose clock stands at NOW, its read models kept by append."""
    ledger = Ledger.open(store_url, clock=lambda: NOW, actor="tester")
    attach(ledger)
    yield ledger
    ledger.close()


STREAM = "aws-anthropic-2026-capacity"


def made(**fields: Any) -> dict[str, Any]:
    """Amazon reserves up to 5 GW for Anthropic on 2026-04-20."""
    return {
        "type": "CommitmentMade",
        "commitment": STREAM,
        "effective": "2026-04-20",
        "provider": "amazon",
        "holder": "anthropic",
        "kind": "capacity",
        "bound": "up_to",
        "amounts": {"gw": "5"},
        **fields,
    }


def event(type_name: str, effective: str | None = "2026-06-01", **fields: Any) -> dict[str, Any]:
    """An event of the test stream."""
    body: dict[str, Any] = {"type": type_name, "commitment": STREAM, **fields}
    if effective is not None:
        body["effective"] = effective
    return body


def delivery(effective: str = "2026-06-01", **amounts: str) -> dict[str, Any]:
    return event("DeliveryRecorded", effective, amounts=amounts or {"gw": "1"})


def tranche(name: str, effective: str = "2026-05-01", **amounts: str) -> dict[str, Any]:
    return event("TrancheScheduled", effective, tranche=name, amounts=amounts or {"gw": "2"})
