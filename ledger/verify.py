"""Recompute the hash chain and find the first row that does not match it."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from hashlib import sha256
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Dialect, Engine

from .backends import mark
from .chain import GENESIS, header_json, header_text, link
from .clock import as_utc
from .errors import StoreError
from .forked_workers import Taken, detach, messages, started, take, worker_count
from .schema import EVENT_COLUMNS, events
from .value_conversions import result_processor

if TYPE_CHECKING:
    from multiprocessing.connection import Connection as Pipe

PAGE = 10_000
"""Positions per query: each page is one statement, on its own connection, over a range."""

BATCH = 1_000
"""Rows taken from the driver at a time: small batches stay in the CPU's caches."""

PARALLEL_FROM = 100_000
"""Positions from which verify_chain checks ranges of the log in parallel, by default: below it,
starting the worker processes costs more than they save."""

RANGES_PER_WORKER = 4
"""Ranges the log is cut into for each worker: a worker slowed by other work takes fewer, and a
break found early leaves fewer to walk."""


# What the header's JSON encoder escapes in a string (ensure_ascii=False): a string without any
# of these is its own JSON between two quotes. As UTF-8 bytes: no other character encodes to any.
_ESCAPED = bytes(range(0x20)) + b'"\\'

# The string columns the header shortcut writes between quotes: event_id, commitment, type.
_QUOTED = (itemgetter(1), itemgetter(2), itemgetter(4))

_UNSET: Any = object()  # equal to no value read from the store
_NO_END = 2**63 - 1  # past any position
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


def verify_chain(
    engine: Engine,
    *,
    anchor: Anchor | None = None,
    page: int = PAGE,
    workers: int | None = None,
) -> ChainReport:
    """Walk the whole log in position order, recomputing every link.

    With an anchor, also check that the anchored position is still there with its hash.

    Every row stores the hash of the row before it as well as its own, so ranges of positions
    can be checked on their own, each from the row just before it: with several workers (by
    default one per CPU, for a log of PARALLEL_FROM positions or more) the ranges are checked
    in parallel by forked processes, and the report is the one the walk from position 1 gives.
    """
    report = _check(engine, anchor, page, workers)
    if report.intact and anchor is not None and anchor.position > report.count:
        return _broken(
            report.count,
            report.head_hash,
            anchor.position,
            f"missing: the anchor holds position {anchor.position} but the chain ends at "
            f"{report.count} (its tail was removed)",
        )
    return report


