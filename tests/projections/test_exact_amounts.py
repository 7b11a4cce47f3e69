"""Amounts split into (units, nanos) exactly, and join back to the same value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.fold.exact_amounts import ReadModelError, join, split

amounts = st.decimals(
    allow_nan=False, allow_infinity=False, places=9, min_value=-(10**15), max_value=10**15
)


@given(amounts)
def test_an_amount_splits_into_floor_units_and_nanos_and_joins_back(amount: Decimal) -> None:
    units, nanos = split(amount)
    assert 0 <= nanos < 10**9
    assert Decimal(units) <= amount < Decimal(units) + 1
    assert join(units, nanos) == amount


@pytest.mark.parametrize(
    ("amount", "parts"),
    [("1.25", (1, 250_000_000)), ("-1.5", (-2, 500_000_000)), ("0", (0, 0)), ("5E+3", (5000, 0))],
)
def test_a_negative_amount_counts_down_from_the_unit_below(
    amount: str, parts: tuple[int, int]
) -> None:
    assert split(Decimal(amount)) == parts


def test_more_than_nine_decimal_places_are_refused() -> None:
    with pytest.raises(ReadModelError, match="more than 9 decimal places"):
        split(Decimal("0.0000000001"))


def test_an_amount_beyond_bigint_is_refused() -> None:
    with pytest.raises(ReadModelError, match="beyond the read models' range"):
        split(Decimal(2**63))
