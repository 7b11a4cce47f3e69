"""The plain path gives what the reference path gives: the same models, payload text and ids, and
whatever it defers, the reference path handles with the same outcome (events/plain.py).

Reference: pydantic validation of the event's model (parsing.validated_event), stamp_fresh, and for
stored rows json.loads + load_event. Plain: parse_event, parse_and_stamp and load_stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from unittest.mock import patch
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, field_validator

from events import EVENT_TYPES, UPCASTERS, load_event, parse_event, stored_rows
from events.models import CommitmentCancelled, parse_day_text
from events.parsing import validated_event
from events.plain import PLAIN_TYPES, _validator, plain_event
from events.stamping import parse_and_stamp, stamp_fresh
from events.stored_rows import load_stored

from .event_streams import STREAM
from .plain_inputs import Text, hostile_events, plain_events

SETTINGS = settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _portrait(value: Any) -> Any:
    """A value with everything equality may overlook made visible: exact types, dict order,
    decimal exponents, a model's fields set, extra and private parts."""
    if isinstance(value, BaseModel):
        return (
            type(value),
            _portrait(value.__dict__),
            sorted(value.__pydantic_fields_set__),
            [type(name) for name in value.__pydantic_fields_set__],
            value.__pydantic_extra__,
            value.__pydantic_private__,
        )
    if type(value) is dict:
        return [(_portrait(key), _portrait(item)) for key, item in value.items()]
    if isinstance(value, tuple | list):
        return (type(value), [_portrait(item) for item in value])
    if isinstance(value, Decimal):
        return (type(value), value.as_tuple())
    if isinstance(value, UUID):
        return (type(value), value.int, value.is_safe)
    return (type(value), value)


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        result = call()
    except Exception as error:
        return type(error).__name__, str(error)
    return "ok", _portrait(result)


def _reference_stamp(data: Any, origin: str | None = None) -> tuple[Any, str]:
    stamped = stamp_fresh(validated_event(data, origin))
    return stamped.event, stamped.canonical


@settings(max_examples=2000)
@given(
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)
    | st.dates().map(date.isoformat)
    | st.text(alphabet="0123456789-\n ", max_size=12)
)
def test_the_plain_day_reads_dates_as_the_day_validator(text: str) -> None:
    data = {"type": "CommitmentCancelled", "commitment": STREAM, "effective": text}
    plain = plain_event(data)
    try:
        day: date | None = parse_day_text(text)
    except ValueError:
        day = None
    assert (plain is None) == (day is None)
    if isinstance(plain, CommitmentCancelled):
        assert type(plain.effective) is date and plain.effective == day


def test_every_event_type_has_a_plain_path() -> None:
    assert set(EVENT_TYPES) == PLAIN_TYPES


@SETTINGS
@given(plain_events)
def test_the_plain_path_gives_the_models_of_the_reference_path(data: dict[str, Any]) -> None:
    assert _outcome(lambda: parse_event(data)) == _outcome(lambda: validated_event(data, None))


@SETTINGS
@given(plain_events)
def test_the_plain_path_takes_the_events_it_was_made_for(data: dict[str, Any]) -> None:
    try:
        validated_event(data, None)
    except Exception:
        return  # refused by a rule (provider == holder, ...), or text pydantic cannot hold
    assert plain_event(data) is not None


@SETTINGS
@given(plain_events)
def test_stamping_plain_input_gives_the_reference_payload_text_and_id(data: dict[str, Any]) -> None:
    assert _outcome(lambda: parse_and_stamp(data, origin="f:1")) == _outcome(
        lambda: _reference_stamp(data, "f:1")
    )


