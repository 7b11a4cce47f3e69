"""The rules checked on append: one test per rule, each showing the refusal and its message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from events import Event, RuleViolation, StreamWalk, check_stream, states_by_date, to_payload

from .event_streams import STREAM, delivery, event, made


def refusal(known: Sequence[Event], *new: Event) -> RuleViolation:
    """Append `new` after `known` and return the violation, whose origin names the culprit."""
    origins = [f"deals.jsonl:{line}" for line in range(1, len(new) + 1)]
    with pytest.raises(RuleViolation) as raised:
        check_stream(known, new, origins)
    return raised.value


def accepted(known: Sequence[Event], *new: Event) -> StreamWalk:
    """Append `new` after `known`: no refusal, and the walk saw the reference fold's states."""
    walked = check_stream(known, new, [None] * len(new))
    assert walked.count == len(known) + len(new)
    assert walked.states == list(states_by_date([*known, *new]))
    return walked


def tranche(name: str, effective: str, **amounts: str) -> Event:
    return event("TrancheScheduled", tranche=name, effective=effective, amounts=amounts)


def tranche_delivery(name: str, effective: str, **amounts: str) -> Event:
    return event("DeliveryRecorded", tranche=name, effective=effective, amounts=amounts)


def correction(target: Event, **changes: object) -> Event:
    replacement = {**to_payload(target), **changes}
    return event("EventCorrected", target=str(target.id), replacement=replacement)


def test_delivery_beyond_commitment_is_refused() -> None:
    error = refusal([made()], delivery("2026-04-20", gw="6"))
    assert str(error) == (
        "deals.jsonl:1: amounts.gw: delivery of 6 GW would bring delivered to 6 GW, "
        "over the 5 GW committed on 2026-04-20"
    )


def test_scheduling_beyond_commitment_is_refused() -> None:
    error = refusal(
        [made(), tranche("phase-1", "2026-05-01", gw="3")], tranche("phase-2", "2026-06-01", gw="3")
    )
    assert str(error) == (
        "deals.jsonl:1: amounts.gw: tranche 'phase-2' of 3 GW would bring scheduled to 6 GW, "
        "over the 5 GW committed on 2026-06-01"
    )


def test_an_at_least_floor_may_be_exceeded() -> None:
    accepted([made(bound="at_least")], delivery("2026-05-01", gw="9"))


def test_an_exact_commitment_is_a_ceiling_too() -> None:
    error = refusal([made(bound="exact")], delivery("2026-05-01", gw="5.5"))
    assert error.field == "amounts.gw"


def test_a_stream_must_open_with_commitment_made() -> None:
    error = refusal([], delivery("2026-05-01", gw="1"))
    assert (error.field, error.origin) == ("type", "deals.jsonl:1")
    assert error.rule == f"stream '{STREAM}' must open with CommitmentMade, not DeliveryRecorded"


def test_a_second_commitment_made_is_refused() -> None:
    error = refusal([made()], made(effective="2026-05-01"))
    assert str(error) == f"deals.jsonl:1: type: stream '{STREAM}' was already opened on 2026-04-20"


def test_an_event_effective_before_the_commitment_is_refused() -> None:
    error = refusal([made()], delivery("2026-04-19", gw="1"))
    assert str(error) == (
        "deals.jsonl:1: effective: 2026-04-19 is before the commitment, effective 2026-04-20"
    )


def test_a_tranche_id_is_unique_within_the_stream() -> None:
    error = refusal(
        [made(), tranche("phase-1", "2026-05-01", gw="1")], tranche("phase-1", "2026-06-01", gw="2")
    )
    assert (
        str(error)
        == "deals.jsonl:1: tranche: tranche 'phase-1' was already scheduled on 2026-05-01"
    )


@pytest.mark.parametrize(
    "culprit",
    [delivery("2026-05-01", usd="1"), tranche("phase-1", "2026-05-01", usd="1")],
)
def test_a_tranche_or_delivery_names_only_resources_of_the_commitment(culprit: Event) -> None:
    error = refusal([made()], culprit)
    assert (
        str(error)
        == "deals.jsonl:1: amounts.usd: the commitment has no usd on 2026-05-01 (it has gw)"
    )


def test_a_resource_added_by_amendment_may_be_delivered_from_then_on() -> None:
    amended = event("CommitmentAmended", effective="2026-05-01", amounts={"usd": "10"})
    accepted([made(), amended], delivery("2026-05-01", usd="10"))
    assert refusal([made(), amended], delivery("2026-04-30", usd="1")).field == "amounts.usd"


