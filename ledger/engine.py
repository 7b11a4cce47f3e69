"""Engines over a store's URL (SQLite embedded in a file, PostgreSQL shared by a team), which
drop what a transaction kept in its connection's info when it ends."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .backends import create_backend_engine, driver_url
from .errors import StoreError

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")

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
    return driver_url(parsed)


def safe_url(url: str | URL) -> str:
    """The URL with any password masked, fit for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not a URL SQLAlchemy can render: still say which, with the password masked by hand.
        return _PASSWORD.sub(r"\1***@", str(url))


def build_engine(url: str | URL) -> Engine:
    """An engine configured for the ledger's transactions on its backend."""
    engine = create_backend_engine(parse_url(url))
    event.listen(engine, "commit", forget_transaction)
    event.listen(engine, "rollback", forget_transaction)
    return engine


def forget_transaction(connection: Connection) -> None:
    """Drop every transaction-scoped entry of `connection.info` (the transaction has ended)."""
    info = connection.info
    for key in [key for key in info if str(key).startswith(TRANSACTION_INFO_PREFIX)]:
        del info[key]
