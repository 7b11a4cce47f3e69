"""Recompute the hash chain and find the first row that does not match it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from .chain import GENESIS, header_text, link
from .clock import as_utc
from .schema import events

PAGE = 10_000


@dataclass(frozen=True, slots=True)
class Anchor:
    """A head seen earlier, kept outside the store: position N had this hash.

    The chain alone cannot show that its tail was cut off (a shorter chain is still a valid
    chain); an anchor kept elsewhere can.
    """

    position: int
    hash: str


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


def verify_chain(engine: Engine, *, anchor: Anchor | None = None, page: int = PAGE) -> ChainReport:
    """Walk the whole log in position order, recomputing every link.

    With an anchor, also check that the anchored position is still there with its hash.
    """
    report = _walk(engine, anchor, page)
    if report.intact and anchor is not None and anchor.position > report.count:
        return _broken(
            report.count,
            report.head_hash,
            anchor.position,
            f"missing: the anchor holds position {anchor.position} but the chain ends at "
            f"{report.count} (its tail was removed)",
        )
    return report


def _walk(engine: Engine, anchor: Anchor | None, page: int) -> ChainReport:
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
                return _broken(
                    expected_position - 1,
                    prev_hash,
                    expected_position,
                    f"position {expected_position} is missing (next stored is {position})",
                )
            if stored_prev != prev_hash:
                return _broken(
                    position - 1,
                    prev_hash,
                    position,
                    "its previous hash does not match the row before it",
                )
            if recorded_at != last_recorded:  # one instant per transaction: convert it once
                recorded_at = as_utc(recorded_at)
                if last_recorded is not None and recorded_at < last_recorded:
                    return _broken(position - 1, prev_hash, position, "recorded_at runs backwards")
            header = header_text(
                position=position,
                event_id=event_id,
                commitment=commitment,
                version=version,
                type_name=type_name,
                schema_version=schema_version,
                effective=effective,
                recorded_at=recorded_at,
                recorded_by=recorded_by,
            )
            if link(prev_hash, header, payload) != stored_hash:
                return _broken(
                    position - 1, prev_hash, position, "its content does not match its hash"
                )
            if anchor is not None and position == anchor.position and stored_hash != anchor.hash:
                return _broken(
                    position - 1, prev_hash, position, "its hash differs from the anchored one"
                )
            prev_hash = stored_hash
            last_recorded = recorded_at
            expected_position += 1
        if len(rows) < page:
            return ChainReport(count=expected_position - 1, head_hash=prev_hash)
        cursor = rows[-1][0]


def _broken(count: int, head: str, position: int, reason: str) -> ChainReport:
    return ChainReport(count=count, head_hash=head, first_bad_position=position, reason=reason)
