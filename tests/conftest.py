"""Fixtures shared by every test: a store on each backend, a frozen clock.

PostgreSQL tests run against a throwaway database made for this test run (dropped at the end),
with a fresh schema for each test. Without a server they skip, saying why; under CI=true a
missing server or a skipped PostgreSQL test fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger import Ledger

ADMIN_URL = os.environ.get(
    "CAPLEDGER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class PostgresServer:
    """A database of our own on the local server, created on first use."""

    def __init__(self) -> None:
        self.database = f"capledger_test_{uuid.uuid4().hex[:10]}"
        self.unavailable: str | None = None
        self.created = False

    def _admin(self):  # type: ignore[no-untyped-def]
        return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")

    def ensure(self) -> None:
        if self.created or self.unavailable:
            return
        try:
            engine = self._admin()
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.database}"'))
            engine.dispose()
            self.created = True
        except Exception as error:
            where = make_url(ADMIN_URL).render_as_string(hide_password=True)
            self.unavailable = f"PostgreSQL not reachable at {where}: {type(error).__name__}"

    def url_for_schema(self, schema: str) -> str:
        base = make_url(ADMIN_URL).set(database=self.database)
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop(self) -> None:
        if not self.created:
            return
        engine = self._admin()
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        engine.dispose()


_POSTGRES = PostgresServer()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _POSTGRES.drop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and "postgres" in item.keywords and not hasattr(report, "wasxfail"):
        # Under CI a skipped PostgreSQL test is a failure: the backend must be exercised.
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped under CI=true: {report.longrepr}"
    elif IN_CI and report.skipped and "nats" in item.keywords:
        # Likewise the NATS tests: .ci/run starts a server when none answers.
        report.outcome = "failed"
        report.longrepr = f"NATS test skipped under CI=true: {report.longrepr}"


def postgres_url() -> str:
    """A fresh, empty schema on the test server, as a SQLAlchemy URL."""
    _POSTGRES.ensure()
    if _POSTGRES.unavailable:
        if IN_CI:
            pytest.fail(f"CI=true but {_POSTGRES.unavailable}")
        pytest.skip(_POSTGRES.unavailable)
    return _POSTGRES.url_for_schema(f"t_{uuid.uuid4().hex[:12]}")


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'capledger.db'}"
    return postgres_url()


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A factory of fresh, empty stores on each backend (for hypothesis: one per example)."""
    counter = iter(range(1_000_000))

    def make() -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / f'store-{next(counter)}.db'}"
        return postgres_url()

    return make


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite store's URL, for tests about SQLite itself."""
    return f"sqlite:///{tmp_path / 'capledger.db'}"


@pytest.fixture
def ledger(store_url: str) -> Iterator[Ledger]:
    """An opened, empty ledger on each backend, recording as `tester`."""
    led = Ledger.open(store_url, actor="tester")
    yield led
    led.close()


@pytest.fixture
def nats_url(request: pytest.FixtureRequest) -> str:
    """The URL of a NATS server with JetStream (the machine's); skips, saying why, without one
    (under CI=true, fails)."""
    from tests.nats_servers import NATS_URL, nats_answers

    request.node.add_marker(pytest.mark.nats)
    missing = nats_answers(NATS_URL)
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)
    return NATS_URL


@pytest.fixture
def stream(nats_url: str) -> Iterator[str]:
    """A JetStream stream name of this test's own, deleted when it ends."""
    from tests.nats_servers import delete_stream, unique_stream

    name = unique_stream()
    yield name
    delete_stream(nats_url, name)
