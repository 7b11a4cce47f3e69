"""The one place errors become exit statuses: 0 done, 1 refused, 2 usage or bad input."""

from __future__ import annotations

from typing import Any

import click

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
    """A group whose commands turn library errors into one line on stderr, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: help, usage, aborts
        except Exception as error:
            # Imported here, not with the group: only a command that ran can have raised them.
            from sqlalchemy.exc import SQLAlchemyError

            from events import LedgerError
            from ledger import KnowledgeTimeRefused, NoLedger, safe_url

            if isinstance(error, NoLedger):
                raise BadInput(f"{error}; create one with record or demo") from None
            if isinstance(error, KnowledgeTimeRefused):
                raise BadInput(str(error)) from None
            if isinstance(error, LedgerError):
                raise Refused(str(error)) from None
            if isinstance(error, SQLAlchemyError):
                settings = ctx.obj
                where = safe_url(settings.db) if settings is not None else "the store"
                reason = str(getattr(error, "orig", None) or error).splitlines()[0]
                raise Refused(f"{where}: {reason}") from None
            raise
