"""The `capledger` command: a thin shell over the Python API.

A command's module (with the ledger, SQLAlchemy and pydantic behind it) is imported when the
command runs, not to list it: `capledger --help` and `--version` answer from the table below,
and only `--version` reads the installed package's metadata.
"""

from __future__ import annotations

import gc
import importlib
import logging
import signal
from types import ModuleType

import click

from .context import DEFAULT_DB, Settings
from .errors import LedgerGroup

COMMANDS: dict[str, tuple[str, str]] = {
    "changes": (
        "cli.changes",
        "What changed in the positions between two readings, and why.",
    ),
    "demo": (
        "cli.demo.command",
        "Build the bundled ledger of publicly reported deals and show what it holds.",
    ),
    "exposure": (
        "cli.exposure",
        "How concentrated each provider is on its holders, or each holder across providers.",
    ),
    "flows": (
        "cli.flows",
        "Money committed between parties, pair by pair, and where it goes round in cycles.",
    ),
    "history": ("cli.history", "The audit trail of one commitment."),
    "log": (
        "cli.chain",
        "The raw events with their global positions, in order, for downstream consumers.",
    ),
    "overdue": (
        "cli.overdue",
        "Tranches past their due date with part still undelivered, the latest first.",
    ),
    "positions": ("cli.read", "Committed, scheduled, delivered and outstanding, as of a date."),
    "project": (
        "cli.project",
        "Bring the persisted read models up to date with the event log (or rebuild them).",
    ),
    "publish": (
        "cli.publish",
        "Publish the log to a NATS JetStream stream, in order, exactly once.",
    ),
    "record": (
        "cli.record",
        "Append the events of FILEs (.json, .jsonl, .csv; - for stdin), atomically.",
    ),
    "timeline": (
        "cli.timeline",
        "Reserved versus built: committed, scheduled and delivered per period.",
    ),
    "verify": ("cli.chain", "Recompute the hash chain from the first event to the last."),
}
"""Each command: the module that defines it (in its `COMMANDS`) and the first sentence of its
help, as the group lists it (a test holds both to the commands themselves)."""


class CommandGroup(LedgerGroup):
    """The commands, each loaded when asked for by name."""

    settle_imports = False
    """Whether a command's imports are taken out of the cycle collector's walks (`gc.freeze`)
    once loaded: set by the console script, a process of one command; not for a program or a
    test that runs many commands in one process."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = _imported(COMMANDS[cmd_name][0], settle=self.settle_imports)
        commands: list[click.Command] = module.COMMANDS
        return next(command for command in commands if command.name == cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands, as `click.Group` writes it, without loading them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # Cut to the width as click cuts a command's help: by the same method.
        rows = [
            (name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _imported(name: str, *, settle: bool) -> ModuleType:
    """The module `name`, imported with the cycle collector paused; `settle`: what the import
    made is then left out of every later collection.

    A command's imports (SQLAlchemy, pydantic, the ledger) make objects that live as long as
    the process and form no garbage, and the collector would walk them again and again as
    they pile up, and once more as the process exits: about a fifth of a read's start-up.
    (The write path unfreezes them when a long transaction ends: see ledger/collector.py.)
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        module = importlib.import_module(name)
        if settle:
            gc.freeze()
        return module
    finally:
        if enabled:
            gc.enable()


def _version() -> str:
    # Read when asked: importing importlib.metadata would cost every command ~0.03 s.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("capacity-ledger")
    except PackageNotFoundError:
        return "unknown"


def _show_version(context: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version`, as `click.version_option` prints it, the version looked up only then."""
    if not value or context.resilient_parsing:
        return
    click.echo(f"capledger, version {_version()}", color=context.color)
    context.exit()


@click.group(
    cls=CommandGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    envvar="CAPLEDGER_DB",
    default=DEFAULT_DB,
    show_default=True,
    help="The store, as a SQLAlchemy URL (also CAPLEDGER_DB): sqlite:///FILE or "
    "postgresql://USER@HOST/DB.",
)
@click.option(
    "--actor",
    envvar="CAPLEDGER_ACTOR",
    default=None,
    help="Who records (also CAPLEDGER_ACTOR); default: the OS user.",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.pass_context
def capledger(context: click.Context, db: str, actor: str | None) -> None:
    """An event-sourced, bitemporal ledger of compute-capacity reservations.

    Every commitment, tranche and delivery is an immutable event; ask what was reserved,
    scheduled and delivered as of any date, as known at any instant.
    """
    settings = Settings(db=db, actor=actor)
    context.obj = settings
    context.call_on_close(settings.close)


def main() -> None:
    """The console script: one command, then the process ends."""
    capledger.settle_imports = True
    # What the libraries log as they clean up after Ctrl-C (a connection that would not roll
    # back) is theirs to handle: the command says in one line what happened.
    for library in ("sqlalchemy", "psycopg"):
        logging.getLogger(library).addHandler(logging.NullHandler())
    try:
        capledger(prog_name="capledger")
    finally:
        # The command has answered (and said so, if interrupted): a Ctrl-C from now on
        # changes nothing and must not end the process with a status other than its own.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
