"""The built-in rows folded straight from stored payloads equal the rows the models, the
reference fold and `from_states` give, for every prefix of random histories."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import accumulate

import orjson
from hypothesis import given, settings

from events import Event, canonical_json, states_by_date, to_payload
from ledger import StoredPayload
from projections.fold.payload_history import raw_history
from projections.fold.payload_postings import raw_postings
from projections.fold.rows import Posting
from projections.read_models.built_in_models import PositionPostings, TrancheSchedule

from .test_rebuild_property import Batches, by_stream, many_instants

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def stored(event: Event) -> StoredPayload:
    """The event as a rebuild reads it back: its canonical JSON, parsed."""
    payload = orjson.loads(canonical_json(to_payload(event)))
    return StoredPayload(WHEN, event.commitment, str(event.id), event.type, 1, payload)


@settings(max_examples=400, deadline=None)
@given(batches=many_instants())
def test_rows_from_payloads_equal_rows_from_the_reference_fold(batches: Batches) -> None:
    for name, instants in by_stream(batches).items():
        known: list[Event] = []
        for events in instants:
            known.extend(events)
            states = list(states_by_date(known))
            assert raw_postings(name, [stored(event) for event in known]) == (
                PositionPostings().from_states(name, states),
                TrancheSchedule().from_states(name, states),
            )


@settings(max_examples=400, deadline=None)
@given(batches=many_instants())
def test_rows_resumed_at_each_instant_equal_rows_from_a_whole_fold(batches: Batches) -> None:
    for name, instants in by_stream(batches).items():
        stream = [stored(event) for events in instants for event in events]
        ends = list(accumulate(len(events) for events in instants))
        history = raw_history(name, stream, ends)
        assert history is not None
        previous: tuple[set[Posting], set[Posting]] = (set(), set())
        for end, (since, positions, schedule) in zip(ends, history, strict=True):
            assert (positions, schedule) == raw_postings(name, stream[:end])
            if since is not None:
                # Rows before the date it names are those the instant before wanted.
                assert {p for p in positions if p[6] < since} == {
                    p for p in previous[0] if p[6] < since
                }
                assert {p for p in schedule if p[5] < since} == {
                    p for p in previous[1] if p[5] < since
                }
            previous = (positions, schedule)


def test_a_payload_of_an_unknown_shape_is_left_to_the_models() -> None:
    made = StoredPayload(
        WHEN,
        "c1",
        "00000000-0000-0000-0000-000000000001",
        "CommitmentMade",
        1,
        {"commitment": "c1", "effective": "2025-01-01", "amounts": {"usd": 1.5}},
    )
    assert raw_postings("c1", [made]) is None
    assert raw_postings("c1", [made._replace(type_name="SomethingNew")]) is None


def committed_on_making(amount: object) -> set[tuple[int, int]] | None:
    """The (units, nanos) the raw fold posts as committed for a commitment made of `amount`."""
    payload = {
        "commitment": "c1",
        "effective": "2025-01-01",
        "holder": "anthropic",
        "provider": "amazon",
        "kind": "investment",
        "bound": "exact",
        "amounts": {"usd": amount},
    }
    made = StoredPayload(
        WHEN, "c1", "00000000-0000-0000-0000-000000000001", "CommitmentMade", 1, payload
    )
    rows = raw_postings("c1", [made])
    if rows is None:
        return None
    return {(row[7], row[8]) for row in rows[0] if row[5] == "committed"}


def test_amounts_are_summed_as_whole_nanos_exactly() -> None:
    assert committed_on_making("1.5") == {(1, 500_000_000)}
    assert committed_on_making("0.000000001") == {(0, 1)}
    assert committed_on_making("999999999999999.999999999") == {(999_999_999_999_999, 999_999_999)}
    assert committed_on_making(7) == {(7, 0)}
    assert committed_on_making("1E+3") == {(1000, 0)}  # not as stored, yet read exactly


def test_an_amount_finer_than_a_nano_is_left_to_the_models() -> None:
    assert committed_on_making("0.0000000001") is None
    assert committed_on_making("1.5.5") is None
