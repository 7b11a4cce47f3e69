"""The bundled demo ledger (cli/demo/public-deals.jsonl): publicly reported deals as events.

It must be valid schema-version-1 input, cite its sources with the date each was reported, record
into a fresh ledger on every backend without a refusal (as reported, too), and tell the
Amazon-Anthropic and Nvidia-OpenAI stories the way they were reported.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import capledger
from events import (
    CommitmentMade,
    Event,
    EventCorrected,
    EventRetracted,
    fold,
    parse_event,
)
from ledger import Ledger
from projections import positions

B = Decimal(1_000_000_000)
REVISIONS = ("EventCorrected", "EventRetracted")
AMAZON_ANTHROPIC = "amazon-anthropic-investment-2023"
NVIDIA_OPENAI = {"holder": "openai", "provider": "nvidia", "kind": "investment"}


def demo_lines() -> list[dict[str, Any]]:
    """The demo file's events, one JSON object a line, as shipped in the cli.demo package."""
    text = (files("cli.demo") / "public-deals.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def demo_events() -> list[Event]:
    return [
        parse_event(line, origin=f"public-deals.jsonl:{number}")
        for number, line in enumerate(demo_lines(), start=1)
    ]


def origins(count: int, first: int = 1) -> list[str]:
    return [f"public-deals.jsonl:{number}" for number in range(first, first + count)]


def stream_events(led: Ledger, commitment: str, upto: int | None = None) -> list[Event]:
    """One stream's events in position order (ids set), optionally only those up to a position."""
    rows = led.read_stream(commitment)
    return [row.event for row in rows if upto is None or row.position <= upto]


def test_every_line_parses_as_an_event_of_the_vocabulary() -> None:
    lines = demo_lines()
    events = demo_events()
    assert len(events) == len(lines) >= 50


def test_every_event_cites_a_source_with_a_publisher() -> None:
    for number, event in enumerate(demo_events(), start=1):
        assert event.source is not None, f"line {number} cites no source"
        assert event.source.publisher.strip(), f"line {number} names no publisher"
        if isinstance(event, EventCorrected):
            replacement = event.replacement.source
            assert replacement is not None, f"line {number}: the replacement cites no source"
            assert replacement.publisher.strip()


def test_every_event_and_every_replacement_cites_the_date_it_was_reported() -> None:
    for number, event in enumerate(demo_events(), start=1):
        assert event.source is not None and event.source.date is not None, f"line {number}"
        if isinstance(event, EventCorrected):
            replacement = event.replacement.source
            assert replacement is not None and replacement.date is not None, f"line {number}"


def test_no_revision_is_reported_before_the_event_it_revises() -> None:
    reported = {event.id: event.source.date for event in demo_events() if event.source}
    for event in demo_events():
        if isinstance(event, EventCorrected | EventRetracted):
            assert event.source is not None and event.source.date is not None
            assert reported[event.target] is not None
            assert event.source.date >= reported[event.target]


def test_the_whole_file_records_into_a_fresh_ledger_without_refusal(ledger: Ledger) -> None:
    lines = demo_lines()
    receipt = ledger.record(lines, origins=origins(len(lines)))
    assert receipt.recorded == len(lines)
    assert receipt.already_present == 0
    assert ledger.count() == len(lines)
    assert ledger.verify().first_bad_position is None


def test_recording_the_file_twice_adds_nothing(ledger: Ledger) -> None:
    lines = demo_lines()
    ledger.record(lines)
    again = ledger.record(lines)
    assert again.recorded == 0
    assert again.already_present == len(lines)
    assert ledger.count() == len(lines)


def test_it_holds_at_least_one_correction_and_one_retraction() -> None:
    types = [event.type for event in demo_events()]
    assert "EventCorrected" in types
    assert "EventRetracted" in types


def test_every_revision_comes_after_every_other_event() -> None:
    types = [event.type for event in demo_events()]
    first_revision = next(index for index, name in enumerate(types) if name in REVISIONS)
    assert all(name in REVISIONS for name in types[first_revision:])


def test_every_revision_targets_an_event_given_an_explicit_id_earlier_in_its_stream() -> None:
    seen: dict[Any, str] = {}
    for event in demo_events():
        if isinstance(event, EventCorrected | EventRetracted):
            assert seen.get(event.target) == event.commitment
        elif event.id is not None:
            seen[event.id] = event.commitment


def test_the_required_parties_appear_in_commitments_that_stand() -> None:
    events = demo_events()
    retracted = {event.target for event in events if isinstance(event, EventRetracted)}
    pairs = {
        (event.holder, event.provider)
        for event in events
        if isinstance(event, CommitmentMade) and event.id not in retracted
    }
    required = {
        "anthropic": {"amazon", "google", "microsoft", "nvidia"},
        "openai": {"oracle", "nvidia", "amd", "broadcom", "amazon", "microsoft", "softbank"},
    }
    for holder, providers in required.items():
        missing = {provider for provider in providers if (holder, provider) not in pairs}
        assert not missing, f"{holder} has no commitment from {sorted(missing)}"


@pytest.mark.parametrize(
    ("as_of", "committed", "delivered"),
    [
        (date(2024, 1, 1), 4 * B, Decimal("1.25") * B),
        (date(2024, 4, 1), 4 * B, 4 * B),
        (date(2025, 1, 1), 8 * B, 4 * B),
        (date(2026, 5, 1), 33 * B, 9 * B),
    ],
)
def test_amazons_investment_in_anthropic_grows_from_4_to_8_to_33_billion(
    ledger: Ledger, as_of: date, committed: Decimal, delivered: Decimal
) -> None:
    ledger.record(demo_lines())
    state = fold(stream_events(ledger, AMAZON_ANTHROPIC), as_of)
    assert state is not None
    assert (state.provider, state.holder, state.kind) == ("amazon", "anthropic", "investment")
    assert state.committed == {"usd": committed}
    assert state.delivered == {"usd": delivered}


def test_the_revisions_change_what_is_known_but_not_what_was_known_before(
    ledger: Ledger,
) -> None:
    lines = demo_lines()
    split = next(index for index, line in enumerate(lines) if line["type"] in REVISIONS)
    before = ledger.record(lines[:split], origins=origins(split))
    ledger.record(lines[split:], origins=origins(len(lines) - split, first=split + 1))
    known_before = before.last_position
    as_of = date(2026, 5, 1)

    google = "google-anthropic-investment-2023-02"
    then = fold(stream_events(ledger, google, upto=known_before), as_of)
    now = fold(stream_events(ledger, google), as_of)
    assert then is not None and now is not None
    assert then.committed == {"usd": Decimal(400_000_000)}
    assert now.committed == {"usd": Decimal(300_000_000)}

    loi = "nvidia-openai-investment-2025"
    then = fold(stream_events(ledger, loi, upto=known_before), as_of)
    assert then is not None and then.committed == {"usd": 100 * B}
    assert fold(stream_events(ledger, loi), as_of) is None


def known_commitment(led: Ledger, known_at: date | None) -> Decimal:
    """What Nvidia had committed to invest in OpenAI as of mid-2026, as known at `known_at`."""
    rows = positions(led, as_of=date(2026, 6, 30), known_at=known_at, **NVIDIA_OPENAI)
    return sum((row.committed for row in rows), start=Decimal(0))


def test_recorded_as_reported_the_100_billion_letter_of_intent_is_known_at_2025_10_01(
    ledger: Ledger,
) -> None:
    ledger.record_stream(
        zip(demo_lines(), origins(len(demo_lines())), strict=True), as_reported=True
    )
    assert known_commitment(ledger, date(2025, 10, 1)) == 100 * B


def test_recorded_as_reported_the_cut_to_30_billion_is_known_at_2026_03_01(
    ledger: Ledger,
) -> None:
    ledger.record_stream(
        zip(demo_lines(), origins(len(demo_lines())), strict=True), as_reported=True
    )
    assert known_commitment(ledger, date(2026, 3, 1)) == 30 * B
    assert known_commitment(ledger, None) == 30 * B


def test_the_demo_records_every_event_at_midnight_utc_of_its_source_date(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = CliRunner().invoke(
        capledger, ["demo", "--path", str(database), "--chart", str(tmp_path / "chart.svg")]
    )
    assert result.exit_code == 0, result.output
    with Ledger.open(f"sqlite:///{database}") as led:
        rows = list(led.read_all())
    assert len(rows) == len(demo_lines())
    for row in rows:
        assert row.event.source is not None and row.event.source.date is not None
        midnight = datetime.combine(row.event.source.date, time.min, tzinfo=UTC)
        assert row.recorded_at == midnight, f"position {row.position}"
