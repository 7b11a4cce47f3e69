"""Bring a store's schema to the newest revision, on first use and after upgrades."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this version of capledger knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a store is at, or None for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate the store to the head revision; safe when several processes start at once."""
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return
    with engine.connect() as connection:
        connection = connection.execution_options(capledger_begin="IMMEDIATE")
        with connection.begin():
            if engine.dialect.name == "postgresql":
                # One migrator at a time per schema; the others wait, then find nothing to do.
                connection.execute(
                    text(
                        "SELECT pg_advisory_xact_lock(hashtext('capledger-migrate:' "
                        "|| current_schema()))"
                    )
                )
            if current_revision(connection) != head:
                command.upgrade(_config(connection), "head")
