"""What every command shares: the store's URL, the actor, the output format option."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ledger import Ledger

# The ledger is imported when a command opens it, not with the group: `capledger --help` and
# `--version` need none of it (SQLAlchemy, pydantic and the event models are most of start-up).

DEFAULT_DB = "sqlite:///capledger.db"
FORMATS = ("table", "json", "csv")
"""The output formats of every command that prints rows."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Settings:
    """The global options, resolved once by the group."""

    db: str = DEFAULT_DB
    actor: str | None = None
    opened: list[Ledger] = field(default_factory=list)

    def open(
        self, *, create: bool = False, db: str | None = None, actor: str | None = None
    ) -> Ledger:
        """The store (`db`, default --db), opened (migrated if need be), closed when the
        command ends; what it commits is reported if Ctrl-C comes (see interrupts.py).

        Only a command that records creates a store (`create`); the others refuse a store
        that holds no ledger, creating nothing (see errors.py)."""
        from ledger import Ledger
        from projections import attach

        ledger = Ledger.open(db or self.db, actor=actor or self.actor, create=create)
        attach(ledger)
        self.opened.append(ledger)
        return ledger

    def close(self) -> None:
        for ledger in self.opened:
            ledger.close()


pass_settings = click.make_pass_decorator(Settings)


def output_format(command: F) -> F:
    """The `--format table|json|csv` option every command that prints rows takes."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for a person; json (an array of objects) or csv for a program.",
    )(command)
