"""The one place errors become exit statuses: 0 done, 1 refused, 2 usage or bad input, 130
interrupted (Ctrl-C)."""

from __future__ import annotations

from typing import Any

import click

from .interrupts import NOTHING, Interrupted, caused_by_interrupt, interrupted

EXIT_REFUSED = 1
EXIT_USAGE = 2


class Refused(click.ClickException):
    """The ledger refused: a rule, a conflict, a broken chain, bad input. Exit status 1."""

    exit_code = EXIT_REFUSED


class BadInput(click.ClickException):
    """An argument the ledger cannot take, found only against the store: a knowledge instant
    or an as-reported source date. Exit status 2, as for usage errors."""

    exit_code = EXIT_USAGE


class LedgerGroup(click.Group):
    """A group whose commands turn library errors into one line on stderr, never a traceback,
    and Ctrl-C into one line saying what was recorded, exit status 130 (see interrupts.py)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            raise Interrupted(NOTHING) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                ctx.close()  # here, so that Ctrl-C while the store is closed is answered too
        except KeyboardInterrupt:
            raise interrupted(ctx.obj) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: help, usage, aborts
        except Exception as error:
            if caused_by_interrupt(error):
                raise interrupted(ctx.obj) from None
            refusal = _refusal(ctx, error)
            if refusal is error:
                raise
            raise refusal from None


def _refusal(ctx: click.Context, error: Exception) -> Exception:
    """The library's error as the command line reports it (anything else as it is)."""
    # Imported here, not with the group: only a command that ran can have raised them.
    from sqlalchemy.exc import SQLAlchemyError

    from events import LedgerError
    from ledger import KnowledgeTimeRefused, NoLedger, safe_url

    if isinstance(error, NoLedger):
        return BadInput(f"{error}; create one with record or demo")
    if isinstance(error, KnowledgeTimeRefused):
        return BadInput(str(error))
    if isinstance(error, LedgerError):
        return Refused(str(error))
    if isinstance(error, SQLAlchemyError):
        settings = ctx.obj
        where = safe_url(settings.db) if settings is not None else "the store"
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        return Refused(f"{where}: {reason}")
    return error