def spans(last: int, parts: int) -> list[tuple[int, int | None]]:
    """Positions 1..last cut into at most `parts` ranges, each (after, upto]: the last range has
    no end, so that it takes in any row appended meanwhile, as the walk from position 1 does."""
    size = max(1, -(-last // parts))
    bounds = list(range(0, last, size))
    return [(after, after + size) for after in bounds[:-1]] + [(bounds[-1], None)]


def _check(engine: Engine, anchor: Anchor | None, page: int, workers: int | None) -> ChainReport:
    count = worker_count(engine, workers)
    if not count:
        return _walk(engine, anchor, page)
    last = _query_one(engine, _statements(engine.dialect).last, ())
    if last is None or (workers is None and last < PARALLEL_FROM):
        return _walk(engine, anchor, page)
    ranges = spans(last, count * RANGES_PER_WORKER)
    return _check_in_parallel(engine, anchor, page, ranges, count)


def _check_in_parallel(
    engine: Engine,
    anchor: Anchor | None,
    page: int,
    ranges: list[tuple[int, int | None]],
    workers: int,
) -> ChainReport:
    """The ranges checked by forked worker processes, each taking the next range not yet taken
    and sending back its report; the first report that decides, in position order, is returned.

    A report decides when its range breaks or ends short of the next range (the chain ends
    there), or when it is the last range. A range reached in that order starts right after the
    end of the one before, so the row it starts from was there when that one was checked.
    """
    args = (engine, anchor, page, ranges)
    with started(_work, args, min(workers, len(ranges))) as (readers, _):
        incoming = messages(readers)
        reports: dict[int, ChainReport | BaseException | None] = {}
        for index, (_, upto) in enumerate(ranges):
            while index not in reports:
                message = next(incoming, None)
                if message is None:
                    raise StoreError("a verify worker stopped without checking its range")
                done, reports[done] = message
            report = reports[index]
            if isinstance(report, BaseException):
                raise report
            if report is None:
                raise StoreError("a row was removed from the log while it was being verified")
            if not report.intact or upto is None or report.count < upto:
                return report
    raise AssertionError("the last range has no end")  # pragma: no cover


def _work(
    engine: Engine,
    anchor: Anchor | None,
    page: int,
    ranges: list[tuple[int, int | None]],
    taken: Taken,
    sender: Pipe,
) -> None:
    """A forked worker: check the next range not yet taken, until none is left."""
    detach(engine)
    while (index := take(taken, len(ranges))) is not None:
        try:
            report = _walk_range(engine, anchor, page, *ranges[index])
        except Exception as error:
            sender.send((index, error))
            break
        sender.send((index, report))
    sender.close()


def _walk_range(
    engine: Engine, anchor: Anchor | None, page: int, after: int, upto: int | None
) -> ChainReport | None:
    """Check positions (after, upto], from the row at `after`: None if that row is not there."""
    before = _query_one(engine, _statements(engine.dialect).link, (after,)) if after else None
    if after and before is None:
        return None  # the range before this one cannot have reached its end: it decides
    return _walk(engine, anchor, page, after, upto, before)


class _Statements(NamedTuple):
    """The SQL verify runs, in the driver's own parameter style."""

    rows: str  # the raw rows in a range of positions
    after: str  # the first position after one
    last: str  # the last position
    link: str  # one row's hash and recorded_at


def _statements(dialect: Dialect) -> _Statements:
    param = mark(dialect)
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in EVENT_COLUMNS)
    position = quote("position")
    table = dialect.identifier_preparer.format_table(events)
    return _Statements(
        rows=f"SELECT {columns} FROM {table} WHERE {position} > {param} "
        f"AND {position} <= {param} ORDER BY {position}",
        after=f"SELECT min({position}) FROM {table} WHERE {position} > {param}",
        last=f"SELECT max({position}) FROM {table}",
        link=f"SELECT {quote('hash')}, {quote('recorded_at')} FROM {table} "
        f"WHERE {position} = {param}",
    )


def _query_one(engine: Engine, sql: str, parameters: tuple[Any, ...]) -> Any:
    """The first row of a query's result (its only value, if it has one), or None."""
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
        finally:
            cursor.close()
    if row is None:
        return None
    return row[0] if len(row) == 1 else tuple(row)


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


def _batches(
    engine: Engine, page: int, after: int, upto: int | None
) -> Generator[list[tuple[Any, ...]], None, None]:
    """Every row in positions (after, upto], as the driver returns it, in position order, in
    batches of BATCH rows.

    The rows are read in pages of `page` positions, each one statement on its own connection.
    A page is a range of positions rather than a LIMIT: PostgreSQL then reads it through the
    primary key even on a table it has no statistics for. A page that comes back short has a
    gap or is the end: the next page starts at the first position stored after it, if any.
    """
    statements = _statements(engine.dialect)
    end = _NO_END if upto is None else upto
    low = after
    while low < end:
        high = min(low + page, end)
        fetched = 0
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            cursor = driver.cursor()
            try:
                cursor.execute(statements.rows, (low, high))
                while rows := cursor.fetchmany(BATCH):
                    fetched += len(rows)
                    yield rows
                if fetched < high - low:
                    cursor.execute(statements.after, (high,))
                    (next_stored,) = cursor.fetchone()
                    if next_stored is None or next_stored > end:
                        return
                    high = next_stored - 1
            finally:
                cursor.close()
        low = high


def _walk(
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
    expected_position = after + 1
    prev_hash = GENESIS
    last_raw: Any = _UNSET  # the raw recorded_at of the row before, and its instant
    last_recorded = _EARLIEST
    if before is not None:
        prev_hash, last_raw = before
        last_recorded = as_utc(to_instant(last_raw))
    tail = ""  # the header's end, shared by a transaction's rows: recorded_at, recorded_by
    tail_by: Any = _UNSET
    with closing(_batches(engine, page, after, upto)) as batches:
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
    count = expected_position - 1
    if upto is not None and count < upto:  # the range ends short of `upto`: a gap, or the end
        next_stored = _query_one(engine, _statements(dialect).after, (count,))
        if next_stored is not None:
            return _broken(
                count,
                prev_hash,
                expected_position,
                f"position {expected_position} is missing (next stored is {next_stored})",
            )
    return ChainReport(count=count, head_hash=prev_hash)


def _broken(count: int, head: str, position: int, reason: str) -> ChainReport:
    return ChainReport(count=count, head_hash=head, first_bad_position=position, reason=reason)
