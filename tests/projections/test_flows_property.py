"""Money flows over random histories: every edge is the matching position sum at the same
instants, and the cycles are exactly those a brute-force search finds, on random graphs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from projections import EXPOSURE_MEASURES, FlowEdge, find_cycles, flows, positions
from tests.histories import BASE, FIRST_INSTANT, expected_positions, histories

from .conftest import SetClock, fresh_store

PARTIES = ("a", "b", "c", "d", "e")


def brute_force_cycles(
    edges: Iterable[FlowEdge], shortest: int, longest: int
) -> dict[tuple[str, ...], Decimal]:
    """Every ring of distinct parties each paying the next, found by trying every ordering,
    first party the smallest name; with the smallest of its hops (each hop its largest edge)."""
    hop: dict[tuple[str, str], Decimal] = {}
    for edge in edges:
        key = (edge.source, edge.target)
        hop[key] = max(hop.get(key, Decimal(0)), edge.amount)
    parties = sorted({party for key in hop for party in key})
    found: dict[tuple[str, ...], Decimal] = {}
    for length in range(shortest, longest + 1):
        for ring in permutations(parties, length):
            if ring[0] != min(ring):
                continue
            steps = list(zip(ring, ring[1:] + ring[:1], strict=True))
            if all(step in hop for step in steps):
                found[ring] = min(hop[step] for step in steps)
    return found


_EDGES = st.lists(
    st.builds(
        FlowEdge,
        st.sampled_from(PARTIES),
        st.sampled_from(PARTIES),
        st.sampled_from(("investment", "spend", "capacity")),
        st.integers(1, 50).map(Decimal),
    ).filter(lambda edge: edge.source != edge.target),
    max_size=16,
)


@settings(max_examples=300, deadline=None)
@given(edges=_EDGES, shortest=st.integers(2, 3), longest=st.integers(3, 5))
def test_every_cycle_is_found_and_every_one_found_is_a_cycle(
    edges: list[FlowEdge], shortest: int, longest: int
) -> None:
    found = find_cycles(edges, shortest=shortest, longest=longest)
    by_ring = {cycle.parties: cycle.smallest.amount for cycle in found}
    assert len(by_ring) == len(found)  # no cycle twice
    assert by_ring == brute_force_cycles(edges, shortest, longest)
    for cycle in found:
        assert [(e.source, e.target) for e in cycle.edges] == list(
            zip(cycle.parties, cycle.parties[1:] + cycle.parties[:1], strict=True)
        )
        assert all(edge in edges for edge in cycle.edges)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=histories(),
    queries=st.lists(
        st.tuples(st.integers(-5, 110), st.integers(-1, 6), st.sampled_from(EXPOSURE_MEASURES)),
        min_size=1,
        max_size=4,
    ),
)
def test_every_flow_edge_is_the_position_sum_at_the_same_instants(
    store_url: str,
    tmp_path: Path,
    batches: list[list[dict[str, Any]]],
    queries: list[tuple[int, int, str]],
) -> None:
    clock = SetClock(FIRST_INSTANT)
    keys = ("provider", "holder", "kind", "resource")
    index = {"committed": 0, "delivered": 2, "outstanding": 3}
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        instants = []
        for batch in batches:
            instants.append(led.record(batch).recorded_at)
            clock.tick(hours=1)
        for as_of_days, known_index, measure in queries:
            as_of = BASE + timedelta(days=as_of_days)
            known_at = None if known_index < 0 else FIRST_INSTANT + timedelta(hours=known_index)
            found = flows(led, as_of=as_of, known_at=known_at, measure=measure, cycles=True)  # type: ignore[arg-type]
            edges = {(edge.source, edge.target, edge.kind): edge.amount for edge in found.edges}
            sums = positions(led, as_of=as_of, known_at=known_at, by=keys)
            from_positions = {
                (r.provider, r.holder, r.kind)
                if r.kind == "investment"
                else (r.holder, r.provider, r.kind): getattr(r, measure)
                for r in sums
                if r.resource == "usd" and getattr(r, measure)
            }
            reference = {
                (p, h, k) if k == "investment" else (h, p, k): totals[index[measure]]
                for (h, p, k, r), totals in expected_positions(
                    batches, instants, as_of, known_at, ("holder", "provider", "kind", "resource")
                ).items()
                if r == "usd" and totals[index[measure]]
            }
            assert edges == from_positions == reference
            rings = {cycle.parties: cycle.smallest.amount for cycle in found.cycles or ()}
            assert rings == brute_force_cycles(found.edges, 2, 4)
            for pair in found.pairs:
                assert 0 <= pair.round_trip <= 1
