"""Engines over a store's URL: SQLite embedded in a file, PostgreSQL shared by a team."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .backends import create_backend_engine, driver_url
from .errors import StoreError

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


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
    return create_backend_engine(parse_url(url))
