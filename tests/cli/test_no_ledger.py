"""Commands that only read refuse a store that holds no ledger, and create nothing there: no
SQLite file, no table in a PostgreSQL schema. Only the commands that record create a store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from ledger import Ledger, NoLedger, safe_url

from .conftest import Run

READERS = [
    ["positions"],
    ["positions", "--holder", "anthropic"],
    ["history", "aws-anthropic-2026-capacity"],
    ["timeline"],
    ["log"],
    ["log", "--format", "jsonl"],
    ["changes", "--known-from", "2026-01-01"],
    ["verify"],
    ["project"],
    ["project", "--rebuild"],
]


def left_behind(store_url: str) -> list[str]:
    """What the store holds: the SQLite files, or the tables of the PostgreSQL schema."""
    url = make_url(store_url)
    if url.get_backend_name() == "sqlite":
        database = Path(str(url.database))
        return sorted(path.name for path in database.parent.glob(f"{database.name}*"))
    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            return sorted(inspect(connection).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_reader_refuses_a_store_without_a_ledger_and_creates_nothing(
    run: Run, store_url: str, args: list[str]
) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: no ledger at {safe_url(store_url)}; create one with record or demo\n"
    )
    assert left_behind(store_url) == []


def test_recording_creates_the_store_and_then_the_readers_read_it(
    run: Run, store_url: str, deals_file: Path
) -> None:
    assert run("record", str(deals_file)).exit_code == 0
    assert left_behind(store_url) != []
    assert run("verify").stdout == "ok: 5 events, chain intact\n"
    assert run("positions", "--holder", "anthropic").exit_code == 0


def test_an_empty_sqlite_file_holds_no_ledger_and_is_left_as_it_was(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(NoLedger, match="no ledger at sqlite:///"):
        Ledger.open(f"sqlite:///{empty}", create=False)
    assert empty.stat().st_size == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["empty.db"]
