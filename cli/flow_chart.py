"""Draw the money graph: parties sized by the dollars committed to and by them, arrows as wide
as the amount they carry, coloured by kind, the edges on a cycle marked.

The layout is made for graphs like the public record's: a few hubs (the labs, with many
counterparties) in the middle, every other party on a ring around them, on the side of the
hubs it deals with, so that arrows run short and few cross.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import click

from projections import FlowEdge, Flows, MissingExtra

from .amounts import readable
from .exposure_chart import pyplot
from .flow_dot import CYCLE_COLOUR, KIND_COLOURS

Point = tuple[float, float]
_MOST_HUBS = 4
_BEND = 0.12
_LABEL_AT = 0.4
"""Where along its arrow an amount is written (0: the payer, 1: the payee): short of the
middle, so that the labels of two arrows that cross in the middle stay apart."""


def checked_chart_path(path: str) -> None:
    if Path(path).suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter(f"{path}: write a .png or .svg file", param_hint="--chart")


def layout(edges: list[FlowEdge]) -> dict[str, Point]:
    """Hubs (parties with three or more counterparties, the most money first) on a line in
    the middle; the others on an ellipse, ordered by the mean position of the hubs they deal
    with, alternately above and below."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    money: dict[str, float] = defaultdict(float)
    for edge in edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
        for party in (edge.source, edge.target):
            money[party] += float(edge.amount)
    ranked = sorted(neighbours, key=lambda party: (-len(neighbours[party]), -money[party], party))
    hubs = [party for party in ranked if len(neighbours[party]) >= 3][:_MOST_HUBS]
    spread = 0.9 if len(hubs) > 1 else 0.0
    where: dict[str, Point] = {
        hub: (-spread / 2 + spread * index / max(len(hubs) - 1, 1), 0.0)
        for index, hub in enumerate(hubs)
    }
    others = [party for party in ranked if party not in where]

    def leaning(party: str) -> tuple[float, str]:
        near = [where[hub][0] for hub in neighbours[party] if hub in where]
        return (sum(near) / len(near) if near else 0.0, party)

    others.sort(key=leaning)
    above, below = others[0::2], others[1::2]
    for row, sign in ((above, 1.0), (below, -1.0)):
        for index, party in enumerate(row):
            angle = math.pi * (index + 0.5) / len(row)
            where[party] = (-1.25 * math.cos(angle), sign * 0.95 * math.sin(angle))
    return where


