"""Builders for the events tests: one commitment stream, events with ids set."""

from __future__ import annotations

from typing import Any

from events import Event, parse_event, with_id

STREAM = "aws-anthropic-2026-capacity"


def in_stream(*parts: dict[str, Any]) -> dict[str, Any]:
    """One event's fields of the test stream, from parts (a later part wins)."""
    merged: dict[str, Any] = {"commitment": STREAM}
    for part in parts:
        merged.update(part)
    return merged


def event(type_name: str, **fields: Any) -> Event:
    """A valid event of the test stream (unless `commitment` says otherwise), id set."""
    fields.setdefault("commitment", STREAM)
    return with_id(parse_event({"type": type_name, **fields}))


def made(effective: str = "2026-04-20", bound: str = "up_to", **fields: Any) -> Event:
    """The CommitmentMade that opens the test stream: up to 5 GW, Amazon to Anthropic."""
    fields.setdefault("amounts", {"gw": "5"})
    return event(
        "CommitmentMade",
        effective=effective,
        provider="amazon",
        holder="anthropic",
        kind="capacity",
        bound=bound,
        **fields,
    )


def delivery(effective: str, **amounts: str) -> Event:
    """A delivery against no tranche, amounts given as keywords (gw="1")."""
    return event("DeliveryRecorded", effective=effective, amounts=amounts)
