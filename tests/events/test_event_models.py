"""Validation of single events: every kind of bad input is an InvalidEvent naming its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from events import CommitmentMade, InvalidEvent, RuleViolation, parse_event

GOOD: dict[str, Any] = {
    "type": "CommitmentMade",
    "commitment": "aws-anthropic-2026-capacity",
    "effective": "2026-04-20",
    "provider": "amazon",
    "holder": "anthropic",
    "kind": "capacity",
    "bound": "up_to",
    "amounts": {"gw": "5"},
    "term_start": "2026-04-20",
    "term_end": "2036-04-20",
    "source": {"publisher": "Reuters", "date": "2026-04-20"},
}


def test_a_valid_commitment_is_parsed_into_a_frozen_model() -> None:
    made = parse_event(GOOD)
    assert isinstance(made, CommitmentMade)
    assert made.amounts == {"gw": Decimal(5)}
    assert made.effective == date(2026, 4, 20)
    with pytest.raises(Exception, match="frozen"):
        made.note = "changed"  # type: ignore[misc]


def test_models_pass_through_parsing_unchanged() -> None:
    made = parse_event(GOOD)
    assert parse_event(made) is made


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"type": "CommitmentMaid"}, "type", "unknown event type 'CommitmentMaid'"),
        ({"type": None}, "type", "required"),
        ({"amount": {"gw": "5"}}, "amount", "unknown field"),
        ({"source": {"publisher": "Reuters", "page": 3}}, "source.page", "unknown field"),
        ({"provider": None}, "provider", "must be a string"),
        ({"commitment": "AWS Anthropic"}, "commitment", "must be a slug"),
        ({"commitment": "-aws"}, "commitment", "must be a slug"),
        ({"holder": "amazon"}, "holder", "must differ from the provider (amazon)"),
        ({"kind": "loan"}, "kind", "must be 'investment', 'spend' or 'capacity'"),
        ({"bound": "about"}, "bound", "must be 'exact', 'up_to' or 'at_least'"),
        ({"effective": "2026-02-30"}, "effective", "not a real date: '2026-02-30'"),
        ({"effective": "20260420"}, "effective", "must be a date written YYYY-MM-DD"),
        ({"effective": "2026-04-20T10:00:00"}, "effective", "must be a date written YYYY-MM-DD"),
        ({"effective": 20260420}, "effective", "must be a date written YYYY-MM-DD"),
        ({"term_end": "2025-01-01"}, "term_end", "2025-01-01 is before term_start 2026-04-20"),
        ({"amounts": {}}, "amounts", "must name at least one resource"),
        ({"amounts": {"gw": "-1"}}, "amounts.gw", "must not be negative"),
        ({"amounts": {"gw": "NaN"}}, "amounts.gw", "must be a finite number"),
        ({"amounts": {"gw": float("inf")}}, "amounts.gw", "must be a finite number"),
        ({"amounts": {"gw": True}}, "amounts.gw", "must be a number, not a boolean"),
        ({"amounts": {"gw": "5 GW"}}, "amounts.gw", "not a decimal number: '5 GW'"),
        ({"amounts": {"gw": "1e40"}}, "amounts.gw", "out of range"),
        ({"amounts": {"gw": "1." + "1" * 10}}, "amounts.gw", "at most 9 decimal places"),
        ({"amounts": {"gw": "0.0000000001"}}, "amounts.gw", "at most 9 decimal places"),
        ({"amounts": {"mw": "0.0000001"}}, "amounts", "mw as gw: too precise"),
        ({"amounts": {"usd": "1000000000000000"}}, "amounts.usd", "below 1e15"),
        ({"amounts": {"tb": "1"}}, "amounts.tb", "unknown resource 'tb'"),
        ({"amounts": {"chips:H100": "1"}}, "amounts.chips:H100", "unknown resource"),
        ({"amounts": {"gw": "1", "mw": "300"}}, "amounts", "give gw or mw, not both"),
        ({"id": "not-a-uuid"}, "id", "must be a valid UUID"),
        ({"note": "x" * 2001}, "note", "too long: at most 2000 characters"),
        ({"source": {"publisher": ""}}, "source.publisher", "must not be empty"),
    ],
)
def test_bad_input_is_an_invalid_event_naming_field_and_rule(
    change: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(InvalidEvent) as raised:
        parse_event({**GOOD, **change}, origin="deals.jsonl:7")
    assert raised.value.origin == "deals.jsonl:7"
    assert raised.value.field == field
    assert rule in raised.value.rule
    assert str(raised.value) == f"deals.jsonl:7: {field}: {raised.value.rule}"
    assert "\n" not in str(raised.value)


def test_an_unknown_field_is_named_before_the_field_it_was_meant_to_be() -> None:
    data = {key: value for key, value in GOOD.items() if key != "amounts"}
    with pytest.raises(InvalidEvent, match="amount: unknown field"):
        parse_event({**data, "amount": {"gw": "5"}})


def test_a_non_mapping_is_an_invalid_event() -> None:
    with pytest.raises(InvalidEvent, match="event: must be an object, not list"):
        parse_event([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "held"),
    [("5", "5"), ("5.000", "5"), ("1E+3", "1000"), (12, "12"), (0.3, "0.3"), ("0", "0")],
)
def test_amounts_are_held_as_canonical_decimals(given: object, held: str) -> None:
    made = parse_event({**GOOD, "amounts": {"usd": given}})
    assert isinstance(made, CommitmentMade)
    assert made.amounts["usd"] == Decimal(held)
    assert type(made.amounts["usd"]) is Decimal


def test_megawatts_become_gigawatts_exactly() -> None:
    made = parse_event({**GOOD, "amounts": {"mw": "300"}})
    assert isinstance(made, CommitmentMade)
    assert made.amounts == {"gw": Decimal("0.3")}


def test_an_amendment_must_change_something() -> None:
    with pytest.raises(InvalidEvent, match="amounts: an amendment must give amounts"):
        parse_event({"type": "CommitmentAmended", "commitment": "c", "effective": "2026-01-01"})


def test_corrections_have_no_effective_date() -> None:
    target = "12345678-1234-5678-1234-567812345678"
    with pytest.raises(InvalidEvent, match="effective: unknown field"):
        parse_event(
            {
                "type": "EventRetracted",
                "commitment": "c",
                "target": target,
                "effective": "2026-01-01",
            }
        )


@pytest.mark.parametrize(
    ("replacement", "field", "rule"),
    [
        ({**GOOD, "commitment": "other"}, "replacement.commitment", "correction's own"),
        ({**GOOD, "id": "87654321-4321-8765-4321-876543218765"}, "replacement.id", "equal to"),
        ({**GOOD, "type": "EventRetracted"}, "replacement", "'EventRetracted' cannot stand here"),
        ({**GOOD, "amounts": {"gw": "x"}}, "replacement.amounts.gw", "not a decimal number"),
    ],
)
def test_a_correction_carries_a_complete_event_of_its_own_commitment(
    replacement: dict[str, Any], field: str, rule: str
) -> None:
    correction = {
        "type": "EventCorrected",
        "commitment": GOOD["commitment"],
        "target": "12345678-1234-5678-1234-567812345678",
        "replacement": replacement,
    }
    with pytest.raises(InvalidEvent) as raised:
        parse_event(correction)
    assert (raised.value.field, rule in raised.value.rule) == (field, True)


def test_errors_are_located_copies_and_share_one_root() -> None:
    error = RuleViolation("amounts.gw", "too much")
    located = error.located("deals.jsonl:7")
    assert str(error) == "amounts.gw: too much"
    assert str(located) == "deals.jsonl:7: amounts.gw: too much"
    assert error.origin is None
    assert isinstance(located, RuleViolation)
