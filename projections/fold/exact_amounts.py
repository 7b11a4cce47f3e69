"""Exact amounts as two integers (units, nanos), so that SQL SUM is exact on every backend.

An amount `a` is stored as `units = floor(a)` and `nanos = (a - units) * 1e9`, in 0..999999999.
A sum of rows is `SUM(units) + SUM(nanos) / 1e9`, combined exactly here as a Decimal.
"""

from __future__ import annotations

from decimal import Context, Decimal

from events import LedgerError, canonical

__all__ = ["ReadModelError", "join", "split", "text"]

_EXACT = Context(prec=400, Emax=10_000, Emin=-10_000)
_BIGINT = 2**63 - 1
SCALE = 9


class ReadModelError(LedgerError):
    """An amount or a request the read models cannot represent or answer."""


_NANOS_PER_UNIT = 10**SCALE


def split(amount: Decimal) -> tuple[int, int]:
    """The (units, nanos) of an amount; refuses more than 9 decimal places or beyond BIGINT."""
    scaled = amount.scaleb(SCALE, _EXACT)  # exact: the context holds 400 digits
    whole = int(scaled)
    if whole != scaled:
        raise ReadModelError(
            f"amount {format(amount, 'f')} has more than {SCALE} decimal places; "
            "the read models keep amounts to the nano (1e-9)"
        )
    units, nanos = divmod(whole, _NANOS_PER_UNIT)  # floor: nanos in 0..999999999
    if not -_BIGINT <= units <= _BIGINT:
        raise ReadModelError(f"amount {format(amount, 'f')} is beyond the read models' range")
    return units, nanos


def join(units: int | None, nanos: int | None) -> Decimal:
    """The exact, canonical Decimal of summed units and nanos (None, from an empty SUM, is 0)."""
    whole = Decimal(int(units or 0))
    return canonical(_EXACT.add(whole, Decimal(int(nanos or 0)).scaleb(-SCALE, _EXACT)))


def text(amount: Decimal) -> str:
    """An amount as JSON-ready text: "33000000000", "1.25", never an exponent."""
    return format(canonical(amount), "f")
