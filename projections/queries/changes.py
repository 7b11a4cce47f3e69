"""What changed between two readings of the positions, and (asked for) the events that made it:
knowledge moved with the world date fixed, or the world date moved with knowledge fixed
(docs/design.md, "The two times")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger import Ledger

from ..fold import text
from .change_reasons import ChangeEvent, known_between, moved_between
from .known_at import as_of_date, known_instant
from .positions import DEFAULT_BY, KEYS, PositionRow, positions

__all__ = ["MEASURES", "ChangeEvent", "ChangeRow", "NotAChange", "changes"]

MEASURES = ("committed", "scheduled", "delivered", "outstanding")
Key = tuple[Any, ...]


class NotAChange(ValueError):
    """The two readings asked for are not a change: both times moved, neither, or the two
    ends reversed."""


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One position row that changed: its grouping keys (others None), its four totals before
    and after, and (with `explain`) the events that made the difference."""

    before: PositionRow
    after: PositionRow
    events: tuple[ChangeEvent, ...] = ()
    holder: str | None = None
    provider: str | None = None
    kind: str | None = None
    resource: str | None = None
    commitment: str | None = None

    def change(self, measure: str) -> Decimal:
        """After minus before, for one of MEASURES."""
        return Decimal(getattr(self.after, measure) - getattr(self.before, measure))

    def as_dict(self) -> dict[str, Any]:
        """The grouping keys present, then each total before, after and its change as exact
        decimal strings, then the explaining events (if asked for)."""
        keys = {name: getattr(self, name) for name in KEYS if getattr(self, name) is not None}
        figures: dict[str, Any] = {}
        for measure in MEASURES:
            figures[f"{measure}_before"] = text(getattr(self.before, measure))
            figures[f"{measure}_after"] = text(getattr(self.after, measure))
            figures[f"{measure}_change"] = text(self.change(measure))
        return keys | figures | {"events": [event.as_dict() for event in self.events]}


@dataclass(frozen=True, slots=True)
class _Readings:
    """The two readings compared: (as_of, known_at) before and after."""

    before: tuple[date, datetime | None]
    after: tuple[date, datetime | None]
    knowledge_moved: bool


def changes(
    ledger: Ledger,
    *,
    known_from: date | datetime | None = None,
    known_to: date | datetime | None = None,
    as_of: date | None = None,
    as_of_from: date | None = None,
    as_of_to: date | None = None,
    known_at: date | datetime | None = None,
    holder: str | None = None,
    provider: str | None = None,
    kind: str | None = None,
    resource: str | None = None,
    commitment: str | None = None,
    by: Sequence[str] = DEFAULT_BY,
    explain: bool = False,
) -> list[ChangeRow]:
    """The position rows (as `positions` groups and filters them) that differ between two
    readings, with their totals before and after; only rows that changed.

    Either knowledge moves, from `known_from` to `known_to` (default: now), as of `as_of`
    (default: today); or the world date moves, from `as_of_from` to `as_of_to` (default:
    today), as known at `known_at` (default: now). A date for a knowledge instant means the
    end of that day, UTC. With `explain`, each row carries the events that made its
    difference: those of its commitments recorded between the two instants, or known at
    `known_at` and (after corrections) effective between the two dates.
    """
    readings = _readings(
        ledger, known_from, known_to, as_of, as_of_from, as_of_to, known_at=known_at
    )
    wanted = {
        "holder": holder,
        "provider": provider,
        "kind": kind,
        "resource": resource,
        "commitment": commitment,
    }
    before = _read(ledger, readings.before, wanted, by)
    after = _read(ledger, readings.after, wanted, by)
    changed = [
        key
        for key in sorted(before.keys() | after.keys(), key=_order)
        if _differ(before.get(key), after.get(key))
    ]
    reasons = _reasons(ledger, readings, wanted, by, set(changed)) if explain else {}
    return [
        ChangeRow(
            before=before.get(key) or _zero(by, key),
            after=after.get(key) or _zero(by, key),
            events=tuple(reasons.get(key, ())),
            **dict(zip(by, key, strict=True)),
        )
        for key in changed
    ]


