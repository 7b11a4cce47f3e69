"""`capledger exposure`: how concentrated each provider's book is on its holders (or each
holder's commitments across providers), with the ceilings and floors kept in sight."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import click

from projections import EXPOSURE_MEASURES, SIDES, ExposureRow, Measure, Side
from projections import exposure as exposure_of

from .amounts import amount_columns
from .context import Settings, output_format, pass_settings
from .no_match import refuse_unknown_names
from .params import as_of_option, known_at_option
from .render import render

_OTHER = {"provider": "holder", "holder": "provider"}
BOUNDS_NOTE = (
    "total is what is {measure}; ceiling and floor are how much of what is committed is\n"
    "up to (it may turn out less) or at least (it may turn out more), as in positions."
)


@click.command()
@as_of_option
@known_at_option
@click.option(
    "--side",
    type=click.Choice(SIDES),
    default="provider",
    show_default=True,
    help="provider: each provider's holders; holder: each holder's providers.",
)
@click.option(
    "--measure",
    type=click.Choice(EXPOSURE_MEASURES),
    default="committed",
    show_default=True,
    help="Which amounts: what the deals commit, what is still owed, or what was delivered.",
)
@click.option("--resource", help="Only this resource: usd, gw, chips:<model>.")
@click.option("--kind", type=click.Choice(["investment", "spend", "capacity"]))
@click.option("--provider", help="Only this provider.")
@click.option("--holder", help="Only this holder.")
@click.option("--detail", is_flag=True, help="Also every counterparty's amount and share.")
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also draw one party's counterparties' shares per quarter (as of each quarter end) "
    "to FILE.png or FILE.svg: the --provider's holders (or, with --side holder, the --holder's "
    "providers). Needs the `charts` extra.",
)
@output_format
@pass_settings
def exposure(
    settings: Settings,
    as_of: date | None,
    known_at: datetime | None,
    side: str,
    measure: str,
    resource: str | None,
    kind: str | None,
    provider: str | None,
    holder: str | None,
    detail: bool,
    chart: str | None,
    fmt: str,
) -> None:
    """How concentrated each provider is on its holders, or each holder across providers.

    One row per provider, kind and resource (with --side holder: per holder): the total of
    --measure, how much of what is committed is an up_to ceiling or an at_least floor (as in
    positions), the number of counterparties, the largest one and its share, and the
    Herfindahl-Hirschman index (the sum of squared shares in percent: 10,000 when one
    counterparty holds everything). Dollars of different kinds are never added together.
    """
    party = provider if side == "provider" else holder
    if chart and party is None:
        raise click.UsageError(f"--chart draws one party: name it with --{side}")
    ledger = settings.open()
    rows = exposure_of(
        ledger,
        as_of=as_of,
        known_at=known_at,
        side=cast(Side, side),
        measure=cast(Measure, measure),
        resource=resource,
        kind=kind,
        provider=provider,
        holder=holder,
    )
    if not rows:
        refuse_unknown_names(ledger, holder=holder, provider=provider, resource=resource)
    if chart and party is not None:
        from .exposure_chart import draw_exposure

        draw_exposure(
            ledger,
            party,
            side=cast(Side, side),
            measure=cast(Measure, measure),
            kind=kind,
            resource=resource,
            end=as_of or ledger.clock().date(),
            known_at=known_at,
            path=chart,
        )
    if not rows:
        scope = " ".join(part for part in (party, kind, resource) if part)
        message = _nothing(measure, scope, as_of or ledger.clock().date(), known_at)
        click.echo(message, err=fmt != "table")
    if rows or fmt != "table":
        click.echo(exposure_text(rows, side, fmt, detail=detail))
    if chart:
        click.echo(f"chart written to {chart}", err=True)


def _nothing(measure: str, scope: str, as_of: date, known_at: datetime | None) -> str:
    """What an empty answer says: which amounts, for what, as of and known at when."""
    known = f", known at {known_at:%Y-%m-%d %H:%M} UTC" if known_at else ""
    return (
        f"no {measure} amounts{' for ' + scope if scope else ''} as of {as_of}{known}: no exposure"
    )


def exposure_text(rows: Sequence[ExposureRow], side: str, fmt: str, *, detail: bool) -> str:
    """Exposure rows rendered: readable amounts and percentages in a table, exact decimal
    strings otherwise; with `detail`, each counterparty too (a second table, a list in JSON,
    a line per counterparty in CSV)."""
    other = _OTHER[side]
    columns = [side, "kind", "resource", "total", "ceiling", "floor", f"{other}s"]
    columns += [f"top_{other}", "top_share", "hhi"]
    if fmt == "json":
        return render([row.as_dict(detail=detail) for row in rows], fmt)
    if fmt == "csv":
        if not detail:
            return render([row.as_dict() for row in rows], fmt, columns=columns)
        parts = [f"{other}_{name}" for name in ("amount", "share", "ceiling", "floor")]
        lines = [
            row.as_dict()
            | {other: part[other]}
            | {f"{other}_{name}": part[name] for name in ("amount", "share", "ceiling", "floor")}
            for row in rows
            for part in row.as_dict(detail=True)["detail"]
        ]
        return render(lines, fmt, columns=[*columns, other, *parts])
    return _exposure_table(rows, side, columns, detail=detail)


def _exposure_table(
    rows: Sequence[ExposureRow], side: str, columns: list[str], *, detail: bool
) -> str:
    """The table: every amount of one resource at one scale; with `detail`, a second table of
    each counterparty's part; a note on the bounds when the measure is not committed."""
    other = _OTHER[side]
    typed = [_typed(row, other) for row in rows]
    human = amount_columns(typed, ("total", "ceiling", "floor"), _resource)
    table = render(
        typed, "table", columns=columns, human=human | {"top_share": _percent, "hhi": _index}
    )
    measure = rows[0].measure if rows else "committed"
    note = "" if measure == "committed" else "\n\n" + BOUNDS_NOTE.format(measure=measure)
    if not detail or not rows:
        return table + note
    lines = [
        {side: row.party, "kind": row.kind, "resource": row.resource, other: part.party}
        | {"amount": part.amount, "share": part.share}
        | {"ceiling": part.ceiling, "floor": part.floor}
        for row in rows
        for part in row.counterparties
    ]
    each = render(
        lines,
        "table",
        columns=[side, "kind", "resource", other, "amount", "share", "ceiling", "floor"],
        human=amount_columns(lines, ("amount", "ceiling", "floor"), _resource)
        | {"share": _percent},
    )
    return f"{table}\n\nEach {other}'s part:\n{each}{note}"


def _typed(row: ExposureRow, other: str) -> dict[str, Any]:
    return {
        row.side: row.party,
        "kind": row.kind,
        "resource": row.resource,
        "total": row.total,
        "ceiling": row.ceiling,
        "floor": row.floor,
        f"{other}s": len(row.counterparties),
        f"top_{other}": row.top.party,
        "top_share": row.top.share,
        "hhi": row.hhi,
    }


def _resource(row: Mapping[str, Any]) -> str:
    return str(row["resource"])


def _percent(value: Decimal, row: Any) -> str:
    return f"{value * 100:.1f}%"


def _index(value: Decimal, row: Any) -> str:
    return f"{value:,.0f}"


COMMANDS = [exposure]
