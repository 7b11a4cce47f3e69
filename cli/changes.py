"""`capledger changes`: the position rows that differ between two readings, and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import click

from ledger import instant_text
from projections import ChangeRow, NotAChange
from projections import changes as changes_of

from .amounts import amount_columns
from .context import Settings, output_format, pass_settings
from .errors import BadInput
from .no_match import refuse_unknown_names
from .params import DATE, INSTANT
from .position_table import MEASURES
from .read import grouped_and_filtered, grouping
from .render import render

EVENT_COLUMNS = ["id", "type", "effective", "publisher", "source_date", "recorded_at"]


@click.command()
@click.option(
    "--known-from",
    type=INSTANT,
    default=None,
    help="Knowledge moves from this instant (a date: the end of that day, UTC)...",
)
@click.option("--known-to", type=INSTANT, default=None, help="...to this one (default: now).")
@click.option(
    "--as-of", type=DATE, default=None, help="With knowledge moving: the date (default: today)."
)
@click.option("--from", "start", type=DATE, default=None, help="The world date moves from...")
@click.option("--to", "end", type=DATE, default=None, help="...to this date (default: today).")
@click.option(
    "--known-at",
    type=INSTANT,
    default=None,
    help="With the world date moving: as the ledger knew it then (default: now).",
)
@grouped_and_filtered
@click.option("--explain", is_flag=True, help="Also list the events behind each change.")
@output_format
@pass_settings
def changes(
    settings: Settings,
    known_from: datetime | None,
    known_to: datetime | None,
    as_of: date | None,
    start: date | None,
    end: date | None,
    known_at: datetime | None,
    holder: str | None,
    provider: str | None,
    kind: str | None,
    resource: str | None,
    commitment: str | None,
    by_text: str | None,
    explain: bool,
    fmt: str,
) -> None:
    """What changed in the positions between two readings, and why.

    Either knowledge moves (--known-from, --known-to, at one --as-of date) or the world date
    moves (--from, --to, as known at one --known-at instant), never both. Each position row
    (grouped and filtered as by `positions`) that differs: committed, scheduled, delivered and
    outstanding before and after. --explain names the events behind each change: for knowledge,
    those of its commitments recorded in between; for the world date, those (as corrected)
    effective in between.
    """
    by = grouping(by_text, resource, kind, commitment)
    ledger = settings.open()
    try:
        rows = changes_of(
            ledger,
            known_from=known_from,
            known_to=known_to,
            as_of=as_of,
            as_of_from=start,
            as_of_to=end,
            known_at=known_at,
            holder=holder,
            provider=provider,
            kind=kind,
            resource=resource,
            commitment=commitment,
            by=by,
            explain=explain,
        )
    except NotAChange as error:
        raise BadInput(_flags(str(error))) from None
    if not rows:
        refuse_unknown_names(
            ledger, holder=holder, provider=provider, resource=resource, commitment=commitment
        )
    if fmt != "table":
        dicts = [row.as_dict() for row in rows]
        if not explain:
            for row in dicts:
                del row["events"]
        columns = [
            *by,
            *(f"{m}_{when}" for m in MEASURES for when in ("before", "after", "change")),
        ]
        click.echo(render(dicts, fmt, columns=[*columns, "events"] if explain else columns))
        return
    click.echo(change_table(rows, by, resource=resource))
    if explain and rows:
        click.echo("\nThe events behind them:\n" + reason_table(rows, by))


_FLAGS = {
    "known_from": "--known-from",
    "known_to": "--known-to",
    "as_of_from": "--from",
    "as_of_to": "--to",
    "known_at": "--known-at",
    "as_of": "--as-of",
}


def _flags(message: str) -> str:
    """The library's message in the command's words: its argument names as flags."""
    for name in sorted(_FLAGS, key=len, reverse=True):
        message = message.replace(name, _FLAGS[name])
    return message


def change_table(
    rows: Sequence[ChangeRow], by: Sequence[str], *, resource: str | None = None
) -> str:
    """For a person: a line per figure that moved, before, after and the change, each with its
    unit (the row's resource, else the one chosen, `resource`)."""
    lines: list[dict[str, Any]] = []
    for row in rows:
        keys = {name: getattr(row, name) for name in by}
        for measure in MEASURES:
            change = row.change(measure)
            if change:
                lines.append(
                    keys
                    | {
                        "figure": measure,
                        "before": getattr(row.before, measure),
                        "after": getattr(row.after, measure),
                        "change": change,
                    }
                )
    human = amount_columns(
        lines,
        ("before", "after", "change"),
        lambda line: line.get("resource", resource),
        signed=("change",),
    )
    return render(lines, "table", columns=[*by, "figure", "before", "after", "change"], human=human)


def reason_table(rows: Sequence[ChangeRow], by: Sequence[str]) -> str:
    """For a person: each changed row's events (with their commitment), the id cut to its
    first eight characters."""
    named = [*by] if "commitment" in by else [*by, "commitment"]
    lines = [
        {name: getattr(row, name) for name in by}
        | {
            "commitment": event.commitment,
            "id": str(event.event_id)[:8],
            "type": event.type,
            "effective": event.effective,
            "publisher": event.publisher,
            "source_date": event.source_date,
            "recorded_at": instant_text(event.recorded_at),
        }
        for row in rows
        for event in row.events
    ]
    return render(lines, "table", columns=[*named, *EVENT_COLUMNS])


COMMANDS = [changes]
