"""Amounts for a person: `$33.0B`, `5.0 GW`, `1.0M chips`, each with its unit. Tables only;
JSON and CSV stay exact and unit-free.

A table shows every amount of one resource at one scale (`$B`, `GW`, `M chips`), chosen
from its values (`scale_for`), so that `5.0 GW` stands beside `0.4 GW`, never beside
`400 MW`. `amount_columns` gives `render` those formatters for a whole table; `with_unit`
writes one amount on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Context, Decimal
from statistics import median_high
from typing import Any

__all__ = ["Scale", "amount_columns", "readable", "scale_for", "with_unit"]

_PREFIXES = (
    (Decimal("1e12"), "T"),
    (Decimal("1e9"), "B"),
    (Decimal("1e6"), "M"),
    (Decimal("1e3"), "k"),
)
_ONE = Decimal(1)
_MEGAWATT = Decimal("0.001")
_MOST_PLACES = 2
"""Decimal places a table shows at most: enough for a quarter gigawatt or $22.75B exactly."""
_EXACT = Context(prec=60)  # amounts have at most 9 places and fit 19 digits: division is exact

ResourceOf = str | None | Callable[[Mapping[str, Any]], str | None]
"""A table's resource: one for every row, or a function of the row."""


@dataclass(frozen=True)
class Scale:
    """How amounts of one resource are shown: divided by `divisor`, to `places` decimals,
    between `before` and `after` (`$` and `B`; `` and ` GW`)."""

    divisor: Decimal
    places: int
    before: str
    after: str

    def show(self, amount: Decimal | int, *, signed: bool = False) -> str:
        """The amount at this scale with its unit; `signed` puts `+` before a gain."""
        amount = Decimal(amount)
        shown = _EXACT.divide(abs(amount), self.divisor).quantize(
            _ONE.scaleb(-self.places), rounding=ROUND_HALF_UP
        )
        sign = "-" if amount < 0 else "+" if signed and amount > 0 else ""
        return f"{sign}{self.before}{shown:,f}{self.after}"


def scale_for(resource: str | None, amounts: Iterable[Decimal | int]) -> Scale:
    """The one scale for every amount of `resource` in a column, chosen from its values.

    Gigawatts in GW, or in MW when every amount is below 1 GW; as few decimals as show them
    all exactly, at most two (a quarter gigawatt matters). Dollars and chips in the largest
    unit (thousands, millions, billions, trillions) that the middle amount reaches, one
    larger when the largest amount would read 1,000 or more in it and the middle still
    reads 0.1 or more: so a column of billions with one trillion reads `$1,102.4B`, not
    `$0.02T`, and 220k chips beside a million `0.2M chips`. One decimal from thousands up,
    where a table shows a rounded figure, else as few as are exact.
    """
    values = [abs(Decimal(amount)) for amount in amounts]
    if resource == "gw":
        megawatts = 0 < max(values, default=_ONE) < 1
        divisor = _MEGAWATT if megawatts else _ONE
        return Scale(divisor, _places(values, divisor), "", " MW" if megawatts else " GW")
    divisor, prefix = _unit(values)
    places = 1 if divisor > _ONE else _places(values, divisor)
    if resource == "usd":
        return Scale(divisor, places, "$", prefix)
    if resource is not None and resource.startswith("chips:"):
        return Scale(divisor, places, "", f"{prefix} chips")
    return Scale(divisor, places, "", prefix)


def _unit(values: Sequence[Decimal]) -> tuple[Decimal, str]:
    """The divisor and prefix `scale_for` chooses for dollars and chips."""
    nonzero = sorted(value for value in values if value) or [Decimal(0)]
    middle, largest = median_high(nonzero), nonzero[-1]
    units = [(_ONE, ""), *reversed(_PREFIXES)]
    step = max(index for index, (scale, _) in enumerate(units) if index == 0 or middle >= scale)
    if step + 1 < len(units) and largest >= 1000 * units[step][0]:
        step += 1 if middle * 10 >= units[step + 1][0] else 0
    return units[step]


def _places(values: Sequence[Decimal], divisor: Decimal) -> int:
    """The fewest decimals (at most two) that show every value exactly."""
    places = 0
    for value in values:
        exponent = _EXACT.divide(value, divisor).normalize().as_tuple().exponent
        needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        places = max(places, min(needed, _MOST_PLACES))
    return places


def with_unit(resource: str | None, amount: Decimal | int, *, signed: bool = False) -> str:
    """One amount with its unit, at the scale that suits it alone and as exactly as two
    decimals allow: `$33.0B`, `$1.25B`, `$350.0M`, `300 MW`."""
    scale = scale_for(resource, [amount])
    exact = _places([abs(Decimal(amount))], scale.divisor)
    return replace(scale, places=max(scale.places, exact)).show(amount, signed=signed)


def every_digit(resource: str | None, amount: Decimal | int) -> str:
    """One amount with its unit, at the scale that suits it and with every digit it has (an
    audit trail must not round $1.25B to $1.2B): `$1.25B`, `$1.0B`, `0.75 GW`."""
    scale = scale_for(resource, [amount])
    figure = _EXACT.divide(Decimal(amount), scale.divisor).normalize()
    places = max(scale.places, -int(figure.as_tuple().exponent))
    return replace(scale, places=places).show(amount)


def readable(resource: str | None, amount: Decimal) -> str:
    """An amount of a resource the way a person reads it (`with_unit`)."""
    return with_unit(resource, amount)


def amount_columns(
    rows: Sequence[Mapping[str, Any]],
    columns: Iterable[str],
    resource: ResourceOf,
    *,
    signed: Iterable[str] = (),
) -> dict[str, Callable[[Any, Mapping[str, Any]], str]]:
    """For `render(..., human=)`: per amount column, a formatter writing each amount with its
    unit, every amount of one resource (or of chips of any model) in the table at one scale,
    chosen from all of them (`scale_for`), so that a column reads alike down and a row
    alike across.

    `resource` is the table's one resource, or a function giving a row's (say, its
    "resource" key); the columns named in `signed` put `+` before a gain.
    """
    resource_of = resource if callable(resource) else (lambda row: resource)
    named = list(columns)
    found: dict[str | None, list[Decimal]] = {}
    families: dict[str | None, list[str | None]] = {}
    for row in rows:
        name = resource_of(row)
        family = "chips:" if name is not None and name.startswith("chips:") else name
        if name not in families.setdefault(family, []):
            families[family].append(name)
        amounts = [row.get(column) for column in named]
        found.setdefault(family, []).extend(
            Decimal(amount) for amount in amounts if isinstance(amount, Decimal | int)
        )
    # Chips of every model share a scale, as they share a unit.
    scales = {
        name: scale_for(family, found[family])
        for family, names in families.items()
        for name in names
    }
    gains = set(signed)
    return {column: _formatter(scales, resource_of, signed=column in gains) for column in named}


def _formatter(
    scales: Mapping[str | None, Scale],
    resource_of: Callable[[Mapping[str, Any]], str | None],
    *,
    signed: bool,
) -> Callable[[Any, Mapping[str, Any]], str]:
    def show(value: Any, row: Mapping[str, Any]) -> str:
        name = resource_of(row)
        scale = scales.get(name) or scale_for(name, [value])
        return scale.show(value, signed=signed)

    return show
