"""The raw limits: what the database driver alone does with the same rows, no library around it.

- append: plain executemany of the same event rows into a table shaped like capledger's (same
  columns, keys and indexes, same durability settings), in one transaction (COPY on PostgreSQL);
- as-of: a covering-index SUM over a copy of capledger's position postings;
- read: SELECT of every event row plus JSON parsing of its payload;
- read models: writing the rows of capledger's read models, as its rebuild made them, into
  tables of the same shape (keys and indexes), in one transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import time
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

try:  # the fastest parser installed
    import orjson

    loads: Any = orjson.loads
    PARSER = "orjson"
except ImportError:  # pragma: no cover - depends on the environment
    loads = json.loads
    PARSER = "json"

COLUMNS = (
    "position, event_id, commitment, version, type, schema_version, effective, recorded_at, "
    "recorded_by, payload, prev_hash, hash"
)
EVENTS_DDL = """
CREATE TABLE raw_events (
    position {int} PRIMARY KEY, event_id VARCHAR(36) NOT NULL UNIQUE,
    commitment VARCHAR(100) NOT NULL, version INTEGER NOT NULL, type VARCHAR(40) NOT NULL,
    schema_version INTEGER NOT NULL, effective DATE, recorded_at {ts} NOT NULL,
    recorded_by VARCHAR(200) NOT NULL, payload TEXT NOT NULL, prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL)
"""
EVENTS_INDEXES = (
    "CREATE UNIQUE INDEX raw_events_cv ON raw_events (commitment, version)",
    "CREATE INDEX raw_events_rec ON raw_events (recorded_at)",
)
POSTINGS_COLUMNS = (
    "holder, provider, kind, resource, measure, effective, known_from, known_until, units, nanos"
)
POSTINGS_INDEX = (
    "CREATE INDEX raw_postings_cover ON raw_postings (effective, known_from, known_until, "
    "holder, provider, kind, resource, measure, units, nanos)"
)
AS_OF_SQL = (
    "SELECT holder, provider, kind, resource, measure, SUM(units), SUM(nanos) FROM raw_postings "
    "WHERE effective <= {p} AND known_from <= {p} AND (known_until IS NULL OR known_until > {p}) "
    "GROUP BY holder, provider, kind, resource, measure"
)
CHUNK = 5_000
READ_MODELS = ("position_postings", "tranche_schedule", "position_buckets")
"""capledger's read-model tables: the rows a rebuild (and a first import) writes."""


def sqlite_rows(path: str) -> list[tuple[Any, ...]]:
    """Every event row of a capledger SQLite store, as stored."""
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT {COLUMNS} FROM events ORDER BY position").fetchall()


def _sqlite_open(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")  # what capledger's engine sets
    return db


def sqlite_executemany(path: str, rows: Sequence[tuple[Any, ...]]) -> float:
    """Seconds to insert the rows with executemany, chunk by chunk, in one transaction."""
    db = _sqlite_open(path)
    db.execute(EVENTS_DDL.format(int="INTEGER", ts="DATETIME"))
    for statement in EVENTS_INDEXES:
        db.execute(statement)
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for start in range(0, len(rows), CHUNK):
        db.executemany(
            f"INSERT INTO raw_events ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows[start : start + CHUNK],
        )
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def sqlite_read_all(path: str) -> float:
    """Seconds to SELECT every event row of a capledger store and parse its payload."""
    db = sqlite3.connect(path)
    started = time.perf_counter()
    count = 0
    for row in db.execute(f"SELECT {COLUMNS} FROM events ORDER BY position"):
        loads(row[9])
        count += 1
    seconds = time.perf_counter() - started
    db.close()
    assert count > 0
    return seconds


def sqlite_read_models(store: str, path: str) -> float:
    """Seconds to write the rows of a capledger store's read models into the same tables in a
    new database, in one transaction, the fastest way the driver has: executemany into the
    tables without their secondary indexes, then the index builds (the sorter allowed one
    helper thread per CPU) and the commit. Page cache as capledger's engine sets it."""
    source = sqlite3.connect(store)
    names = ", ".join(f"'{table}'" for table in READ_MODELS)
    shapes = source.execute(
        f"SELECT type, sql FROM sqlite_master WHERE tbl_name IN ({names}) AND sql IS NOT NULL"
    ).fetchall()
    rows = {table: source.execute(f"SELECT * FROM {table}").fetchall() for table in READ_MODELS}
    source.close()
    db = _sqlite_open(path)
    db.execute("PRAGMA cache_size = -16384")
    for kind, sql in shapes:
        if kind == "table":
            db.execute(sql)
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for table, values in rows.items():
        if values:
            marks = ", ".join("?" for _ in values[0])
            for start in range(0, len(values), CHUNK):
                db.executemany(
                    f"INSERT INTO {table} VALUES ({marks})", values[start : start + CHUNK]
                )
    db.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 8)}")
    for kind, sql in shapes:
        if kind == "index":
            db.execute(sql)
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def sqlite_postings(store: str, path: str) -> None:
    """Copy capledger's position postings into a raw table with one covering index."""
    db = _sqlite_open(path)
    db.execute(f"ATTACH DATABASE '{store}' AS store")
    db.execute(
        f"CREATE TABLE raw_postings AS SELECT {POSTINGS_COLUMNS} FROM store.position_postings"
    )
    db.execute(POSTINGS_INDEX)
    db.execute("ANALYZE")
    db.execute("DETACH DATABASE store")
    db.close()


