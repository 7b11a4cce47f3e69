"""Every rule, through the store: the refusal names input, field and rule, and nothing lands."""

from __future__ import annotations

from typing import Any

import pytest

from ledger import InvalidEvent, Ledger, LedgerError, RuleViolation

from .conftest import STREAM, delivery, event, made, tranche

FIRST_ID = "11111111-1111-4111-8111-111111111111"
CORRECTION_ID = "22222222-2222-4222-8222-222222222222"

# (rule, events already recorded, the offending event, error class, field, words in the rule)
CASES: list[tuple[str, list[dict[str, Any]], dict[str, Any], type[LedgerError], str, str]] = [
    (
        "a stream opens with CommitmentMade",
        [],
        delivery(),
        RuleViolation,
        "type",
        "must open with CommitmentMade",
    ),
    (
        "a stream opens only once",
        [made()],
        made(effective="2026-05-01"),
        RuleViolation,
        "type",
        "already opened",
    ),
    (
        "provider differs from holder",
        [],
        made(provider="anthropic"),
        InvalidEvent,
        "holder",
        "provider",
    ),
    (
        "amounts are not negative",
        [made()],
        delivery(gw="-1"),
        InvalidEvent,
        "amounts.gw",
        "negative",
    ),
    ("amounts are finite", [made()], delivery(gw="NaN"), InvalidEvent, "amounts.gw", ""),
    (
        "term_start is not after term_end",
        [],
        made(term_start="2030-01-01", term_end="2029-01-01"),
        InvalidEvent,
        "term_end",
        "",
    ),
    (
        "an amendment keeps term_start before term_end",
        [made(term_start="2026-04-20")],
        event("CommitmentAmended", term_end="2026-01-01"),
        RuleViolation,
        "term_end",
        "",
    ),
    (
        "nothing is effective before the commitment",
        [made()],
        delivery("2026-04-19"),
        RuleViolation,
        "effective",
        "before the commitment",
    ),
    (
        "tranche ids are unique",
        [made(), tranche("phase-1")],
        tranche("phase-1", gw="1"),
        RuleViolation,
        "tranche",
        "phase-1",
    ),
    (
        "a delivery names only the commitment's resources",
        [made()],
        delivery(usd="100"),
        RuleViolation,
        "amounts.usd",
        "usd",
    ),
    (
        "a tranche names only the commitment's resources",
        [made()],
        tranche("phase-1", **{"chips:tpu": "10"}),
        RuleViolation,
        "amounts.chips:tpu",
        "",
    ),
    (
        "scheduled stays within committed",
        [made(), tranche("phase-1", gw="3")],
        tranche("phase-2", gw="3"),
        RuleViolation,
        "amounts.gw",
        "over the 5 GW committed",
    ),
    (
        "delivered stays within committed",
        [made()],
        delivery(gw="6"),
        RuleViolation,
        "amounts.gw",
        "over the 5 GW committed",
    ),
    (
        "a delivery against a tranche stays within it",
        [made(), tranche("phase-1", gw="2")],
        event("DeliveryRecorded", tranche="phase-1", amounts={"gw": "3"}),
        RuleViolation,
        "amounts.gw",
        "phase-1",
    ),
    (
        "an amendment does not cut below delivered",
        [made(), delivery(gw="4")],
        event("CommitmentAmended", "2026-07-01", amounts={"gw": "3"}),
        RuleViolation,
        "amounts.gw",
        "delivered",
    ),
    (
        "an amendment does not cut below scheduled",
        [made(), tranche("phase-1", gw="4")],
        event("CommitmentAmended", "2026-07-01", amounts={"gw": "3"}),
        RuleViolation,
        "amounts.gw",
        "scheduled",
    ),
    (
        "nothing is effective on or after a cancellation",
        [made(), event("CommitmentCancelled", "2026-06-01")],
        delivery("2026-06-01"),
        RuleViolation,
        "effective",
        "cancel",
    ),
    (
        "nothing is delivered on a cancelled tranche",
        [made(), tranche("phase-1"), event("TrancheCancelled", "2026-05-15", tranche="phase-1")],
        event("DeliveryRecorded", tranche="phase-1", amounts={"gw": "1"}),
        RuleViolation,
        "tranche",
        "cancel",
    ),
    (
        "a delivery names a known tranche",
        [made()],
        event("DeliveryRecorded", tranche="phase-9", amounts={"gw": "1"}),
        RuleViolation,
        "tranche",
        "phase-9",
    ),
    (
        "a correction's target exists in the stream",
        [made()],
        event(
            "EventCorrected",
            None,
            target="33333333-3333-4333-8333-333333333333",
            replacement=delivery(),
        ),
        RuleViolation,
        "target",
        "",
    ),
    (
        "a correction's target is not a correction",
        [
            made(id=FIRST_ID),
            event(
                "EventCorrected",
                None,
                id=CORRECTION_ID,
                target=FIRST_ID,
                replacement={k: v for k, v in made(amounts={"gw": "4"}).items()},
            ),
        ],
        event("EventRetracted", None, target=CORRECTION_ID),
        RuleViolation,
        "target",
        "",
    ),
    (
        "the stream with a correction applied obeys every rule",
        [made(id=FIRST_ID), delivery(gw="4")],
        event("EventCorrected", None, target=FIRST_ID, replacement=made(amounts={"gw": "3"})),
        RuleViolation,
        "amounts.gw",
        "",
    ),
    (
        "unknown fields are errors",
        [made()],
        delivery() | {"colour": "red"},
        InvalidEvent,
        "colour",
        "",
    ),
    ("unknown types are errors", [made()], event("CommitmentDoubled"), InvalidEvent, "type", ""),
    ("bad dates are errors", [made()], delivery("2026-02-30"), InvalidEvent, "effective", ""),
]


