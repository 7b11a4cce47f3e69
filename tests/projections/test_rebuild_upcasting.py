"""A rebuild reads payloads of an older schema version through the upcasters and the models."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select

from events import UPCASTERS
from ledger import Ledger
from ledger.schema import events
from projections import project
from projections.read_models.tables import position_postings

from .conftest import SetClock, delivered, made


def amounts_from_amount_usd(payload: dict[str, Any]) -> dict[str, Any]:
    """A hypothetical v0 -> v1 step: `amount_usd` became `amounts`."""
    payload["amounts"] = {"usd": payload.pop("amount_usd")}
    return payload


def delivered_usd(led: Ledger, commitment: str) -> int:
    table = position_postings
    query = select(func.sum(table.c.units)).where(
        table.c.commitment == commitment,
        table.c.measure == "delivered",
        table.c.known_until.is_(None),
    )
    with led.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_a_stream_with_a_v0_payload_is_rebuilt_through_the_upcaster(
    led: Ledger, clock: SetClock
) -> None:
    clock.set("2026-01-01T00:00:00")
    led.record([made("c1", "2025-01-01", usd="100"), delivered("c1", "2025-02-01", usd="10")])
    led.record([made("c2", "2025-01-01", usd="50"), delivered("c2", "2025-02-01", usd="7")])
    last = list(led.read_all())[-1]
    clock.tick(hours=1)
    v0 = {
        "type": "DeliveryRecorded",
        "commitment": "c1",
        "effective": "2025-03-01",
        "amount_usd": "5",
    }
    with led.engine.begin() as connection:
        # Stored as an older writer would have (the chain is not what a rebuild reads).
        connection.execute(
            insert(events).values(
                position=last.position + 1,
                event_id=str(uuid.uuid4()),
                commitment="c1",
                version=3,
                type="DeliveryRecorded",
                schema_version=0,
                effective=date(2025, 3, 1),
                recorded_at=clock(),
                recorded_by="an older writer",
                payload=json.dumps(v0, sort_keys=True),
                prev_hash=last.hash,
                hash="0" * 64,
            )
        )
    with UPCASTERS.registered("DeliveryRecorded", 0, amounts_from_amount_usd):
        project(led, rebuild=True)
    assert delivered_usd(led, "c1") == 15
    assert delivered_usd(led, "c2") == 7
