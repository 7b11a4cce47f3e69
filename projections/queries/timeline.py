"""Reserved versus built, period by period: committed, scheduled by due date, and delivered,
broken down by kind (and by holder, provider or commitment, asked for), and the same at the
resolution of its events (the days on which a total changes), for charts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from ledger import Ledger

from ..fold import text
from .positions import never_adds_unlike
from .timeline_series import series

__all__ = [
    "BREAKDOWNS",
    "DEFAULT_BREAKDOWN",
    "Every",
    "TimelineRow",
    "periods",
    "timeline",
    "timeline_steps",
]

Every = Literal["month", "quarter", "year"]
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
BREAKDOWNS = ("holder", "provider", "kind", "commitment")
"""What a timeline can be broken down by (`by`): its one resource is chosen, never grouped."""
DEFAULT_BREAKDOWN = ("kind",)
"""Amounts of different kinds (investment, spend, capacity) are never added together."""


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One period of one breakdown (its keys, others None): the totals as of its last day (or
    as of `end`, for a period still open).

    `scheduled` is what the tranches say should exist by then: live tranches due on or before
    `as_of` (undated ones from the day they were scheduled), plus what cancelled ones delivered.
    """

    period: str
    start: date
    end: date
    as_of: date
    resource: str
    committed: Decimal
    scheduled: Decimal
    delivered: Decimal
    holder: str | None = None
    provider: str | None = None
    kind: str | None = None
    commitment: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates ISO 8601, the breakdown's keys present, amounts as exact decimal
        strings."""
        keys = {name: getattr(self, name) for name in BREAKDOWNS if getattr(self, name) is not None}
        return {
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            **keys,
            "resource": self.resource,
            "committed": text(self.committed),
            "scheduled": text(self.scheduled),
            "delivered": text(self.delivered),
        }


def periods(every: Every, start: date, end: date) -> Iterator[tuple[str, date, date]]:
    """(label, first day, last day) of each period from the one holding `start` to `end`'s."""
    if every not in _MONTHS:
        raise ValueError(f"every must be month, quarter or year; got {every!r}")
    step = _MONTHS[every]
    index = start.year * 12 + (start.month - 1) // step * step
    while True:
        first = date(index // 12, index % 12 + 1, 1)
        if first > end:
            return
        index += step
        last = date(index // 12, index % 12 + 1, 1) - timedelta(days=1)
        if every == "month":
            label = f"{first:%Y-%m}"
        elif every == "quarter":
            label = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        else:
            label = str(first.year)
        yield label, first, last


def timeline(
    ledger: Ledger,
    *,
    resource: str,
    every: Every = "quarter",
    start: date | None = None,
    end: date | None = None,
    known_at: date | datetime | None = None,
    holder: str | None = None,
    provider: str | None = None,
    kind: str | None = None,
    by: Sequence[str] = DEFAULT_BREAKDOWN,
) -> list[TimelineRow]:
    """Committed, scheduled (by tranche due date) and delivered of one resource, per period and
    per `by` (any of BREAKDOWNS; kind must be among them unless one `kind` is chosen).

    `start` defaults to the earliest effective date of the matching commitments, `end` to today.
    Every period has a row for each breakdown that has any amount in the span.
    """
    if every not in _MONTHS:
        raise ValueError(f"every must be month, quarter or year; got {every!r}")
    end = end if end is not None else ledger.clock().date()
    filters = {"resource": resource, "holder": holder, "provider": provider, "kind": kind}
    found = series(ledger, _checked(by, resource, kind), filters, start, end, known_at)
    if found is None:
        return []
    first, totals_of = found
    rows: list[TimelineRow] = []
    for label, first_day, last_day in periods(every, first, end):
        as_of = min(last_day, end)
        for key, totals in totals_of.items():
            committed, scheduled, delivered = (running.total(as_of) for running in totals)
            keys: dict[str, Any] = dict(zip(by, key, strict=True))
            rows.append(
                TimelineRow(
                    label,
                    first_day,
                    last_day,
                    as_of,
                    resource,
                    committed,
                    scheduled,
                    delivered,
                    **keys,
                )
            )
    return rows


def timeline_steps(
    ledger: Ledger,
    *,
    resource: str,
    start: date | None = None,
    end: date | None = None,
    known_at: date | datetime | None = None,
    holder: str | None = None,
    provider: str | None = None,
    kind: str | None = None,
    by: Sequence[str] = DEFAULT_BREAKDOWN,
) -> list[TimelineRow]:
    """The timeline at the resolution of its events, for a chart to draw each change on its
    own date: per `by`, a row as of `start` and one for each later day up to `end` on which a
    total changes (`period` is that day, ISO 8601; `start`, `end` and `as_of` are that day).

    Defaults and the refusal of mixed kinds as for `timeline`.
    """
    end = end if end is not None else ledger.clock().date()
    filters = {"resource": resource, "holder": holder, "provider": provider, "kind": kind}
    found = series(ledger, _checked(by, resource, kind), filters, start, end, known_at)
    if found is None:
        return []
    first, totals_of = found
    rows: list[TimelineRow] = []
    for key, totals in totals_of.items():
        days = sorted({day for running in totals for day in running.days if first < day <= end})
        named: dict[str, Any] = dict(zip(by, key, strict=True))
        before: tuple[Decimal, Decimal, Decimal] | None = None
        for day in (first, *days):
            committed, scheduled, delivered = (running.total(day) for running in totals)
            now = (committed, scheduled, delivered)
            if now != before:
                rows.append(TimelineRow(day.isoformat(), day, day, day, resource, *now, **named))
            before = now
    return sorted(rows, key=lambda row: (row.as_of, *(getattr(row, name) for name in by)))


def _checked(by: Sequence[str], resource: str, kind: str | None) -> tuple[str, ...]:
    """`by` as a tuple, refused if it names anything but BREAKDOWNS or would add kinds."""
    if isinstance(by, str) or len(set(by)) != len(by) or not set(by) <= set(BREAKDOWNS):
        raise ValueError(f"by must name any of {', '.join(BREAKDOWNS)}; got {by!r}")
    never_adds_unlike(by, resource=resource, kind=kind)
    return tuple(by)
