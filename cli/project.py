"""`capledger project`: bring the persisted read models up to date, or rebuild them."""

from __future__ import annotations

import click

from projections import project as bring_current

from .context import Settings, output_format, pass_settings
from .progress import finish, reporter
from .render import render


@click.command()
@click.option("--rebuild", is_flag=True, help="Drop every read model's rows and rebuild from zero.")
@output_format
@pass_settings
def project(settings: Settings, rebuild: bool, fmt: str) -> None:
    """Bring the persisted read models up to date with the event log (or rebuild them).

    Appends through capledger keep them current already; this catches up after events were
    appended by a writer without the read models, and proves a rebuild gives the same tables.
    """
    progress = reporter("rebuilding" if rebuild else "catching up")
    processed = bring_current(settings.open(), rebuild=rebuild, progress=progress)
    finish(progress)
    rows = [{"projection": name, "events_processed": count} for name, count in processed.items()]
    click.echo(render(rows, fmt, columns=["projection", "events_processed"]))


COMMANDS = [project]
