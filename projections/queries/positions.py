"""Positions as of a date, known at an instant: one SQL query over the position buckets and
postings (see position_sums.py), made exact decimals here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger import Ledger

from ..fold import text
from ..upkeep import ensure_current
from .known_at import as_of_date, known_instant
from .position_sums import sums

__all__ = ["DEFAULT_BY", "FIGURES", "KEYS", "PositionRow", "never_adds_unlike", "positions"]

KEYS = ("holder", "provider", "kind", "resource", "commitment")
"""What positions can be grouped by (`by`) and filtered on."""
DEFAULT_BY = KEYS[:4]
"""The grouping when none is asked for: every key but the commitment."""
FIGURES = ("committed", "scheduled", "delivered", "outstanding", "ceiling", "floor")
"""The figures of a position row, in order."""
_BILLION = 1_000_000_000


@dataclass(frozen=True, slots=True)
class PositionRow:
    """One row of the positions table: its grouping keys (others None), four totals, and how
    much of committed is a ceiling (`up_to`) and how much a floor (`at_least`)."""

    committed: Decimal
    scheduled: Decimal
    delivered: Decimal
    outstanding: Decimal
    ceiling: Decimal = Decimal(0)
    floor: Decimal = Decimal(0)
    holder: str | None = None
    provider: str | None = None
    kind: str | None = None
    resource: str | None = None
    commitment: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The grouping keys present, then the totals, ceiling and floor as exact decimal
        strings."""
        keys = {name: getattr(self, name) for name in KEYS if getattr(self, name) is not None}
        return keys | {name: text(getattr(self, name)) for name in FIGURES}


def positions(
    ledger: Ledger,
    *,
    as_of: date | None = None,
    known_at: date | datetime | None = None,
    holder: str | None = None,
    provider: str | None = None,
    kind: str | None = None,
    resource: str | None = None,
    commitment: str | None = None,
    by: Sequence[str] = DEFAULT_BY,
) -> list[PositionRow]:
    """Committed, scheduled, delivered and outstanding as of `as_of` (included), known at
    `known_at` (a date: the end of that day, UTC), summed over commitments per `by`."""
    if isinstance(by, str) or not by or any(name not in KEYS for name in by):
        raise ValueError(f"by must name one or more of {', '.join(KEYS)}; got {by!r}")
    never_adds_unlike(by, resource=resource, kind=kind, commitment=commitment)
    day, instant = as_of_date(ledger, as_of), known_instant(known_at)
    ensure_current(ledger)
    with ledger.engine.connect() as connection:
        wanted = filters(
            holder=holder, provider=provider, kind=kind, resource=resource, commitment=commitment
        )
        found = [_row(by, row) for row in sums(connection, by, day, instant, wanted)]
    # Sorted here, not in SQL: the order must not depend on the database's collation.
    return sorted(
        (row for row in found if row is not None),
        key=lambda row: tuple(getattr(row, name) for name in by),
    )


def never_adds_unlike(
    by: Sequence[str],
    *,
    resource: str | None,
    kind: str | None,
    commitment: str | None = None,
) -> None:
    """Refuse a grouping that would add amounts of different resources (gigawatts, dollars,
    chips) or of different kinds (investment, spend, capacity) together: each must be grouped
    by, or fixed by a filter. A commitment has one kind, so grouping by commitment (or choosing
    one) fixes the kind."""
    if "resource" not in by and resource is None:
        raise ValueError(
            "by must include resource unless one resource is chosen: "
            "amounts of different resources are never added together"
        )
    one_kind = kind is not None or commitment is not None or "commitment" in by
    if "kind" not in by and not one_kind:
        raise ValueError(
            "by must include kind unless one kind is chosen: investment, spend and capacity "
            "are never added together"
        )


def filters(**wanted: str | None) -> dict[str, str]:
    """The filters given, by column."""
    return {name: value for name, value in wanted.items() if value is not None}


def _row(by: Sequence[str], found: tuple[Any, ...]) -> PositionRow | None:
    keys: dict[str, Any] = dict(zip(by, found[: len(by)], strict=True))
    cu, cn, su, sn, du, dn, xu, xn, hu, hn, fu, fn = (int(v or 0) for v in found[len(by) :])
    committed, scheduled, delivered, ceiling, floor = (
        _exact(units * _BILLION + nanos)
        for units, nanos in ((cu, cn), (su, sn), (du, dn), (hu, hn), (fu, fn))
    )
    outstanding = _exact((cu - du + xu) * _BILLION + cn - dn + xn)
    if not (committed or scheduled or delivered or outstanding):
        return None
    return PositionRow(committed, scheduled, delivered, outstanding, ceiling, floor, **keys)


def _exact(nanos: int) -> Decimal:
    """A sum of nano-units as a canonical Decimal (no exponent, no trailing zeros), as `join`
    gives, built from integers: hundreds of rows a query, so it is worth not using a context."""
    whole, fraction = divmod(abs(nanos), _BILLION)
    sign = "-" if nanos < 0 else ""
    if not fraction:
        return Decimal(f"{sign}{whole}")
    return Decimal(f"{sign}{whole}.{fraction:09d}".rstrip("0"))
