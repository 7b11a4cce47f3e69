"""Parameter types for dates and instants on the command line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import click

# The instant forms capledger prints are the forms it reads (ledger.instant_text); imported
# when a value is converted, so that `--help` needs none of the ledger.


class DateParam(click.ParamType[date]):
    """A calendar date, YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


class InstantParam(click.ParamType[datetime]):
    """An ISO 8601 instant, as capledger prints it (2026-12-05T23:18:12.481101Z) or with any
    offset, a space for the T, or a trailing UTC; no zone means UTC; a bare date means the
    end of that day, UTC (or, with `day_start`, its first instant)."""

    name = "INSTANT"

    def __init__(self, *, day_start: bool = False) -> None:
        self.day_start = day_start

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        from ledger import read_instant

        text = str(value).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return datetime.combine(day, time.min if self.day_start else time.max, tzinfo=UTC)
            instant = read_instant(text)
        except ValueError:
            self.fail(
                f"{value!r} is not an ISO 8601 date or instant (2026-12-05T23:18:12.481101Z)",
                param,
                ctx,
            )
        return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


DATE = DateParam()
INSTANT = InstantParam()
INSTANT_FROM = InstantParam(day_start=True)
"""An instant that starts a range: a bare date means the first instant of that day, UTC."""

as_of_option = click.option(
    "--as-of", type=DATE, default=None, help="The date asked about (default: today)."
)
"""The world date a read command answers for."""
known_at_option = click.option(
    "--known-at",
    type=INSTANT,
    default=None,
    help="As the ledger knew it at this instant (a date: the end of that day, UTC).",
)
"""The knowledge instant a read command answers as of."""
