"""Strategies for the plain-path tests: plain events of every type, and hostile variations.

A plain event is what the fast path takes (str values in their canonical spelling); a hostile
variation changes one thing in it (a value of another type or spelling, a key added or dropped,
a broken model-level rule), so that both paths meet every kind of doubt.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from .event_streams import STREAM, in_stream


class Text(str):
    """A str subclass: validation turns it into a str."""


class Choice(enum.StrEnum):
    """A str enum whose values are those of Kind and Bound."""

    SPEND = "spend"
    UP_TO = "up_to"


slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
days = st.dates().map(date.isoformat)
texts = st.text(
    alphabet=st.sampled_from('"\\\x00\n\x7f\u00e9\u2028\U0001f600') | st.characters(), max_size=20
)
uuids = st.uuids().map(str)


@st.composite
def figures(draw: st.DrawFn) -> str:
    """An amount in canonical form, as decimal_text writes it."""
    nanos = draw(st.integers(min_value=0, max_value=10**24 - 1))
    whole, fraction = divmod(nanos, 10**9)
    return f"{whole}.{fraction:09d}".rstrip("0").rstrip(".") if fraction else str(whole)


resources = st.sampled_from(["usd", "gw", "chips:tpu", "chips:gb200"])
amounts = st.dictionaries(resources, figures(), min_size=1, max_size=3)
sources = st.fixed_dictionaries(
    {"publisher": texts.filter(lambda text: 0 < len(text) <= 200)},
    optional={"date": days, "url": texts},
)
common = st.fixed_dictionaries({}, optional={"note": texts, "source": sources, "id": uuids})
term = st.fixed_dictionaries({}, optional={"term_start": days, "term_end": days})

dated = st.one_of(
    st.builds(
        lambda fields, term: {**fields, **term},
        st.fixed_dictionaries(
            {
                "type": st.just("CommitmentMade"),
                "effective": days,
                "provider": slugs,
                "holder": slugs,
                "kind": st.sampled_from(["investment", "spend", "capacity"]),
                "bound": st.sampled_from(["exact", "up_to", "at_least"]),
                "amounts": amounts,
            }
        ),
        term,
    ),
    st.builds(
        lambda fields, term: {**fields, **term},
        st.fixed_dictionaries(
            {"type": st.just("CommitmentAmended"), "effective": days},
            optional={"amounts": amounts, "bound": st.sampled_from(["exact", "up_to"])},
        ),
        term,
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("TrancheScheduled"),
            "effective": days,
            "tranche": slugs,
            "amounts": amounts,
        },
        optional={"due": days, "condition": texts},
    ),
    st.fixed_dictionaries(
        {"type": st.just("TrancheCancelled"), "effective": days, "tranche": slugs}
    ),
    st.fixed_dictionaries(
        {"type": st.just("DeliveryRecorded"), "effective": days, "amounts": amounts},
        optional={"tranche": slugs, "site": texts},
    ),
    st.fixed_dictionaries(
        {"type": st.just("CommitmentCancelled"), "effective": days}, optional={"reason": texts}
    ),
)


plain_events = st.one_of(
    st.builds(in_stream, common, dated),
    st.builds(
        in_stream,
        common,
        st.fixed_dictionaries(
            {
                "type": st.just("EventCorrected"),
                "target": uuids,
                "replacement": st.builds(in_stream, dated, common),
            }
        ),
    ),
    st.builds(
        in_stream,
        common,
        st.fixed_dictionaries(
            {"type": st.just("EventRetracted"), "target": uuids}, optional={"reason": texts}
        ),
    ),
)
"""Events of every type in the plain shape (some still refused: provider == holder, ...)."""

HOSTILE_VALUES: list[Any] = [
    None,
    0,
    5,
    -1,
    1.5,
    float("nan"),
    True,
    b"amazon",
    [],
    {},
    {"gw": "1"},
    Decimal("1"),
    Decimal("1.50"),
    date(2026, 4, 20),
    UUID("6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30"),
    "",
    "amazon",
    "Amazon",
    "amazon\n",
    "a" * 101,
    "x" * 2001,
    "\u00e9",
    "\ud800",
    " 1",
    "1.0",
    "007",
    "-1",
    "NaN",
    "1e3",
    "1E+3",
    "999999999999999.999999999",
    "1000000000000000",
    "0.0000000001",
    "2026-04-20",
    "2026-02-30",
    "0000-01-01",
    "2026-4-20",
    "20260420",
    "2026-04-20\n",
    "2026-04-20T00:00:00",
    "6F1C3B52-8D0E-5A4F-9B7E-2C6D8A1E4F30",
    "{6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30}",
    "6f1c3b528d0e5a4f9b7e2c6d8a1e4f30",
    "6f1c3b52-8d0e-5a4f-9b7e-2c6d8a1e4f30",
    Text("amazon"),
    Text("2026-04-20"),
    Text("5"),
    Choice.SPEND,
    Choice.UP_TO,
    "spend",
    "up_to",
    "CommitmentMade",
    "DeliveryRecorded",
    {"publisher": "Reuters"},
    {"publisher": "Reuters", "date": None},
    {"type": "DeliveryRecorded", "commitment": STREAM, "effective": "2026-04-20"},
]
hostile_values = st.sampled_from(HOSTILE_VALUES) | figures() | slugs | days
names = st.sampled_from(
    [
        "type",
        "commitment",
        "effective",
        "id",
        "source",
        "note",
        "provider",
        "holder",
        "kind",
        "bound",
        "amounts",
        "term_start",
        "term_end",
        "tranche",
        "due",
        "condition",
        "site",
        "reason",
        "target",
        "replacement",
        "amount",
        "usd",
        "gw",
        "mw",
        "chips:tpu",
        "chips:",
        "publisher",
        "date",
        "url",
    ]
)


def _places(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The dicts of an event that a variation may change: itself and those nested in it."""
    places = [event]
    for name in ("amounts", "source", "replacement"):
        if type(event.get(name)) is dict:
            places.extend(_places(event[name]))
    return places


