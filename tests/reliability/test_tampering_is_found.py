"""Tampering with the triggers dropped: verify finds each kind at the first bad position.

Someone with the owner's rights drops the append-only triggers and edits a payload, deletes,
swaps, forges or cuts off rows. `capledger verify` exits 1 with `Error: chain broken at
position P: ...`, P being the first row that no longer matches the chain. What the chain alone
cannot show (a cut-off tail, a rewritten chain, a well-forged row at the end) is shown by an
anchor kept elsewhere, or stated as a limit in docs/reliability.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert, select, text, update

from ledger import Ledger, StoredEvent
from ledger.chain import header_text, link
from ledger.log_reads import to_stored
from ledger.schema import events

from .conftest import Run, drop_triggers, one_line_error, open_ledger, raw_engine, state_of
from .workload import delivery, made

BATCHES = 6
PER_BATCH = 4
COUNT = BATCHES * PER_BATCH
MIDDLE = 10

Tamper = Callable[[Connection, list[StoredEvent]], int]
"""Changes the rows, returns the position verify must name."""


def _fill(url: str) -> list[StoredEvent]:
    """Six batches of four events, each batch its own recording instant."""
    with open_ledger(url) as ledger:
        ledger.record([made(f"deal-{n}", gw="100") for n in range(PER_BATCH)])
        for batch in range(1, BATCHES):
            ledger.record(
                [delivery(f"deal-{n}", "1", note=f"batch {batch}") for n in range(PER_BATCH)]
            )
        rows = list(ledger.read_all())
    assert len(rows) == COUNT
    return rows


def _columns(row: StoredEvent) -> dict[str, Any]:
    """Every stored column of a row but its position, as the table's columns."""
    return {
        "event_id": str(row.event_id),
        "commitment": row.commitment,
        "version": row.version,
        "type": row.type_name,
        "schema_version": row.schema_version,
        "effective": row.effective,
        "recorded_at": row.recorded_at,
        "recorded_by": row.recorded_by,
        "payload": row.payload,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def _rehash(row: dict[str, Any], position: int, prev_hash: str) -> dict[str, Any]:
    """The row as a forger who knows the algorithm would write it: a correct link."""
    header = header_text(
        position=position,
        event_id=row["event_id"],
        commitment=row["commitment"],
        version=row["version"],
        type_name=row["type"],
        schema_version=row["schema_version"],
        effective=row["effective"],
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
    )
    return {**row, "prev_hash": prev_hash, "hash": link(prev_hash, header, row["payload"])}


def _set(connection: Connection, position: int, **values: Any) -> None:
    connection.execute(update(events).where(events.c.position == position).values(**values))


def _shift_from(connection: Connection, position: int) -> None:
    """Renumber the rows from `position` on one place up (through negatives: keys stay unique)."""
    connection.execute(
        update(events).where(events.c.position >= position).values(position=-events.c.position - 1)
    )
    connection.execute(
        update(events).where(events.c.position < 0).values(position=-events.c.position)
    )


def edit_payload(connection: Connection, rows: list[StoredEvent]) -> int:
    _set(connection, MIDDLE, payload=rows[MIDDLE - 1].payload.replace('"1"', '"9"'))
    return MIDDLE


def edit_payload_and_rehash_the_row(connection: Connection, rows: list[StoredEvent]) -> int:
    forged = {**_columns(rows[MIDDLE - 1])}
    forged["payload"] = forged["payload"].replace('"1"', '"9"')
    _set(connection, MIDDLE, **_rehash(forged, MIDDLE, forged["prev_hash"]))
    return MIDDLE + 1  # the row itself now links; the next one no longer does


def edit_effective_date(connection: Connection, rows: list[StoredEvent]) -> int:
    _set(connection, MIDDLE, effective=rows[MIDDLE - 1].effective - timedelta(days=30))
    return MIDDLE


def edit_recorded_by(connection: Connection, rows: list[StoredEvent]) -> int:
    _set(connection, MIDDLE, recorded_by="someone-else")
    return MIDDLE


def edit_recorded_at_backwards(connection: Connection, rows: list[StoredEvent]) -> int:
    _set(connection, MIDDLE, recorded_at=rows[0].recorded_at - timedelta(days=1))
    return MIDDLE


def delete_a_row(connection: Connection, rows: list[StoredEvent]) -> int:
    connection.execute(delete(events).where(events.c.position == MIDDLE))
    return MIDDLE


def delete_the_first_row(connection: Connection, rows: list[StoredEvent]) -> int:
    connection.execute(delete(events).where(events.c.position == 1))
    return 1


def swap_two_rows(connection: Connection, rows: list[StoredEvent]) -> int:
    first, second = rows[MIDDLE - 1], rows[MIDDLE + 5]
    _set(connection, first.position, event_id="swapping", commitment="x")  # free the unique keys
    _set(connection, second.position, **_columns(first))
    _set(connection, first.position, **_columns(second))
    return MIDDLE


def swap_two_adjacent_rows_of_one_batch(connection: Connection, rows: list[StoredEvent]) -> int:
    first, second = rows[MIDDLE - 1], rows[MIDDLE]
    _set(connection, first.position, event_id="swapping", commitment="x")
    _set(connection, second.position, **_columns(first))
    _set(connection, first.position, **_columns(second))
    return MIDDLE


def forge_a_row_in_the_middle(connection: Connection, rows: list[StoredEvent]) -> int:
    _shift_from(connection, MIDDLE)
    forged = {
        **_columns(rows[MIDDLE - 2]),
        "event_id": "00000000-0000-4000-8000-000000000001",
        "version": 99,
        "hash": "f" * 64,
    }
    connection.execute(insert(events).values(position=MIDDLE, **forged))
    return MIDDLE


def forge_a_well_linked_row_in_the_middle(connection: Connection, rows: list[StoredEvent]) -> int:
    _shift_from(connection, MIDDLE)
    forged = {**_columns(rows[MIDDLE - 2]), "event_id": "forged", "version": 99}
    forged = _rehash(forged, MIDDLE, rows[MIDDLE - 2].hash)
    connection.execute(insert(events).values(position=MIDDLE, **forged))
    return MIDDLE + 1  # the forged row links; the shifted row after it does not


def forge_a_row_at_the_end(connection: Connection, rows: list[StoredEvent]) -> int:
    forged = {**_columns(rows[-1]), "event_id": "forged", "version": 99, "hash": "0" * 64}
    forged["prev_hash"] = rows[-1].hash
    connection.execute(insert(events).values(position=COUNT + 1, **forged))
    return COUNT + 1


def replace_the_head_hash(connection: Connection, rows: list[StoredEvent]) -> int:
    _set(connection, COUNT, hash="e" * 64)
    return COUNT


TAMPERING = [
    edit_payload,
    edit_payload_and_rehash_the_row,
    edit_effective_date,
    edit_recorded_by,
    edit_recorded_at_backwards,
    delete_a_row,
    delete_the_first_row,
    swap_two_rows,
    swap_two_adjacent_rows_of_one_batch,
    forge_a_row_in_the_middle,
    forge_a_well_linked_row_in_the_middle,
    forge_a_row_at_the_end,
    replace_the_head_hash,
]


def _tamper(url: str, how: Tamper, rows: list[StoredEvent]) -> int:
    drop_triggers(url)
    engine = raw_engine(url)
    with engine.begin() as connection:
        position = how(connection, rows)
    engine.dispose()
    return position


def _first_bad(result: Any) -> int:
    line = one_line_error(result)
    found = re.fullmatch(r"Error: chain broken at position (\d+): .+", line)
    assert found, line
    return int(found.group(1))


@pytest.mark.parametrize("how", TAMPERING, ids=lambda how: how.__name__)
def test_verify_names_the_first_tampered_position_and_exits_1(
    store_url: str, run: Run, how: Tamper
) -> None:
    rows = _fill(store_url)
    assert run("verify").stdout == f"ok: {COUNT} events, chain intact\n"
    expected = _tamper(store_url, how, rows)
    assert _first_bad(run("verify")) == expected
    with Ledger.open(store_url) as ledger:
        report = ledger.verify()
    assert report.first_bad_position == expected and not report.intact


def test_the_triggers_refuse_update_delete_and_truncate(store_url: str) -> None:
    _fill(store_url)
    before = state_of(store_url)
    engine = raw_engine(store_url)
    statements = ["UPDATE events SET payload = '{}' WHERE position = 1", "DELETE FROM events"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE events")
    for statement in statements:
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()
    assert state_of(store_url) == before


# -- what the chain alone cannot prove, and what an anchor adds -------------------------------


def _truncate_tail(url: str, keep: int) -> None:
    drop_triggers(url)
    engine = raw_engine(url)
    with engine.begin() as connection:
        connection.execute(delete(events).where(events.c.position > keep))
    engine.dispose()


def _rewrite_from(url: str, position: int) -> None:
    """Edit a row and relink every row after it: a whole, valid, different chain."""
    drop_triggers(url)
    engine = raw_engine(url)
    with engine.begin() as connection:
        rows = [to_stored(row) for row in connection.execute(select(events).order_by("position"))]
        prev = rows[position - 2].hash
        for row in rows[position - 1 :]:
            columns = _columns(row)
            if row.position == position:
                columns["payload"] = columns["payload"].replace('"1"', '"9"')
            columns = _rehash(columns, row.position, prev)
            _set(connection, row.position, **columns)
            prev = columns["hash"]
    engine.dispose()


def test_a_truncated_tail_leaves_a_valid_shorter_chain_that_only_an_anchor_exposes(
    store_url: str, run: Run, tmp_path: Path
) -> None:
    _fill(store_url)
    anchor = tmp_path / "head.json"
    assert run("verify", "--anchor", str(anchor)).exit_code == 0
    head = json.loads(anchor.read_text())
    assert head["position"] == COUNT
    _truncate_tail(store_url, keep=COUNT - 5)
    # What verify cannot prove alone: the shorter chain is a valid chain.
    assert run("verify").stdout == f"ok: {COUNT - 5} events, chain intact\n"
    assert _first_bad(run("verify", "--anchor", str(anchor))) == COUNT
    assert json.loads(anchor.read_text()) == head  # a failed verify never moves the anchor


def test_a_rewritten_chain_passes_verify_alone_but_not_its_anchor(
    store_url: str, run: Run, tmp_path: Path
) -> None:
    _fill(store_url)
    anchor = tmp_path / "head.json"
    assert run("verify", "--anchor", str(anchor)).exit_code == 0
    _rewrite_from(store_url, MIDDLE)
    assert run("verify").stdout == f"ok: {COUNT} events, chain intact\n"
    assert _first_bad(run("verify", "--anchor", str(anchor))) == COUNT


def test_an_anchor_follows_the_head_as_the_ledger_grows(
    store_url: str, run: Run, tmp_path: Path
) -> None:
    anchor = tmp_path / "head.json"
    open_ledger(store_url).close()
    assert run("verify", "--anchor", str(anchor)).exit_code == 0  # an empty ledger: position 0
    assert json.loads(anchor.read_text())["position"] == 0
    rows = _fill(store_url)
    assert run("verify", "--anchor", str(anchor)).exit_code == 0
    assert json.loads(anchor.read_text()) == {"position": COUNT, "hash": rows[-1].hash}


def test_a_well_forged_row_at_the_end_is_beyond_what_verify_or_an_anchor_can_prove(
    store_url: str, run: Run, tmp_path: Path
) -> None:
    rows = _fill(store_url)
    anchor = tmp_path / "head.json"
    assert run("verify", "--anchor", str(anchor)).exit_code == 0
    drop_triggers(store_url)
    forged = {**_columns(rows[-1]), "event_id": "forged", "version": 99}
    engine = raw_engine(store_url)
    with engine.begin() as connection:
        connection.execute(
            insert(events).values(position=COUNT + 1, **_rehash(forged, COUNT + 1, rows[-1].hash))
        )
    engine.dispose()
    # Indistinguishable from an append: the limit docs/reliability.md states.
    assert run("verify", "--anchor", str(anchor)).exit_code == 0


@pytest.mark.parametrize("content", ["", "{not json", '{"position": "x"}', "[]"])
def test_an_unreadable_anchor_is_refused_in_one_line(
    store_url: str, run: Run, tmp_path: Path, content: str
) -> None:
    _fill(store_url)
    anchor = tmp_path / "head.json"
    anchor.write_text(content)
    one_line_error(run("verify", "--anchor", str(anchor)))
    assert anchor.read_text() == content
