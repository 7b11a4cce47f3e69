"""Ctrl-C: exit status 130 and one line saying what was recorded, never click's `Aborted!` nor a
database library's complaint.

The store commits whole transactions or nothing, and each Ledger says what its last commit
recorded (`last_commit`, set with the commit itself: see ledger/interrupts.py). So an
interrupt before a commit has recorded nothing, and one after says what the commit recorded.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .context import Settings

EXIT_INTERRUPTED = 130
"""128 + SIGINT, as a shell reports a process that Ctrl-C ended."""
NOTHING = "interrupted: nothing recorded"


class Interrupted(click.ClickException):
    """Ctrl-C, answered in one line on stderr; exit status 130."""

    exit_code = EXIT_INTERRUPTED

    def show(self, file: IO[Any] | None = None) -> None:
        # Not "Error: ...": the user asked for it.
        click.echo(self.format_message(), err=True)


def interrupted(settings: Settings | None) -> Interrupted:
    """The answer to Ctrl-C: what the command's ledgers committed before it came, if anything."""
    receipts = [
        ledger.last_commit
        for ledger in (settings.opened if settings is not None else [])
        if ledger.last_commit is not None and ledger.last_commit.recorded
    ]
    if not receipts:
        return Interrupted(NOTHING)
    done = receipts[-1]
    present = f", {done.already_present} already present" if done.already_present else ""
    return Interrupted(
        f"interrupted after the commit: {done.recorded} events recorded "
        f"(positions {done.first_position} to {done.last_position}{present})"
    )


def caused_by_interrupt(error: BaseException) -> bool:
    """Whether `error` was raised while a KeyboardInterrupt was being handled (a library's
    cleanup failing after Ctrl-C cut it short)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False
