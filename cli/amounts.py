"""Amounts for a person: $33.0B, 5 GW, 1.0M chips. Tables only; JSON and CSV stay exact."""

from __future__ import annotations

from decimal import Decimal

from events import decimal_text

SCALES = (
    (Decimal("1e12"), "T"),
    (Decimal("1e9"), "B"),
    (Decimal("1e6"), "M"),
    (Decimal("1e3"), "k"),
)


def _scaled(amount: Decimal) -> str:
    for scale, suffix in SCALES:
        if abs(amount) >= scale:
            return f"{amount / scale:.1f}{suffix}"
    return decimal_text(amount)


def readable(resource: str | None, amount: Decimal) -> str:
    """An amount of a resource the way a person reads it."""
    if resource == "usd":
        sign = "-" if amount < 0 else ""
        return f"{sign}${_scaled(abs(amount))}"
    if resource == "gw":
        if amount != 0 and abs(amount) < 1:
            return f"{decimal_text(amount * 1000)} MW"
        return f"{decimal_text(amount.quantize(Decimal('0.001')).normalize())} GW"
    if resource and resource.startswith("chips:"):
        return f"{_scaled(amount)} chips"
    return _scaled(amount)
