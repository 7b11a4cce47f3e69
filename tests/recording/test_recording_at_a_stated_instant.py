"""Recording at a stated knowledge instant: a batch is known from the instant the caller states,
not from the clock, if that instant is after the store's latest and not after now; anything
else is refused in one line naming both instants, and nothing is written."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from ledger import KnowledgeTimeRefused, Ledger
from projections import history, positions, project

from ..conftest import postgres_url
from .conftest import NOW, STREAM, delivery, event, made


def stored(led: Ledger) -> list[tuple[Any, ...]]:
    return [(row.position, row.event_id, row.recorded_at, row.hash) for row in led.read_all()]


def amended(effective: str, **amounts: str) -> dict[str, Any]:
    return event("CommitmentAmended", effective, amounts=amounts)


def test_a_batch_is_known_from_the_instant_stated_not_from_the_clock(led: Ledger) -> None:
    receipt = led.record([made(), delivery()], recorded_at="2025-10-01T09:30:00Z")
    stated = datetime(2025, 10, 1, 9, 30, tzinfo=UTC)
    assert receipt.recorded_at == stated
    assert [row.recorded_at for row in led.read_all()] == [stated, stated]


def test_a_date_means_midnight_utc_and_a_zoned_time_its_instant_in_utc(led: Ledger) -> None:
    led.record([made()], recorded_at=date(2025, 10, 1))
    led.record([delivery("2026-06-01")], recorded_at="2025-10-02")
    led.record([delivery("2026-06-02")], recorded_at="2025-10-03T10:00:00+02:00")
    paris = timezone(timedelta(hours=2))
    led.record([delivery("2026-06-03")], recorded_at=datetime(2025, 10, 4, 10, tzinfo=paris))
    assert [row.recorded_at for row in led.read_all()] == [
        datetime(2025, 10, 1, tzinfo=UTC),
        datetime(2025, 10, 2, tzinfo=UTC),
        datetime(2025, 10, 3, 8, tzinfo=UTC),
        datetime(2025, 10, 4, 8, tzinfo=UTC),
    ]


def test_every_chunk_of_a_stream_shares_the_instant_stated(led: Ledger) -> None:
    events = [made(), *(delivery(f"2026-06-0{day}", gw="0.5") for day in range(1, 6))]
    receipt = led.record_stream(
        ((item, f"deals.jsonl:{line}") for line, item in enumerate(events, 1)),
        chunk=2,
        recorded_at="2025-10-01",
    )
    assert receipt.recorded == 6
    assert {row.recorded_at for row in led.read_all()} == {datetime(2025, 10, 1, tzinfo=UTC)}


def test_the_clock_takes_over_again_after_a_stated_instant(led: Ledger) -> None:
    led.record([made()], recorded_at="2025-10-01")
    led.record([delivery()])
    assert [row.recorded_at for row in led.read_all()] == [datetime(2025, 10, 1, tzinfo=UTC), NOW]


def test_now_itself_may_be_stated(led: Ledger) -> None:
    led.record([made()], recorded_at=NOW)
    assert [row.recorded_at for row in led.read_all()] == [NOW]


REFUSED = [
    pytest.param(
        "2025-10-01T00:00:00Z",
        "recorded at 2025-10-01T00:00:00Z: not after the store's latest knowledge instant, "
        "2025-10-01T00:00:00Z; the log stays ordered in knowledge time",
        id="the store's latest itself",
    ),
    pytest.param(
        "2025-09-30",
        "recorded at 2025-09-30T00:00:00Z: not after the store's latest knowledge instant, "
        "2025-10-01T00:00:00Z; the log stays ordered in knowledge time",
        id="before the store's latest",
    ),
    pytest.param(
        "2026-10-01T12:00:01Z",
        "recorded at 2026-10-01T12:00:01Z: later than now, 2026-10-01T12:00:00Z "
        "(the store's latest knowledge instant: 2025-10-01T00:00:00Z)",
        id="later than now",
    ),
    pytest.param(
        "2025-12-01T09:00:00",
        "recorded at 2025-12-01T09:00:00: a date and time needs a zone (such as Z or +02:00); "
        "a bare date means midnight UTC",
        id="a time without a zone",
    ),
    pytest.param(
        datetime(2025, 12, 1, 9),
        "recorded at 2025-12-01T09:00:00: a date and time needs a zone (such as Z or +02:00); "
        "a bare date means midnight UTC",
        id="a naive datetime",
    ),
    pytest.param(
        "1 December 2025",
        "recorded at '1 December 2025': not an ISO 8601 date (2025-10-01) "
        "or date and time with a zone (2025-10-01T09:30:00Z)",
        id="malformed",
    ),
]


@pytest.mark.parametrize(("instant", "message"), REFUSED)
def test_an_instant_the_log_cannot_take_is_refused_in_one_line_and_nothing_is_written(
    led: Ledger, instant: Any, message: str
) -> None:
    led.record([made()], recorded_at="2025-10-01")
    before = stored(led)
    with pytest.raises(KnowledgeTimeRefused) as refused:
        led.record([delivery()], recorded_at=instant)
    assert str(refused.value) == message
    with pytest.raises(KnowledgeTimeRefused):
        led.record_stream([(delivery(), "deals.jsonl:1")], recorded_at=instant)
    assert stored(led) == before


def test_an_empty_store_takes_any_instant_up_to_now_and_says_it_is_empty_otherwise(
    led: Ledger,
) -> None:
    with pytest.raises(KnowledgeTimeRefused, match=r"latest knowledge instant: none \(the store"):
        led.record([made()], recorded_at="2027-01-01")
    led.record([made()], recorded_at="1999-01-01")
    assert led.count() == 1


def test_a_batch_already_recorded_is_still_refused_at_an_instant_not_after_the_latest(
    led: Ledger,
) -> None:
    led.record([made()], recorded_at="2025-10-01")
    with pytest.raises(KnowledgeTimeRefused):
        led.record([made()], recorded_at="2025-10-01")


def test_the_chain_covers_the_stated_instant_and_verify_stays_green(
    led: Ledger, store_url: str
) -> None:
    led.record([made()], recorded_at="2025-10-01")
    led.record([delivery()], recorded_at="2025-11-01")
    led.record([delivery("2026-07-01")])
    report = led.verify()
    assert report.intact and report.count == 3
    first_hash = {}
    for instant in ("2025-10-01", "2025-10-01T00:00:00.000001Z", "2025-10-02", "2025-10-01"):
        with Ledger.open(_another(store_url), clock=lambda: NOW, actor="tester") as other:
            other.record([made()], recorded_at=instant)
            assert other.verify().intact
            first_hash.setdefault(instant, set()).add(next(other.read_all()).hash)
    assert first_hash["2025-10-01"] == {next(led.read_all()).hash}
    assert len(set().union(*first_hash.values())) == 3, "another instant, another hash"


def _another(store_url: str) -> str:
    """Another empty store on the same backend."""
    if store_url.startswith("sqlite"):
        return store_url.replace("capledger.db", f"{uuid.uuid4().hex}.db")
    return postgres_url()


def test_positions_known_between_stated_instants_see_exactly_what_was_stated_before(
    led: Ledger,
) -> None:
    led.record([made(amounts={"gw": "5"})], recorded_at="2025-01-10")
    led.record([amended("2026-05-01", gw="3")], recorded_at="2025-03-05T14:00:00Z")
    led.record([delivery("2026-06-01", gw="1")], recorded_at="2025-06-01")

    def committed_and_delivered(known_at: Any) -> list[tuple[Any, ...]]:
        rows = positions(led, as_of=date(2026, 12, 31), known_at=known_at)
        return [(row.committed, row.delivered) for row in rows]

    expected = {
        datetime(2025, 1, 9, 23, 59, tzinfo=UTC): [],
        datetime(2025, 1, 10, tzinfo=UTC): [(5, 0)],
        date(2025, 3, 4): [(5, 0)],
        datetime(2025, 3, 5, 13, 59, 59, tzinfo=UTC): [(5, 0)],
        datetime(2025, 3, 5, 14, tzinfo=UTC): [(3, 0)],
        date(2025, 5, 31): [(3, 0)],
        date(2025, 6, 1): [(3, 1)],
        None: [(3, 1)],
    }
    kept_by_append = {known: committed_and_delivered(known) for known in expected}
    assert kept_by_append == expected
    project(led, rebuild=True)
    assert {known: committed_and_delivered(known) for known in expected} == expected
    known_then = history(led, STREAM, known_at=date(2025, 3, 4))
    assert [entry.type for entry in known_then] == ["CommitmentMade"]
