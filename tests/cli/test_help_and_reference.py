"""Every command has help, and docs/cli.md is exactly what the code's --help says."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import capledger
from cli.reference import reference

DESIGN_COMMANDS = {"record", "positions", "history", "timeline", "log", "verify", "project", "demo"}
DOCS = Path(__file__).parents[2] / "docs"


def _commands() -> list[str]:
    return sorted(capledger.list_commands(click.Context(capledger)))


def test_the_commands_are_those_of_the_design() -> None:
    assert set(_commands()) == DESIGN_COMMANDS


@pytest.mark.parametrize("name", sorted(DESIGN_COMMANDS))
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_help(name: str, flag: str) -> None:
    result = CliRunner().invoke(capledger, [name, flag])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: capledger {name}")
    command = capledger.get_command(click.Context(capledger), name)
    assert command is not None and command.help and len(command.help) > 20


def test_every_command_is_documented_in_the_reference() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in DESIGN_COMMANDS:
        assert f"## capledger {name}\n" in text


def test_the_reference_matches_the_code() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is stale: run `python -m cli.reference > docs/cli.md`"
    )


def test_version_is_printed() -> None:
    result = CliRunner().invoke(capledger, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("capledger, version ")


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(capledger, ["reserve"])
    assert result.exit_code == 2
    assert "No such command 'reserve'" in result.stderr