def test_a_delivery_against_a_tranche_stays_within_it() -> None:
    error = refusal(
        [made(), tranche("phase-1", "2026-05-01", gw="2")],
        tranche_delivery("phase-1", "2026-06-01", gw="1.5"),
        tranche_delivery("phase-1", "2026-07-01", gw="1"),
    )
    assert str(error) == (
        "deals.jsonl:2: amounts.gw: delivery of 1 GW would bring tranche 'phase-1' delivered "
        "to 2.5 GW, over its 2 GW"
    )


def test_an_amendment_may_not_cut_committed_below_delivered() -> None:
    known = [made(bound="at_least"), delivery("2026-05-01", gw="4")]
    error = refusal(known, event("CommitmentAmended", effective="2026-06-01", amounts={"gw": "3"}))
    assert str(error) == (
        "deals.jsonl:1: amounts.gw: amending to 3 GW would cut committed below the 4 GW "
        "delivered by 2026-06-01"
    )


def test_an_amendment_may_not_cut_committed_below_scheduled() -> None:
    known = [made(), tranche("phase-1", "2026-05-01", gw="4")]
    error = refusal(known, event("CommitmentAmended", effective="2026-06-01", amounts={"gw": "3"}))
    assert error.field == "amounts.gw"
    assert "below the 4 GW scheduled by 2026-06-01" in error.rule


def test_an_amendment_may_not_put_term_start_after_term_end() -> None:
    known = [made(term_start="2026-04-20", term_end="2030-01-01")]
    error = refusal(
        known, event("CommitmentAmended", effective="2026-06-01", term_start="2031-01-01")
    )
    assert str(error) == (
        "deals.jsonl:1: term_start: term_start 2031-01-01 would fall after term_end 2030-01-01"
    )


def test_an_event_on_or_after_a_cancellation_is_refused() -> None:
    known = [made(), event("CommitmentCancelled", effective="2026-08-01")]
    error = refusal(known, delivery("2026-08-01", gw="1"))
    assert str(error) == (
        "deals.jsonl:1: effective: 2026-08-01: the commitment was cancelled on 2026-08-01; "
        "nothing may take effect on or after that"
    )


def test_a_back_dated_delivery_before_a_cancellation_is_accepted() -> None:
    accepted(
        [made(), event("CommitmentCancelled", effective="2026-08-01")],
        delivery("2026-07-31", gw="1"),
    )


def test_a_delivery_on_a_cancelled_tranche_is_refused() -> None:
    known = [
        made(),
        tranche("phase-1", "2026-05-01", gw="2"),
        event("TrancheCancelled", effective="2026-06-01", tranche="phase-1"),
    ]
    error = refusal(known, tranche_delivery("phase-1", "2026-07-01", gw="1"))
    assert str(error) == "deals.jsonl:1: tranche: tranche 'phase-1' was cancelled on 2026-06-01"


def test_a_cancelled_tranche_cannot_be_scheduled_again() -> None:
    known = [
        made(),
        tranche("phase-1", "2026-05-01", gw="2"),
        event("TrancheCancelled", effective="2026-06-01", tranche="phase-1"),
    ]
    assert refusal(known, tranche("phase-1", "2026-07-01", gw="1")).field == "tranche"


@pytest.mark.parametrize(
    "culprit",
    [
        event("TrancheCancelled", effective="2026-06-01", tranche="phase-9"),
        tranche_delivery("phase-9", "2026-06-01", gw="1"),
    ],
)
def test_an_unknown_tranche_is_refused(culprit: Event) -> None:
    error = refusal([made()], culprit)
    assert str(error) == "deals.jsonl:1: tranche: no tranche 'phase-9' is scheduled by 2026-06-01"


def test_a_correction_must_target_an_event_of_this_stream() -> None:
    elsewhere = delivery("2026-05-01", gw="1").model_copy(update={"commitment": "other"})
    retraction = event("EventRetracted", target=str(elsewhere.id))
    error = refusal([made()], retraction)
    assert str(error) == f"deals.jsonl:1: target: no event {elsewhere.id} in stream '{STREAM}'"


def test_a_correction_may_not_target_a_correction() -> None:
    wrong = delivery("2026-05-01", gw="1")
    first = correction(wrong, amounts={"gw": "2"})
    error = refusal([made(), wrong, first], event("EventRetracted", target=str(first.id)))
    assert (error.field, error.rule) == (
        "target",
        f"{first.id} is an EventCorrected; correct the original event",
    )