@SETTINGS
@given(hostile_events())
@example({"type": "CommitmentCancelled", "commitment": STREAM, "effective": "2026-04-20"})
@example({"type": "CommitmentCancelled", "commitment": Text(STREAM), "effective": "2026-04-20"})
@example({"type": "CommitmentCancelled", "commitment": STREAM, "effective": date(2026, 4, 20)})
@example(
    {"type": "CommitmentCancelled", "commitment": STREAM, "effective": "2026-04-20", "id": None}
)
@example(
    {
        "type": "EventCorrected",
        "commitment": STREAM,
        "target": "6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30",
        "replacement": {
            "type": "DeliveryRecorded",
            "commitment": STREAM,
            "id": "6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30",
            "effective": "2026-04-20",
            "amounts": {"mw": "1500"},
            "source": CommitmentCancelled.model_fields["source"].default,
        },
    }
)
def test_whatever_the_plain_path_defers_the_reference_path_decides_alike(
    data: dict[str, Any],
) -> None:
    assert _outcome(lambda: parse_event(data, origin="f:2")) == _outcome(
        lambda: validated_event(data, "f:2")
    )
    assert _outcome(lambda: parse_and_stamp(data, origin="f:2")) == _outcome(
        lambda: _reference_stamp(data, "f:2")
    )


def test_a_source_given_as_a_model_is_stamped_as_the_reference_stamps_it() -> None:
    source = parse_event(
        {"type": "CommitmentCancelled", "commitment": STREAM, "effective": "2026-04-20",
         "source": {"publisher": "Reuters"}}
    ).source  # fmt: skip
    data: dict[str, Any] = {"type": "CommitmentCancelled", "commitment": STREAM}
    data.update(effective="2026-04-20", source=source)
    assert _outcome(lambda: parse_and_stamp(data)) == _outcome(lambda: _reference_stamp(data))


class Mapping(dict[str, Any]):
    """A dict subclass, which validation takes as a mapping."""


def test_a_replacement_given_as_another_mapping_is_stamped_without_its_id() -> None:
    target = "6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30"
    replacement = Mapping(type="TrancheCancelled", commitment=STREAM, id=target)
    replacement.update(effective="2026-04-20", tranche="t1")
    data: dict[str, Any] = {"type": "EventCorrected", "commitment": STREAM, "target": target}
    data["replacement"] = replacement
    assert _outcome(lambda: parse_and_stamp(data)) == _outcome(lambda: _reference_stamp(data))
    assert '"id"' not in parse_and_stamp(data)[1]


def test_a_stamped_plain_event_behaves_as_the_reference_one() -> None:
    data = {"type": "TrancheCancelled", "commitment": STREAM, "effective": "2026-04-20",
            "tranche": "t1"}  # fmt: skip
    plain, reference = parse_and_stamp(data)[0], _reference_stamp(data)[0]
    assert plain == reference and hash(plain) == hash(reference)
    assert plain.model_fields_set == reference.model_fields_set
    assert plain.model_dump() == reference.model_dump()
    assert plain.model_dump_json() == reference.model_dump_json()
    assert plain.model_copy(update={"tranche": "t2"}) == reference.model_copy(
        update={"tranche": "t2"}
    )
    with pytest.raises(Exception, match="frozen"):
        plain.commitment = "another-stream"  # type: ignore[misc]


# Stored rows: their payload and event id as the store holds them, as text.


def _reference_load(type_name: Any, version: Any, event_id: Any, payload: Any) -> Any:
    with reference_only():
        return load_event(type_name, version, json.loads(payload), event_id=UUID(event_id))


@contextmanager
def reference_only() -> Iterator[None]:
    """load_event as it was: no event type has a plain validator."""
    with patch.object(stored_rows, "plain_validator", lambda type_name: None):
        yield


@SETTINGS
@given(plain_events)
def test_stored_rows_load_as_load_event_loads_them(data: dict[str, Any]) -> None:
    try:
        event, canonical = _reference_stamp(data)
    except Exception:
        return
    row = (event.type, 1, str(event.id), canonical)
    assert _outcome(lambda: load_stored(*row)) == _outcome(lambda: _reference_load(*row))
    assert load_stored(*row) == event


@SETTINGS
@given(hostile_events(), st.sampled_from([None, UUID("6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30")]))
def test_load_event_decides_any_payload_as_the_reference_path(
    payload: dict[str, Any], event_id: UUID | None
) -> None:
    type_name = payload.get("type")
    if not isinstance(type_name, str):
        type_name = "TrancheCancelled"
    plain = _outcome(lambda: load_event(type_name, 1, payload, event_id=event_id))
    with reference_only():
        reference = _outcome(lambda: load_event(type_name, 1, payload, event_id=event_id))
    assert plain == reference


