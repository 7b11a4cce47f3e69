"""Hostile input: every nasty file is refused with one line, never a traceback, nothing stored.

A list of hand-picked cases (broken JSON, wrong types, 1e400, NaN, negative and enormous
amounts, unknown fields and types, 10 MB strings, impossible dates, unicode in slugs, bad CSV,
empty files, ...) and hypothesis-generated JSON, each recorded through `capledger record` into
a ledger that already holds events: a non-zero exit, one line on stderr naming the file, and
the ledger exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import capledger
from tests.conftest import BACKENDS, postgres_url

from .conftest import cli, one_line_error, open_ledger, state_of
from .workload import SOAK, delivery, made

MB10 = 10 * 1024 * 1024
EXISTING = [made("existing-deal", gw="5"), delivery("existing-deal", "1")]


def event(**changes: Any) -> dict[str, Any]:
    """A valid new commitment, changed (None removes a field)."""
    body = {**made("hostile-deal", gw="5"), **changes}
    return {name: value for name, value in body.items() if value is not None}


def jsonl(*events: Any) -> str:
    return "".join(json.dumps(item) + "\n" for item in events)


def csv_of(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


CSV_HEADER = "type,commitment,effective,provider,holder,kind,bound,gw"
CSV_ROW = "CommitmentMade,hostile-deal,2026-01-01,amazon,anthropic,capacity,up_to,5"

Content = str | bytes | Callable[[], str | bytes]

# (id, suffix, content)
CASES: list[tuple[str, str, Content]] = [
    # broken JSON
    ("truncated-object", "jsonl", '{"type": "CommitmentMade", "commitment": "hostile-deal"\n'),
    ("trailing-comma", "jsonl", '{"type": "CommitmentMade",}\n'),
    ("single-quotes", "jsonl", "{'type': 'CommitmentMade'}\n"),
    ("bare-word", "jsonl", "hello\n"),
    ("good-line-then-broken", "jsonl", jsonl(event()) + "{\n"),
    ("json-array-unclosed", "json", "[" + json.dumps(event()) + ","),
    ("json-two-documents", "json", json.dumps(event()) + json.dumps(event())),
    ("utf8-bom", "jsonl", "\ufeff" + jsonl(event())),
    ("not-utf8", "jsonl", b'{"type": "Commitment\xff\xfeMade"}\n'),
    ("nul-bytes", "jsonl", '{"type": "CommitmentMade"\x00}\n'),
    ("lone-surrogate-slug", "jsonl", jsonl(event(commitment="\ud800"))),
    # wrong types
    ("a-list-not-an-object", "jsonl", "[1, 2, 3]\n"),
    ("a-string-not-an-object", "jsonl", '"CommitmentMade"\n'),
    ("null-line", "jsonl", "null\n"),
    ("json-array-of-numbers", "json", "[1, 2]"),
    ("type-is-a-number", "jsonl", jsonl(event(type=7))),
    ("type-is-null", "jsonl", jsonl({**event(), "type": None})),
    ("type-is-a-list", "jsonl", jsonl(event(type=["CommitmentMade"]))),
    ("commitment-is-a-number", "jsonl", jsonl(event(commitment=42))),
    ("amounts-is-a-list", "jsonl", jsonl(event(amounts=["5"]))),
    ("amounts-is-a-string", "jsonl", jsonl(event(amounts="5 gw"))),
    ("amount-is-a-boolean", "jsonl", jsonl(event(amounts={"gw": True}))),
    ("amount-is-null", "jsonl", jsonl(event(amounts={"gw": None}))),
    ("amount-is-an-object", "jsonl", jsonl(event(amounts={"gw": {"value": 5}}))),
    ("effective-is-a-number", "jsonl", jsonl(event(effective=20260101))),
    ("source-is-a-string", "jsonl", jsonl(event(source="Reuters"))),
    ("id-is-not-a-uuid", "jsonl", jsonl(event(id="not-a-uuid"))),
    # numbers
    (
        "amount-1e400",
        "jsonl",
        '{"type":"DeliveryRecorded","commitment":"existing-deal",'
        '"effective":"2026-06-01","amounts":{"gw":1e400}}\n',
    ),
    (
        "amount-exponent-beyond-decimal",
        "jsonl",
        '{"type":"DeliveryRecorded","commitment":"existing-deal",'
        '"effective":"2026-06-01","amounts":{"gw":12345678901234567890e12345678901234567890}}\n',
    ),
    (
        "amount-exponent-beyond-decimal-in-json",
        "json",
        '[{"type":"DeliveryRecorded","commitment":"existing-deal",'
        '"effective":"2026-06-01","amounts":{"gw":1e99999999999999999999}}]',
    ),
    ("amount-minus-1e400", "jsonl", jsonl(event(amounts={"gw": "-1e400"}))),
    ("amount-1e-400", "jsonl", jsonl(event(amounts={"gw": "1e-400"}))),
    (
        "amount-NaN-literal",
        "jsonl",
        '{"type":"DeliveryRecorded","commitment":"existing-deal",'
        '"effective":"2026-06-01","amounts":{"gw":NaN}}\n',
    ),
    (
        "amount-Infinity-literal",
        "jsonl",
        '{"type":"DeliveryRecorded","commitment":"x",'
        '"effective":"2026-06-01","amounts":{"gw":-Infinity}}\n',
    ),
    ("amount-NaN-string", "jsonl", jsonl(event(amounts={"gw": "NaN"}))),
    ("amount-sNaN-string", "jsonl", jsonl(event(amounts={"gw": "sNaN"}))),
    ("amount-inf-string", "jsonl", jsonl(event(amounts={"gw": "inf"}))),
    ("amount-negative", "jsonl", jsonl(event(amounts={"gw": "-5"}))),
    ("amount-negative-number", "jsonl", jsonl(event(amounts={"gw": -0.5}))),
    ("amount-a-quadrillion", "jsonl", jsonl(event(amounts={"gw": "1000000000000000"}))),
    ("amount-enormous", "jsonl", jsonl(event(amounts={"usd": "9" * 99}))),
    (
        "amount-5000-digit-integer",
        "jsonl",
        '{"type":"CommitmentMade","amounts":{"gw":' + "9" * 5000 + "}}\n",
    ),
    ("amount-too-precise", "jsonl", jsonl(event(amounts={"gw": "0.0000000001"}))),
    ("amount-hex", "jsonl", jsonl(event(amounts={"gw": "0x10"}))),
    ("amount-underscored", "jsonl", jsonl(event(amounts={"gw": "1_000"}))),
    ("amount-with-unit", "jsonl", jsonl(event(amounts={"gw": "5 GW"}))),
    ("no-amounts", "jsonl", jsonl(event(amounts={}))),
    ("delivery-beyond-commitment", "jsonl", jsonl(delivery("existing-deal", "4.5"))),
    # unknown fields and types
    ("unknown-field", "jsonl", jsonl(event(amount="5"))),
    ("unknown-nested-field", "jsonl", jsonl(event(source={"publisher": "x", "author": "y"}))),
    ("unknown-type", "jsonl", jsonl(event(type="CommitmentStolen"))),
    ("type-in-lowercase", "jsonl", jsonl(event(type="commitmentmade"))),
    ("unknown-resource", "jsonl", jsonl(event(amounts={"tpu": "5"}))),
    ("unknown-resource-fullwidth", "jsonl", jsonl(event(amounts={"ｇｗ": "5"}))),
    ("gw-and-mw-together", "jsonl", jsonl(event(amounts={"gw": "5", "mw": "5000"}))),
    ("no-type", "jsonl", jsonl(event(type=None))),
    ("schema-version-smuggled", "jsonl", jsonl(event(schema_version=2))),
    ("position-smuggled", "jsonl", jsonl(event(position=1))),
    ("recorded-at-smuggled", "jsonl", jsonl(event(recorded_at="2020-01-01T00:00:00Z"))),
    ("hash-smuggled", "jsonl", jsonl(event(hash="0" * 64))),
    # 10 MB strings: refused quickly, without echoing them back
    ("10mb-note", "jsonl", lambda: jsonl(event(note="n" * MB10))),
    ("10mb-slug", "jsonl", lambda: jsonl(event(commitment="a" * MB10))),
    ("10mb-type", "jsonl", lambda: jsonl(event(type="T" * MB10))),
    ("10mb-date", "jsonl", lambda: jsonl(event(effective="2" * MB10))),
    (
        "10mb-source-url",
        "jsonl",
        lambda: jsonl(event(source={"publisher": "p", "url": "u" * MB10})),
    ),
    ("10mb-amount", "jsonl", lambda: jsonl(event(amounts={"gw": "5" * MB10}))),
    ("10mb-garbage-line", "jsonl", lambda: "x" * MB10 + "\n"),
    ("10mb-field-name", "jsonl", lambda: jsonl({"k" * MB10: 1, **event()})),
    ("10mb-resource-name", "jsonl", lambda: jsonl(event(amounts={"r" * MB10: "1"}))),
    (
        "10mb-nested-field-name",
        "jsonl",
        lambda: jsonl(event(source={"publisher": "p", "s" * MB10: 1})),
    ),
    ("10mb-csv-cell", "csv", lambda: csv_of(CSV_HEADER + ",note", CSV_ROW + "," + "n" * MB10)),
    ("deeply-nested-jsonl", "jsonl", lambda: "[" * 100_000 + "]" * 100_000 + "\n"),
    ("deeply-nested-json", "json", lambda: '{"a":' * 100_000 + "1" + "}" * 100_000),
    # impossible dates
    ("february-30", "jsonl", jsonl(event(effective="2026-02-30"))),
    ("month-13", "jsonl", jsonl(event(effective="2026-13-01"))),
    ("year-0", "jsonl", jsonl(event(effective="0000-01-01"))),
    ("year-10000", "jsonl", jsonl(event(effective="10000-01-01"))),
    ("date-unpadded", "jsonl", jsonl(event(effective="2026-1-1"))),
    ("date-with-time", "jsonl", jsonl(event(effective="2026-01-01T00:00:00"))),
    ("date-arabic-digits", "jsonl", jsonl(event(effective="٢٠٢٦-٠١-٠١"))),
    (
        "term-end-before-start",
        "jsonl",
        jsonl(event(term_start="2027-01-01", term_end="2026-01-01")),
    ),
    (
        "event-before-its-commitment",
        "jsonl",
        jsonl(delivery("existing-deal", "1", effective="2020-01-01")),
    ),
    # unicode in slugs
    ("slug-accented", "jsonl", jsonl(event(commitment="café-deal"))),
    ("slug-fullwidth", "jsonl", jsonl(event(provider="ａｍａｚｏｎ"))),
    ("slug-zero-width-space", "jsonl", jsonl(event(holder="anthropic\u200b"))),
    ("slug-right-to-left-override", "jsonl", jsonl(event(commitment="deal-\u202eevil"))),
    ("slug-dotless-i", "jsonl", jsonl(event(holder="ınflection"))),
    ("slug-emoji", "jsonl", jsonl(event(commitment="deal-🚀"))),
    ("slug-uppercase", "jsonl", jsonl(event(commitment="Hostile-Deal"))),
    ("slug-with-newline", "jsonl", jsonl(event(commitment="hostile\ndeal"))),
    ("slug-101-chars", "jsonl", jsonl(event(commitment="a" * 101))),
    ("provider-is-holder", "jsonl", jsonl(event(holder="amazon"))),
    # CSV
    ("csv-missing-column", "csv", csv_of(CSV_HEADER, CSV_ROW.rsplit(",", 1)[0])),
    ("csv-extra-column", "csv", csv_of(CSV_HEADER, CSV_ROW + ",7")),
    ("csv-no-type-column", "csv", csv_of("commitment,effective", "hostile-deal,2026-01-01")),
    ("csv-unknown-column", "csv", csv_of(CSV_HEADER + ",colour", CSV_ROW + ",red")),
    ("csv-bad-amount", "csv", csv_of(CSV_HEADER, CSV_ROW[:-1] + "lots")),
    ("csv-unterminated-quote", "csv", csv_of(CSV_HEADER, '"' + CSV_ROW)),
    (
        "csv-bad-replacement-json",
        "csv",
        csv_of("type,commitment,target,replacement", "EventCorrected,existing-deal,x,{oops"),
    ),
    ("csv-good-row-then-bad", "csv", csv_of(CSV_HEADER, CSV_ROW, CSV_ROW.replace("5", "-5"))),
    # empty and odd files
    ("empty-json", "json", ""),
    ("empty-csv", "csv", ""),
    ("whitespace-json", "json", "  \n\t\n"),
    ("unknown-suffix", "txt", jsonl(event())),
    # atomicity: a valid event first, the bad one last
    (
        "valid-then-id-conflict",
        "jsonl",
        jsonl(
            event(id="00000000-0000-4000-8000-000000000001"),
            event(id="00000000-0000-4000-8000-000000000001", gw="6"),
        ),
    ),
    ("valid-then-reopened", "jsonl", jsonl(event(), event(holder="openai"))),
]

# Cases the product does not yet refuse in one line (see docs/reliability.md, "Known gaps").

# Files with no events at all, in every format.
EMPTY_CASES: list[tuple[str, str, str]] = [
    ("empty-jsonl", "jsonl", ""),
    ("blank-lines-jsonl", "jsonl", "\n \n\n"),
    ("empty-json-array", "json", "[]"),
    ("csv-header-only", "csv", CSV_HEADER + "\n"),
]


def _params() -> list[Any]:
    params = []
    for case_id, suffix, content in CASES:
        params.append(pytest.param(suffix, content, id=case_id))
    return params


def _write(path: Path, content: Content) -> Path:
    data = content() if callable(content) else content
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    return path


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store per backend holding a few events, shared: a refused call never changes it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'capledger.db'}"
    else:
        url = postgres_url()
    with open_ledger(url) as ledger:
        ledger.record(EXISTING)
    return url


def _assert_refused_in_one_line(url: str, path: Path, before: Any, *args: str) -> str:
    result = cli(url, "record", *args, str(path))
    assert len(result.stderr) < 1000, result.stderr[:300]
    line = one_line_error(result)
    assert str(path) in line, line
    assert state_of(url) == before
    return line


@pytest.mark.parametrize(("suffix", "content"), _params())
def test_a_nasty_file_is_refused_in_one_line_and_changes_nothing(
    seeded: str, tmp_path: Path, suffix: str, content: Content
) -> None:
    before = state_of(seeded)
    path = _write(tmp_path / f"nasty.{suffix}", content)
    _assert_refused_in_one_line(seeded, path, before)


@pytest.mark.parametrize(
    ("suffix", "content"),
    [pytest.param(suffix, content, id=case_id) for case_id, suffix, content in EMPTY_CASES],
)
def test_a_file_without_events_is_refused(
    store_url: str, tmp_path: Path, suffix: str, content: str
) -> None:
    with open_ledger(store_url) as ledger:
        ledger.record(EXISTING)
    before = state_of(store_url)
    path = _write(tmp_path / f"empty.{suffix}", content)
    _assert_refused_in_one_line(store_url, path, before)


def test_a_csv_header_naming_a_column_twice_is_refused(store_url: str, tmp_path: Path) -> None:
    with open_ledger(store_url) as ledger:  # its own store, in case the row were recorded
        ledger.record(EXISTING)
    before = state_of(store_url)
    path = _write(
        tmp_path / "twice.csv",
        csv_of(CSV_HEADER + ",commitment", CSV_ROW + ",other-deal"),
    )
    _assert_refused_in_one_line(store_url, path, before)


def test_a_missing_file_or_a_directory_is_refused_in_one_line(seeded: str, tmp_path: Path) -> None:
    before = state_of(seeded)
    (tmp_path / "folder.jsonl").mkdir()
    for path in (tmp_path / "missing.jsonl", tmp_path / "folder.jsonl"):
        _assert_refused_in_one_line(seeded, path, before)


def test_a_good_file_followed_by_a_bad_one_stores_neither(seeded: str, tmp_path: Path) -> None:
    before = state_of(seeded)
    good = _write(tmp_path / "good.jsonl", jsonl(event()))
    bad = _write(tmp_path / "bad.jsonl", jsonl(event(commitment="other", amounts={"gw": "-1"})))
    result = cli(seeded, "record", str(good), str(bad))
    assert str(bad) in one_line_error(result)
    assert state_of(seeded) == before


# -- generated: random JSON, real field names with values of any type -------------------------

FIELDS = [
    "type",
    "commitment",
    "effective",
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
    "id",
    "source",
    "note",
]
TYPES = [
    "CommitmentMade",
    "CommitmentAmended",
    "TrancheScheduled",
    "TrancheCancelled",
    "DeliveryRecorded",
    "CommitmentCancelled",
    "EventCorrected",
    "EventRetracted",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-01-01",
            "2026-02-30",
            "5",
            "-1",
            "1e400",
            "NaN",
            "existing-deal",
            "amazon",
            "gw",
            "up_to",
            "capacity",
            *TYPES,
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["gw", "usd", "mw", "chips:tpu", "publisher", "x", *FIELDS]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
objects = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=10)
lines = st.lists(objects | values, min_size=1, max_size=4)


@settings(
    max_examples=250 if SOAK else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=lines)
def test_generated_json_is_refused_in_one_line_or_recorded_whole(
    store_url: str, tmp_path: Path, items: list[Any]
) -> None:
    if not (tmp_path / "seeded").exists():
        with open_ledger(store_url) as ledger:
            ledger.record(EXISTING)
        (tmp_path / "seeded").touch()
    before = state_of(store_url)
    path = tmp_path / "generated.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    result = cli(store_url, "record", str(path))
    if result.exit_code == 0:  # the generator made only valid events: they land whole
        with open_ledger(store_url) as ledger:
            assert ledger.verify().intact
        return
    assert len(result.stderr) < 1000
    line = one_line_error(result)
    assert str(path) in line, line
    assert state_of(store_url) == before


def test_stdin_input_is_refused_in_one_line_too(seeded: str) -> None:
    before = state_of(seeded)
    for fmt, data in (("jsonl", "{oops\n"), ("json", "[1"), ("csv", "type\nNope\n")):
        result = CliRunner().invoke(
            capledger,
            ["--db", seeded, "record", "--input-format", fmt, "-"],
            input=data,
            catch_exceptions=False,
        )
        assert "<stdin>" in one_line_error(result)
    assert state_of(seeded) == before
