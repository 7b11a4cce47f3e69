"""Where money goes round: the directed cycles of the money graph, found by networkx.

A cycle is a ring of parties each committing dollars to the next (a chip maker invests in a
lab that commits to a cloud that buys the chip maker's chips). Its smallest edge is the most
that can go all the way round. Each hop is the largest single kind of commitment between its
two parties: dollars of different kinds are never added.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..fold import text

if TYPE_CHECKING:
    from .flows import FlowEdge

__all__ = ["Cycle", "MissingExtra", "find_cycles", "hops"]


class MissingExtra(ImportError):
    """An optional library a feature needs is not installed; the message names the extra."""


@dataclass(frozen=True, slots=True)
class Cycle:
    """Parties in money order (the first by name; the last pays the first) and the edge of
    each hop; `smallest` is the edge that limits what can go round."""

    parties: tuple[str, ...]
    edges: tuple[FlowEdge, ...]

    @property
    def smallest(self) -> FlowEdge:
        return min(self.edges, key=lambda edge: (edge.amount, edge.source))

    def as_dict(self) -> dict[str, Any]:
        smallest = self.smallest
        return {
            "length": len(self.parties),
            "parties": list(self.parties),
            "edges": [edge.as_dict() for edge in self.edges],
            "smallest": text(smallest.amount),
            "smallest_edge": f"{smallest.source} -> {smallest.target} ({smallest.kind})",
        }


def hops(edges: Iterable[FlowEdge]) -> dict[tuple[str, str], FlowEdge]:
    """Per (source, target): its largest edge (the first kind by name among equals)."""
    chosen: dict[tuple[str, str], FlowEdge] = {}
    for edge in sorted(edges, key=lambda edge: edge.kind):
        key = (edge.source, edge.target)
        if key not in chosen or edge.amount > chosen[key].amount:
            chosen[key] = edge
    return chosen


def find_cycles(edges: Sequence[FlowEdge], *, shortest: int = 2, longest: int = 4) -> list[Cycle]:
    """Every directed cycle of `shortest` to `longest` parties, the one whose smallest edge
    is largest first (then by parties)."""
    if shortest < 2 or longest < shortest:
        raise ValueError(
            f"cycle lengths must satisfy 2 <= shortest <= longest; got {shortest}..{longest}"
        )
    try:
        import networkx
    except ImportError:
        raise MissingExtra(
            "finding cycles needs networkx: pip install 'capacity-ledger[graphs]'"
        ) from None
    chosen = hops(edges)
    graph = networkx.DiGraph()
    graph.add_edges_from(chosen)
    found: list[Cycle] = []
    for ring in networkx.simple_cycles(graph, length_bound=longest):
        if len(ring) < shortest:
            continue
        start = ring.index(min(ring))
        parties = tuple(ring[start:] + ring[:start])
        steps = zip(parties, parties[1:] + parties[:1], strict=True)
        found.append(Cycle(parties, tuple(chosen[step] for step in steps)))
    return sorted(found, key=lambda cycle: (-cycle.smallest.amount, cycle.parties))
