"""Money flows between parties: who commits dollars to whom, pair by pair, and the cycles.

An investment commitment moves dollars from its provider (the investor) to its holder; a
spend or capacity commitment priced in dollars moves them from its holder (the customer) to
its provider. Each edge is one direction and one kind, summed over commitments from the
position sums (`positions` by provider, holder and kind, `usd` only): dollars of different
kinds are never added, and where a pair has several kinds in one direction, the round trip and
the cycles take the largest one (the most that one kind of commitment can carry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger import Ledger

from ..fold import text
from .exposure import EXPOSURE_MEASURES, Measure
from .known_at import as_of_date, known_instant
from .money_cycles import Cycle, find_cycles
from .positions import positions

__all__ = ["KINDS", "FlowEdge", "FlowPair", "Flows", "flows"]

KINDS = ("investment", "spend", "capacity")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FlowEdge:
    """Dollars `source` has committed to `target` through commitments of one kind."""

    source: str
    target: str
    kind: str
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "kind": self.kind,
            "amount": text(self.amount),
        }


@dataclass(frozen=True, slots=True)
class FlowPair:
    """Two parties and the dollars each commits to the other, per kind; `a` is the investor
    where only one of them invests in the other. `round_trip` is the smaller direction over
    the larger (each direction its largest kind): 1 when as much comes back as goes out, 0
    when nothing does."""

    a: str
    b: str
    a_to_b: dict[str, Decimal]
    b_to_a: dict[str, Decimal]
    round_trip: Decimal

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: one column per direction and kind (zero where there is none)."""
        row: dict[str, Any] = {"a": self.a, "b": self.b}
        for name, amounts in (("a_to_b", self.a_to_b), ("b_to_a", self.b_to_a)):
            for kind in KINDS:
                row[f"{name}_{kind}"] = text(amounts.get(kind, _ZERO))
        row["round_trip"] = text(self.round_trip)
        return row


@dataclass(frozen=True)
class Flows:
    """The money graph as of a date, known at an instant: its edges, the pairs of parties
    and (when asked for) its cycles."""

    as_of: date
    known_at: datetime | None
    measure: Measure
    edges: tuple[FlowEdge, ...]
    pairs: tuple[FlowPair, ...]
    cycles: tuple[Cycle, ...] | None = field(default=None)

    def parties(self) -> list[str]:
        """Every party on an edge, by name."""
        return sorted({edge.source for edge in self.edges} | {edge.target for edge in self.edges})


def flows(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    known_at: date | datetime | None = None,
    measure: Measure = "committed",
    cycles: bool = False,
    shortest: int = 2,
    longest: int = 4,
) -> Flows:
    """The dollars committed between parties as of `as_of`, known at `known_at` (`measure`:
    committed, outstanding or delivered); with `cycles`, also the directed cycles of
    `shortest` to `longest` parties (needs networkx: the `graphs` extra)."""
    if measure not in EXPOSURE_MEASURES:
        raise ValueError(f"measure must be one of {', '.join(EXPOSURE_MEASURES)}; got {measure!r}")
    day, instant = as_of_date(ledger, as_of), known_instant(known_at)
    rows = positions(
        ledger, as_of=day, known_at=instant, resource="usd", by=("provider", "holder", "kind")
    )
    edges = tuple(
        sorted(
            (edge for edge in (_edge(row, measure) for row in rows) if edge is not None),
            key=lambda edge: (edge.source, edge.target, edge.kind),
        )
    )
    found = find_cycles(edges, shortest=shortest, longest=longest) if cycles else None
    return Flows(
        day, instant, measure, edges, pairs(edges), None if found is None else tuple(found)
    )


def _edge(row: Any, measure: str) -> FlowEdge | None:
    amount: Decimal = getattr(row, measure)
    if not amount:
        return None
    if row.kind == "investment":
        return FlowEdge(row.provider, row.holder, row.kind, amount)
    return FlowEdge(row.holder, row.provider, row.kind, amount)


def pairs(edges: tuple[FlowEdge, ...]) -> tuple[FlowPair, ...]:
    """One row per pair of parties with money between them, by `a`, then `b`."""
    between: dict[tuple[str, str], dict[str, Decimal]] = {}
    for edge in edges:
        between.setdefault((edge.source, edge.target), {})[edge.kind] = edge.amount
    found: list[FlowPair] = []
    for first, second in sorted({tuple(sorted(key)) for key in between}):
        a, b = _oriented(first, second, between)
        a_to_b, b_to_a = between.get((a, b), {}), between.get((b, a), {})
        out, back = max(a_to_b.values(), default=_ZERO), max(b_to_a.values(), default=_ZERO)
        ratio = min(out, back) / max(out, back) if out and back else _ZERO
        found.append(FlowPair(a, b, a_to_b, b_to_a, ratio))
    return tuple(sorted(found, key=lambda pair: (pair.a, pair.b)))


def _oriented(
    first: str, second: str, between: dict[tuple[str, str], dict[str, Decimal]]
) -> tuple[str, str]:
    """The pair with the investor first, where only one of the two invests in the other."""
    first_invests = "investment" in between.get((first, second), {})
    second_invests = "investment" in between.get((second, first), {})
    return (second, first) if second_invests and not first_invests else (first, second)
