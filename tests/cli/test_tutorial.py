"""docs/tutorial.md is run as written: every command succeeds and prints what the page shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import capledger

TUTORIAL = Path(__file__).parents[2] / "docs" / "tutorial.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def steps() -> list[tuple[str, str]]:
    """(command, the output the page shows) for every console block, in order."""
    found = []
    for block in BLOCK.findall(TUTORIAL.read_text(encoding="utf-8")):
        command, _, output = block.partition("\n")
        found.append((command.removeprefix("$ "), output.rstrip("\n")))
    return found


def test_the_tutorial_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env: dict[str, str] = {"COLUMNS": "200"}
    for command, shown in steps():
        if command.startswith("export "):
            name, _, value = command.removeprefix("export ").partition("=")
            env[name] = value
            continue
        args = shlex.split(command)
        assert args[0] == "capledger"
        result = runner.invoke(capledger, args[1:], env=env, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.stderr}"
        if shown:
            assert result.stdout.rstrip("\n") == shown, command
