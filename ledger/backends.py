"""What differs between the two backends, SQLite and PostgreSQL, and only that.

Every other module of the store asks here rather than testing the backend itself: how an
engine is configured, how a URL names the driver, the driver's parameter mark, how a query
selects rows among many values, how writers and migrators queue, how rows are inserted in
bulk, where a datetime is kept as text, and which databases other processes cannot reach.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Dialect,
    Engine,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from .errors import StoreError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

SQLITE_BUSY_TIMEOUT_MS = 60_000
SQLITE_CACHE_KIB = 16 * 1024

# -- engines ------------------------------------------------------------------------------


def driver_url(parsed: URL) -> URL:
    """The URL with `postgresql://` (or `postgres://`) read as the psycopg 3 driver."""
    if parsed.drivername in (POSTGRESQL, "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_backend_engine(url: URL) -> Engine:
    """An engine configured for the ledger's transactions on the URL's backend."""
    backend = url.get_backend_name()
    if backend == SQLITE:
        return _sqlite_engine(url)
    if backend == POSTGRESQL:
        return create_engine(url, pool_pre_ping=True)
    raise StoreError(f"unsupported backend {backend!r}: use sqlite or postgresql")


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


def may_hold_ledger(url: URL) -> bool:
    """Whether the store at `url` may hold a ledger, found without creating or changing
    anything: False for an in-memory SQLite database, a SQLite file that does not exist or has
    no schema revision table; True otherwise (PostgreSQL is asked once connected)."""
    if url.get_backend_name() != SQLITE or url.query.get("uri"):
        return True
    if url.database in (None, "", ":memory:"):
        return False
    path = Path(url.database)
    if not path.is_file():
        return False
    import sqlite3  # here: a PostgreSQL store never needs it

    # Read-only, through the standard driver: the engine's connections would switch a foreign
    # file to WAL, and a missing one would be created.
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as file:
            found = file.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.DatabaseError:
        return True  # not a database, or locked: opening it says what is wrong
    return found is not None


def private_to_its_connection(url: URL) -> bool:
    """Whether the database is one no other process can reach (an in-memory SQLite database is
    private to the connection that made it)."""
    return url.get_backend_name() == SQLITE and url.database in (None, "", ":memory:")


def keeps_naive_text(dialect: Dialect) -> bool:
    """Whether datetimes are stored as text, naive UTC, so that text order is time order
    (SQLite has no datetime type)."""
    return dialect.name == SQLITE


def mark(dialect: Dialect) -> str:
    """The driver's placeholder for one parameter ("?" for sqlite3, "%s" for psycopg)."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


# -- selecting rows among many values -----------------------------------------------------

# Keeps IN (...) lists within every backend's limit on bound parameters.
CHUNK = 500

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


AMONG = "capledger_among"
"""The name of the parameter that `among`'s clauses take their values from."""

_AMONG: dict[tuple[Column[Any], str], ColumnElement[bool]] = {}


def among(
    connection: Connection, column: Column[Any], values: Sequence[Any]
) -> Iterator[tuple[ColumnElement[bool], dict[str, Any]]]:
    """Where-clauses, each with its parameters, that together select the rows whose `column` is
    one of `values`: `connection.execute(select(...).where(clause), parameters)`.

    PostgreSQL gets a single `column = ANY(array)`: one statement and one plan however many
    values (IN lists of many parameters cost a plan each); other backends IN lists of CHUNK.
    The clause is made once per column and backend and takes its values as a parameter: a
    clause made per call leaves cyclic garbage (SQLAlchemy's bound parameters, holding the
    values) that only the garbage collector frees, and an import keeps the collector waiting.
    """
    if not values:
        return
    dialect = connection.dialect.name
    clause = _AMONG.get((column, dialect))
    if clause is None:
        if dialect == POSTGRESQL:
            array = bindparam(AMONG, type_=ARRAY(column.type))
            clause = column == any_(array)
        else:
            clause = column.in_(bindparam(AMONG, expanding=True))
        _AMONG[(column, dialect)] = clause
    if dialect == POSTGRESQL:
        yield clause, {AMONG: list(values)}
        return
    for part in chunks(values):
        yield clause, {AMONG: list(part)}


# -- queueing writers and migrators -------------------------------------------------------


def lock_tail(connection: Connection) -> None:
    """Make this transaction the only writer until it ends.

    SQLite writers already hold the lock (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped
    advisory lock per schema, so that concurrent writers queue instead of forking the chain.
    """
    if connection.dialect.name == POSTGRESQL:
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('capledger-append:' || current_schema()))")
        )
        # Every query of the write path is an index lookup. A store filled by one large
        # transaction has no statistics yet, and the planner, taking the table for tiny, would
        # scan it whole for each lookup: an import would slow down as it grows.
        connection.execute(text("SET LOCAL enable_seqscan = off"))


def lock_migrations(connection: Connection) -> None:
    """Make this transaction the only migrator of the store until it ends.

    SQLite migrators already hold the lock (BEGIN IMMEDIATE); on PostgreSQL one migrator at a
    time per schema goes on, and the others wait, then find nothing to do.
    """
    if connection.dialect.name == POSTGRESQL:
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('capledger-migrate:' || current_schema()))")
        )


# -- bulk inserts -------------------------------------------------------------------------


def insert_converted(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows whose values are already as the driver takes them (see
    `bulk_insert.converted`): `COPY` on PostgreSQL, `executemany` on SQLite."""
    if not rows:
        return
    dialect = connection.dialect
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    if dialect.name == POSTGRESQL:
        quoted = dialect.identifier_preparer.quote(table.name)
        statement = f"COPY {quoted} ({names}) FROM STDIN"
        driver = connection.connection.driver_connection
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy reports driver errors (IntegrityError, ProgrammingError, ...).
            raise DBAPIError.instance(
                statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return
    marks = ", ".join(mark(dialect) for _ in columns)
    quoted = dialect.identifier_preparer.format_table(table)
    connection.exec_driver_sql(f"INSERT INTO {quoted} ({names}) VALUES ({marks})", rows)
