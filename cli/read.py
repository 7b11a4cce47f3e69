"""`capledger positions` and `timeline`: the read side, rendered."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import click

from projections import DEFAULT_BY, KEYS, Every, PositionRow
from projections import positions as positions_of
from projections import timeline as timeline_of

from .amounts import readable
from .context import Settings, output_format, pass_settings
from .no_match import refuse_unknown_names
from .params import DATE, INSTANT
from .render import render

GROUPINGS = KEYS
MEASURES = ("committed", "scheduled", "delivered", "outstanding")


def _amount(value: Decimal, row: Any) -> str:
    return readable(row.get("resource"), value)


def _by(value: str | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_BY
    fields = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [name for name in fields if name not in GROUPINGS]
    if unknown or not fields:
        raise click.BadParameter(
            f"{','.join(unknown) or value!r}: group by any of {', '.join(GROUPINGS)}",
            param_hint="--by",
        )
    return fields


def grouping(by_text: str | None, resource: str | None) -> tuple[str, ...]:
    """The fields of --by (default: all but commitment), refused if it would add amounts of
    different resources together."""
    by = _by(by_text)
    if "resource" not in by and resource is None:
        raise click.BadParameter(
            "gigawatts, dollars and chips are never added together: include resource in --by "
            "or choose one with --resource",
            param_hint="--by",
        )
    return by


def grouped_and_filtered(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a command that reads position rows as `positions` does: its filters
    (--holder, --provider, --kind, --resource, --commitment) and its grouping (--by)."""
    for option in reversed(_POSITION_OPTIONS):
        command = option(command)
    return command


_POSITION_OPTIONS = (
    click.option("--holder", help="Only this holder (who receives)."),
    click.option("--provider", help="Only this provider (who supplies)."),
    click.option("--kind", type=click.Choice(["investment", "spend", "capacity"])),
    click.option("--resource", help="Only this resource: usd, gw, chips:<model>."),
    click.option("--commitment", help="Only this commitment."),
    click.option(
        "--by",
        "by_text",
        metavar="FIELD,...",
        help=f"Group by these: {', '.join(GROUPINGS)} (default: all but commitment).",
    ),
)


@click.command()
@click.option("--as-of", type=DATE, default=None, help="The date asked about (default: today).")
@click.option(
    "--known-at",
    type=INSTANT,
    default=None,
    help="As the ledger knew it at this instant (a date: the end of that day, UTC).",
)
@grouped_and_filtered
@output_format
@pass_settings
def positions(
    settings: Settings,
    as_of: date | None,
    known_at: datetime | None,
    holder: str | None,
    provider: str | None,
    kind: str | None,
    resource: str | None,
    commitment: str | None,
    by_text: str | None,
    fmt: str,
) -> None:
    """Committed, scheduled, delivered and outstanding, as of a date.

    Summed over commitments per holder, provider, kind and resource (or the fields of --by),
    as the ledger stood at --known-at (default: now). --as-of includes the day itself.
    """
    by = grouping(by_text, resource)
    ledger = settings.open()
    rows = positions_of(
        ledger,
        as_of=as_of,
        known_at=known_at,
        holder=holder,
        provider=provider,
        kind=kind,
        resource=resource,
        commitment=commitment,
        by=by,
    )
    if not rows:
        refuse_unknown_names(
            ledger, holder=holder, provider=provider, resource=resource, commitment=commitment
        )
    click.echo(position_table(rows, by, fmt))


def position_table(rows: Sequence[PositionRow], by: Sequence[str], fmt: str = "table") -> str:
    """Positions rendered: readable amounts in a table, exact decimal strings otherwise."""
    human = dict.fromkeys(MEASURES, _amount) if "resource" in by else {}
    dicts = [row.as_dict() if fmt != "table" else _typed(row) for row in rows]
    return render(dicts, fmt, columns=[*by, *MEASURES], human=human)


def _typed(row: Any) -> dict[str, Any]:
    values = {key: getattr(row, key, None) for key in (*GROUPINGS, *MEASURES)}
    return {key: value for key, value in values.items() if value is not None}


@click.command()
@click.option("--resource", default="gw", show_default=True, help="usd, gw or chips:<model>.")
@click.option("--holder", help="Only this holder.")
@click.option("--provider", help="Only this provider.")
@click.option("--kind", type=click.Choice(["investment", "spend", "capacity"]))
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
    help="Also draw it to FILE.png or FILE.svg (needs the `charts` extra).",
)
@output_format
@pass_settings
def timeline(
    settings: Settings,
    resource: str,
    holder: str | None,
    provider: str | None,
    kind: str | None,
    start: date | None,
    end: date | None,
    every: str,
    known_at: datetime | None,
    chart: str | None,
    fmt: str,
) -> None:
    """Reserved versus built: committed, scheduled and delivered per period.

    At the end of each period: committed, scheduled by tranche due date (what should exist by
    then) and delivered. --chart also draws it.
    """
    ledger = settings.open()
    rows = timeline_of(
        ledger,
        resource=resource,
        every=cast(Every, every),
        start=start,
        end=end,
        known_at=known_at,
        holder=holder,
        provider=provider,
        kind=kind,
    )
    if not any(row.committed or row.scheduled or row.delivered for row in rows):
        refuse_unknown_names(ledger, holder=holder, provider=provider, resource=resource)
    if chart:
        from .chart import draw_timeline

        draw_timeline(
            rows,
            resource=resource,
            path=chart,
            every=every,
            known_at=known_at,
            today=ledger.clock().date(),
            scope=", ".join(p for p in (holder, provider, kind) if p),
        )
    columns = ["period", "end", "committed", "scheduled", "delivered"]
    human = {m: (lambda value, row: readable(resource, value)) for m in columns[2:]}
    dicts = [row.as_dict() if fmt != "table" else vars_of(row) for row in rows]
    click.echo(render(dicts, fmt, columns=columns, human=human))
    if chart:
        click.echo(f"chart written to {chart}", err=True)


def vars_of(row: Any) -> dict[str, Any]:
    return {
        key: getattr(row, key) for key in ("period", "end", "committed", "scheduled", "delivered")
    }


COMMANDS = [positions, timeline]
