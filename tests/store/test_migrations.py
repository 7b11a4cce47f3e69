"""The schema is created by migrations on first use and left alone after."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, insert, inspect, select, text

from ledger import Ledger, StoreError
from ledger.engine import build_engine
from ledger.migrate import HEAD, MIGRATIONS, REVISIONS, current_revision, head_revision
from ledger.schema import events
from projections import positions, project
from projections.read_models.tables import (
    position_buckets,
    position_postings,
    projection_checkpoints,
)


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


def test_a_store_at_revision_0002_gets_buckets_and_its_position_postings_rebuilt(
    store_url: str,
) -> None:
    engine = build_engine(store_url)
    with engine.connect() as connection, connection.begin():
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    old = Ledger(engine)
    receipt = old.record(
        [
            {
                "type": "CommitmentMade",
                "commitment": "floor",
                "effective": "2024-12-01",
                "provider": "amazon",
                "holder": "anthropic",
                "kind": "spend",
                "bound": "at_least",
                "amounts": {"usd": "100"},
            },
            {
                "type": "DeliveryRecorded",
                "commitment": "floor",
                "effective": "2025-01-15",
                "amounts": {"usd": "130"},
            },
        ]
    )
    with engine.begin() as connection:  # what 0002's projections had written, without excess
        row = {"commitment": "floor", "holder": "anthropic", "provider": "amazon", "kind": "spend"}
        connection.execute(
            insert(position_postings),
            [
                {**row, "resource": "usd", "measure": measure, "effective": day, "units": units}
                | {"nanos": 0, "known_from": receipt.recorded_at, "known_until": None}
                for measure, day, units in (
                    ("committed", date(2024, 12, 1), 100),
                    ("delivered", date(2025, 1, 15), 130),
                )
            ],
        )
        connection.execute(
            insert(projection_checkpoints).values(name="position_postings", position=2)
        )
    old.close()

    with Ledger.open(store_url) as ledger:
        with ledger.engine.connect() as connection:
            assert current_revision(connection) == head_revision()
            count = select(func.count()).select_from(position_postings)
            assert connection.execute(count).scalar_one() == 0
        (row,) = positions(ledger, as_of=date(2025, 2, 1))
        assert (row.committed, row.delivered, row.outstanding) == (100, 130, 0)
        with ledger.engine.connect() as connection:
            buckets = sorted(tuple(r) for r in connection.execute(select(position_buckets)))
        assert [bucket[4:6] for bucket in buckets] == [
            ("month", date(2024, 12, 1)),
            ("month", date(2025, 1, 1)),
            ("year", date(2024, 1, 1)),
            ("year", date(2025, 1, 1)),
        ]
        project(ledger, rebuild=True)
        with ledger.engine.connect() as connection:
            assert sorted(tuple(r) for r in connection.execute(select(position_buckets))) == buckets


def test_a_store_at_revision_0003_gets_its_positions_rebuilt_with_ceiling_and_floor(
    store_url: str,
) -> None:
    engine = build_engine(store_url)
    with engine.connect() as connection, connection.begin():
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    old = Ledger(engine)
    receipt = old.record(
        [
            {
                "type": "CommitmentMade",
                "commitment": "up-to",
                "effective": "2024-12-01",
                "provider": "amazon",
                "holder": "anthropic",
                "kind": "investment",
                "bound": "up_to",
                "amounts": {"usd": "25"},
            }
        ]
    )
    with engine.begin() as connection:  # what 0003's projections had written: no ceiling
        connection.execute(
            insert(position_postings).values(
                commitment="up-to",
                holder="anthropic",
                provider="amazon",
                kind="investment",
                resource="usd",
                measure="committed",
                effective=date(2024, 12, 1),
                units=25,
                nanos=0,
                known_from=receipt.recorded_at,
            )
        )
        connection.execute(
            insert(projection_checkpoints).values(name="position_postings", position=1)
        )
    old.close()

    with Ledger.open(store_url) as ledger:
        with ledger.engine.connect() as connection:
            assert current_revision(connection) == head_revision()
            count = select(func.count()).select_from(position_postings)
            assert connection.execute(count).scalar_one() == 0
        (row,) = positions(ledger, as_of=date(2025, 2, 1))
        assert (row.committed, row.ceiling, row.floor) == (25, 25, 0)
        with ledger.engine.connect() as connection:
            buckets = sorted(tuple(r) for r in connection.execute(select(position_buckets)))
        project(ledger, rebuild=True)
        with ledger.engine.connect() as connection:
            assert sorted(tuple(r) for r in connection.execute(select(position_buckets))) == buckets


def test_the_revisions_capledger_knows_are_those_of_its_migration_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    in_order = [script.revision for script in reversed(list(scripts.walk_revisions()))]
    assert tuple(in_order) == REVISIONS
    assert head_revision() == HEAD == REVISIONS[-1]


def test_opening_a_current_store_leaves_the_migration_machinery_unloaded(store_url: str) -> None:
    Ledger.open(store_url).close()  # created and migrated here
    opened_again = (
        "import sys\n"
        "from ledger import Ledger\n"
        f"Ledger.open({store_url!r}).close()\n"
        "print(sorted(name for name in ('alembic', 'mako') if name in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", opened_again], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_a_store_at_a_revision_newer_than_capledger_knows_is_refused_untouched(
    store_url: str,
) -> None:
    from .conftest import make_pending

    with Ledger.open(store_url) as ledger:
        ledger.append([make_pending("a", 1)])
        with ledger.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(StoreError, match=r"schema revision 0099, newer than this capledger knows"):
        Ledger.open(store_url)
    engine = build_engine(store_url)
    with engine.connect() as connection:
        assert current_revision(connection) == "0099"
        assert connection.execute(select(func.count()).select_from(events)).scalar_one() == 1
    engine.dispose()


def test_a_store_at_revision_0004_gets_an_empty_table_of_relay_checkpoints(
    store_url: str,
) -> None:
    from .conftest import make_pending

    engine = build_engine(store_url)
    with engine.connect() as connection, connection.begin():
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with engine.connect() as connection:
        assert "feed_checkpoints" not in inspect(connection).get_table_names()
    Ledger(engine).append([make_pending("a", 1)])
    engine.dispose()

    with Ledger.open(store_url) as ledger, ledger.engine.connect() as connection:
        assert current_revision(connection) == HEAD
        columns = [column["name"] for column in inspect(connection).get_columns("feed_checkpoints")]
        assert columns == ["destination", "position", "sequence", "acknowledged_at"]
        assert (
            connection.execute(
                select(func.count()).select_from(text("feed_checkpoints"))
            ).scalar_one()
            == 0
        )
        assert ledger.count() == 1
