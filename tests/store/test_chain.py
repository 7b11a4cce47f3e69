"""The hash chain and the database's refusal to change what is stored."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ledger import Anchor, Ledger, read_anchor, write_anchor
from ledger.chain import Links, header_text, link, plain_texts

from .conftest import make_pending


def _fill(ledger: Ledger, n: int = 5) -> None:
    ledger.append([make_pending("a", i) for i in range(n)])


def test_an_untouched_chain_verifies(ledger: Ledger) -> None:
    _fill(ledger)
    report = ledger.verify()
    assert report.intact
    assert report.count == 5
    assert report.head_hash == list(ledger.read_all())[-1].hash


def test_an_empty_store_verifies(ledger: Ledger) -> None:
    assert ledger.verify().intact
    assert ledger.verify().count == 0


def test_each_row_links_to_the_one_before(ledger: Ledger) -> None:
    _fill(ledger)
    rows = list(ledger.read_all())
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(rows))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = '{}' WHERE position = 2",
        "DELETE FROM events WHERE position = 2",
    ],
)
def test_the_database_refuses_to_change_stored_events(ledger: Ledger, statement: str) -> None:
    _fill(ledger)
    with pytest.raises(DBAPIError, match="append-only"), ledger.engine.begin() as connection:
        connection.execute(text(statement))
    assert ledger.count() == 5
    assert ledger.verify().intact


def test_a_raw_update_through_the_sqlite3_module_is_refused(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    _fill(ledger)
    ledger.close()
    connection = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("UPDATE events SET payload = '{}' WHERE position = 1")
    connection.close()


def _drop_triggers(ledger: Ledger) -> None:
    with ledger.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER events_refuse_change ON events"))
        else:
            connection.execute(text("DROP TRIGGER events_refuse_update"))


def test_an_edit_made_with_the_triggers_dropped_is_found_at_its_position(ledger: Ledger) -> None:
    _fill(ledger)
    _drop_triggers(ledger)
    with ledger.engine.begin() as connection:
        connection.execute(
            text("UPDATE events SET payload = :payload WHERE position = 3"), {"payload": "{}"}
        )
    report = ledger.verify()
    assert report.first_bad_position == 3
    assert report.reason == "its content does not match its hash"
    assert report.count == 2


def _cut_tail(ledger: Ledger, keep: int) -> None:
    with ledger.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER events_refuse_change ON events"))
        else:
            connection.execute(text("DROP TRIGGER events_refuse_delete"))
        connection.execute(text("DELETE FROM events WHERE position > :keep"), {"keep": keep})


def test_a_cut_tail_leaves_a_valid_chain_that_only_an_anchor_shows_is_short(
    ledger: Ledger,
) -> None:
    _fill(ledger)
    report = ledger.verify()
    anchor = Anchor(position=report.count, hash=report.head_hash)
    _cut_tail(ledger, keep=3)
    assert ledger.verify().intact  # what verify alone cannot prove
    anchored = ledger.verify(anchor=anchor)
    assert anchored.first_bad_position == 5
    assert anchored.reason is not None and "the chain ends at 3" in anchored.reason


def test_an_anchor_whose_hash_differs_is_reported_at_its_position(ledger: Ledger) -> None:
    _fill(ledger)
    anchored = ledger.verify(anchor=Anchor(position=2, hash="f" * 64))
    assert anchored.first_bad_position == 2
    assert anchored.reason == "its hash differs from the anchored one"


def test_an_anchor_file_round_trips_the_head(ledger: Ledger, tmp_path: Path) -> None:
    _fill(ledger)
    path = tmp_path / "head.anchor"
    assert read_anchor(path) is None
    written = write_anchor(path, ledger.verify())
    assert read_anchor(path) == written == Anchor(5, list(ledger.read_all())[-1].hash)
    assert ledger.verify(anchor=written).intact


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 2**62),
    st.text(),
    st.text(),
    st.integers(1, 2**31),
    st.text(),
    st.integers(0, 99),
    st.none() | st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.text(),
)
def test_every_header_is_the_json_of_its_values_however_it_is_written(
    position: int,
    event_id: str,
    commitment: str,
    version: int,
    type_name: str,
    schema_version: int,
    effective: date | None,
    recorded_at: datetime,
    recorded_by: str,
) -> None:
    values = (position, event_id, commitment, version, type_name, schema_version, effective)
    reference = json.dumps(
        [
            *values[:-1],
            effective.isoformat() if effective else None,
            recorded_at.isoformat(timespec="microseconds"),
            recorded_by,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert reference == header_text(
        position=position,
        event_id=event_id,
        commitment=commitment,
        version=version,
        type_name=type_name,
        schema_version=schema_version,
        effective=effective,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
    )
    # The write path's way: the shortcut where the texts are plain, the encoder where not.
    links = Links(recorded_at, recorded_by, plain_texts((event_id,), (commitment,), (type_name,)))
    expected = link("f" * 64, reference, "{}")
    assert links.digest("f" * 64, *values, "{}") == expected
    assert links.digest("f" * 64, *values, "{}") == expected  # the day's text from its memory
