"""Builders of event dicts for the recording tests, as a user would write them."""

from __future__ import annotations

from typing import Any

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
