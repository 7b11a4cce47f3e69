"""Encoding and decoding events: payloads, canonical JSON, content ids, loading stored rows."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from events import (
    SCHEMA_VERSION,
    DeliveryRecorded,
    canonical_json,
    content_id,
    load_event,
    parse_event,
    stamp,
    to_payload,
    with_id,
)

from .event_streams import STREAM, delivery, made

DELIVERY: dict[str, Any] = {
    "type": "DeliveryRecorded",
    "commitment": STREAM,
    "effective": "2026-06-01",
    "amounts": {"gw": "0.3"},
    "site": "new-carlisle",
}


def test_payload_is_json_ready_without_id_or_absent_fields() -> None:
    event = parse_event({**DELIVERY, "id": "12345678-1234-5678-1234-567812345678"})
    assert to_payload(event) == DELIVERY


def test_decimals_in_payloads_are_canonical_strings() -> None:
    event = parse_event({**DELIVERY, "amounts": {"usd": "33000000000.00", "gw": 1.25}})
    assert to_payload(event)["amounts"] == {"usd": "33000000000", "gw": "1.25"}


def test_canonical_json_sorts_keys_without_spaces_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'


def test_content_id_depends_on_content_only() -> None:
    reordered = dict(reversed(list(DELIVERY.items())))
    assert content_id(parse_event(DELIVERY)) == content_id(parse_event(reordered))
    changed = parse_event({**DELIVERY, "site": "other"})
    assert content_id(parse_event(DELIVERY)) != content_id(changed)


def test_content_id_is_pinned_so_stored_ids_never_drift() -> None:
    assert content_id(parse_event(DELIVERY)) == UUID("cc6e6964-7eeb-5b1e-8ab5-cc9a1d388e32")


def test_megawatts_and_gigawatts_give_the_same_content_id() -> None:
    in_mw = parse_event({**DELIVERY, "amounts": {"mw": "300"}})
    assert content_id(in_mw) == content_id(parse_event(DELIVERY))


def test_with_id_keeps_a_given_id_and_derives_a_missing_one() -> None:
    given = UUID("12345678-1234-5678-1234-567812345678")
    assert with_id(parse_event({**DELIVERY, "id": str(given)})).id == given
    assert with_id(parse_event(DELIVERY)).id == content_id(parse_event(DELIVERY))


def test_an_event_round_trips_through_its_stored_form() -> None:
    for event in (
        made(),
        delivery("2026-06-01", gw="1"),
        made(note="ünïcode", amounts={"mw": "7"}),
    ):
        stored = json.loads(canonical_json(to_payload(event)))
        assert event.id is not None
        loaded = load_event(event.type, SCHEMA_VERSION, stored, event_id=event.id)
        assert loaded == event


def test_a_correction_payload_drops_the_replacement_id_too() -> None:
    target = made()
    assert target.id is not None
    replacement = {**to_payload(target), "id": str(target.id), "amounts": {"gw": "4"}}
    correction = parse_event(
        {
            "type": "EventCorrected",
            "commitment": STREAM,
            "target": str(target.id),
            "replacement": replacement,
        }
    )
    payload = to_payload(correction)
    assert "id" not in payload["replacement"]
    assert payload["replacement"]["amounts"] == {"gw": "4"}
    assert load_event("EventCorrected", SCHEMA_VERSION, payload) == correction.model_copy(
        update={"replacement": correction.replacement.model_copy(update={"id": None})}
    )


def test_loading_a_row_checks_type_against_payload() -> None:
    payload = to_payload(delivery("2026-06-01", gw="1"))
    event = load_event("DeliveryRecorded", SCHEMA_VERSION, payload)
    assert isinstance(event, DeliveryRecorded)


def test_stamp_gives_the_id_payload_and_canonical_json_in_one_go() -> None:
    event = parse_event(DELIVERY)
    stamped = stamp(event)
    assert stamped.event == with_id(event)
    assert stamped.payload == to_payload(event)
    assert stamped.canonical == canonical_json(DELIVERY)
    assert stamp(stamped.event).event is stamped.event
