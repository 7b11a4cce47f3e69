"""Upcasting: payloads stored under an older schema version are read as the current one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from events import UPCASTERS, CommitmentMade, InvalidEvent, Upcasters, load_event, upcast

EVENT_ID = UUID("12345678-1234-5678-1234-567812345678")

# A hypothetical version 0 of CommitmentMade, which knew only dollars.
V0_PAYLOAD: dict[str, Any] = {
    "type": "CommitmentMade",
    "commitment": "amazon-anthropic-2023",
    "effective": "2023-09-25",
    "provider": "amazon",
    "holder": "anthropic",
    "kind": "investment",
    "bound": "up_to",
    "amount_usd": "4000000000",
}


def amounts_from_amount_usd(payload: dict[str, Any]) -> dict[str, Any]:
    """v0 -> v1: `amount_usd` became `amounts`."""
    payload["amounts"] = {"usd": payload.pop("amount_usd")}
    return payload


def test_a_v0_payload_is_upcast_and_parsed_on_read() -> None:
    with UPCASTERS.registered("CommitmentMade", 0, amounts_from_amount_usd):
        event = load_event("CommitmentMade", 0, V0_PAYLOAD, event_id=EVENT_ID)
    assert isinstance(event, CommitmentMade)
    assert event.amounts == {"usd": Decimal(4_000_000_000)}
    assert event.id == EVENT_ID
    assert "amount_usd" in V0_PAYLOAD  # the stored payload is left alone


def test_registration_is_scoped_to_the_with_block() -> None:
    with UPCASTERS.registered("CommitmentMade", 0, amounts_from_amount_usd):
        pass
    with pytest.raises(InvalidEvent, match="no upcaster from CommitmentMade v0 to v1"):
        load_event("CommitmentMade", 0, V0_PAYLOAD)


def test_steps_are_applied_one_version_at_a_time() -> None:
    chain = Upcasters(target_version=2)
    chain.register("CommitmentMade", 0, amounts_from_amount_usd)
    chain.register("CommitmentMade", 1, lambda payload: {**payload, "note": "from v1"})
    upgraded = chain.upcast("CommitmentMade", 0, V0_PAYLOAD)
    assert upgraded["amounts"] == {"usd": "4000000000"}
    assert upgraded["note"] == "from v1"


def test_a_current_payload_is_returned_as_is() -> None:
    payload = {"anything": 1}
    assert upcast("CommitmentMade", 1, payload) is payload


def test_a_payload_newer_than_the_code_is_refused() -> None:
    with pytest.raises(InvalidEvent, match="v2 is newer than this code"):
        upcast("CommitmentMade", 2, {})


def test_a_step_cannot_be_registered_twice() -> None:
    chain = Upcasters()
    chain.register("CommitmentMade", 0, amounts_from_amount_usd)
    with pytest.raises(ValueError, match="already registered"):
        chain.register("CommitmentMade", 0, amounts_from_amount_usd)
