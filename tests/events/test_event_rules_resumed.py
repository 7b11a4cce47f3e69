"""Checking a stream chunk by chunk, resuming from remembered states, decides exactly as a
check from scratch does: the same events pass, the same are refused, with the same message."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

import events.rules
from events import Event, RuleViolation, check_stream

from .test_event_properties import breakers, histories


def _verdict(known: Sequence[Event], new: Sequence[Event], *, cold: bool) -> str | None:
    if cold:
        events.rules._ENDS.clear()
    try:
        check_stream(known, new, [f"line {i}" for i in range(len(new))])
    except RuleViolation as refused:
        return str(refused)
    return None


@settings(max_examples=80, deadline=None)
@given(history=histories(corrections=False), data=st.data())
def test_resumed_checks_decide_as_checks_from_scratch(
    history: list[Event], data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(1, len(history)), max_size=3), label="cuts"))
    _, breaker = data.draw(st.sampled_from(breakers(history)), label="breaker")
    bounds = [0, *cuts, len(history)]
    events.rules._ENDS.clear()
    for start, stop in pairwise(bounds):
        known, new = history[:start], history[start:stop]
        warm = _verdict(known, new, cold=False)
        assert warm == _verdict(known, new, cold=True)
        _verdict(history[:start], new, cold=False)  # warm the cache again for the next chunk
    assert _verdict(history, [breaker], cold=False) == _verdict(history, [breaker], cold=True)


def test_a_resumed_check_still_names_the_culprit_and_the_numbers() -> None:
    from .event_streams import delivery, made

    opened = made()
    check_stream([], [opened], [None])  # remembers the end of the stream
    first = delivery("2026-05-01", gw="3")
    check_stream([opened], [first], [None])
    try:
        check_stream([opened, first], [delivery("2026-06-01", gw="3")], ["deals.jsonl:9"])
    except RuleViolation as refused:
        assert str(refused) == (
            "deals.jsonl:9: amounts.gw: delivery of 3 GW would bring delivered to 6 GW, "
            "over the 5 GW committed on 2026-06-01"
        )
    else:
        raise AssertionError("the over-delivery was accepted")
