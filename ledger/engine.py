"""Engines for the two backends: SQLite embedded in a file, PostgreSQL shared by a team."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 60_000
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
SQLITE_CACHE_KIB = 16 * 1024

TRANSACTION_INFO_PREFIX = "capledger.transaction."
"""Keys of `connection.info` under this prefix live for one transaction: every engine drops them
when it commits or rolls back (pooled connections keep their info, and what one transaction
held must neither leak into the next nor stay in memory while the connection waits in the pool)."""


def parse_url(url: str | URL) -> URL:
    """A SQLAlchemy URL, with `postgresql://` read as the psycopg 3 driver."""
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 - a malformed port only shows when read
    except (ArgumentError, ValueError) as error:
        raise StoreError(f"not a database URL: {safe_url(str(url))}") from error
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL with any password masked, fit for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not a URL SQLAlchemy can render: still say which, with the password masked by hand.
        return _PASSWORD.sub(r"\1***@", str(url))


def build_engine(url: str | URL) -> Engine:
    """An engine configured for the ledger's transactions on its backend."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True)
    else:
        backend = parsed.get_backend_name()
        raise StoreError(f"unsupported backend {backend!r}: use sqlite or postgresql")
    event.listen(engine, "commit", forget_transaction)
    event.listen(engine, "rollback", forget_transaction)
    return engine


def forget_transaction(connection: Connection) -> None:
    """Drop every transaction-scoped entry of `connection.info` (the transaction has ended)."""
    info = connection.info
    for key in [key for key in info if str(key).startswith(TRANSACTION_INFO_PREFIX)]:
        del info[key]


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that writers can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        # The write path re-reads the streams a batch touches; the default 2 MB page cache
        # sends those reads to the OS one page at a time.
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        # Builds of SQLite that zero every byte a delete frees (Debian's) write each page a
        # rebuild empties: 2.9 s against 0.3 s to clear the read models of a million events.
        # Nothing the ledger deletes is secret (read-model rows, derived from the events
        # kept), so only what costs no extra write is zeroed.
        cursor.execute("PRAGMA secure_delete = FAST")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("capledger_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
