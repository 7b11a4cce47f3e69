"""The reference fold: committed, scheduled, delivered and outstanding as of a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from events import (
    Event,
    apply_corrections,
    check_stream,
    fold,
    states_by_date,
    to_payload,
)

from .event_streams import delivery, event, made

B = Decimal(1_000_000_000)
AMAZON_ANTHROPIC = "amazon-anthropic-investment"


def amazon_anthropic() -> list[Event]:
    """Amazon's investment in Anthropic, as reported."""

    def amazon(type_name: str, **fields: object) -> Event:
        return event(type_name, commitment=AMAZON_ANTHROPIC, **fields)

    return [
        amazon(
            "CommitmentMade",
            effective="2023-09-25",
            provider="amazon",
            holder="anthropic",
            kind="investment",
            bound="up_to",
            amounts={"usd": "4000000000"},
        ),
        amazon("DeliveryRecorded", effective="2023-09-25", amounts={"usd": "1250000000"}),
        amazon("DeliveryRecorded", effective="2024-03-27", amounts={"usd": "2750000000"}),
        amazon("CommitmentAmended", effective="2024-11-22", amounts={"usd": "8000000000"}),
        amazon("CommitmentAmended", effective="2026-04-20", amounts={"usd": "33000000000"}),
    ]


def usd(as_of: str, events: list[Event]) -> tuple[Decimal, Decimal, Decimal]:
    state = fold(events, date.fromisoformat(as_of))
    assert state is not None
    return state.committed["usd"], state.delivered["usd"], state.outstanding["usd"]


def test_the_amazon_anthropic_investment_as_of_several_dates() -> None:
    events = amazon_anthropic()
    check_stream([], events, [None] * len(events))
    assert fold(events, date(2023, 9, 24)) is None
    assert usd("2023-09-25", events) == (4 * B, Decimal("1.25") * B, Decimal("2.75") * B)
    assert usd("2024-03-26", events) == (4 * B, Decimal("1.25") * B, Decimal("2.75") * B)
    assert usd("2024-03-27", events) == (4 * B, 4 * B, 0)
    assert usd("2024-11-22", events) == (8 * B, 4 * B, 4 * B)
    assert usd("2026-04-19", events) == (8 * B, 4 * B, 4 * B)
    assert usd("2026-04-20", events) == (33 * B, 4 * B, 29 * B)


def test_the_state_carries_the_terms_of_the_commitment() -> None:
    state = fold(amazon_anthropic(), date(2030, 1, 1))
    assert state is not None
    assert (state.provider, state.holder, state.kind, state.bound) == (
        "amazon",
        "anthropic",
        "investment",
        "up_to",
    )
    assert state.made_on == date(2023, 9, 25)
    assert state.resources == ("usd",)


def test_states_by_date_gives_the_end_of_each_effective_date() -> None:
    events = amazon_anthropic()
    walked = list(states_by_date(events))
    assert [day.isoformat() for day, _ in walked] == [
        "2023-09-25",
        "2024-03-27",
        "2024-11-22",
        "2026-04-20",
    ]
    for day, state in walked:
        assert state == fold(events, day)


def test_a_back_dated_delivery_counts_from_its_effective_date() -> None:
    events = [made(), delivery("2026-09-01", gw="1"), delivery("2026-06-01", gw="2")]
    assert gw_totals(events, "2026-06-01") == (Decimal(5), Decimal(2))
    assert gw_totals(events, "2026-09-01") == (Decimal(5), Decimal(3))


def gw_totals(events: list[Event], as_of: str) -> tuple[Decimal, Decimal]:
    state = fold(events, date.fromisoformat(as_of))
    assert state is not None
    return state.committed["gw"], state.delivered.get("gw", Decimal(0))


def correction(target: Event, **changes: object) -> Event:
    assert target.id is not None
    replacement = {**to_payload(target), **changes}
    return event("EventCorrected", target=str(target.id), replacement=replacement)


def test_a_correction_replaces_its_target_effective_date_included() -> None:
    wrong = delivery("2026-06-01", gw="2")
    events = [made(), wrong, correction(wrong, effective="2026-08-01", amounts={"gw": "1.5"})]
    assert gw_totals(events, "2026-07-01") == (Decimal(5), Decimal(0))
    assert gw_totals(events, "2026-08-01") == (Decimal(5), Decimal("1.5"))
    corrected = apply_corrections(events)
    assert [e.id for e in corrected] == [events[0].id, wrong.id]


