"""Models of the same shape share one fields set, and nothing a model's holder can do to one
model reaches the others through it (events/plain.py, shared_names)."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from pydantic import ValidationError

from events import parse_event, plain
from events.parsing import validated_event
from events.stamping import parse_and_stamp, stamp_fresh
from events.stored_rows import load_stored

from .event_streams import STREAM

DELIVERY = {"type": "DeliveryRecorded", "commitment": STREAM, "amounts": {"gw": "0.5"}}


def _delivery(day: str, **more: Any) -> dict[str, Any]:
    return {**DELIVERY, "effective": day, **more}


def _reference_names(data: dict[str, Any]) -> set[str]:
    return set(stamp_fresh(validated_event(data, None)).event.model_fields_set)


def test_events_parsed_with_the_same_fields_share_one_fields_set() -> None:
    first, _ = parse_and_stamp(_delivery("2026-01-05"))
    second, _ = parse_and_stamp(_delivery("2026-02-07"))

    assert first.model_fields_set is second.model_fields_set
    assert first.model_fields_set == _reference_names(_delivery("2026-01-05"))
    assert "id" in first.model_fields_set


def test_stamping_an_id_leaves_the_names_of_models_without_one_alone() -> None:
    unstamped = parse_event(_delivery("2026-01-05"))
    parse_and_stamp(_delivery("2026-02-07"))

    assert unstamped.id is None
    assert "id" not in unstamped.model_fields_set
    assert "id" not in parse_event(_delivery("2026-03-09")).model_fields_set


def test_events_given_other_fields_keep_their_own_names() -> None:
    bare, _ = parse_and_stamp(_delivery("2026-01-05"))
    sited, _ = parse_and_stamp(_delivery("2026-01-05", site="dublin-2"))

    assert sited.model_fields_set == bare.model_fields_set | {"site"}
    assert sited.model_fields_set == _reference_names(_delivery("2026-01-05", site="dublin-2"))


def test_stored_rows_read_back_share_the_fields_set_of_their_shape() -> None:
    first, payload_first = parse_and_stamp(_delivery("2026-01-05"))
    second, payload_second = parse_and_stamp(_delivery("2026-02-07"))

    read_first = load_stored(first.type, 1, str(first.id), payload_first)
    read_second = load_stored(second.type, 1, str(second.id), payload_second)

    assert read_first == first and read_second == second
    assert read_first.model_fields_set is read_second.model_fields_set
    assert read_first.model_fields_set == first.model_fields_set


def test_a_copy_with_an_update_changes_its_own_fields_set_only() -> None:
    first, _ = parse_and_stamp(_delivery("2026-01-05"))
    second, _ = parse_and_stamp(_delivery("2026-02-07"))

    noted = first.model_copy(update={"note": "revised"})

    assert "note" in noted.model_fields_set
    assert "note" not in first.model_fields_set
    assert "note" not in second.model_fields_set


def test_an_assignment_is_refused_before_it_could_touch_the_shared_set() -> None:
    first, _ = parse_and_stamp(_delivery("2026-01-05"))
    second, _ = parse_and_stamp(_delivery("2026-02-07"))

    with pytest.raises(ValidationError, match="frozen"):
        first.note = "revised"

    assert "note" not in second.model_fields_set


def test_copies_and_pickles_get_a_fields_set_of_their_own() -> None:
    first, _ = parse_and_stamp(_delivery("2026-01-05"))

    for twin in (copy.copy(first), copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
        assert twin == first
        assert twin.model_fields_set == first.model_fields_set
        assert twin.model_fields_set is not first.model_fields_set


def test_past_the_bound_models_keep_sets_of_their_own_and_the_same_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plain, "_SHARED_NAMES", {})
    monkeypatch.setattr(plain, "_MAX_SHARED_NAMES", 0)

    first, _ = parse_and_stamp(_delivery("2026-01-05"))
    second, _ = parse_and_stamp(_delivery("2026-02-07"))

    assert first.model_fields_set is not second.model_fields_set
    assert first.model_fields_set == _reference_names(_delivery("2026-01-05"))
    assert plain._SHARED_NAMES == {}
