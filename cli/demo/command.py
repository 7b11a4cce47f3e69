"""`capledger demo`: build the bundled ledger of publicly reported deals and show what it holds."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import click

from ledger import instant_text
from projections import positions

from ..amounts import readable
from ..context import Settings, pass_settings
from ..position_table import position_table

DEALS = "public-deals.jsonl"
REVISIONS = ("EventCorrected", "EventRetracted")
KNOWN_THEN = date(2025, 10, 1)
"""The demo's "then": after the $100B letter of intent was reported, before its retraction."""
QUESTION = {"holder": "openai", "provider": "nvidia", "kind": "investment", "resource": "usd"}


def load_deals() -> list[tuple[dict[str, Any], str]]:
    """The bundled events with their origins (`public-deals.jsonl:LINE`)."""
    text = (files("cli.demo") / DEALS).read_text(encoding="utf-8")
    return [
        (json.loads(line), f"{DEALS}:{number}")
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


@click.command()
@click.option(
    "--path",
    "path",
    type=click.Path(dir_okay=False),
    default="capledger-demo.db",
    show_default=True,
    help="The SQLite file to build (replaced on each run; --db is "
    "not used, so the demo never touches your own store).",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False),
    default="capledger-demo-timeline.png",
    show_default=True,
    help="Where to draw the gigawatt timeline (.png or .svg).",
)
@pass_settings
def demo(settings: Settings, path: str, chart: str) -> None:
    """Build the bundled ledger of publicly reported deals and show what it holds."""
    database = Path(path)
    for leftover in (database, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    deals = load_deals()
    revisions = sum(1 for event, _ in deals if event["type"] in REVISIONS)
    reported = sorted(event["source"]["date"] for event, _ in deals)
    url = f"sqlite:///{database}"
    with settings.open(db=url, actor="capledger-demo", create=True) as ledger:
        receipt = ledger.record_stream(deals, as_reported=True)
        today = ledger.clock().date()
        click.secho(f"capledger demo: {database}", bold=True)
        click.echo(
            f"recorded {receipt.recorded - revisions} reported facts and {revisions} later "
            "revisions (corrections and retractions), each citing its source and known from "
            f"the day it was reported ({reported[0]} to {reported[-1]})"
        )

        rows = positions(ledger, as_of=today, by=("holder", "provider", "kind", "resource"))
        click.secho(f"\nPositions as of {today}, as known now", bold=True)
        click.echo(position_table(rows, ("holder", "provider", "kind", "resource")))

        click.secho(
            "\nOne question, two answers: what has Nvidia committed to invest in OpenAI?", bold=True
        )
        now = ledger.clock()
        for label, known_at in (
            (f"as known at {KNOWN_THEN}, as reported then", KNOWN_THEN),
            (f"as known now, at {instant_text(now)}", now),
        ):
            answer = positions(ledger, as_of=today, known_at=known_at, **QUESTION)
            committed = sum((row.committed for row in answer), start=Decimal(0))
            click.echo(f"  {label}: {readable('usd', committed)} committed")
        click.echo(
            "  (the $100B letter of intent of 2025-09-22 was never finalised: retracted as of "
            "2026-02-01,\n   replaced by $30B of equity reported on 2026-02-27; "
            "`capledger history nvidia-openai-investment-2025` shows why)"
        )

        from projections import timeline_steps

        from ..chart import draw_timeline

        span = (date(2023, 1, 1), date(2029, 12, 31))
        steps = timeline_steps(
            ledger, resource="gw", kind="capacity", by=("holder",), start=span[0], end=span[1]
        )
        draw_timeline(
            steps,
            resource="gw",
            by=("holder",),
            path=chart,
            span=span,
            known_at=None,
            today=today,
            scope="capacity",
        )
        click.echo(
            f"\nTimeline of gigawatts reserved, scheduled and delivered, per holder: {chart}"
        )
        click.echo(
            f"Explore it: capledger --db sqlite:///{database} positions --by holder,kind,resource"
        )


COMMANDS = [demo]