def test_the_later_of_two_corrections_wins() -> None:
    wrong = delivery("2026-06-01", gw="2")
    first = correction(wrong, amounts={"gw": "1"})
    second = correction(wrong, amounts={"gw": "3"})
    assert gw_totals([made(), wrong, first, second], "2027-01-01") == (5, 3)
    assert gw_totals([made(), wrong, second, first], "2027-01-01") == (5, 1)


def test_a_retraction_removes_its_target() -> None:
    wrong = delivery("2026-06-01", gw="2")
    retraction = event("EventRetracted", target=str(wrong.id), reason="double counted")
    assert gw_totals([made(), wrong, retraction], "2027-01-01") == (5, 0)


def test_a_retracted_commitment_has_no_state() -> None:
    opening = made()
    retraction = event("EventRetracted", target=str(opening.id))
    assert fold([opening, retraction], date(2030, 1, 1)) is None


def test_an_amendment_sets_new_totals_and_may_add_a_resource() -> None:
    events = [
        made(),
        event("CommitmentAmended", effective="2026-05-01", amounts={"gw": "3", "usd": "10"}),
    ]
    state = fold(events, date(2026, 5, 1))
    assert state is not None
    assert state.committed == {"gw": 3, "usd": 10}


def tranche(name: str, effective: str, **amounts: str) -> Event:
    return event("TrancheScheduled", tranche=name, effective=effective, amounts=amounts)


def test_scheduled_counts_live_tranches_and_the_delivered_part_of_cancelled_ones() -> None:
    events = [
        made(),
        tranche("phase-1", "2026-05-01", gw="2"),
        tranche("phase-2", "2026-05-01", gw="3"),
        event("DeliveryRecorded", effective="2026-06-01", tranche="phase-1", amounts={"gw": "0.5"}),
        event("TrancheCancelled", effective="2026-07-01", tranche="phase-1"),
    ]
    check_stream([], events, [None] * len(events))
    before, after = fold(events, date(2026, 6, 30)), fold(events, date(2026, 7, 1))
    assert before is not None and after is not None
    assert before.scheduled == {"gw": 5}
    assert after.scheduled == {"gw": Decimal("3.5")}
    assert after.tranches["phase-1"].cancelled_on == date(2026, 7, 1)
    assert after.tranches["phase-1"].delivered == {"gw": Decimal("0.5")}


def test_a_cancelled_commitment_commits_what_was_delivered_and_its_tranches_lapse() -> None:
    events = [
        made(amounts={"gw": "5", "usd": "100"}),
        tranche("phase-1", "2026-05-01", gw="2"),
        event("DeliveryRecorded", effective="2026-06-01", tranche="phase-1", amounts={"gw": "1"}),
        event("CommitmentCancelled", effective="2026-07-01", reason="site fell through"),
    ]
    check_stream([], events, [None] * len(events))
    state = fold(events, date(2026, 7, 1))
    assert state is not None
    assert state.committed == {"gw": 1, "usd": 0}
    assert state.scheduled == {"gw": 1}
    assert state.outstanding == {"gw": 0, "usd": 0}
    assert state.tranches["phase-1"].cancelled_on == date(2026, 7, 1)
    assert state.cancelled_on == date(2026, 7, 1)
    earlier = fold(events, date(2026, 6, 30))
    assert earlier is not None and earlier.committed == {"gw": 5, "usd": 100}


def test_outstanding_never_goes_below_zero_for_an_at_least_floor() -> None:
    events = [made(bound="at_least"), delivery("2026-06-01", gw="7")]
    check_stream([], events, [None, None])
    state = fold(events, date(2026, 6, 1))
    assert state is not None
    assert state.outstanding == {"gw": 0}


def test_events_of_one_day_fold_in_position_order() -> None:
    events = [
        made(),
        event("CommitmentAmended", effective="2026-05-01", amounts={"gw": "6"}),
        event("CommitmentAmended", effective="2026-05-01", amounts={"gw": "7"}),
    ]
    assert gw_totals(events, "2026-05-01")[0] == 7
