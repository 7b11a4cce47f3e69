"""`capledger positions` and `timeline`: the read side, rendered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

from projections import DEFAULT_BY, KEYS
from projections import positions as positions_of

from .context import Settings, output_format, pass_settings
from .no_match import refuse_unknown_names
from .params import as_of_option, known_at_option
from .position_table import position_table

GROUPINGS = KEYS


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


def grouping(
    by_text: str | None, resource: str | None, kind: str | None, commitment: str | None = None
) -> tuple[str, ...]:
    """The fields of --by (default: all but commitment), refused if it would add amounts of
    different resources or of different kinds together."""
    by = _by(by_text)
    if "resource" not in by and resource is None:
        raise click.BadParameter(
            "gigawatts, dollars and chips are never added together: include resource in --by "
            "or choose one with --resource",
            param_hint="--by",
        )
    one_kind = kind is not None or commitment is not None or "commitment" in by
    if "kind" not in by and not one_kind:
        raise click.BadParameter(
            "investment, spend and capacity are never added together: include kind in --by "
            "or choose one with --kind",
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
@as_of_option
@known_at_option
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

    Summed over commitments per holder, provider, kind and resource (or the fields of --by;
    resources and kinds are never added together, so --by leaves one out only when --resource
    or --kind chooses it), as the ledger stood at --known-at (default: now). --as-of includes
    the day itself. JSON and CSV also give the ceiling and floor: how much of committed is
    "up to" or "at least"; the table marks such figures with ≤ and ≥.
    """
    by = grouping(by_text, resource, kind, commitment)
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
    click.echo(position_table(rows, by, fmt, resource=resource))


COMMANDS = [positions]
