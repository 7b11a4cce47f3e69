"""The fast paths of the write path give what the reference paths give, byte for byte.

Payloads built from the fields vs model_dump, orjson vs the json encoder, the regex fast path of
amounts vs the full parse, decimal_text vs format(canonical(...)), orjson reading vs json.loads.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import InvalidEvent, canonical, canonical_json, content_id, parse_amount, stamp
from events.amounts import _parse_text_slowly, decimal_text
from events.content_ids import EVENT_NAMESPACE, encode
from events.parsing import parse_event
from events.payloads import dumped_payload, to_payload
from events.stamping import stamp_fresh
from ledger import event_files as inputs

from .event_streams import in_stream

# Text that JSON escapes, or might: quotes, backslashes, control characters, DEL, line and
# paragraph separators, non-ASCII in and beyond the BMP, and lone surrogates (orjson refuses
# them, so they take the reference path).
TRICKY = '"\\/\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\u00e9\u2028\u2029\ufeff\uffff\U0001f600'
texts = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=30)
texts_with_surrogates = texts | st.text(
    alphabet=st.sampled_from(TRICKY) | st.characters(categories=["Cs"]), max_size=5
)
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
days = st.dates().map(lambda d: d.isoformat())
figures = st.one_of(
    st.from_regex(r"[0-9]{1,16}(\.[0-9]{0,10})?", fullmatch=True),
    st.integers(min_value=0, max_value=10**15),
    st.decimals(min_value=0, max_value=10**14, places=9, allow_nan=False),
)
resources = st.sampled_from(["usd", "gw", "mw", "chips:tpu", "chips:h100"])
amounts = st.dictionaries(resources, figures, min_size=1, max_size=3)


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


sources = st.fixed_dictionaries(
    {"publisher": texts.filter(lambda t: 0 < len(t) <= 200)},
    optional={"date": days, "url": texts_with_surrogates},
)
common = _optional(note=texts_with_surrogates, source=sources, id=st.uuids().map(str))
dated = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just("CommitmentMade"),
            "effective": days,
            "provider": st.just("amazon"),
            "holder": st.just("anthropic"),
            "kind": st.sampled_from(["investment", "spend", "capacity"]),
            "bound": st.sampled_from(["exact", "up_to", "at_least"]),
            "amounts": amounts,
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("CommitmentAmended"), "effective": days, "amounts": amounts},
        optional={"bound": st.sampled_from(["exact", "up_to"])},
    ),
    st.fixed_dictionaries(
        {"type": st.just("TrancheScheduled"), "effective": days, "tranche": slugs},
        optional={"amounts": amounts, "due": days, "condition": texts},
    ).filter(lambda e: "amounts" in e),
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


events = st.one_of(
    st.builds(in_stream, common, dated),
    st.builds(
        in_stream,
        common,
        st.fixed_dictionaries(
            {
                "type": st.just("EventCorrected"),
                "target": st.uuids().map(str),
                "replacement": st.builds(in_stream, dated, _optional(note=texts)),
            }
        ),
    ),
    st.builds(
        in_stream,
        common,
        st.fixed_dictionaries(
            {"type": st.just("EventRetracted"), "target": st.uuids().map(str)},
            optional={"reason": texts},
        ),
    ),
)


def _shape(value: Any) -> Any:
    """The value with dict order made visible, so that equality checks order too."""
    if isinstance(value, dict):
        return [(key, _shape(item)) for key, item in value.items()]
    return value


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(events)
def test_stamping_matches_model_dump_and_the_json_encoder(data: dict[str, Any]) -> None:
    try:
        event = parse_event(data)
    except InvalidEvent:
        return  # e.g. mw and gw together, or a figure out of range
    reference = dumped_payload(event)
    assert _shape(to_payload(event)) == _shape(reference)
    reference_json = json.dumps(
        reference, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    encoded = encode(event)
    assert encoded.canonical == reference_json == canonical_json(reference)
    assert _shape(encoded.payload) == _shape(reference)
    try:
        reference_id: UUID | None = uuid5(EVENT_NAMESPACE, reference_json)
    except UnicodeEncodeError:  # lone surrogates: no content id, on either path
        reference_id = None
        with pytest.raises(UnicodeEncodeError):
            content_id(event)
    else:
        assert content_id(event) == reference_id
    if reference_id is None and event.id is None:
        return
    stamped = stamp(event)
    fresh = stamp_fresh(parse_event(data))
    for result in (stamped, fresh):
        assert result.canonical == reference_json
        assert result.event == event.model_copy(update={"id": event.id or reference_id})
        assert result.event.id == (event.id or reference_id)
    assert fresh.event.model_fields_set == stamped.event.model_fields_set
    if event.id is None:
        assert stamped.event is not event and event.id is None  # stamp never changes its input


@settings(max_examples=1000)
@given(st.dictionaries(texts, texts | st.dictionaries(texts, texts, max_size=3), max_size=5))
def test_orjson_writes_what_the_json_encoder_writes(payload: dict[str, Any]) -> None:
    reference = canonical_json(payload)
    try:
        written = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # lone surrogates, which encode sends the reference way
        with pytest.raises(UnicodeEncodeError):
            reference.encode()
    else:
        assert written.decode() == reference


def _outcome(call: Any, value: Any) -> tuple[str, Any]:
    try:
        result = call(value)
    except Exception as error:
        return type(error).__name__, str(error)
    return "ok", result.as_tuple() if isinstance(result, Decimal) else repr(result)


amount_texts = st.text(alphabet="0123456789.eE+-_ \t\n٣", max_size=30) | st.from_regex(
    r"\s?[0-9]{0,17}(\.[0-9]{0,11})?\s?", fullmatch=True
)


@settings(max_examples=1000)
@given(amount_texts)
def test_the_amount_fast_path_gives_what_the_full_parse_gives(text: str) -> None:
    assert _outcome(parse_amount, text) == _outcome(_parse_text_slowly.__wrapped__, text)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "00",
        "000.5",
        "0.000000001",
        "999999999999999",
        "999999999999999.999999999",
        "1e3",
        "1000000000000000",
        "0.0",
        "1.10",
        " 1",
        "1 ",
        "-0",
        "+1",
        "1_0",
        "١",
        "0.0000000001",
    ],
)
def test_the_amount_fast_path_on_edges(text: str) -> None:
    assert _outcome(parse_amount, text) == _outcome(_parse_text_slowly.__wrapped__, text)


@lru_cache(maxsize=64)  # as decimal_text was: an unhashable sNaN fails alike
def _reference_text(amount: Any) -> str:
    return format(canonical(amount), "f")


@settings(max_examples=1000)
@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.from_regex(r"-?[0-9]{1,20}(\.[0-9]{0,12})?(E[-+]?[0-9]{1,2})?", fullmatch=True).map(
        Decimal
    )
)
def test_decimal_text_renders_as_format_of_canonical(amount: Decimal) -> None:
    assert _outcome(decimal_text, amount) == _outcome(_reference_text, amount)


def _reference_loads(text: str) -> Any:
    try:
        return json.loads(text, parse_float=inputs._decimal, parse_constant=inputs._reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


json_pieces = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        '"',
        '"a"',
        '"b"',
        "\\",
        "\\u",
        "d800",
        "\\ud83d\\ude00",
        "1",
        "-",
        "0",
        ".",
        "e",
        "E",
        "+",
        "12345678901234567890",
        "9223372036854775808",
        "true",
        "null",
        "NaN",
        "Infinity",
        " ",
        "\t",
        "\n",
        "\r",
        "\x0c",
        "\x00",
        "\u00a0",
        "\ufeff",
        "é",
        "\u2028",
        "\ud800",
        "1.5",
        '"x":',
        '{"a":',
        "[1,",
        "1e400",
        "-0",
    ]
)
json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals(allow_nan=False)
    | texts_with_surrogates
)
json_inner = st.lists(json_leaves, max_size=3) | st.dictionaries(texts, json_leaves, max_size=3)
json_values = (
    json_leaves
    | json_inner
    | st.lists(json_inner, max_size=3)
    | st.dictionaries(texts, json_inner, max_size=3)
)
json_texts = st.lists(json_pieces, max_size=14).map("".join) | json_values.map(
    lambda value: json.dumps(value, ensure_ascii=False, default=str)
)


def _same_reading(text: str) -> None:
    def outcome(call: Any) -> tuple[str, str]:
        try:
            return "ok", repr(call(text))
        except ValueError as error:
            return "error", inputs._json_error(error)
        except Exception as error:  # nothing else may escape: the readers map ValueError only
            return type(error).__name__, str(error)

    assert outcome(inputs._loads) == outcome(_reference_loads)


@settings(max_examples=2000)
@given(json_texts)
def test_reading_json_matches_json_loads_with_decimals(text: str) -> None:
    _same_reading(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1.50}',
        '{"a": 18446744073709551616}',
        '{"a": -9223372036854775809}',
        "[1e400]",
        '{"a": NaN}',
        '"\\ud800"',
        '{"b":1,"a":2,"b":3}',
        "\ufeff{}",
        "[" * 2000 + "]" * 2000,
        '{"a": [1, {"b": [2.0]}]}',
        '{"a": 9223372036854775807}',
        "12345678901234567890e12345678901234567890",  # beyond Decimal: refused as ValueError
    ],
)
def test_reading_json_edges(text: str) -> None:
    _same_reading(text)