def _readings(
    ledger: Ledger,
    known_from: date | datetime | None,
    known_to: date | datetime | None,
    as_of: date | None,
    as_of_from: date | None,
    as_of_to: date | None,
    *,
    known_at: date | datetime | None,
) -> _Readings:
    """The two readings asked for; NotAChange for a question that is not one."""
    knowledge = known_from is not None or known_to is not None
    world = as_of_from is not None or as_of_to is not None
    if knowledge and world:
        raise NotAChange(
            "move knowledge (known_from/known_to) or the world date (as_of_from/as_of_to), not both"
        )
    if knowledge:
        return _knowledge_moved(ledger, known_from, known_to, as_of, known_at)
    if world:
        return _world_moved(ledger, as_of_from, as_of_to, as_of, known_at)
    raise NotAChange("say what moves: known_from (and known_to), or as_of_from (and as_of_to)")


def _knowledge_moved(
    ledger: Ledger,
    known_from: date | datetime | None,
    known_to: date | datetime | None,
    as_of: date | None,
    known_at: date | datetime | None,
) -> _Readings:
    if known_from is None:
        raise NotAChange("known_to needs known_from: the instant the change is counted from")
    if known_at is not None:
        raise NotAChange("known_at fixes knowledge: it goes with as_of_from/as_of_to")
    first, last = known_instant(known_from), known_instant(known_to)
    if first is not None and last is not None and last < first:
        raise NotAChange(
            f"known_to ({last.isoformat()}) is before known_from ({first.isoformat()})"
        )
    day = as_of_date(ledger, as_of)
    return _Readings((day, first), (day, last), knowledge_moved=True)


def _world_moved(
    ledger: Ledger,
    as_of_from: date | None,
    as_of_to: date | None,
    as_of: date | None,
    known_at: date | datetime | None,
) -> _Readings:
    if as_of_from is None:
        raise NotAChange("as_of_to needs as_of_from: the date the change is counted from")
    if as_of is not None:
        raise NotAChange("as_of fixes the world date: it goes with known_from/known_to")
    start, end = as_of_date(ledger, as_of_from), as_of_date(ledger, as_of_to)
    if end < start:
        raise NotAChange(f"as_of_to ({end}) is before as_of_from ({start})")
    instant = known_instant(known_at)
    return _Readings((start, instant), (end, instant), knowledge_moved=False)


def _read(
    ledger: Ledger,
    reading: tuple[date, datetime | None],
    wanted: dict[str, str | None],
    by: Sequence[str],
) -> dict[Key, PositionRow]:
    """One reading of the positions, by grouping key."""
    day, instant = reading
    rows = positions(ledger, as_of=day, known_at=instant, by=by, **wanted)
    return {tuple(getattr(row, name) for name in by): row for row in rows}


def _reasons(
    ledger: Ledger,
    readings: _Readings,
    wanted: dict[str, str | None],
    by: Sequence[str],
    changed: set[Key],
) -> dict[Key, list[ChangeEvent]]:
    """The events that explain each changed row: those of its commitments whose own rows
    changed, chosen by the axis that moved."""
    fine = (*[name for name in by if name != "commitment"], "commitment")
    before = _read(ledger, readings.before, wanted, fine)
    after = _read(ledger, readings.after, wanted, fine)
    where = [fine.index(name) for name in by]
    commitments: dict[Key, set[str]] = {}
    for key in before.keys() | after.keys():
        row_key = tuple(key[index] for index in where)
        if row_key in changed and _differ(before.get(key), after.get(key)):
            commitments.setdefault(row_key, set()).add(key[-1])
    names = sorted(set().union(*commitments.values())) if commitments else []
    if readings.knowledge_moved:
        found = known_between(ledger, names, readings.before[1], readings.after[1])
    else:
        found = moved_between(
            ledger, names, readings.before[0], readings.after[0], readings.after[1]
        )
    return {
        row_key: sorted(
            (event for name in sorted(names_of) for event in found.get(name, ())),
            key=lambda event: event.position,
        )
        for row_key, names_of in commitments.items()
    }


def _differ(before: PositionRow | None, after: PositionRow | None) -> bool:
    return any(
        (getattr(before, m) if before else 0) != (getattr(after, m) if after else 0)
        for m in MEASURES
    )


def _zero(by: Sequence[str], key: Key) -> PositionRow:
    nothing = Decimal(0)
    return PositionRow(nothing, nothing, nothing, nothing, **dict(zip(by, key, strict=True)))


def _order(key: Key) -> tuple[str, ...]:
    return tuple(str(part) for part in key)
