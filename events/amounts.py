"""Resources and amounts: exact decimals, never floats.

Resources are `usd`, `gw` and `chips:<model>`; `mw` is accepted on input and becomes `gw`.
Every amount is a canonical, finite, non-negative Decimal: no trailing zeros after the point and
an integer exponent of zero, so equal values look alike and render without exponent form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Context, Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "RESOURCE_PATTERN",
    "canonical",
    "check_resource",
    "decimal_text",
    "describe",
    "merge_mw",
    "minus",
    "parse_amount",
    "plus",
]

MAX_DIGITS = 24
"""Most significant digits an amount may have (15 before the point and 9 after)."""
MAX_EXPONENT = 30
"""Largest absolute adjusted exponent accepted before the range and precision checks."""
MAX_PLACES = 9
"""Most decimal places: a nano-unit (a nanodollar, a watt of a gigawatt). The read models sum
amounts exactly as integers of nano-units, so this is where precision is decided, once."""
LIMIT = Decimal("1e15")
"""Amounts lie below a quadrillion of their unit, so that sums stay exact in 64-bit integers."""

# Wide enough that sums and differences of admissible amounts are always exact.
_EXACT = Context(prec=400, Emax=10_000, Emin=-10_000)
RESOURCE_PATTERN = r"^(usd|gw|mw|chips:[a-z0-9][a-z0-9-]{0,49})$"
"""What a resource name may be on input (`mw` included)."""
_RESOURCE = re.compile(RESOURCE_PATTERN)
_ONE = Decimal(1)


def check_resource(name: str) -> str:
    """Return the resource name if it is one we know (`mw` included), else raise ValueError."""
    if _RESOURCE.match(name) is None:
        raise ValueError(f"unknown resource {name!r}: expected usd, gw, mw or chips:<model>")
    return name


def canonical(amount: Decimal) -> Decimal:
    """Return the amount without trailing zeros after the point and with no positive exponent."""
    if amount.is_zero():
        return Decimal(0)
    reduced = amount.normalize(_EXACT)
    if reduced.as_tuple().exponent > 0:  # type: ignore[operator]
        reduced = reduced.quantize(_ONE, context=_EXACT)
    return reduced


def _checked(amount: Decimal) -> Decimal:
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount.is_zero():
        return Decimal(0)
    if abs(amount.adjusted()) > MAX_EXPONENT:
        raise ValueError(f"out of range: the decimal exponent must lie within ±{MAX_EXPONENT}")
    amount = canonical(amount)
    if amount >= LIMIT:
        raise ValueError("out of range: amounts must be below 1e15 (a quadrillion)")
    if -amount.as_tuple().exponent > MAX_PLACES:  # type: ignore[operator]
        raise ValueError(f"too precise: at most {MAX_PLACES} decimal places")
    if len(amount.as_tuple().digits) > MAX_DIGITS:
        raise ValueError(f"too precise: more than {MAX_DIGITS} significant digits")
    return amount


def parse_amount(value: object) -> Decimal:
    """Turn a str, int, Decimal or exactly representable float into a canonical amount.

    Raises ValueError (with a one-line reason) for anything else: booleans, NaN, infinities,
    negatives, absurd exponents, more than MAX_DIGITS significant digits.
    """
    if type(value) is str:  # the common case first; the checks below see it as a str too
        return _parse_text(value)
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, Decimal):
        return _checked(value)
    if isinstance(value, int):
        return _checked(Decimal(value))
    if isinstance(value, str):
        return _parse_text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        exact = Decimal(repr(value))
        if float(exact) != value:  # pragma: no cover - repr always round-trips in CPython
            raise ValueError(f"float {value!r} has no exact decimal form; give it as a string")
        return _checked(exact)
    raise ValueError(f"must be a decimal number (a string or a number), not {type(value).__name__}")


# The common spelling, already canonical: at most 15 digits before the point, and after it at
# most 9 ending in a non-zero digit. Decimal(text) of such a text is exactly what _checked would
# return (leading zeros of the coefficient vanish), so it skips the checks; anything else (spaces,
# signs, exponents, trailing zeros, too many digits, errors) takes the full path below.
_PLAIN = re.compile(r"[0-9]{1,15}(?:\.[0-9]{0,8}[1-9])?")


def _parse_text(value: str) -> Decimal:
    if _PLAIN.fullmatch(value) is not None:
        return Decimal(value)
    return _parse_text_slowly(value)


@lru_cache(maxsize=4096)  # the same figures recur across a batch; Decimals are immutable
def _parse_text_slowly(value: str) -> Decimal:
    text = value.strip()
    if len(text) > 100 or "_" in text or not text.isascii():
        raise ValueError(f"not a decimal number: {value[:40]!r}")
    try:
        return _checked(Decimal(text))
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {value!r}") from None


def merge_mw(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Return the amounts with `mw` turned into `gw` exactly; refuse both given together."""
    if "mw" not in amounts:
        return amounts if isinstance(amounts, dict) else dict(amounts)
    if "gw" in amounts:
        raise ValueError("give gw or mw, not both")
    merged = {name: value for name, value in amounts.items() if name != "mw"}
    try:
        merged["gw"] = _checked(amounts["mw"].scaleb(-3, _EXACT))
    except ValueError as e:
        raise ValueError(f"mw as gw: {e}") from None
    return merged


def plus(a: Decimal, b: Decimal) -> Decimal:
    """Exact sum of two amounts."""
    return _EXACT.add(a, b)


def minus(a: Decimal, b: Decimal) -> Decimal:
    """Exact difference of two amounts."""
    return _EXACT.subtract(a, b)


# A rendering with no sign, no leading zeros and no trailing zeros after the point is already
# that of the canonical amount (equal value, same exponent), so it needs no normalising.
_CANONICAL_TEXT = re.compile(r"(?:0|[1-9][0-9]{0,99})(?:\.[0-9]{0,99}[1-9])?")


def decimal_text(amount: Decimal) -> str:
    """Render an amount exactly without exponent form: "33000000000", "0.3", "1.25"."""
    if type(amount) is Decimal and amount.is_finite():
        text = format(amount, "f")
        if _CANONICAL_TEXT.fullmatch(text) is not None:
            return text
    return _decimal_text_slowly(amount)


@lru_cache(maxsize=4096)  # equal values render alike, so caching by value is exact
def _decimal_text_slowly(amount: Decimal) -> str:
    return format(canonical(amount), "f")


_SCALES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def describe(resource: str, amount: Decimal) -> str:
    """Say an amount the way people do, exactly: "5 GW", "$33B", "$1.25B", "100000 tpu chips"."""
    if resource == "usd":
        for scale, suffix in _SCALES:
            if amount >= scale:
                return f"${decimal_text(_EXACT.divide(amount, scale))}{suffix}"
        return f"${decimal_text(amount)}"
    if resource in ("gw", "mw"):
        return f"{decimal_text(amount)} {resource.upper()}"
    if resource.startswith("chips:"):
        return f"{decimal_text(amount)} {resource.removeprefix('chips:')} chips"
    return f"{decimal_text(amount)} {resource}"
