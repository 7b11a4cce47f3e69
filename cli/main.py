"""The `capledger` command: a thin shell over the Python API."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import click

from .context import DEFAULT_DB, Settings
from .errors import LedgerGroup


def _version() -> str:
    try:
        return version("capacity-ledger")
    except PackageNotFoundError:
        return "unknown"


@click.group(
    cls=LedgerGroup,
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
@click.version_option(_version(), "--version", prog_name="capledger")
@click.pass_context
def capledger(context: click.Context, db: str, actor: str | None) -> None:
    """An event-sourced, bitemporal ledger of compute-capacity reservations.

    Every commitment, tranche and delivery is an immutable event; ask what was reserved,
    scheduled and delivered as of any date, as known at any instant.
    """
    settings = Settings(db=db, actor=actor)
    context.obj = settings
    context.call_on_close(settings.close)


def _register_commands() -> None:
    from . import chain, project, read, record
    from .demo import command as demo

    for module in (record, read, chain, project, demo):
        for command in module.COMMANDS:
            capledger.add_command(command)


_register_commands()


def main() -> None:
    """The console script."""
    capledger(prog_name="capledger")