payload_texts = st.one_of(
    hostile_events().map(lambda data: json.dumps(data, default=str)),
    st.sampled_from(
        [
            '{"type":"TrancheCancelled","commitment":"c1","effective":"2026-04-20","tranche":"t"}',
            '{"commitment":"c1","effective":"2026-04-20","tranche":"t"}',
            '{"type":"TrancheCancelled","commitment":"c1","effective":"2026-04-20","tranche":"t",'
            '"tranche":"u"}',
            '{"type":"TrancheCancelled","commitment":"c1","effective":"2026-04-20","tranche":"\\ud800"}',
            '{"type":"DeliveryRecorded","commitment":"c1","effective":"2026-04-20",'
            '"amounts":{"gw":18446744073709551616}}',
            '{"type":"DeliveryRecorded","commitment":"c1","effective":"2026-04-20","amounts":{"gw":1.5}}',
            '{"type":"DeliveryRecorded","commitment":"c1","effective":"2026-04-20","amounts":{"gw":NaN}}',
            '{"type":"DeliveryRecorded","commitment":"c1","effective":"2026-04-20","amounts":{"gw":"1"},'
            '"id":"6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30"}',
            '{"type":"TrancheCancelled","commitment":"c","effective":"2026-04-20","tranche":"t"} x',
            ' {"type":"TrancheCancelled","commitment":"c","effective":"2026-04-20","tranche":"t"} ',
            "[]",
            "null",
        ]
    ),
)
event_ids = st.sampled_from(
    [
        "6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30",
        "6F1C3B52-8D0E-5A4F-9B7E-2C6D8A1E4F30",
        "{6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30}",
        "6f1c3b528d0e5a4f9b7e2c6d8a1e4f30",
        "not an id",
    ]
) | st.uuids().map(str)


def _type_of(payload: str) -> str | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    kind = data.get("type") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None


@SETTINGS
@given(
    payload_texts,
    st.sampled_from([None, *EVENT_TYPES, "Unknown"]),
    st.sampled_from([1, 1, 1, 0, 2]),
    event_ids,
)
def test_whatever_the_stored_row_the_plain_load_decides_as_load_event(
    payload: str, type_name: str | None, version: int, event_id: str
) -> None:
    # The row's type is mostly the payload's own, as the store writes it.
    row = (type_name or _type_of(payload) or "Unknown", version, event_id, payload)
    assert _outcome(lambda: load_stored(*row)) == _outcome(lambda: _reference_load(*row))


@pytest.mark.parametrize(
    "event_id",
    [
        UUID("6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30"),
        "6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30",
        "6F1C3B52-8D0E-5A4F-9B7E-2C6D8A1E4F30",
        "not an id",
        None,
    ],
)
def test_load_event_takes_an_id_of_any_type_as_the_reference_path_does(event_id: Any) -> None:
    fields = {"type": "TrancheCancelled", "commitment": STREAM, "effective": "2026-04-20",
              "tranche": "t1", "id": "0b0e5d3e-0b63-4ba4-9b8f-2f4d5e0c9b11"}  # fmt: skip
    plain = _outcome(lambda: load_event("TrancheCancelled", 1, fields, event_id=event_id))
    with reference_only():
        reference = _outcome(lambda: load_event("TrancheCancelled", 1, fields, event_id=event_id))
    assert plain == reference


def test_rows_of_an_older_schema_version_are_upcast_on_the_reference_path() -> None:
    payload = '{"type":"TrancheCancelled","commitment":"c1","on":"2026-04-20","tranche":"t"}'

    def rename(old: dict[str, Any]) -> dict[str, Any]:
        old["effective"] = old.pop("on")
        return old

    row = ("TrancheCancelled", 0, "6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30", payload)
    with UPCASTERS.registered("TrancheCancelled", 0, rename):
        assert _outcome(lambda: load_stored(*row)) == _outcome(lambda: _reference_load(*row))
        assert load_stored(*row).effective == date(2026, 4, 20)  # type: ignore[union-attr]


def test_a_model_with_a_validator_the_plain_path_does_not_know_gets_no_plain_path() -> None:
    class Odd(BaseModel):
        name: str

        @field_validator("name")
        @classmethod
        def _shout(cls, name: str) -> str:
            return name.upper()

    assert _validator(Odd) is None  # type: ignore[arg-type]
