"""Start-up: a command opens the store and loads only what it uses.

Every command pays for what the `capledger` process imports before it does any work. The
migration machinery (Alembic, with Mako and Pygments) is for stores that need migrating, the
multiprocessing machinery for long verifies and rebuilds, matplotlib for charts, the package
metadata for `--version`, and PostgreSQL's driver for PostgreSQL: a read of a current store
loads none of them, and `--help` loads nothing of the ledger. A store that a newer capledger
has migrated is refused, not touched. Each is run as `capledger ...` is, in a process of its
own (whose imports, once loaded, the collector leaves out of its walks); nothing here is timed.
"""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from freezegun import freeze_time
from sqlalchemy import text

from cli.main import capledger
from ledger.engine import build_engine
from ledger.migrate import HEAD

from .conftest import Run

UNUSED = ("alembic", "mako", "pygments", "multiprocessing", "matplotlib", "cli.chart")
LEDGER = ("sqlalchemy", "pydantic", "events", "ledger", "projections", "cli.read", "cli.record")
METADATA = ("importlib.metadata",)
POSTGRESQL = ("psycopg", "psycopg_pool")

_COMMAND = """
import gc
import sys
from cli.main import main
sys.argv = ["capledger", *{args!r}]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print(repr((sorted(name for name in {watched!r} if name in sys.modules), gc.get_freeze_count())))
"""


def _run_alone(*args: str, watched: tuple[str, ...]) -> tuple[list[str], int]:
    """`capledger ARGS` in a process of its own, as the console script runs it: which of the
    `watched` modules it loaded, and how many objects it left out of the collector's walks."""
    script = _COMMAND.format(args=list(args), watched=watched)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found: tuple[list[str], int] = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return found


def _loaded_by(*args: str, watched: tuple[str, ...] = UNUSED) -> list[str]:
    """Which of the `watched` modules `capledger ARGS` loads, run in a process of its own."""
    return _run_alone(*args, watched=watched)[0]


def test_positions_on_a_current_store_loads_no_migration_or_worker_machinery(
    run: Run, store_url: str, deals_file: Path
) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0
    assert _loaded_by("--db", store_url, "positions", "--as-of", "2026-10-01") == []


def test_the_first_command_on_a_new_store_migrates_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert "alembic" in _loaded_by("--db", url, "positions", "--as-of", "2026-10-01")
    assert _loaded_by("--db", url, "positions", "--as-of", "2026-10-01") == []


def test_a_store_newer_than_this_capledger_is_refused_in_one_line(
    run: Run, store_url: str, deals_file: Path
) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0
    engine = build_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    result = run("positions", "--as-of", "2026-10-01")
    assert result.exit_code != 0
    (message,) = result.output.strip().splitlines()
    assert f"schema revision 0099, newer than this capledger knows ({HEAD})" in message
    assert message.startswith("Error: cannot open store ")


def test_help_and_version_load_neither_the_ledger_nor_any_command() -> None:
    assert _loaded_by("--help", watched=LEDGER) == []
    assert _loaded_by("--version", watched=LEDGER) == []


def test_help_does_not_read_the_package_metadata_that_only_version_shows() -> None:
    assert _loaded_by("--help", watched=METADATA + UNUSED) == []
    assert _loaded_by("--version", watched=METADATA) == ["importlib.metadata"]


def test_positions_on_a_small_sqlite_ledger_loads_no_postgresql_driver(
    tmp_path: Path, deals_file: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'small.db'}"
    with freeze_time("2026-10-01T12:00:00Z"):
        recorded = CliRunner().invoke(capledger, ["--db", url, "record", str(deals_file)])
    assert recorded.exit_code == 0, recorded.output
    watched = POSTGRESQL + UNUSED
    assert _loaded_by("--db", url, "positions", "--as-of", "2026-10-01", watched=watched) == []


def test_the_console_script_leaves_a_commands_imports_out_of_the_collectors_walks(
    store_url: str,
) -> None:
    assert _run_alone("--db", store_url, "positions", watched=())[1] > 0
    assert _run_alone("--help", watched=())[1] == 0


def test_a_command_run_inside_a_program_leaves_the_collector_as_it_found_it(run: Run) -> None:
    assert run("positions", "--as-of", "2026-10-01").exit_code == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_command_loads_its_own_module_only(run: Run, store_url: str, deals_file: Path) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0
    watched = ("cli.read", "cli.record", "cli.chain", "cli.project", "cli.demo.command")
    assert _loaded_by("--db", store_url, "verify", watched=watched) == ["cli.chain"]