def test_a_retracted_event_cannot_be_corrected() -> None:
    wrong = delivery("2026-05-01", gw="1")
    known = [made(), wrong, event("EventRetracted", target=str(wrong.id))]
    error = refusal(known, correction(wrong, amounts={"gw": "2"}))
    assert (error.field, error.rule) == ("target", f"{wrong.id} was retracted")


def test_a_correction_keeps_the_type_of_its_target() -> None:
    wrong = delivery("2026-05-01", gw="1")
    replacement = {"type": "CommitmentCancelled", "commitment": STREAM, "effective": "2026-05-01"}
    error = refusal(
        [made(), wrong], event("EventCorrected", target=str(wrong.id), replacement=replacement)
    )
    assert str(error) == (
        "deals.jsonl:1: replacement.type: must be DeliveryRecorded, the type of the target, "
        "not CommitmentCancelled"
    )


def test_a_correction_is_refused_when_the_corrected_stream_breaks_a_rule() -> None:
    opening = made()
    known = [opening, delivery("2026-05-01", gw="4")]
    error = refusal(known, correction(opening, amounts={"gw": "3"}))
    assert str(error) == (
        "deals.jsonl:1: amounts.gw: delivery of 4 GW would bring delivered to 4 GW, "
        "over the 3 GW committed on 2026-05-01"
    )


def test_retracting_the_commitment_under_its_events_is_refused() -> None:
    opening = made()
    error = refusal(
        [opening, delivery("2026-05-01", gw="1")], event("EventRetracted", target=str(opening.id))
    )
    assert (error.field, error.origin) == ("type", "deals.jsonl:1")


def test_rules_hold_on_every_date_not_only_at_the_end() -> None:
    known = [made(), event("CommitmentAmended", effective="2027-01-01", amounts={"gw": "10"})]
    error = refusal(known, delivery("2026-06-01", gw="8"))
    assert "over the 5 GW committed on 2026-06-01" in error.rule


def test_an_amendment_the_same_day_may_make_room_for_a_delivery() -> None:
    accepted(
        [made()],
        delivery("2026-06-01", gw="8"),
        event("CommitmentAmended", effective="2026-06-01", amounts={"gw": "10"}),
    )


def test_the_violation_names_the_first_new_event_that_breaks_the_stream() -> None:
    batch = [delivery(f"2026-05-0{day}", gw="1") for day in range(1, 8)]
    error = refusal([made()], *batch)
    assert error.origin == "deals.jsonl:6"
    assert "would bring delivered to 6 GW" in error.rule


def test_a_back_dated_culprit_is_named_even_when_the_breach_shows_later() -> None:
    error = refusal([made()], delivery("2026-09-01", gw="3"), delivery("2026-05-01", gw="3"))
    assert error.origin == "deals.jsonl:2"
    assert "delivered to 6 GW, over the 5 GW committed on 2026-09-01" in error.rule


def test_events_of_another_stream_are_refused() -> None:
    stranger = delivery("2026-05-01", gw="1").model_copy(update={"commitment": "other"})
    error = refusal([made()], stranger)
    assert str(error) == f"deals.jsonl:1: commitment: 'other' is not stream '{STREAM}'"


def test_an_empty_batch_is_accepted() -> None:
    accepted([made()])


def test_a_later_check_walks_again_only_from_the_first_date_its_events_change() -> None:
    known = [made(), delivery("2026-05-01", gw="1"), delivery("2026-06-01", gw="1")]
    walk = check_stream([], known, [None] * 3)
    assert walk.changed_from is None  # a whole walk: any date may have changed
    later = delivery("2026-07-01", gw="1")
    resumed = check_stream(known, [later], [None], resume=walk)
    assert resumed.changed_from == date(2026, 7, 1)
    fixed = correction(known[1], effective="2026-05-15")
    corrected = check_stream([*known, later], [fixed], [None], resume=resumed)
    assert corrected.changed_from == date(2026, 5, 1)  # the target's date before and after
    assert corrected.states == check_stream([], [*known, later, fixed], [None] * 5).states


def test_a_breach_found_on_a_resumed_walk_is_explained_as_a_whole_walk_explains_it() -> None:
    known = [made(), delivery("2026-05-01", gw="4")]
    walk = check_stream([], known, [None, None])
    back_dated = delivery("2026-04-25", gw="2")
    with pytest.raises(RuleViolation) as resumed:
        check_stream(known, [back_dated], ["deals.jsonl:9"], resume=walk)
    assert (
        str(resumed.value)
        == str(refusal(known, back_dated)).replace(":1:", ":9:")
        == (
            "deals.jsonl:9: amounts.gw: delivery of 4 GW would bring delivered to 6 GW, "
            "over the 5 GW committed on 2026-05-01"
        )
    )