def draw_flows(found: Flows, path: str) -> None:
    """Write the picture of the money graph to `path` (.png or .svg)."""
    checked_chart_path(path)
    plt = pyplot()
    try:
        import networkx
    except ImportError:
        raise MissingExtra(
            "the flows chart needs networkx: pip install 'capacity-ledger[graphs]'"
        ) from None
    edges = list(found.edges)
    if not edges:
        known = f", known at {found.known_at:%Y-%m-%d %H:%M} UTC" if found.known_at else ""
        raise click.ClickException(
            f"no dollars committed between parties as of {found.as_of}{known}: nothing to draw"
        )
    where = layout(edges)
    graph = networkx.MultiDiGraph()
    graph.add_nodes_from(where)
    money: dict[str, float] = defaultdict(float)
    for edge in edges:
        money[edge.source] += float(edge.amount)
        money[edge.target] += float(edge.amount)
    figure, axes = plt.subplots(figsize=(14, 10), dpi=110)
    largest_party = max(money.values())
    sizes = [400 + 5200 * math.sqrt(money[party] / largest_party) for party in graph.nodes]
    networkx.draw_networkx_nodes(
        graph, where, ax=axes, node_size=sizes, node_color="#eef1f5", edgecolors="#5d6d7e"
    )
    sizes_of = dict(zip(graph.nodes, sizes, strict=True))
    _draw_edges(networkx, graph, where, edges, found, axes, sizes_of)
    for party, (x, y) in where.items():
        _name(axes, party, (x, y), sizes_of[party], money[party])
    _legend(plt, axes, found)
    known = f", known at {found.known_at:%Y-%m-%d %H:%M} UTC" if found.known_at else ""
    axes.set_title(
        f"Dollars {found.measure} between parties, as of {found.as_of}{known}\n"
        "arrows run the way the money goes; width: amount; node size: dollars to and from "
        "the party (all kinds)",
        fontsize=12,
    )
    axes.set_xlim(-1.6, 1.6)
    axes.set_ylim(-1.15, 1.15)
    axes.set_aspect("equal")
    axes.axis("off")
    figure.text(0.99, 0.01, "capledger", ha="right", va="bottom", fontsize=8, color="#999999")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _draw_edges(
    networkx: Any,
    graph: Any,
    where: dict[str, Point],
    edges: list[FlowEdge],
    found: Flows,
    axes: Any,
    sizes: dict[str, float],
) -> None:
    largest = max(float(edge.amount) for edge in edges)
    on_cycle = {(e.source, e.target, e.kind) for cycle in found.cycles or () for e in cycle.edges}
    for edge in edges:
        width = 0.8 + 9 * float(edge.amount) / largest
        marked = (edge.source, edge.target, edge.kind) in on_cycle
        common = {
            "edgelist": [(edge.source, edge.target)],
            "ax": axes,
            "arrows": True,
            "arrowstyle": "-|>",
            "connectionstyle": f"arc3,rad={_BEND}",
            "nodelist": [edge.source, edge.target],
            "node_size": [sizes[edge.source], sizes[edge.target]],
        }
        if marked:
            networkx.draw_networkx_edges(
                graph, where, width=width + 6, edge_color=CYCLE_COLOUR, alpha=0.25, **common
            )
        colour = KIND_COLOURS.get(edge.kind, "#555555")
        networkx.draw_networkx_edges(
            graph, where, width=width, edge_color=colour, alpha=0.85, arrowsize=12 + width, **common
        )
        x, y = _along(where[edge.source], where[edge.target], _LABEL_AT)
        axes.annotate(
            readable("usd", _decimal(float(edge.amount))),
            (x, y),
            ha="center",
            va="center",
            fontsize=7.5,
            color=colour,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )


def _along(start: Point, end: Point, t: float) -> Point:
    """The point at `t` on matplotlib's arc3 curve from `start` to `end`: a quadratic Bezier
    whose control point is the middle moved by `_BEND` times the span, square to it (the axes
    keep x and y at one scale, so data coordinates serve)."""
    (x1, y1), (x2, y2) = start, end
    cx, cy = (x1 + x2) / 2 + _BEND * (y2 - y1), (y1 + y2) / 2 - _BEND * (x2 - x1)
    a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t**2
    return a * x1 + b * cx + c * x2, a * y1 + b * cy + c * y2


def _name(axes: Any, party: str, at: Point, size: float, money: float) -> None:
    """The party's name and dollars: inside a hub, outside a ring node (away from the middle)."""
    label = f"{party}\n{readable('usd', _decimal(money))}"
    x, y = at
    if abs(y) < 1e-9 and abs(x) < 0.5:
        axes.annotate(label, at, ha="center", va="center", fontsize=10, fontweight="bold")
        return
    length = math.hypot(x, y) or 1.0
    reach = math.sqrt(size) / 2 + 4  # the marker's radius in points, and a little room
    offset = (reach * x / length, reach * y / length)
    axes.annotate(
        label,
        at,
        xytext=offset,
        textcoords="offset points",
        ha="left" if x > 0.05 else "right" if x < -0.05 else "center",
        va="bottom" if y > 0.05 else "top" if y < -0.05 else "center",
        fontsize=9,
    )


def _legend(plt: Any, axes: Any, found: Flows) -> None:
    kinds = sorted({edge.kind for edge in found.edges})
    handles = [plt.Line2D([], [], color=KIND_COLOURS[kind], linewidth=3) for kind in kinds]
    labels = [f"{kind} ({_direction(kind)})" for kind in kinds]
    if found.cycles:
        handles.append(plt.Line2D([], [], color=CYCLE_COLOUR, alpha=0.35, linewidth=8))
        labels.append(f"on a cycle ({len(found.cycles)} cycles of 2 to 4 parties)")
    axes.legend(handles, labels, loc="lower left", frameon=False, fontsize=9)


def _direction(kind: str) -> str:
    return "investor to investee" if kind == "investment" else "customer to provider"


def _decimal(value: float) -> Any:
    from decimal import Decimal

    return Decimal(str(round(value)))