def _sqlite_instant(value: datetime) -> str:
    # capledger's SQLite columns hold naive UTC text, "YYYY-MM-DD HH:MM:SS.ffffff"
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def sqlite_as_of(path: str, pairs: Sequence[tuple[date, datetime]]) -> list[float]:
    """Milliseconds of the covering-index SUM at each (as_of, known_at)."""
    db = sqlite3.connect(path)
    sql = AS_OF_SQL.replace("{p}", "?")
    timings = []
    for as_of, known_at in pairs:
        instant = _sqlite_instant(known_at)
        started = time.perf_counter()
        db.execute(sql, (as_of.isoformat(), instant, instant)).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    db.close()
    return timings


def sqlite_monthly(path: str, days: Sequence[date], known_at: datetime) -> float:
    """Milliseconds for one covering-index SUM per month end (the timeline's raw limit)."""
    db = sqlite3.connect(path)
    sql = AS_OF_SQL.replace("{p}", "?")
    instant = _sqlite_instant(known_at)
    started = time.perf_counter()
    for day in days:
        db.execute(sql, (day.isoformat(), instant, instant)).fetchall()
    seconds = time.perf_counter() - started
    db.close()
    return seconds * 1000


# -- PostgreSQL -------------------------------------------------------------------------------


def pg_copy(dsn: str, rows: Sequence[tuple[Any, ...]]) -> float:
    """Seconds to COPY the rows into a table shaped like capledger's, in one transaction."""
    import psycopg

    with psycopg.connect(dsn) as db:
        db.execute("DROP TABLE IF EXISTS raw_events")
        db.execute(EVENTS_DDL.format(int="BIGINT", ts="TIMESTAMPTZ"))
        for statement in EVENTS_INDEXES:
            db.execute(statement)
        db.commit()
        started = time.perf_counter()
        with db.cursor() as cursor, cursor.copy(f"COPY raw_events ({COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        db.commit()
        return time.perf_counter() - started


def pg_rows(dsn: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(dsn) as db:
        return db.execute(f"SELECT {COLUMNS} FROM events ORDER BY position").fetchall()


def pg_read_all(dsn: str) -> float:
    """Seconds to SELECT every event row (server-side cursor) and parse its payload."""
    import psycopg

    with psycopg.connect(dsn) as db:
        started = time.perf_counter()
        with db.cursor(name="read_all") as cursor:
            cursor.itersize = 10_000
            cursor.execute(f"SELECT {COLUMNS} FROM events ORDER BY position")
            for row in cursor:
                loads(row[9])
        return time.perf_counter() - started


def pg_read_models(dsn: str, *, keep: bool = False) -> float:
    """Seconds to COPY the rows of the store's read models into copies of their tables
    (`raw_<table>`, made `LIKE <table> INCLUDING ALL`: keys and indexes), in one transaction,
    as capledger's rebuild writes them on PostgreSQL; the copies are dropped after, unless
    `keep`."""
    import psycopg

    with psycopg.connect(dsn) as db:
        rows = {table: db.execute(f"SELECT * FROM {table}").fetchall() for table in READ_MODELS}
        for table in READ_MODELS:
            db.execute(f"DROP TABLE IF EXISTS raw_{table}")
            db.execute(f"CREATE TABLE raw_{table} (LIKE {table} INCLUDING ALL)")
        db.commit()
        started = time.perf_counter()
        with db.cursor() as cursor:
            for table, values in rows.items():
                with cursor.copy(f"COPY raw_{table} FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
        db.commit()
        seconds = time.perf_counter() - started
        if not keep:
            for table in READ_MODELS:
                db.execute(f"DROP TABLE raw_{table}")
            db.commit()
        return seconds


def pg_postings(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn) as db:
        db.execute("DROP TABLE IF EXISTS raw_postings")
        db.execute(f"CREATE TABLE raw_postings AS SELECT {POSTINGS_COLUMNS} FROM position_postings")
        db.execute(POSTINGS_INDEX)
        db.execute("ANALYZE raw_postings")


def pg_as_of(dsn: str, pairs: Sequence[tuple[date, datetime]]) -> list[float]:
    import psycopg

    sql = AS_OF_SQL.replace("{p}", "%s")
    timings = []
    with psycopg.connect(dsn) as db:
        for as_of, known_at in pairs:
            started = time.perf_counter()
            db.execute(sql, (as_of, known_at, known_at)).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def pg_monthly(dsn: str, days: Sequence[date], known_at: datetime) -> float:
    import psycopg

    sql = AS_OF_SQL.replace("{p}", "%s")
    with psycopg.connect(dsn) as db:
        started = time.perf_counter()
        for day in days:
            db.execute(sql, (day, known_at, known_at)).fetchall()
        return (time.perf_counter() - started) * 1000


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
