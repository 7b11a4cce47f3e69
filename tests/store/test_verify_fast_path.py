"""verify reads raw rows and renders most headers itself: it must agree with header_text."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import text

from ledger import Ledger
from ledger.verify import verify_chain

from .conftest import make_pending

# Strings the header's JSON must escape, and some it writes as they are.
AWKWARD = ['quote"d', "back\\slash", "tab\there", "new\nline", "bell\x07", "café", "line\u2028sep"]


def _fill(ledger: Ledger, n: int = 10, commitment: str = "a") -> None:
    ledger.append([make_pending(commitment, i) for i in range(n)])


def _drop_triggers(ledger: Ledger) -> None:
    with ledger.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER events_refuse_change ON events"))
        else:
            connection.execute(text("DROP TRIGGER events_refuse_update"))
            connection.execute(text("DROP TRIGGER events_refuse_delete"))


def _execute(ledger: Ledger, statement: str, **values: object) -> None:
    with ledger.engine.begin() as connection:
        connection.execute(text(statement), values)


def test_headers_that_json_escapes_verify(ledger: Ledger) -> None:
    _fill(ledger, 3)
    ledger.append([make_pending(name, 0) for name in AWKWARD], actor='o"brien')
    ledger.append([make_pending("b", 1), make_pending("b", 2)], actor="zoë\n")
    _fill(ledger, 3, "c")
    report = ledger.verify()
    assert report.intact
    assert report.count == 6 + len(AWKWARD) + 2
    assert report.head_hash == list(ledger.read_all())[-1].hash


@pytest.mark.parametrize("at", range(4, 4 + len(AWKWARD)))
def test_an_edit_to_a_row_that_needs_escaping_is_found(ledger: Ledger, at: int) -> None:
    _fill(ledger, 3)
    ledger.append([make_pending(name, 0) for name in AWKWARD])
    _drop_triggers(ledger)
    _execute(ledger, "UPDATE events SET payload = '{}' WHERE position = :at", at=at)
    report = ledger.verify()
    assert report.first_bad_position == at
    assert report.reason == "its content does not match its hash"


def test_a_hash_over_the_unescaped_header_does_not_pass(ledger: Ledger) -> None:
    """The shortcut (values written between quotes as they are) is taken only when it is exact."""
    ledger.append([make_pending("a", 0), make_pending('quote"d', 0)])
    row = list(ledger.read_all())[1]
    naive = (
        f'{row.prev_hash}\n[2,"{row.event_id}","{row.commitment}",{row.version},'
        f'"{row.type_name}",{row.schema_version},"{row.effective}",'
        f'"{row.recorded_at.isoformat(timespec="microseconds")}","{row.recorded_by}"]\n'
        f"{row.payload}"
    )
    _drop_triggers(ledger)
    forged = hashlib.sha256(naive.encode()).hexdigest()
    _execute(ledger, "UPDATE events SET hash = :hash WHERE position = 2", hash=forged)
    report = ledger.verify()
    assert report.first_bad_position == 2
    assert report.reason == "its content does not match its hash"


@pytest.mark.parametrize("page", [1, 3, 5, 10, 11])
def test_any_page_size_walks_the_whole_chain(ledger: Ledger, page: int) -> None:
    _fill(ledger)
    report = verify_chain(ledger.engine, page=page)
    assert report.intact and report.count == 10
    assert report.head_hash == list(ledger.read_all())[-1].hash


@pytest.mark.parametrize(
    ("deleted", "page", "reason"),
    [
        ((4, 8), 2, "position 4 is missing (next stored is 9)"),  # a gap wider than a page
        ((6, 6), 3, "position 6 is missing (next stored is 7)"),  # the last of a page
        ((4, 4), 3, "position 4 is missing (next stored is 5)"),  # the first of a page
        ((1, 3), 3, "position 1 is missing (next stored is 4)"),  # the whole first page
    ],
)
def test_missing_positions_are_found_across_pages(
    ledger: Ledger, deleted: tuple[int, int], page: int, reason: str
) -> None:
    _fill(ledger)
    _drop_triggers(ledger)
    first, last = deleted
    _execute(ledger, "DELETE FROM events WHERE position BETWEEN :a AND :b", a=first, b=last)
    report = verify_chain(ledger.engine, page=page)
    assert report.first_bad_position == first
    assert report.reason == reason
    assert report.count == first - 1


def test_a_tail_cut_at_a_page_boundary_is_a_shorter_valid_chain(ledger: Ledger) -> None:
    _fill(ledger)
    _drop_triggers(ledger)
    _execute(ledger, "DELETE FROM events WHERE position > 6")
    report = verify_chain(ledger.engine, page=3)
    assert report.intact and report.count == 6


def test_a_value_of_the_wrong_type_is_a_content_mismatch(sqlite_url: str) -> None:
    """SQLite keeps text in an integer column: the header then encodes it as a string."""
    with Ledger.open(sqlite_url) as ledger:
        _fill(ledger, 5)
    connection = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    connection.execute("DROP TRIGGER events_refuse_update")
    connection.execute("UPDATE events SET version = 'one' WHERE position = 3")
    connection.commit()
    connection.close()
    with Ledger.open(sqlite_url) as ledger:
        report = ledger.verify()
    assert report.first_bad_position == 3
    assert report.reason == "its content does not match its hash"