@pytest.mark.parametrize(
    ("prior", "offending", "error", "field", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_broken_rule_refuses_the_whole_batch_and_leaves_the_ledger_as_it_was(
    ledger: Ledger,
    prior: list[dict[str, Any]],
    offending: dict[str, Any],
    error: type[LedgerError],
    field: str,
    words: str,
) -> None:
    if prior:
        ledger.record(prior)
    before = (ledger.count(), ledger.verify().head_hash)
    # A valid event of another commitment goes first: it must not land either.
    batch = [made(commitment="google-anthropic-tpu-2025"), offending]
    origins = [f"deals.jsonl:{line}" for line in range(1, len(batch) + 1)]
    with pytest.raises(error) as refused:
        ledger.record(batch, origins=origins)
    assert refused.value.origin == f"deals.jsonl:{len(batch)}"  # type: ignore[attr-defined]
    assert refused.value.field == field  # type: ignore[attr-defined]
    assert words.lower() in refused.value.rule.lower()  # type: ignore[attr-defined]
    assert str(refused.value).startswith(f"deals.jsonl:{len(batch)}: {field}: ")
    assert (ledger.count(), ledger.verify().head_hash) == before
    assert ledger.verify().intact


def test_a_batch_of_valid_events_with_one_invalid_stores_nothing(ledger: Ledger) -> None:
    batch = [made(), tranche("phase-1"), delivery(gw="1"), delivery(gw="9"), delivery(gw="1")]
    with pytest.raises(RuleViolation, match=r"event 4: amounts\.gw"):
        ledger.record(batch)
    assert ledger.count() == 0


def test_a_valid_history_is_recorded_whole(ledger: Ledger) -> None:
    receipt = ledger.record([made(), tranche("phase-1"), delivery(gw="1")])
    assert (receipt.recorded, receipt.already_present) == (3, 0)
    assert [row.version for row in ledger.read_stream(STREAM)] == [1, 2, 3]
