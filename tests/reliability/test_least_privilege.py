"""Least privilege on PostgreSQL: a writer that can only append, a reader that can only read.

The roles and GRANTs are those documented in docs/reliability.md. The writer records and cannot
change or delete an event even with the triggers dropped; the reader reads everything and
cannot record. A password given in a database URL never appears in any message or log.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from cli.main import capledger
from ledger import Ledger
from projections import attach, positions
from tests.conftest import postgres_url

from .conftest import cli, drop_triggers, one_line_error, open_ledger, state_of
from .workload import delivery, made

pytestmark = pytest.mark.postgres

READ_MODELS = (
    "position_postings",
    "position_buckets",
    "tranche_schedule",
    "projection_checkpoints",
)


def grants(schema: str, writer: str, reader: str) -> list[str]:
    """The statements an operator runs once, after the owner created the store (documented)."""
    read_models = ", ".join(READ_MODELS)
    return [
        f"CREATE ROLE {writer} LOGIN",
        f"CREATE ROLE {reader} LOGIN",
        f"GRANT USAGE ON SCHEMA {schema} TO {writer}, {reader}",
        f"GRANT SELECT, INSERT ON events TO {writer}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {read_models} TO {writer}",
        f"GRANT SELECT ON alembic_version TO {writer}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reader}",
    ]


@dataclass
class Roles:
    owner: str
    writer: str
    reader: str
    writer_name: str


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


@pytest.fixture
def roles() -> Iterator[Roles]:
    owner = postgres_url()
    schema = make_url(owner).query["options"].split("=", 1)[1]  # type: ignore[union-attr]
    suffix = uuid.uuid4().hex[:10]
    writer, reader = f"capledger_writer_{suffix}", f"capledger_reader_{suffix}"
    with open_ledger(owner) as ledger:  # the owner creates the store: migrations need CREATE
        attach(ledger)
        ledger.record([made("aws-anthropic"), delivery("aws-anthropic", "2")])
    admin = create_engine(make_url(owner), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in grants(schema, writer, reader):
                connection.execute(text(statement))
        yield Roles(owner, _as(owner, writer), _as(owner, reader), writer)
    finally:
        with admin.connect() as connection:
            for role in (writer, reader):  # roles are cluster-wide: never leave them behind
                connection.execute(text(f"DROP OWNED BY {role}"))
                connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_the_writer_records_and_reads_positions(roles: Roles) -> None:
    with Ledger.open(roles.writer) as ledger:
        attach(ledger)
        ledger.record([delivery("aws-anthropic", "3")])
        rows = positions(ledger, by=("commitment", "resource"), as_of=None)
        assert ledger.verify().intact
    delivered = {row.resource: row.delivered for row in rows}
    assert str(delivered["gw"]) == "5"
    line = json.dumps(delivery("aws-anthropic", "1", effective="2026-07-01"))
    result = CliRunner().invoke(
        capledger,
        ["--db", roles.writer, "record", "-"],
        input=line + "\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "recorded 1 events (0 already present)\n"


def test_the_writer_cannot_change_or_delete_events_even_without_the_triggers(
    roles: Roles,
) -> None:
    drop_triggers(roles.owner)
    before = state_of(roles.owner)
    engine = create_engine(make_url(roles.writer), isolation_level="AUTOCOMMIT")
    statements = ["UPDATE events SET payload = '{}'", "DELETE FROM events", "TRUNCATE events"]
    for statement in statements:
        with pytest.raises(ProgrammingError, match="permission denied"), engine.connect() as c:
            c.execute(text(statement))
    engine.dispose()
    assert state_of(roles.owner) == before


def test_the_reader_reads_everything_and_cannot_record(roles: Roles, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = state_of(roles.owner)
    for command in (["positions"], ["history", "aws-anthropic"], ["log"], ["verify"], ["timeline"]):
        result = cli(roles.reader, *command)
        assert result.exit_code == 0, (command, result.stderr)
    path = tmp_path / "more.jsonl"
    path.write_text(
        '{"type": "DeliveryRecorded", "commitment": "aws-anthropic", '
        '"effective": "2026-07-01", "amounts": {"gw": "1"}}\n'
    )
    line = one_line_error(cli(roles.reader, "record", str(path)))
    assert "permission denied" in line
    with (
        pytest.raises(ProgrammingError, match="permission denied"),
        Ledger.open(roles.reader) as led,
    ):
        led.record([delivery("aws-anthropic", "1", effective="2026-07-02")])
    assert state_of(roles.owner) == before


def test_a_reader_behind_the_log_is_told_in_one_line_until_a_writer_catches_up(
    roles: Roles,
) -> None:
    with Ledger.open(roles.writer) as ledger:  # a writer that keeps no read models current
        ledger.record([delivery("aws-anthropic", "1", effective="2026-08-01")])
    line = one_line_error(cli(roles.reader, "positions"))
    assert "permission denied" in line
    assert cli(roles.writer, "project").exit_code == 0
    assert cli(roles.reader, "positions").exit_code == 0


# -- passwords in URLs --------------------------------------------------------------------------

SECRET = "S3cretPassw0rd"
CLOSED_PORT = f"postgresql://postgres:{SECRET}@127.0.0.1:1/capledger"
BAD_PORT = f"postgresql://postgres:{SECRET}@127.0.0.1:notaport/postgres"
BAD_URLS = [
    f"postgresql://postgres:{SECRET}@127.0.0.1:5432/no_such_database_xyz",
    CLOSED_PORT,
    f"postgresql://nobody_{uuid.uuid4().hex[:6]}:{SECRET}@127.0.0.1:5432/postgres",
    f"postgresql+nosuchdriver://postgres:{SECRET}@127.0.0.1:5432/postgres",
    BAD_PORT,
    f"postgresql://postgres:{SECRET}@no-such-host.invalid:5432/postgres",
    f"mysql://postgres:{SECRET}@127.0.0.1:3306/ledger",
]
# Refused, the password masked, but not yet in one line (see docs/reliability.md, "Known gaps").
COMMANDS = (["positions"], ["record", "-"], ["verify"])


def _url_id(url: str) -> str:
    return url.split("@")[1][:40]


@pytest.mark.parametrize("url", BAD_URLS, ids=_url_id)
def test_a_password_in_a_failing_url_is_never_printed(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    postgres_url()  # skips without a server, like every PostgreSQL test
    caplog.set_level(logging.DEBUG)
    for command in COMMANDS:
        result = CliRunner().invoke(capledger, ["--db", url, *command])
        shown = result.stdout + result.stderr + caplog.text
        if result.exc_info is not None:  # even a traceback must not show it
            shown += "".join(traceback.format_exception(*result.exc_info))
        assert result.exit_code != 0
        assert SECRET not in shown


@pytest.mark.parametrize("url", BAD_URLS, ids=_url_id)
def test_a_failing_url_is_refused_in_one_line_with_the_password_masked(url: str) -> None:
    postgres_url()
    for command in COMMANDS:
        line = one_line_error(cli(url, *command))
        assert "***" in line or "unsupported backend" in line or "Can't load plugin" in line, line


def test_a_password_in_a_working_url_is_never_printed(caplog: pytest.LogCaptureFixture) -> None:
    url = make_url(postgres_url()).set(password=SECRET).render_as_string(hide_password=False)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    Ledger.open(url).close()  # an empty ledger: the readers refuse a store that holds none
    outputs = [cli(url, *command) for command in (["verify"], ["positions"], ["log"])]
    for result in outputs:
        assert result.exit_code == 0, result.stderr
        assert SECRET not in result.stdout + result.stderr
    with Ledger.open(url) as ledger:
        assert SECRET not in ledger.url and SECRET not in repr(ledger.engine)
    assert SECRET not in caplog.text
