"""Recompute the hash chain and find the first row that does not match it."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from hashlib import sha256
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Engine

from .chain import GENESIS, header_json, header_text, link
from .clock import as_utc
from .driver import mark, result_processor
from .schema import EVENT_COLUMNS, events

PAGE = 10_000
"""Positions per query: each page is one statement, on its own connection, over a range."""

BATCH = 1_000
"""Rows taken from the driver at a time: small batches stay in the CPU's caches."""


# What the header's JSON encoder escapes in a string (ensure_ascii=False): a string without any
# of these is its own JSON between two quotes. As UTF-8 bytes: no other character encodes to any.
_ESCAPED = bytes(range(0x20)) + b'"\\'

# The string columns the header shortcut writes between quotes: event_id, commitment, type.
_QUOTED = (itemgetter(1), itemgetter(2), itemgetter(4))

_UNSET: Any = object()  # equal to no value read from the store
_EARLIEST = datetime.min.replace(tzinfo=UTC)


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


def _page_sql(dialect: Dialect) -> tuple[str, str]:
    """The raw rows in a range of positions, and the first position after one, as SQL in the
    driver's own parameter style."""
    param = mark(dialect)
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in EVENT_COLUMNS)
    position = quote("position")
    table = dialect.identifier_preparer.format_table(events)
    return (
        f"SELECT {columns} FROM {table} WHERE {position} > {param} AND {position} <= {param} "
        f"ORDER BY {position}",
        f"SELECT min({position}) FROM {table} WHERE {position} > {param}",
    )


def _plain(*texts: Any) -> bool:
    """Whether every value is a str the header's encoder would write as is between quotes."""
    try:
        for text in texts:
            data = "".join(text).encode()
            if len(data.translate(None, _ESCAPED)) != len(data):
                return False
    except (TypeError, UnicodeEncodeError):  # not a str, or not one UTF-8 can hold
        return False
    return True


def _batches(engine: Engine, page: int) -> Generator[list[tuple[Any, ...]], None, None]:
    """Every row as the driver returns it, in position order, in batches of BATCH rows.

    The rows are read in pages of `page` positions, each one statement on its own connection.
    A page is a range of positions rather than a LIMIT: PostgreSQL then reads it through the
    primary key even on a table it has no statistics for. A page that comes back short has a
    gap or is the end: the next page starts at the first position stored after it, if any.
    """
    rows_sql, next_sql = _page_sql(engine.dialect)
    low = 0
    while True:
        high = low + page
        fetched = 0
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            cursor = driver.cursor()
            try:
                cursor.execute(rows_sql, (low, high))
                while rows := cursor.fetchmany(BATCH):
                    fetched += len(rows)
                    yield rows
                if fetched < page:
                    cursor.execute(next_sql, (high,))
                    (after,) = cursor.fetchone()
                    if after is None:
                        return
                    high = after - 1
            finally:
                cursor.close()
        low = high


def _walk(engine: Engine, anchor: Anchor | None, page: int) -> ChainReport:
    # The rows come from the driver's own cursor as plain tuples: SQLAlchemy's row processing
    # costs more than the hashing. The two columns whose raw value differs by backend (dates kept
    # as text on SQLite) go through SQLAlchemy's own processors, once per distinct value. The
    # header is assembled here as the text header_text encodes; a row whose values that shortcut
    # cannot render exactly (a string JSON must escape, a number that is not an int) is rendered
    # by header_text itself.
    dialect = engine.dialect
    to_date = result_processor(events.c.effective, dialect)
    to_instant = result_processor(events.c.recorded_at, dialect)
    anchor_position = anchor.position if anchor is not None else None
    anchor_hash = anchor.hash if anchor is not None else None

    dates: dict[Any, tuple[date | None, str]] = {}  # raw effective -> the date, its header JSON
    expected_position = 1
    prev_hash = GENESIS
    last_raw: Any = _UNSET  # the raw recorded_at of the row before, and its instant
    last_recorded = _EARLIEST
    tail = ""  # the header's end, shared by a transaction's rows: recorded_at, recorded_by
    tail_by: Any = _UNSET
    with closing(_batches(engine, page)) as batches:
        for rows in batches:
            # One check for the whole batch: the shortcut needs no escaping in any row.
            plain = _plain(*(map(column, rows) for column in _QUOTED))
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
                if recorded_at != last_raw:  # one instant per transaction: convert it once
                    instant = as_utc(to_instant(recorded_at))
                    if instant < last_recorded:
                        return _broken(
                            position - 1, prev_hash, position, "recorded_at runs backwards"
                        )
                    last_raw, last_recorded, tail_by = recorded_at, instant, _UNSET
                if recorded_by != tail_by:
                    at = last_recorded.isoformat(timespec="microseconds")
                    tail = f",{header_json(at)},{header_json(recorded_by)}]\n"
                    tail_by = recorded_by
                known = dates.get(effective)
                if known is None:
                    day = to_date(effective)
                    known = dates[effective] = (day, header_json(day.isoformat() if day else None))
                if type(position) is type(version) is type(schema_version) is int and (
                    plain or _plain((event_id,), (commitment,), (type_name,))
                ):
                    material = (
                        f'{prev_hash}\n[{position},"{event_id}","{commitment}",{version},'
                        f'"{type_name}",{schema_version},{known[1]}{tail}{payload}'
                    )
                    digest = sha256(material.encode()).hexdigest()
                else:
                    header = header_text(
                        position=position,
                        event_id=event_id,
                        commitment=commitment,
                        version=version,
                        type_name=type_name,
                        schema_version=schema_version,
                        effective=known[0],
                        recorded_at=last_recorded,
                        recorded_by=recorded_by,
                    )
                    digest = link(prev_hash, header, payload)
                if digest != stored_hash:
                    return _broken(
                        position - 1, prev_hash, position, "its content does not match its hash"
                    )
                if position == anchor_position and stored_hash != anchor_hash:
                    return _broken(
                        position - 1, prev_hash, position, "its hash differs from the anchored one"
                    )
                prev_hash = stored_hash
                expected_position += 1
    return ChainReport(count=expected_position - 1, head_hash=prev_hash)


def _broken(count: int, head: str, position: int, reason: str) -> ChainReport:
    return ChainReport(count=count, head_hash=head, first_bad_position=position, reason=reason)
