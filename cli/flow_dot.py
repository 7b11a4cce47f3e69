"""The money graph as Graphviz DOT: parties as nodes, one edge per direction and kind."""

from __future__ import annotations

import json

from projections import Flows

from .amounts import readable

KIND_COLOURS = {"investment": "#1f4e79", "spend": "#d98c1f", "capacity": "#2e8b57"}
CYCLE_COLOUR = "#c0392b"


def _quoted(text: str) -> str:
    # JSON string escaping is a subset of DOT's: quotes and backslashes escaped.
    return json.dumps(text, ensure_ascii=False)


def dot(found: Flows) -> str:
    """A `digraph`: edge labels the kind and amount, pen width growing with the amount; the
    edges on a cycle (when the cycles were asked for) drawn bold in red."""
    on_cycle = {
        (edge.source, edge.target, edge.kind)
        for cycle in found.cycles or ()
        for edge in cycle.edges
    }
    largest = max((edge.amount for edge in found.edges), default=0) or 1
    known = f", known at {found.known_at:%Y-%m-%d %H:%M} UTC" if found.known_at else ""
    title = f"dollars {found.measure} between parties, as of {found.as_of}{known}"
    lines = [
        "digraph flows {",
        f"  label={_quoted(title)};",
        "  labelloc=t;",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6f8", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    lines += [f"  {_quoted(party)};" for party in found.parties()]
    for edge in found.edges:
        width = 1 + 5 * float(edge.amount / largest)
        marked = (edge.source, edge.target, edge.kind) in on_cycle
        colour = CYCLE_COLOUR if marked else KIND_COLOURS.get(edge.kind, "#555555")
        label = f"{edge.kind} {readable('usd', edge.amount)}"
        style = ', style="bold"' if marked else ""
        lines.append(
            f"  {_quoted(edge.source)} -> {_quoted(edge.target)} [label={_quoted(label)}, "
            f'color="{colour}", penwidth={width:.2f}{style}];'
        )
    lines.append("}")
    return "\n".join(lines)
