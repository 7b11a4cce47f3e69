"""One party's exposure period by period: its counterparties' shares as of each period's end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from ledger import Ledger

from ..read_models import position_postings
from ..upkeep import ensure_current
from .exposure import EXPOSURE_MEASURES, SIDES, ExposureRow, Measure, Side, exposure_rows
from .known_at import known_instant, known_rows
from .positions import positions
from .timeline import Every, periods

__all__ = ["ExposurePeriod", "exposure_by_period"]


@dataclass(frozen=True, slots=True)
class ExposurePeriod:
    """One period: the party's exposure rows (one per kind and resource) as of its end (or as
    of `end`, for a period still open)."""

    period: str
    as_of: date
    rows: tuple[ExposureRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "as_of": self.as_of.isoformat(),
            "rows": [row.as_dict(detail=True) for row in self.rows],
        }


def exposure_by_period(
    ledger: Ledger,
    party: str,
    *,
    side: Side = "provider",
    measure: Measure = "committed",
    kind: str | None = None,
    resource: str | None = None,
    every: Every = "quarter",
    start: date | None = None,
    end: date | None = None,
    known_at: date | datetime | None = None,
) -> list[ExposurePeriod]:
    """`party`'s exposure (a provider's holders, or with `side="holder"` a holder's providers)
    as of the end of each period from `start` (default: its first commitment) to `end`
    (default: today), known at `known_at`. Empty if the party has no commitments."""
    if side not in SIDES or measure not in EXPOSURE_MEASURES:
        raise ValueError(f"side must be one of {SIDES} and measure one of {EXPOSURE_MEASURES}")
    instant = known_instant(known_at)
    end = end if end is not None else ledger.clock().date()
    wanted = {side: party, "kind": kind, "resource": resource}
    if start is None:
        ensure_current(ledger)
        table = position_postings
        chosen = [table.c[name] == value for name, value in wanted.items() if value is not None]
        first = select(func.min(table.c.effective)).where(*chosen, known_rows(table, instant))
        with ledger.engine.connect() as connection:
            start = connection.execute(first).scalar_one_or_none()
        if start is None:
            return []
    by = ("provider", "holder", "kind", "resource")
    found: list[ExposurePeriod] = []
    for label, _, last in periods(every, start, end):
        as_of = min(last, end)
        rows = positions(
            ledger,
            as_of=as_of,
            known_at=instant,
            by=by,
            provider=party if side == "provider" else None,
            holder=party if side == "holder" else None,
            kind=kind,
            resource=resource,
        )
        found.append(
            ExposurePeriod(label, as_of, tuple(exposure_rows(rows, side=side, measure=measure)))
        )
    return found
