"""Every command has help, and docs/cli.md is exactly what the code's --help says."""

from __future__ import annotations

import importlib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import COMMANDS, capledger
from cli.reference import reference

DESIGN_COMMANDS = {
    "changes",
    "record",
    "positions",
    "history",
    "overdue",
    "timeline",
    "log",
    "verify",
    "project",
    "demo",
    "exposure",
    "flows",
    "publish",
}
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


@pytest.mark.parametrize("name", sorted(DESIGN_COMMANDS))
def test_the_group_lists_each_command_by_the_first_sentence_of_its_own_help(name: str) -> None:
    module, summary = COMMANDS[name]
    command = capledger.get_command(click.Context(capledger), name)
    assert command in importlib.import_module(module).COMMANDS
    assert summary == command.get_short_help_str(limit=1_000)


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_the_list_of_commands_reads_as_click_writes_it_at_any_width(width: int) -> None:
    loaded = click.Group("capledger")
    for name in _commands():
        command = capledger.get_command(click.Context(capledger), name)
        assert command is not None
        loaded.add_command(command)
    written = []
    for group in (capledger, loaded):
        formatter = click.HelpFormatter(width=width)
        group.format_commands(click.Context(group, terminal_width=width), formatter)
        written.append(formatter.getvalue())
    assert written[0] == written[1]
    assert written[0].startswith("Commands:")


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
