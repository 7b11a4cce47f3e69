"""A stream fold kept as events are added equals the reference fold of the events so far."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from events import Event, StreamFold, apply_corrections, states_by_date, to_payload
from tests.histories import one_stream

from .event_streams import delivery, event, made

many = settings(max_examples=200, deadline=None)


def added_in_steps(history: list[Event], data: st.DataObject) -> list[list[Event]]:
    """The history cut into additions of one to five events, in recording order."""
    steps, start = [], 0
    while start < len(history):
        end = min(len(history), start + data.draw(st.integers(1, 5)))
        steps.append(history[start:end])
        start = end
    return steps


@many
@given(one_stream(), st.data())
def test_a_stream_fold_equals_the_reference_fold_after_every_addition(
    history: list[Event], data: st.DataObject
) -> None:
    stream, known = StreamFold(), []
    for new in added_in_steps(history, data):
        before = stream.states
        since = stream.add(new)
        known.extend(new)
        whole = list(states_by_date(known))
        assert stream.states == whole
        assert stream.events == known
        assert stream.corrected == apply_corrections(known)
        if since is not None:  # resumed: nothing before the date it names has changed
            assert [s for s in before if s[0] < since] == [s for s in whole if s[0] < since]


@many
@given(one_stream(), st.data())
def test_an_addition_leaves_the_states_read_before_it_as_they_were(
    history: list[Event], data: st.DataObject
) -> None:
    stream, read = StreamFold(), []
    for new in added_in_steps(history, data):
        stream.add(new)
        read.append((stream.states, list(stream.states)))
    assert all(held == copy for held, copy in read)


def test_the_first_addition_folds_the_stream_whole() -> None:
    stream = StreamFold()
    assert stream.add([made(), delivery("2026-05-01", gw="1")]) is None
    assert [day.isoformat() for day, _ in stream.states] == ["2026-04-20", "2026-05-01"]


def test_a_later_addition_names_the_first_date_it_changes() -> None:
    stream = StreamFold()
    stream.add([made(), delivery("2026-05-01", gw="1"), delivery("2026-06-01", gw="1")])
    since = stream.add([delivery("2026-05-15", gw="1")])
    assert since is not None and since.isoformat() == "2026-05-15"
    assert stream.states == list(states_by_date(stream.events))


def test_a_correction_changes_the_states_from_the_earlier_of_its_two_dates() -> None:
    target = delivery("2026-06-01", gw="1")
    stream = StreamFold()
    stream.add([made(), delivery("2026-05-01", gw="1"), target])
    moved = {**to_payload(target), "effective": "2026-05-10"}
    since = stream.add([event("EventCorrected", target=str(target.id), replacement=moved)])
    assert since is not None and since.isoformat() == "2026-05-10"
    assert stream.states == list(states_by_date(stream.events))


def test_a_change_to_the_opening_folds_the_stream_whole() -> None:
    opening = made()
    stream = StreamFold()
    stream.add([opening, delivery("2026-05-01", gw="1")])
    bigger = {**to_payload(opening), "amounts": {"gw": "7"}}
    assert stream.add([event("EventCorrected", target=str(opening.id), replacement=bigger)]) is None
    assert stream.states == list(states_by_date(stream.events))
    assert stream.states[-1][1].committed == {"gw": 7}


def test_an_addition_after_a_cancellation_folds_the_stream_whole() -> None:
    stream = StreamFold()
    stream.add([made(), delivery("2026-05-01", gw="1")])
    stream.add([event("CommitmentCancelled", effective="2026-05-02")])
    assert stream.add([delivery("2026-05-03", gw="1")]) is None
    assert stream.states == list(states_by_date(stream.events))
