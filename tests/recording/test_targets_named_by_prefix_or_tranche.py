"""A correction or retraction names its target by a short id prefix or by its tranche; the
ledger stores the full id, and refuses a reference that names no event or several."""

from __future__ import annotations

import json
from typing import Any

import pytest

from events import InvalidEvent
from ledger import Ledger, read_file

from .conftest import STREAM, delivery, event, made, tranche


def snapshot(led: Ledger) -> tuple[int, str | None]:
    """What must not move when a batch is refused: the count and the chain's head."""
    return led.count(), led.verify().head_hash


def _ids(led: Ledger) -> dict[str, str]:
    """Each stored event's type, with the tranche or the order it came in, to its full id."""
    named: dict[str, str] = {}
    for stored in led.read_all():
        key = (
            stored.type_name + ":" + str(getattr(stored.event, "tranche", None) or stored.position)
        )
        named[key] = str(stored.event_id)
    return named


def test_a_retraction_naming_its_target_by_an_id_prefix_stores_the_full_id(led: Ledger) -> None:
    led.record([made(), tranche("phase-1"), delivery()])
    target = _ids(led)["DeliveryRecorded:3"]
    led.record([event("EventRetracted", None, target=target[:8], reason="double-counted")])
    retraction = list(led.read_all())[-1]
    assert str(retraction.event.target) == target  # type: ignore[union-attr]
    assert json.loads(retraction.payload)["target"] == target


def test_a_correction_naming_its_target_by_tranche_corrects_the_event_that_scheduled_it(
    led: Ledger,
) -> None:
    led.record([made(), tranche("phase-1"), delivery()])
    scheduled = _ids(led)["TrancheScheduled:phase-1"]
    fixed = tranche("phase-1", gw="2")
    fixed["due"] = "2026-12-31"
    led.record([event("EventCorrected", None, target="tranche:phase-1", replacement=fixed)])
    correction = list(led.read_all())[-1]
    assert str(correction.event.target) == scheduled  # type: ignore[union-attr]


def test_the_same_input_recorded_twice_is_skipped_the_second_time(led: Ledger) -> None:
    led.record([made(), tranche("phase-1")])
    retraction = event("EventRetracted", None, target="tranche:phase-1")
    assert led.record([dict(retraction)]).recorded == 1
    again = led.record([dict(retraction)])
    assert (again.recorded, again.already_present) == (0, 1)


def test_a_tranche_named_by_a_scheduling_and_a_cancellation_is_ambiguous_for_a_retraction(
    led: Ledger,
) -> None:
    led.record(
        [made(), tranche("phase-1"), event("TrancheCancelled", "2026-07-01", tranche="phase-1")]
    )
    ids = _ids(led)
    before = snapshot(led)
    with pytest.raises(InvalidEvent) as refused:
        led.record(
            [event("EventRetracted", None, target="tranche:phase-1")], origins=["fix.jsonl:4"]
        )
    message = str(refused.value)
    assert message.startswith("fix.jsonl:4: target: tranche 'phase-1' of ")
    assert ids["TrancheScheduled:phase-1"][:8] in message
    assert ids["TrancheCancelled:phase-1"][:8] in message
    assert snapshot(led) == before
    # A correction's replacement says which of the two it means.
    moved = event("TrancheCancelled", "2026-08-01", tranche="phase-1")
    led.record([event("EventCorrected", None, target="tranche:phase-1", replacement=moved)])
    assert str(list(led.read_all())[-1].event.target) == ids["TrancheCancelled:phase-1"]  # type: ignore[union-attr]


def _with_ids(*prefixes: str) -> list[dict[str, Any]]:
    """Deliveries whose ids start with the given hex digits."""
    return [
        {
            **delivery(f"2026-06-0{index + 1}"),
            "id": f"{prefix}{'0' * (8 - len(prefix))}-0000-4000-8000-00000000000{index}",
        }
        for index, prefix in enumerate(prefixes)
    ]


def test_an_ambiguous_prefix_is_refused_naming_the_candidates(led: Ledger) -> None:
    led.record([made(), *_with_ids("abcd1", "abcd2")])
    before = snapshot(led)
    with pytest.raises(InvalidEvent) as refused:
        led.record([event("EventRetracted", None, target="abcd")], origins=["fix.csv:2"])
    assert str(refused.value) == (
        f"fix.csv:2: target: 'abcd' is the start of 2 event ids of {STREAM}: "
        "abcd1000 (DeliveryRecorded, 2026-06-01), abcd2000 (DeliveryRecorded, 2026-06-02); "
        "give more of the id"
    )
    assert snapshot(led) == before
    led.record([event("EventRetracted", None, target="ABCD2")])
    assert str(list(led.read_all())[-1].event.target).startswith("abcd2000")  # type: ignore[union-attr]


def test_an_unknown_prefix_or_tranche_is_refused_naming_what_there_is(led: Ledger) -> None:
    led.record([made(), tranche("phase-1")])
    with pytest.raises(
        InvalidEvent, match=r"no event of .* has an id starting with '0000'; its events: "
    ):
        led.record([event("EventRetracted", None, target="0000")])
    with pytest.raises(InvalidEvent, match=r"no tranche 'phase-2' of .*; its tranches: phase-1$"):
        led.record([event("EventRetracted", None, target="tranche:phase-2")])
    with pytest.raises(InvalidEvent, match=r"'zz' is neither an event id, nor the start of one"):
        led.record([event("EventRetracted", None, target="zz")])
    with pytest.raises(
        InvalidEvent, match=r"'0000' names an event of 'no-such-deal', which has none"
    ):
        led.record([{"type": "EventRetracted", "commitment": "no-such-deal", "target": "0000"}])


def test_only_events_recorded_before_the_call_can_be_named_so(led: Ledger, tmp_path: Any) -> None:
    led.record([made()])
    path = tmp_path / "same-input.jsonl"
    lines = [tranche("phase-1"), event("EventRetracted", None, target="tranche:phase-1")]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with pytest.raises(InvalidEvent, match=r"same-input.jsonl:2: target: no tranche 'phase-1'"):
        led.record_stream(read_file(path), chunk=1)
