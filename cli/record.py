"""`capledger record`: append the events of files, atomically."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from ledger import FORMATS, Located, read_file, read_stdin, stated_instant

from .context import Settings, pass_settings
from .progress import counting, finish, reporter


def _located(files: tuple[str, ...], input_format: str) -> Iterator[Located]:
    for name in files:
        if name == "-":
            yield from read_stdin(sys.stdin, input_format)
        else:
            yield from read_file(name)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE... | -")
@click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="The format of standard input (files are read by their suffix).",
)
@click.option(
    "--recorded-at",
    metavar="INSTANT",
    default=None,
    help="Known from this instant instead of now (a date: midnight UTC; a time needs a zone).",
)
@click.option(
    "--as-reported",
    is_flag=True,
    help="Each event known from its own source.date (midnight UTC), in date order.",
)
@pass_settings
def record(
    settings: Settings,
    files: tuple[str, ...],
    input_format: str,
    recorded_at: str | None,
    as_reported: bool,
) -> None:
    """Append the events of FILEs (.json, .jsonl, .csv; - for stdin), atomically.

    All events of all files land, or none: any invalid event or broken rule refuses the
    whole call and leaves the ledger as it was. Events already recorded are skipped.

    A batch is known from the instant it is recorded, unless stated otherwise. With
    --recorded-at INSTANT the call is known from INSTANT: a date means midnight UTC, a date
    and time needs a zone (2025-10-01T09:30:00Z). With --as-reported each event is known from
    its own source.date, at midnight UTC: one batch per date, in date order, the files' order
    kept within a date, all in one transaction. The instant, or the earliest source date, must
    be after the store's latest knowledge instant, and none may be later than now; else the
    call exits 2, naming both, and writes nothing.
    """
    if recorded_at is not None and as_reported:
        raise click.UsageError("--recorded-at and --as-reported exclude each other")
    # Read before the store is opened: a malformed instant leaves no new store behind.
    instant = None if recorded_at is None else stated_instant(recorded_at)
    ledger = settings.open(create=True)
    # The read models, once the events are appended: a new store's filled from the whole log,
    # or what the later chunks changed written at once.
    updating = reporter("updating")
    if updating is not None:
        from projections import attach

        attach(ledger, progress=updating)
    events = counting(_located(files, input_format), "recording", enabled=sys.stderr.isatty())
    receipt = ledger.record_stream(events, recorded_at=instant, as_reported=as_reported)
    finish(updating)
    click.echo(f"recorded {receipt.recorded} events ({receipt.already_present} already present)")


COMMANDS = [record]
