"""Start-up: a command opens the store and loads only what it uses.

Every command pays for what the `capledger` process imports before it does any work. The
migration machinery (Alembic, with Mako and Pygments) is for stores that need migrating, and
the multiprocessing machinery for long verifies and rebuilds: a read of a current store loads
neither. A store that a newer capledger has migrated is refused, not touched.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import text

from ledger.engine import build_engine

from .conftest import Run

UNUSED = ("alembic", "mako", "pygments", "multiprocessing")
LEDGER = ("sqlalchemy", "pydantic", "events", "ledger", "projections", "cli.read", "cli.record")

_COMMAND = """
import sys
from cli.main import capledger
capledger({args!r}, standalone_mode=False)
print(sorted(name for name in {unused!r} if name in sys.modules))
"""


def _loaded_by(*args: str, watched: tuple[str, ...] = UNUSED) -> list[str]:
    """Which of the `watched` modules `capledger ARGS` loads, run in a process of its own."""
    script = _COMMAND.format(args=list(args), unused=watched)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded: list[str] = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return loaded


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
    assert "schema revision 0099, newer than this capledger knows (0003)" in message
    assert message.startswith("Error: cannot open store ")


def test_help_and_version_load_neither_the_ledger_nor_any_command() -> None:
    assert _loaded_by("--help", watched=LEDGER) == []
    assert _loaded_by("--version", watched=LEDGER) == []


def test_a_command_loads_its_own_module_only(run: Run, store_url: str, deals_file: Path) -> None:
    with freeze_time("2026-10-01T12:00:00Z"):
        assert run("record", str(deals_file)).exit_code == 0
    watched = ("cli.read", "cli.record", "cli.chain", "cli.project", "cli.demo.command")
    assert _loaded_by("--db", store_url, "verify", watched=watched) == ["cli.chain"]
