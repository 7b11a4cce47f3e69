"""Recompute the hash chain and find the first row that does not match it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from .chain import GENESIS, header_text, link
from .clock import as_utc
from .schema import events

PAGE = 10_000


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of a verification: how many rows, and the first bad one if any."""

    count: int
    head_hash: str
    first_bad_position: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_bad_position is None


def verify_chain(engine: Engine, *, page: int = PAGE) -> ChainReport:
    """Walk the whole log in position order, recomputing every link."""
    columns = [
        events.c[name]
        for name in (
            "position",
            "event_id",
            "commitment",
            "version",
            "type",
            "schema_version",
            "effective",
            "recorded_at",
            "recorded_by",
            "payload",
            "prev_hash",
            "hash",
        )
    ]
    expected_position = 1
    prev_hash = GENESIS
    last_recorded = None
    cursor = 0
    while True:
        query = (
            select(*columns)
            .where(events.c.position > cursor)
            .order_by(events.c.position)
            .limit(page)
        )
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        for row in rows:
            position = row.position
            if position != expected_position:
                return _broken(
                    expected_position - 1,
                    prev_hash,
                    expected_position,
                    f"position {expected_position} is missing (next stored is {position})",
                )
            if row.prev_hash != prev_hash:
                return _broken(
                    position - 1,
                    prev_hash,
                    position,
                    "its previous hash does not match the row before it",
                )
            recorded_at = as_utc(row.recorded_at)
            if last_recorded is not None and recorded_at < last_recorded:
                return _broken(position - 1, prev_hash, position, "recorded_at runs backwards")
            header = header_text(
                position=position,
                event_id=row.event_id,
                commitment=row.commitment,
                version=row.version,
                type_name=row.type,
                schema_version=row.schema_version,
                effective=row.effective,
                recorded_at=recorded_at,
                recorded_by=row.recorded_by,
            )
            if link(prev_hash, header, row.payload) != row.hash:
                return _broken(
                    position - 1, prev_hash, position, "its content does not match its hash"
                )
            prev_hash = row.hash
            last_recorded = recorded_at
            expected_position += 1
        if len(rows) < page:
            return ChainReport(count=expected_position - 1, head_hash=prev_hash)
        cursor = rows[-1].position


def _broken(count: int, head: str, position: int, reason: str) -> ChainReport:
    return ChainReport(count=count, head_hash=head, first_bad_position=position, reason=reason)