@st.composite
def hostile_events(draw: st.DrawFn) -> dict[str, Any]:
    """A plain event with one to three things changed, anywhere in it."""
    event = _copy(draw(plain_events))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        place = draw(st.sampled_from(_places(event)))
        how = draw(st.sampled_from(["set", "set", "set", "drop", "rule"]))
        if how == "drop" and place:
            del place[draw(st.sampled_from(sorted(place)))]
        elif how == "rule":
            _break_a_rule(event, draw)
        else:
            # A copy: the dicts among HOSTILE_VALUES are shared, and a later change may land
            # inside the one set here (changing it for every later draw, or making a cycle).
            value = draw(hostile_values)
            place[draw(names)] = _copy(value) if type(value) is dict else value
    return event


def _break_a_rule(event: dict[str, Any], draw: st.DrawFn) -> None:
    """Break (or come close to) a model-level rule: parties, term order, a correction's ties."""
    other = draw(uuids)
    choice = draw(st.integers(min_value=0, max_value=4))
    if choice == 0:
        event["holder"] = event.get("provider", "amazon")
    elif choice == 1:
        event["term_start"], event["term_end"] = "2030-01-01", "2029-12-31"
    elif choice == 2:
        given = event.get("amounts")
        event["amounts"] = {**(given if type(given) is dict else {}), "mw": draw(figures())}
    elif choice == 3 and type(event.get("replacement")) is dict:
        event["replacement"]["id"] = draw(st.sampled_from([other, event.get("target", other)]))
    elif type(event.get("replacement")) is dict:
        event["replacement"]["commitment"] = draw(st.sampled_from([STREAM, "another-stream"]))


def _copy(event: dict[str, Any]) -> dict[str, Any]:
    return {name: _copy(item) if type(item) is dict else item for name, item in event.items()}
