"""`capledger timeline`: reserved versus built, period by period, as a table and a chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

import click

from projections import Every, TimelineRow, timeline_steps
from projections import timeline as timeline_of

from .amounts import amount_columns
from .context import Settings, output_format, pass_settings
from .no_match import refuse_unknown_names
from .params import DATE, INSTANT
from .render import render

BREAKDOWNS = ("holder", "provider", "kind", "commitment")
FIGURES = ("committed", "scheduled", "delivered")


def breakdown(by_text: str | None, kind: str | None) -> tuple[str, ...]:
    """The fields of --by (default: kind), refused if they would add kinds together."""
    if by_text is None:
        return ("kind",)
    by = tuple(part.strip() for part in by_text.split(",") if part.strip())
    unknown = [name for name in by if name not in BREAKDOWNS]
    if unknown or not by or len(set(by)) != len(by):
        raise click.BadParameter(
            f"{','.join(unknown) or by_text!r}: break down by any of {', '.join(BREAKDOWNS)}",
            param_hint="--by",
        )
    if "kind" not in by and "commitment" not in by and kind is None:
        raise click.BadParameter(
            "investment, spend and capacity are never added together: include kind in --by "
            "or choose one with --kind",
            param_hint="--by",
        )
    return by


@click.command()
@click.option("--resource", default="gw", show_default=True, help="usd, gw or chips:<model>.")
@click.option("--holder", help="Only this holder.")
@click.option("--provider", help="Only this provider.")
@click.option("--kind", type=click.Choice(["investment", "spend", "capacity"]))
@click.option(
    "--by",
    "by_text",
    metavar="FIELD,...",
    help=f"Break down by these: {', '.join(BREAKDOWNS)} (default: kind).",
)
@click.option(
    "--from", "start", type=DATE, default=None, help="First period (default: the earliest event)."
)
@click.option("--to", "end", type=DATE, default=None, help="Last period (default: today).")
@click.option(
    "--every", type=click.Choice(["month", "quarter", "year"]), default="quarter", show_default=True
)
@click.option("--known-at", type=INSTANT, default=None, help="As the ledger knew it then.")
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also draw it to FILE.png or FILE.svg (needs the `charts` extra), a panel per "
    "breakdown, each change on its own date.",
)
@output_format
@pass_settings
def timeline(
    settings: Settings,
    resource: str,
    holder: str | None,
    provider: str | None,
    kind: str | None,
    by_text: str | None,
    start: date | None,
    end: date | None,
    every: str,
    known_at: datetime | None,
    chart: str | None,
    fmt: str,
) -> None:
    """Reserved versus built: committed, scheduled and delivered per period.

    At the end of each period: committed, scheduled by tranche due date (what should exist by
    then) and delivered, a row per kind (or per the fields of --by: kinds are never added
    together unless --kind chooses one). --chart also draws it.
    """
    by = breakdown(by_text, kind)
    ledger = settings.open()
    filters = {"holder": holder, "provider": provider, "kind": kind}
    rows = timeline_of(
        ledger,
        resource=resource,
        every=cast(Every, every),
        start=start,
        end=end,
        known_at=known_at,
        by=by,
        **filters,
    )
    if not any(row.committed or row.scheduled or row.delivered for row in rows):
        refuse_unknown_names(ledger, holder=holder, provider=provider, resource=resource)
    if chart:
        from .chart import draw_timeline

        first = rows[0].start if rows else start
        last = rows[-1].as_of if rows else end
        steps = timeline_steps(
            ledger, resource=resource, start=first, end=last, known_at=known_at, by=by, **filters
        )
        draw_timeline(
            steps,
            resource=resource,
            by=by,
            path=chart,
            span=(first, last),
            known_at=known_at,
            today=ledger.clock().date(),
            scope=", ".join(value for value in filters.values() if value),
        )
    click.echo(timeline_table(rows, by, fmt))
    if chart:
        click.echo(f"chart written to {chart}", err=True)


def timeline_table(rows: Sequence[TimelineRow], by: Sequence[str], fmt: str = "table") -> str:
    """Timeline rows rendered: in a table, amounts with their unit at one scale per column;
    exact decimal strings otherwise."""
    columns = ["period", "end", *by, *FIGURES]
    if fmt != "table":
        return render([row.as_dict() for row in rows], fmt, columns=columns)
    dicts: list[dict[str, Any]] = [
        {name: getattr(row, name) for name in (*columns, "resource")} for row in rows
    ]
    human = amount_columns(dicts, FIGURES, lambda row: row["resource"])
    return render(dicts, fmt, columns=columns, human=human)


COMMANDS = [timeline]
