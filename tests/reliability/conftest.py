"""Shared helpers for the reliability tests: the raw store beneath the ledger, the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, text

from cli.main import capledger
from ledger import Ledger
from ledger.engine import parse_url

Run = Callable[..., Result]


def raw_engine(url: str) -> Engine:
    """A plain engine on the store, autocommitting: what an intruder with a SQL shell has."""
    return create_engine(parse_url(url), isolation_level="AUTOCOMMIT")


def drop_triggers(url: str) -> None:
    """Remove the append-only triggers, as someone with the owner's rights could."""
    engine = raw_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER events_refuse_update"))
            connection.execute(text("DROP TRIGGER events_refuse_delete"))
        else:
            connection.execute(text("DROP TRIGGER events_refuse_change ON events"))
            connection.execute(text("DROP TRIGGER events_refuse_truncate ON events"))
    engine.dispose()


def execute(url: str, *statements: str, **params: Any) -> None:
    """Run raw SQL against the store, outside capledger."""
    engine = raw_engine(url)
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement), params)
    engine.dispose()


def state_of(url: str) -> tuple[int, str, list[tuple[Any, ...]]]:
    """Everything a refused call must leave alone: the count, the head hash, every row."""
    engine = raw_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text("SELECT * FROM events ORDER BY 1"))]
    engine.dispose()
    head = rows[-1][-1] if rows else ""
    return len(rows), head, rows


def cli(url: str, *args: str) -> Result:
    """`capledger --db URL ARGS...` in-process; an uncaught exception fails the test."""
    return CliRunner().invoke(capledger, ["--db", url, *args], catch_exceptions=False)


@pytest.fixture
def run(store_url: str) -> Run:
    """`capledger` against this test's store, on each backend."""

    def invoke(*args: str) -> Result:
        return cli(store_url, *args)

    return invoke


def one_line_error(result: Result) -> str:
    """The single line a refused command writes to stderr (asserting it is just one)."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr[:2000])
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[:2000]
    assert lines[0].startswith("Error: "), lines[0][:2000]
    return lines[0]


def open_ledger(url: str) -> Ledger:
    return Ledger.open(url, actor="reliability")
