"""Exposure over random, valid histories: shares sum to one, the HHI stays within its bounds,
and every total, ceiling and floor is what the reference fold says, as of any date and known
at any instant. The ceiling and floor are the reference's (`CommitmentState.ceiling`, `.floor`):
how much of committed is `up_to` or `at_least`, whatever the measure asked about."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import fold
from ledger import Ledger
from projections import EXPOSURE_MEASURES, SIDES, exposure
from tests.histories import BASE, FIRST_INSTANT, histories, known_streams

from .conftest import SetClock, fresh_store

CLOSE = Decimal("1e-20")
"""How far from exact a sum of shares may be: each share is a quotient to 28 digits."""


def expected_exposure(
    batches: list[list[dict[str, Any]]],
    instants: list[datetime],
    as_of: date,
    known_at: datetime | None,
    side: str,
    measure: str,
) -> dict[tuple[str, str, str, str], tuple[Decimal, Decimal, Decimal]]:
    """Per (party, kind, resource, counterparty): amount, and the ceiling and floor of
    committed, from the reference fold of each commitment known then (zero amounts left
    out)."""
    other = "holder" if side == "provider" else "provider"
    found: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for stream in known_streams(batches, instants, known_at).values():
        state = fold(stream, as_of)
        if state is None:
            continue
        amounts, ceiling, floor = getattr(state, measure), state.ceiling, state.floor
        for resource in amounts.keys() | ceiling.keys() | floor.keys():
            key = (getattr(state, side), state.kind, resource, getattr(state, other))
            parts = found.setdefault(key, [Decimal(0)] * 3)
            parts[0] += amounts.get(resource, 0)
            parts[1] += ceiling.get(resource, 0)
            parts[2] += floor.get(resource, 0)
    return {key: (a, c, f) for key, (a, c, f) in found.items() if a}


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=histories(),
    queries=st.lists(
        st.tuples(
            st.integers(-5, 110),
            st.integers(-1, 6),
            st.sampled_from(SIDES),
            st.sampled_from(EXPOSURE_MEASURES),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_exposure_is_the_folds_amounts_shared_out(
    store_url: str,
    tmp_path: Path,
    batches: list[list[dict[str, Any]]],
    queries: list[tuple[int, int, str, str]],
) -> None:
    clock = SetClock(FIRST_INSTANT)
    with Ledger.open(fresh_store(store_url, tmp_path), clock=clock) as led:
        instants = []
        for batch in batches:
            instants.append(led.record(batch).recorded_at)
            clock.tick(hours=1)
        for as_of_days, known_index, side, measure in queries:
            as_of = BASE + timedelta(days=as_of_days)
            known_at = None if known_index < 0 else FIRST_INSTANT + timedelta(hours=known_index)
            rows = exposure(led, as_of=as_of, known_at=known_at, side=side, measure=measure)  # type: ignore[arg-type]
            found = {
                (row.party, row.kind, row.resource, part.party): (
                    part.amount,
                    part.ceiling,
                    part.floor,
                )
                for row in rows
                for part in row.counterparties
            }
            assert found == expected_exposure(batches, instants, as_of, known_at, side, measure)
            for row in rows:
                shares = [part.share for part in row.counterparties]
                assert all(0 < share <= 1 for share in shares)
                assert abs(sum(shares) - 1) <= CLOSE
                assert Decimal(10_000) / len(shares) - CLOSE <= row.hhi <= 10_000 + CLOSE
                assert row.total == sum(part.amount for part in row.counterparties)
                if measure == "committed":
                    assert row.ceiling + row.floor <= row.total
