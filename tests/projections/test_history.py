"""History: the audit trail of one commitment, with what later corrections did to each event."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger import Ledger
from projections import history
from projections.queries.history import short_ids

from .conftest import SetClock, amended, delivered, made


def test_history_lists_every_event_with_both_times_its_actor_and_its_fate(
    led: Ledger, clock: SetClock
) -> None:
    clock.set("2024-03-28T09:00:00")
    opening = made("deal", "2023-09-25", usd="4000000000")
    opening["source"] = {"publisher": "Reuters", "date": "2023-09-25"}
    led.record([opening, delivered("deal", "2024-03-27", usd="2500000000")])
    stored = list(led.read_all())
    clock.set("2024-04-02T09:00:00")
    fix = {
        "type": "EventCorrected",
        "commitment": "deal",
        "target": str(stored[1].event_id),
        "replacement": delivered("deal", "2024-03-27", usd="2750000000"),
        "note": "typo",
    }
    led.record([fix, amended("deal", "2024-11-22", usd="8000000000")], actor="auditor")
    amendment = list(led.read_all())[-1]
    clock.set("2024-04-03T09:00:00")
    led.record(
        [
            {
                "type": "EventRetracted",
                "commitment": "deal",
                "target": str(amendment.event_id),
                "reason": "not announced",
            }
        ]
    )

    entries = history(led, "deal")
    assert [(e.position, e.version, e.type, e.status) for e in entries] == [
        (1, 1, "CommitmentMade", "in force"),
        (2, 2, "DeliveryRecorded", "corrected"),
        (3, 3, "EventCorrected", "correction"),
        (4, 4, "CommitmentAmended", "retracted"),
        (5, 5, "EventRetracted", "retraction"),
    ]
    made_, delivery, correction, _, retraction = entries
    assert made_.source == {"publisher": "Reuters", "date": "2023-09-25"}
    assert made_.fields["amounts"] == {"usd": "4000000000"}
    assert made_.recorded_by == "tester" and correction.recorded_by == "auditor"
    assert delivery.corrected_by == [(3, correction.event_id)]
    assert correction.target == delivery.event_id and correction.note == "typo"
    assert correction.fields["replacement"]["amounts"] == {"usd": "2750000000"}
    assert correction.effective is None
    assert entries[3].retracted_by == 5 and retraction.fields == {"reason": "not announced"}
    assert [e.hash for e in entries] == [row.hash for row in led.read_all()]

    as_json = delivery.as_dict()
    assert as_json["recorded_at"] == "2024-03-28T09:00:00.000000Z"
    assert as_json["effective"] == "2024-03-27"
    assert as_json["corrected_by"] == [{"position": 3, "id": str(correction.event_id)}]

    earlier = history(led, "deal", known_at=date(2024, 3, 28))
    assert [(e.type, e.status) for e in earlier] == [
        ("CommitmentMade", "in force"),
        ("DeliveryRecorded", "in force"),
    ]
    assert history(led, "no-such-deal") == []


def test_each_entry_names_its_source_date_when_the_source_gave_one(
    led: Ledger, clock: SetClock
) -> None:
    reported = made("deal", "2023-09-25", usd="4000000000")
    reported["source"] = {"publisher": "Reuters", "date": "2023-09-26"}
    led.record([reported, delivered("deal", "2024-03-27", usd="2500000000")])
    entries = history(led, "deal")
    assert [entry.source_date for entry in entries] == [date(2023, 9, 26), None]
    assert [entry.as_dict()["source_date"] for entry in entries] == ["2023-09-26", None]


def test_short_ids_grow_until_they_tell_the_events_of_a_stream_apart() -> None:
    apart = [
        UUID("abcdef12-3456-4000-8000-000000000001"),
        UUID("12345678-3456-4000-8000-00000000000a"),
    ]
    assert short_ids(apart) == {apart[0]: "abcdef12", apart[1]: "12345678"}
    alike = [apart[0], UUID("abcdef12-3499-4000-8000-000000000002")]
    assert short_ids(alike) == {alike[0]: "abcdef12-345", alike[1]: "abcdef12-349"}
