"""Knowledge instants stated by the caller instead of read from the clock: read from a date,
an aware date and time, or either in ISO 8601 text, and checked, under the write lock, against
the store's latest instant and the clock (docs/design.md, "The two times")."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Connection

from .append import tail
from .clock import Clock, as_utc
from .errors import KnowledgeTimeRefused
from .instant_text import read_instant

Stated = date | datetime | str
"""A knowledge instant as a caller states it: a date (midnight UTC of that date), a date and
time with a zone, or either as ISO 8601 text."""


def stated_instant(value: Stated) -> datetime:
    """The aware UTC instant `value` states; refused if it is malformed or has no zone."""
    if isinstance(value, str):
        value = _parsed(value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise KnowledgeTimeRefused(
                f"recorded at {value.isoformat()}: a date and time needs a zone "
                "(such as Z or +02:00); a bare date means midnight UTC"
            )
        return as_utc(value)
    return midnight(value)


def midnight(day: date) -> datetime:
    """The first instant of `day`, UTC: when a fact reported that day is known from."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _parsed(text: str) -> date | datetime:
    given = text.strip()
    try:
        if len(given) <= 10:
            return date.fromisoformat(given)
        return read_instant(given)
    except ValueError:
        raise KnowledgeTimeRefused(
            f"recorded at {given[:40]!r}: not an ISO 8601 date (2025-10-01) "
            "or date and time with a zone (2025-10-01T09:30:00Z)"
        ) from None


def shown(instant: datetime | None) -> str:
    """An instant as the refusals name it: ISO 8601, UTC written Z."""
    if instant is None:
        return "none (the store is empty)"
    return as_utc(instant).isoformat().replace("+00:00", "Z")


def latest_instant(connection: Connection) -> datetime | None:
    """The store's latest knowledge instant (None when empty); read holding the tail."""
    return tail(connection)[2]


def refuse_unless_after(latest: datetime | None, instant: datetime, what: str) -> None:
    """Refuse `instant` unless it is strictly after the store's `latest`: the log stays ordered
    in knowledge time as in position."""
    if latest is not None and instant <= latest:
        raise KnowledgeTimeRefused(
            f"{what} {shown(instant)}: not after the store's latest knowledge instant, "
            f"{shown(latest)}; the log stays ordered in knowledge time"
        )


def refuse_if_future(latest: datetime | None, instant: datetime, now: datetime, what: str) -> None:
    """Refuse `instant` if it is later than `now`: nothing is known before it happens."""
    if instant > now:
        raise KnowledgeTimeRefused(
            f"{what} {shown(instant)}: later than now, {shown(now)} "
            f"(the store's latest knowledge instant: {shown(latest)})"
        )


def checked_instant(
    connection: Connection, instant: datetime | None, clock: Clock
) -> datetime | None:
    """`instant`, if the store can take a batch known from it: after its latest, not after now
    (None, the clock's instant, needs no check).

    Called holding the tail, so that a writer that got ahead meanwhile makes it refused, never
    reordered."""
    if instant is None:
        return None
    latest = latest_instant(connection)
    refuse_unless_after(latest, instant, "recorded at")
    refuse_if_future(latest, instant, clock(), "recorded at")
    return instant
