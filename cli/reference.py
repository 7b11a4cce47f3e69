"""Render every command's --help into Markdown: `python -m cli.reference > docs/cli.md`.

A test renders it again and compares, so the reference can never drift from the code.
"""

from __future__ import annotations

import click

from .main import capledger

HEADER = """# Command line reference

Generated from `capledger --help` by `python -m cli.reference > docs/cli.md`; a test checks that
it matches the code.

Exit status: 0 done, 1 refused (a rule, a conflict, a broken chain, bad input), 2 usage, a
knowledge instant the store cannot take (`record --recorded-at`, `--as-reported`) or a `changes`
that is not one (the two ends reversed, both times moved, or neither). Errors are one line on
standard error: `Error: FILE:LINE: field: what is wrong`.
"""


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    settings = capledger.context_settings if parent is None else {}
    context = click.Context(command, info_name=name, parent=parent, terminal_width=100, **settings)
    return command.get_help(context)


def reference() -> str:
    """The whole reference as Markdown."""
    root = click.Context(
        capledger, info_name="capledger", terminal_width=100, **capledger.context_settings
    )
    parts = [HEADER, "## capledger\n", "```text", _help(capledger, "capledger", None), "```\n"]
    for name in sorted(capledger.list_commands(root)):
        command = capledger.get_command(root, name)
        assert command is not None
        parts += [f"## capledger {name}\n", "```text", _help(command, name, root), "```\n"]
    return "\n".join(parts)


if __name__ == "__main__":
    click.echo(reference(), nl=False)
