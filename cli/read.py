"""`capledger positions`, `history` and `timeline`: the read side, rendered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from projections import DEFAULT_BY, KEYS
from projections import history as commitment_history
from projections import positions as positions_of

from .amounts import readable
from .context import Settings, output_format, pass_settings
from .params import DATE, INSTANT
from .position_table import position_table
from .render import render

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

    Summed over commitments per holder, provider, kind and resource (or the fields of --by;
    resources and kinds are never added together, so --by leaves one out only when --resource
    or --kind chooses it), as the ledger stood at --known-at (default: now). --as-of includes
    the day itself. JSON and CSV also give the ceiling and floor: how much of committed is
    "up to" or "at least"; the table marks such figures with ≤ and ≥.
    """
    by = grouping(by_text, resource, kind, commitment)
    rows = positions_of(
        settings.open(),
        as_of=as_of,
        known_at=known_at,
        holder=holder,
        provider=provider,
        kind=kind,
        resource=resource,
        commitment=commitment,
        by=by,
    )
    click.echo(position_table(rows, by, fmt, resource=resource))


HISTORY_COLUMNS = [
    "position",
    "version",
    "type",
    "effective",
    "source_date",
    "recorded_at",
    "recorded_by",
    "summary",
    "status",
]


@click.command()
@click.argument("commitment")
@output_format
@pass_settings
def history(settings: Settings, commitment: str, fmt: str) -> None:
    """The audit trail of one commitment.

    Every event of COMMITMENT with its position, effective date, source date, recorded instant,
    actor, source and hash, and what later corrections and retractions did to it.
    """
    entries = commitment_history(settings.open(), commitment)
    if not entries:
        raise click.ClickException(f"no commitment named {commitment!r} in {settings.db}")
    rows = [entry.as_dict() for entry in entries]
    if fmt == "table":
        rows = [
            {
                **row,
                "recorded_at": str(row["recorded_at"])[:19] + "Z",
                "summary": _summary(row),
                "status": _status(row),
            }
            for row in rows
        ]
        click.echo(render(rows, fmt, columns=HISTORY_COLUMNS))
    else:
        click.echo(render(rows, fmt))


def _summary(row: dict[str, Any]) -> str:
    fields = row.get("fields") or {}
    parts = [
        f"{key}={fields[key]}"
        for key in ("provider", "holder", "kind", "bound", "tranche", "reason")
        if fields.get(key)
    ]
    parts += [
        readable(resource, Decimal(str(amount)))
        for resource, amount in (fields.get("amounts") or {}).items()
    ]
    if row.get("target"):
        parts.append(f"target={str(row['target'])[:8]}")
    return " ".join(parts)[:72]


def _status(row: dict[str, Any]) -> str:
    if row.get("retracted_by"):
        return f"retracted at {row['retracted_by']}"
    corrected = row.get("corrected_by") or []
    if corrected:
        return "corrected at " + ",".join(str(item["position"]) for item in corrected)
    return str(row.get("status") or "")


COMMANDS = [positions, history]
