"""`capledger flows`: dollars committed between parties, pair by pair, and the cycles."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import click

from projections import EXPOSURE_MEASURES, Cycle, FlowPair, Flows, Measure, MissingExtra
from projections import flows as flows_of

from .amounts import amount_columns
from .context import FORMATS, Settings, pass_settings
from .params import as_of_option, known_at_option
from .render import render

PAIR_COLUMNS = ["a", "b", "a_to_b", "b_to_a", "round_trip"]
CYCLE_COLUMNS = ["length", "cycle", "smallest", "smallest_edge"]


@click.command()
@as_of_option
@known_at_option
@click.option(
    "--measure",
    type=click.Choice(EXPOSURE_MEASURES),
    default="committed",
    show_default=True,
    help="Which amounts: what the deals commit, what is still owed, or what was delivered.",
)
@click.option(
    "--cycles",
    is_flag=True,
    help="List the cycles of 2 to 4 parties instead of the pairs (needs the `graphs` extra).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "dot"]),
    default="table",
    show_default=True,
    help="table for a person; json (an array of objects) or csv for a program; dot: the "
    "graph in Graphviz DOT.",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also draw the network to FILE.png or FILE.svg (needs the `charts` and `graphs` extras).",
)
@pass_settings
def flows(
    settings: Settings,
    as_of: date | None,
    known_at: datetime | None,
    measure: str,
    cycles: bool,
    fmt: str,
    chart: str | None,
) -> None:
    """Money committed between parties, pair by pair, and where it goes round in cycles.

    An investment moves dollars from the investor (provider) to the investee (holder); a spend
    or capacity commitment priced in dollars moves them from the holder to the provider. One
    row per pair of parties: what each commits to the other, per kind, and the round trip
    (the smaller direction over the larger, each its largest kind). --cycles: the directed
    cycles of 2 to 4 parties, each with its smallest edge, the most that can go round.
    """
    if chart:
        from .flow_chart import checked_chart_path

        checked_chart_path(chart)
    ledger = settings.open()
    try:
        found = flows_of(
            ledger,
            as_of=as_of,
            known_at=known_at,
            measure=cast(Measure, measure),
            cycles=cycles or chart is not None,
        )
    except MissingExtra as error:
        raise click.ClickException(str(error)) from None
    if chart:
        from .flow_chart import draw_flows

        draw_flows(found, chart)
    click.echo(flows_text(found, fmt, cycles=cycles))
    if chart:
        click.echo(f"chart written to {chart}", err=True)


def flows_text(found: Flows, fmt: str, *, cycles: bool) -> str:
    """The pairs (or, with `cycles`, the cycles) in `fmt`; DOT draws the whole graph."""
    if fmt == "dot":
        from .flow_dot import dot

        return dot(found)
    if not found.edges and fmt == "table":
        return f"no dollars committed between parties {_when(found)}: no flows"
    if cycles:
        ring = found.cycles or ()
        if fmt != "table":
            return render([cycle.as_dict() for cycle in ring], fmt)
        if not ring:
            return f"no cycles of 2 to 4 parties {_when(found)}"
        lines = [_cycle_line(cycle) for cycle in ring]
        human = amount_columns(lines, ("smallest",), "usd")
        return render(lines, "table", columns=CYCLE_COLUMNS, human=human)
    if fmt != "table":
        return render([pair.as_dict() for pair in found.pairs], fmt)
    dollars = _dollars(found.pairs)
    lines = [_pair_line(pair, dollars) for pair in found.pairs]
    return render(lines, "table", columns=PAIR_COLUMNS, human={"round_trip": _percent})


def _dollars(pairs: Sequence[FlowPair]) -> Callable[[Decimal], str]:
    """Dollars at the one scale of every amount in the pairs' table (`amount_columns`): both
    direction columns hold several kinds' amounts each, so they share one scale."""
    amounts = [
        {"amount": amount}
        for pair in pairs
        for direction in (pair.a_to_b, pair.b_to_a)
        for amount in direction.values()
    ]
    show = amount_columns(amounts, ("amount",), "usd")["amount"]
    return lambda amount: show(amount, {})


def _when(found: Flows) -> str:
    known = f", known at {found.known_at:%Y-%m-%d %H:%M} UTC" if found.known_at else ""
    return f"as of {found.as_of}{known}"


def _pair_line(pair: FlowPair, dollars: Callable[[Decimal], str]) -> dict[str, Any]:
    return {
        "a": pair.a,
        "b": pair.b,
        "a_to_b": _by_kind(pair.a_to_b, dollars),
        "b_to_a": _by_kind(pair.b_to_a, dollars),
        "round_trip": pair.round_trip,
    }


def _by_kind(amounts: Mapping[str, Decimal], dollars: Callable[[Decimal], str]) -> str:
    return "; ".join(f"{kind} {dollars(amounts[kind])}" for kind in sorted(amounts)) or "-"


def _cycle_line(cycle: Cycle) -> dict[str, Any]:
    smallest = cycle.smallest
    return {
        "length": len(cycle.parties),
        "cycle": " -> ".join([*cycle.parties, cycle.parties[0]]),
        "smallest": smallest.amount,
        "smallest_edge": f"{smallest.source} -> {smallest.target} ({smallest.kind})",
    }


def _percent(value: Decimal, row: Any) -> str:
    return f"{value * 100:.1f}%"


COMMANDS = [flows]
