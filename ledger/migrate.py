"""Bring a store's schema to the newest revision, on first use and after upgrades.

Opening a store that is already current is one query, without Alembic: the migration machinery
(Alembic, Mako, Pygments) costs more to import than the query it would run, on every command.
It is loaded only when a store needs migrating.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from .backends import lock_migrations, may_hold_ledger
from .engine import build_engine, parse_url, safe_url
from .errors import NoLedger, StoreError
from .interrupts import all_or_nothing

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

REVISIONS = ("0001", "0002", "0003", "0004", "0005")
"""The schema revisions this version of capledger knows, oldest first: the `revision` of each
file in migrations/versions (a test holds the two together)."""
HEAD = REVISIONS[-1]

VERSION_TABLE = "alembic_version"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a store is at, or None for an empty database (as Alembic records it: one
    row in its version table, in the connection's default schema)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    found = list(versions)
    if len(found) > 1:  # never written by capledger's linear history
        raise StoreError(f"the store is at several schema revisions at once: {found}")
    return found[0] if found else None


def upgrade(engine: Engine) -> None:
    """Migrate the store to the head revision; safe when several processes start at once."""
    with engine.connect() as connection:
        current = current_revision(connection)
    if current == HEAD:
        return
    if current is not None and current not in REVISIONS:
        raise StoreError(
            f"the store is at schema revision {current}, newer than this capledger knows "
            f"({HEAD}): upgrade capledger to open it"
        )
    from alembic import command

    with engine.connect() as connection:
        connection = connection.execution_options(capledger_begin="IMMEDIATE")
        with all_or_nothing(connection):
            lock_migrations(connection)  # the others wait, then find nothing to do
            if current_revision(connection) != HEAD:
                command.upgrade(_config(connection), "head")


def open_migrated(url: str | URL, *, create: bool = True) -> Engine:
    """The engine of the store at a SQLAlchemy URL, created or migrated to the head revision on
    first use; a store that cannot be opened is refused in one line.

    Without `create`, a store that holds no ledger (a missing SQLite file, a database or
    schema without the ledger's tables) is refused with NoLedger, and nothing is created: no
    file, no table."""
    parsed = parse_url(url)
    if not create and not may_hold_ledger(parsed):
        raise NoLedger(f"no ledger at {safe_url(url)}")
    engine = build_engine(parsed)
    try:
        if not create:
            with engine.connect() as connection:
                if current_revision(connection) is None:
                    raise NoLedger(f"no ledger at {safe_url(url)}")
        upgrade(engine)
    except NoLedger:
        engine.dispose()
        raise
    except OperationalError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0]
        raise StoreError(f"cannot open store {safe_url(url)}: {reason}") from None
    except StoreError as error:
        engine.dispose()
        raise StoreError(f"cannot open store {safe_url(url)}: {error}") from None
    return engine
