"""`capledger verify` and `capledger log`: the chain and the raw feed."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from events import EVENT_TYPES
from ledger import ChainBroken, instant_text, read_anchor, write_anchor

from .context import FORMATS, Settings, pass_settings
from .no_match import refuse_unknown_names
from .params import DATE, INSTANT, INSTANT_FROM
from .render import render

LOG_COLUMNS = [
    "position",
    "recorded_at",
    "commitment",
    "version",
    "type",
    "effective",
    "recorded_by",
    "id",
]


@click.command()
@click.option(
    "--anchor",
    type=click.Path(dir_okay=False),
    default=None,
    help="A file holding the head seen by an earlier verify (keep it away from the store): "
    "prove the chain still reaches it, then record the new head there.",
)
@pass_settings
def verify(settings: Settings, anchor: str | None) -> None:
    """Recompute the hash chain from the first event to the last.

    Prints `ok: N events, chain intact`, or names the first bad position and exits 1. A chain
    whose tail was cut off is still a valid chain: only an --anchor kept elsewhere shows that.
    """
    anchored = read_anchor(anchor) if anchor else None
    report = settings.open().verify(anchor=anchored)
    if not report.intact:
        assert report.first_bad_position is not None and report.reason is not None
        raise ChainBroken(report.first_bad_position, report.reason)
    click.echo(f"ok: {report.count} events, chain intact")
    if anchor:
        write_anchor(anchor, report)
        click.echo(
            f"anchored position {report.count} ({report.head_hash[:16]}...) in {anchor}", err=True
        )


@click.command()
@click.option(
    "--since",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Only events after this global position (a consumer's checkpoint).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@click.option("--commitment", help="Only the events of this commitment.")
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(list(EVENT_TYPES)),
    metavar="TYPE",
    help=f"Only events of this type (repeat for several): {', '.join(EVENT_TYPES)}.",
)
@click.option(
    "--recorded-from",
    type=INSTANT_FROM,
    default=None,
    help="Only events recorded at or after this instant (a date: its first instant, UTC).",
)
@click.option(
    "--recorded-to",
    type=INSTANT,
    default=None,
    help="...and at or before this one (a date: the end of that day, UTC).",
)
@click.option(
    "--effective-from", type=DATE, default=None, help="Only events effective on or after this date."
)
@click.option("--effective-to", type=DATE, default=None, help="...and on or before this one.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "jsonl"]),
    default="table",
    show_default=True,
    help="jsonl streams one event a line, for consumers.",
)
@pass_settings
def log(
    settings: Settings,
    since: int,
    limit: int | None,
    commitment: str | None,
    types: tuple[str, ...],
    recorded_from: datetime | None,
    recorded_to: datetime | None,
    effective_from: date | None,
    effective_to: date | None,
    fmt: str,
) -> None:
    """The raw events with their global positions, in order, for downstream consumers.

    The filters are and-ed; each bound is included. An --effective-from or --effective-to
    leaves out the events that have no effective date (corrections and
    retractions).
    """
    _refuse_reversed(("--recorded-from", recorded_from), ("--recorded-to", recorded_to))
    _refuse_reversed(("--effective-from", effective_from), ("--effective-to", effective_to))
    ledger = settings.open()
    rows = ledger.read_all(
        after=since,
        limit=limit,
        commitment=commitment,
        types=list(types) or None,
        recorded_from=recorded_from,
        recorded_to=recorded_to,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    if fmt == "jsonl":
        printed = 0
        for row in rows:
            click.echo(json.dumps(row.as_dict(), ensure_ascii=False, sort_keys=True))
            printed += 1
        if not printed:
            refuse_unknown_names(ledger, commitment=commitment)
        return
    dicts = [row.as_dict() for row in rows]
    if not dicts:
        refuse_unknown_names(ledger, commitment=commitment)
    click.echo(render(dicts, fmt, columns=LOG_COLUMNS if fmt == "table" else None))


def _refuse_reversed(*ends: tuple[str, date | None]) -> None:
    """A range whose end comes before its start is a usage error, not an empty answer."""
    (first, start), (last, end) = ends
    if start is not None and end is not None and end < start:
        raise click.UsageError(f"{last} {_shown(end)} is before {first} {_shown(start)}")


def _shown(value: date) -> str:
    return instant_text(value) if isinstance(value, datetime) else value.isoformat()


COMMANDS = [verify, log]
