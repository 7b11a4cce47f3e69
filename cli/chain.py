"""`capledger verify` and `capledger log`: the chain and the raw feed."""

from __future__ import annotations

import json

import click

from ledger import ChainBroken, read_anchor, write_anchor

from .context import FORMATS, Settings, pass_settings
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "jsonl"]),
    default="table",
    show_default=True,
    help="jsonl streams one event a line, for consumers.",
)
@pass_settings
def log(settings: Settings, since: int, limit: int | None, fmt: str) -> None:
    """The raw events with their global positions, in order, for downstream consumers."""
    rows = settings.open().read_all(after=since, limit=limit)
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row.as_dict(), ensure_ascii=False, sort_keys=True))
        return
    dicts = [row.as_dict() for row in rows]
    if fmt == "table":
        click.echo(render(dicts, fmt, columns=LOG_COLUMNS))
    else:
        click.echo(render(dicts, fmt))


COMMANDS = [verify, log]
