"""Position buckets: the position postings summed per year and per month of `effective`.

positions(D, K) reads the year buckets before D's year, the month buckets of D's year before
D's month, and only D's own month from the postings, so the rows read per query no longer grow
with the log. Each bucket is bitemporal like the postings, in a canonical form that depends
only on the postings table: one row per maximal span of known time over which the bucket's
totals are constant and not all zero. So maintaining it instant by instant (`apply`, told the
rows each write made current and not current) and computing it from the postings at once
(`bucket_tally.rebuild`) give the same rows, whatever the number or the size of the transactions.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from . import held_rows as holding
from .bucket_rows import AMOUNTS, KEY, BucketRows, Key, Stored, Totals
from .tables import MEASURES

__all__ = ["AMOUNTS", "LEVELS", "apply", "period_of"]

LEVELS = ("year", "month")
_BILLION = 1_000_000_000
_MEASURE = {measure: index for index, measure in enumerate(MEASURES)}


def period_of(level: str, effective: date) -> date:
    """The first day of the year or month holding `effective`."""
    return date(effective.year, 1, 1) if level == "year" else effective.replace(day=1)


def apply(
    connection: Connection,
    columns: Sequence[str],
    instant: datetime,
    added: Iterable[Sequence[Any]],
    removed: Iterable[Sequence[Any]],
    held: OrderedDict[Any, Any],
) -> None:
    """Bring the buckets to what the postings say from `instant` on, given the posting rows
    (values in the order of `columns`) that became current at `instant` and that stopped;
    `held` has the buckets' rows as the transaction left them (`held_rows.held_buckets`)."""
    deltas = _deltas(columns, added, removed)
    if not deltas:
        return
    rows = BucketRows(connection)
    stored: dict[Key, Stored] = {key: held[key] for key in deltas if key in held}
    unread = sorted(deltas.keys() - stored.keys())
    if unread:
        stored.update(rows.stored(unread, instant))
    writes = _Writes()
    for key, delta in deltas.items():
        current, closed_now = stored.get(key, (None, None))
        before = current[1] if current else (0,) * len(MEASURES)
        after = tuple(old + change for old, change in zip(before, delta, strict=True))
        if after == before:
            _hold(held, key, (current, closed_now))
        else:
            _hold(held, key, writes.bring(key, instant, current, closed_now, after))
    writes.make(rows)


class _Writes:
    """The row changes one `apply` makes, collected bucket by bucket, then made in order."""

    def __init__(self) -> None:
        self.inserting: list[tuple[Key, Totals, datetime]] = []
        self.closing: list[tuple[Key, datetime, datetime]] = []
        self.dropping: list[tuple[Key, datetime]] = []
        self.reviving: list[tuple[Key, datetime]] = []
        self.rewriting: list[tuple[Key, datetime, Totals]] = []

    def bring(
        self,
        key: Key,
        instant: datetime,
        current: tuple[datetime, Totals] | None,
        closed_now: tuple[datetime, Totals] | None,
        after: Totals,
    ) -> Stored:
        """Note the writes that make a bucket's totals `after` from `instant` on, given its
        current row and its row closed at `instant`; return the two as the writes leave them."""
        now: tuple[datetime, Totals] | None = (instant, after) if any(after) else None
        if current is not None and current[0] == instant:
            return self._remake(key, instant, closed_now, now, after)
        if current is not None:
            self.closing.append((key, current[0], instant))
            if now is not None:
                self.inserting.append((key, after, instant))
            return now, current
        if closed_now is not None and closed_now[1] == after:
            self.reviving.append((key, closed_now[0]))
            return closed_now, None
        if now is not None:
            self.inserting.append((key, after, instant))
        return now, closed_now

    def _remake(
        self,
        key: Key,
        instant: datetime,
        closed_now: tuple[datetime, Totals] | None,
        now: tuple[datetime, Totals] | None,
        after: Totals,
    ) -> Stored:
        """A row made at this instant: rewrite it, or fall back to the row it replaced."""
        if closed_now is not None and closed_now[1] == after:
            self.dropping.append((key, instant))
            self.reviving.append((key, closed_now[0]))
            return closed_now, None
        if now is not None:
            self.rewriting.append((key, instant, after))
        else:
            self.dropping.append((key, instant))
        return now, closed_now

    def make(self, rows: BucketRows) -> None:
        # Drops first: a revived row's span must not meet a row made at the same instant.
        rows.drop(self.dropping)
        rows.close(self.closing)
        rows.revive(self.reviving)
        rows.rewrite(self.rewriting)
        rows.insert(self.inserting)


def _hold(held: OrderedDict[Any, Any], key: Key, rows: Stored) -> None:
    """Remember a bucket's rows as this transaction leaves them (oldest bucket out first)."""
    held.pop(key, None)
    held[key] = rows
    if len(held) > holding.MAX_BUCKETS:
        held.popitem(last=False)


def _deltas(
    columns: Sequence[str], added: Iterable[Sequence[Any]], removed: Iterable[Sequence[Any]]
) -> dict[Key, list[int]]:
    """The net change per bucket, in nanos per measure (buckets whose change is nil left out)."""
    at = {name: columns.index(name) for name in ("measure", "effective", "units", "nanos")}
    parties = [columns.index(name) for name in KEY[:4]]
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    for sign, postings in ((1, added), (-1, removed)):
        for posting in postings:
            amount = sign * (posting[at["units"]] * _BILLION + posting[at["nanos"]])
            measure = _MEASURE[posting[at["measure"]]]
            effective = posting[at["effective"]]
            names = tuple(posting[index] for index in parties)
            for level in LEVELS:
                deltas[(*names, level, period_of(level, effective))][measure] += amount
    return {key: delta for key, delta in deltas.items() if any(delta)}
