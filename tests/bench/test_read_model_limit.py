"""The raw limit of rebuild writes the very rows capledger's rebuild wrote to its read models,
into tables of the same shape, and leaves capledger's own tables as they were."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from ledger import Ledger
from ledger.event_files import read_file
from projections import attach, project
from tests.bench import limits
from tests.bench.synth import write_jsonl
from tests.conftest import postgres_url


def _filled(url: str, tmp_path: Path) -> None:
    """A store holding a small synthetic ledger, its read models rebuilt."""
    data = tmp_path / "ledger.jsonl"
    write_jsonl(data, 400, seed=7)
    led = Ledger.open(url, actor="bench")
    try:
        attach(led)
        led.record_stream(read_file(str(data)))
        project(led, rebuild=True)
    finally:
        led.close()


def _rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def _shape(path: Path, table: str) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as db:
        return sorted(
            db.execute(
                "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
                (table,),
            ).fetchall()
        )


def test_on_sqlite_it_writes_every_read_model_row_into_tables_of_the_same_shape(
    tmp_path: Path,
) -> None:
    store = tmp_path / "capledger.db"
    _filled(f"sqlite:///{store}", tmp_path)
    before = {table: _rows(store, table) for table in limits.READ_MODELS}
    copy = tmp_path / "raw.db"

    seconds = limits.sqlite_read_models(str(store), str(copy))

    assert seconds > 0
    for table in limits.READ_MODELS:
        assert before[table], f"the ledger left {table} empty"
        assert _rows(copy, table) == before[table]
        assert _shape(copy, table) == _shape(store, table)
        assert _rows(store, table) == before[table]


_PG_INDEXES = (
    "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s"
)


def _pg_rows(db: Any, table: str) -> list[tuple[Any, ...]]:
    return sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def _pg_filled(tmp_path: Path) -> str:
    """A filled store in a fresh PostgreSQL schema, as a libpq connection string."""
    url = postgres_url()
    _filled(url, tmp_path)
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_on_postgresql_it_copies_every_row_into_tables_of_the_same_shape(
    tmp_path: Path,
) -> None:
    import psycopg

    dsn = _pg_filled(tmp_path)

    seconds = limits.pg_read_models(dsn, keep=True)

    assert seconds > 0
    with psycopg.connect(dsn) as db:
        for table in limits.READ_MODELS:
            rows = _pg_rows(db, table)
            assert rows, f"the ledger left {table} empty"
            assert _pg_rows(db, f"raw_{table}") == rows
            assert (
                db.execute(_PG_INDEXES, (f"raw_{table}",)).fetchone()
                == db.execute(_PG_INDEXES, (table,)).fetchone()
            )


@pytest.mark.postgres
def test_on_postgresql_it_drops_its_tables_after_and_leaves_the_read_models_alone(
    tmp_path: Path,
) -> None:
    import psycopg

    dsn = _pg_filled(tmp_path)
    with psycopg.connect(dsn) as db:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()
            for table in limits.READ_MODELS
        }

    seconds = limits.pg_read_models(dsn)

    assert seconds > 0
    with psycopg.connect(dsn) as db:
        left = db.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name LIKE 'raw\\_%'"
        ).fetchone()
        assert left == (0,)
        for table, count in counts.items():
            assert count is not None and count[0] > 0
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == count
