"""`capledger overdue`: the tranches past their due date with part still undelivered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from projections import OverdueRow
from projections import overdue as overdue_of

from .amounts import amount_columns
from .context import Settings, output_format, pass_settings
from .no_match import refuse_unknown_names
from .params import DATE, known_at_option
from .render import render

COLUMNS = (
    "commitment",
    "tranche",
    "resource",
    "due",
    "days_late",
    "scheduled",
    "delivered",
    "outstanding",
    "source",
)
AMOUNTS = ("scheduled", "delivered", "outstanding")


@click.command()
@click.option(
    "--as-of", type=DATE, default=None, help="Late by this date (default: today); due on it is not."
)
@known_at_option
@click.option("--holder", help="Only this holder (who receives).")
@click.option("--provider", help="Only this provider (who supplies).")
@click.option("--kind", type=click.Choice(["investment", "spend", "capacity"]))
@click.option("--resource", help="Only this resource: usd, gw, chips:<model>.")
@click.option("--commitment", help="Only this commitment.")
@output_format
@pass_settings
def overdue(
    settings: Settings,
    as_of: date | None,
    known_at: datetime | None,
    holder: str | None,
    provider: str | None,
    kind: str | None,
    resource: str | None,
    commitment: str | None,
    fmt: str,
) -> None:
    """Tranches past their due date with part still undelivered, the latest first.

    Every tranche due before --as-of (default: today) that is not cancelled and was not
    delivered in full by then, as the ledger stood at --known-at (default: now): its
    commitment, due date, days late, what was scheduled, delivered and is outstanding (per
    resource), and the source that set its schedule. Tranches without a due date are never late.
    """
    ledger = settings.open()
    rows = overdue_of(
        ledger,
        as_of=as_of,
        known_at=known_at,
        holder=holder,
        provider=provider,
        kind=kind,
        resource=resource,
        commitment=commitment,
    )
    if not rows:
        refuse_unknown_names(
            ledger, holder=holder, provider=provider, resource=resource, commitment=commitment
        )
    click.echo(overdue_table(rows, fmt))


def overdue_table(rows: list[OverdueRow], fmt: str = "table") -> str:
    """Late tranches rendered: in a table, amounts with their units, every amount of one
    resource at one scale (`amount_columns`); exact decimals otherwise."""
    if fmt != "table":
        return render([row.as_dict() for row in rows], fmt)
    cells = [{**_typed(row), "source": _source(row)} for row in rows]
    human = amount_columns(cells, AMOUNTS, lambda row: str(row["resource"]))
    return render(cells, fmt, columns=COLUMNS, human=human)


def _typed(row: OverdueRow) -> dict[str, Any]:
    return {column: getattr(row, column) for column in COLUMNS if column != "source"}


def _source(row: OverdueRow) -> str:
    parts = [row.publisher, row.source_date.isoformat() if row.source_date else None]
    return ", ".join(part for part in parts if part)


COMMANDS = [overdue]
