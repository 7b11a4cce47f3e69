"""The walk along the hash chain: recompute every row's link over a range of positions and find
the first row that does not match it."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime
from hashlib import sha256
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Dialect, Engine

from .chain import GENESIS, day_text, hashed_text, plain_texts, times_text
from .chain_report import ChainReport, broken
from .chain_rows import query_one, row_batches, statements
from .clock import as_utc
from .schema import events
from .value_conversions import result_processor

if TYPE_CHECKING:
    from .anchor import Anchor

# The string columns a header writes between quotes: event_id, commitment, type.
_QUOTED = (itemgetter(1), itemgetter(2), itemgetter(4))

_UNSET: Any = object()  # equal to no value read from the store
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def walk(
    engine: Engine,
    anchor: Anchor | None,
    page: int,
    after: int = 0,
    upto: int | None = None,
    before: tuple[str, Any] | None = None,
) -> ChainReport:
    """Check positions (after, upto]: from position 1, or from `before`, the stored hash and raw
    recorded_at of the row at `after` (as the walk from position 1 has them once past that row).
    """
    walked = _Walk(engine.dialect, anchor, after, before)
    with closing(row_batches(engine, page, after, upto)) as batches:
        for rows in batches:
            report = walked.check(rows)
            if report is not None:
                return report
    return walked.end(engine, upto)


class _Walk:
    """Where a walk stands between two batches of rows: the position it expects next, the hash
    and raw recorded_at of the row before, and what it has encoded so far.

    The rows come from the driver's own cursor as plain tuples: SQLAlchemy's row processing
    costs more than the hashing. The two columns whose raw value differs by backend (dates kept
    as text on SQLite) go through SQLAlchemy's own processors, once per distinct value, and so
    does each part of the header that rows share (their day, their transaction's times).
    """

    def __init__(
        self, dialect: Dialect, anchor: Anchor | None, after: int, before: tuple[str, Any] | None
    ) -> None:
        self.to_date = result_processor(events.c.effective, dialect)
        self.to_instant = result_processor(events.c.recorded_at, dialect)
        self.anchor_position = anchor.position if anchor is not None else None
        self.anchor_hash = anchor.hash if anchor is not None else None
        self.days: dict[Any, str] = {}  # raw effective -> its text in the header
        self.expected_position = after + 1
        self.prev_hash = GENESIS
        self.last_raw: Any = _UNSET  # the raw recorded_at of the row before, and its instant
        self.last_recorded = _EARLIEST
        if before is not None:
            self.prev_hash, self.last_raw = before
            self.last_recorded = as_utc(self.to_instant(self.last_raw))
        self.times = ""  # the header's end, shared by a transaction's rows
        self.times_by: Any = _UNSET  # the recorded_by it was made for

    def check(self, rows: list[tuple[Any, ...]]) -> ChainReport | None:
        """Check a batch of rows, the next in position order: the report of the first bad one,
        or None when all of them link."""
        # One check for the whole batch: the header's shortcut needs no escaping in any row.
        plain = plain_texts(*(map(column, rows) for column in _QUOTED))
        to_date, to_instant, days = self.to_date, self.to_instant, self.days
        anchor_position, anchor_hash = self.anchor_position, self.anchor_hash
        expected_position, prev_hash = self.expected_position, self.prev_hash
        last_raw, last_recorded = self.last_raw, self.last_recorded
        times, times_by = self.times, self.times_by
        encode, hashed = hashed_text, sha256  # looked up once per batch, not per row
        for (
            position,
            event_id,
            commitment,
            version,
            type_name,
            schema_version,
            effective,
            recorded_at,
            recorded_by,
            payload,
            stored_prev,
            stored_hash,
        ) in rows:
            if position != expected_position:
                return broken(
                    expected_position - 1,
                    prev_hash,
                    expected_position,
                    f"position {expected_position} is missing (next stored is {position})",
                )
            if stored_prev != prev_hash:
                return broken(
                    position - 1,
                    prev_hash,
                    position,
                    "its previous hash does not match the row before it",
                )
            if recorded_at != last_raw:  # one instant per transaction: convert it once
                instant = as_utc(to_instant(recorded_at))
                if instant < last_recorded:
                    return broken(position - 1, prev_hash, position, "recorded_at runs backwards")
                last_raw, last_recorded, times_by = recorded_at, instant, _UNSET
            if recorded_by != times_by:
                times, times_by = times_text(last_recorded, recorded_by), recorded_by
            day = days.get(effective)
            if day is None:
                day = days[effective] = day_text(to_date(effective))
            text = encode(
                prev_hash,
                position,
                event_id,
                commitment,
                version,
                type_name,
                schema_version,
                day,
                times,
                payload,
                plain or plain_texts((event_id,), (commitment,), (type_name,)),
            )
            digest = hashed(text.encode()).hexdigest()
            if digest != stored_hash:
                return broken(
                    position - 1, prev_hash, position, "its content does not match its hash"
                )
            if position == anchor_position and stored_hash != anchor_hash:
                return broken(
                    position - 1, prev_hash, position, "its hash differs from the anchored one"
                )
            prev_hash = stored_hash
            expected_position += 1
        self.expected_position, self.prev_hash = expected_position, prev_hash
        self.last_raw, self.last_recorded = last_raw, last_recorded
        self.times, self.times_by = times, times_by
        return None

    def end(self, engine: Engine, upto: int | None) -> ChainReport:
        """The report once every row was checked: intact, unless the range ends short of
        `upto` with rows stored after it (a gap)."""
        count = self.expected_position - 1
        if upto is not None and count < upto:  # the range ends short of `upto`: a gap, or the end
            next_stored = query_one(engine, statements(engine.dialect).after, (count,))
            if next_stored is not None:
                return broken(
                    count,
                    self.prev_hash,
                    self.expected_position,
                    f"position {self.expected_position} is missing (next stored is {next_stored})",
                )
        return ChainReport(count=count, head_hash=self.prev_hash)
