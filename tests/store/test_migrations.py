"""The schema is created by migrations on first use and left alone after."""

from __future__ import annotations

from sqlalchemy import inspect

from ledger import Ledger
from ledger.migrate import current_revision, head_revision


def test_first_use_creates_the_schema_at_the_head_revision(store_url: str) -> None:
    ledger = Ledger.open(store_url)
    with ledger.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert "events" in inspect(connection).get_table_names()
    ledger.close()


def test_reopening_a_store_keeps_what_it_holds(store_url: str) -> None:
    from .conftest import make_pending

    with Ledger.open(store_url) as ledger:
        ledger.append([make_pending("a", 1)])
    with Ledger.open(store_url) as ledger:
        assert ledger.count() == 1
        assert ledger.verify().intact
