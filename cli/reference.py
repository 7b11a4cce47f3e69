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
knowledge instant the store cannot take (`record --recorded-at`, `--as-reported`), a `changes`
that is not one (the two ends reversed, both times moved, or neither), a store that holds no
ledger, or a filter value the ledger has never held (`--holder anthropc`: no holder is named
that, and the nearest names are suggested; a name it holds that matches no row at the date
asked about prints `(no rows)` and exits 0), 130 interrupted by Ctrl-C (`interrupted: nothing
recorded`, or `interrupted after the commit: N events recorded (positions A to B)`). Errors are
one line on standard error: `Error: FILE:LINE: field: what is wrong`.

Only `record` and `demo` create a store. Every other command refuses a store that holds no
ledger (`no ledger at URL; create one with record or demo`) and creates nothing: no SQLite
file, no table in a PostgreSQL database or schema.

Instants are printed as the flags take them, ISO 8601 in UTC:
`2026-12-05T23:18:12.481101Z`. `--known-at`, `--recorded-at` and the other instant flags also
take any offset (`+02:00`), a space for the `T`, a trailing `UTC`
(`2026-12-05 23:18:12.481101 UTC`), or a bare date.
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
