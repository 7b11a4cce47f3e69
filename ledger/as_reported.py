"""Recording as reported: each event known from its own source date. A stream's events are
grouped by `source.date` and appended in date order, each date's at its midnight UTC, inside
the caller's one write transaction; within a date, the input's order is kept (docs/design.md,
"The two times"). The rules are checked, and the rows appended, a chunk of that order at a
time, whatever the dates: a chunk's rows carry their own dates' instants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection

from events import Event, InvalidEvent

from .chunked_recording import CheckAndAppend, batched
from .clock import Clock
from .errors import KnowledgeTimeRefused
from .event_rows import PendingEvent, StoredEvent
from .gc_pauses import settle
from .pending_rows import EventInput, prepare
from .stated_instants import latest_instant, midnight, refuse_if_future, refuse_unless_after
from .stream_cache import StreamCache

Day = tuple[list[Event], list[PendingEvent]]
"""The events of one source date, validated, and their rows, in the input's order."""


def by_source_date(located: Iterable[tuple[EventInput, str | None]], chunk: int) -> dict[date, Day]:
    """Validate every event and group it by its source date; refuse one without."""
    days: dict[date, Day] = {}
    for part in batched(located, chunk):
        try:
            models, pending = prepare([item for item, _ in part], [origin for _, origin in part])
        except InvalidEvent as error:
            if error.field.startswith("source.date"):
                raise KnowledgeTimeRefused(str(error)) from None
            raise
        for model, row in zip(models, pending, strict=True):
            day = model.source.date if model.source is not None else None
            if day is None:
                raise KnowledgeTimeRefused(
                    f"{row.origin}: source.date: missing; recording as reported needs every "
                    "event's source date"
                )
            kept = days.get(day) or days.setdefault(day, ([], []))
            kept[0].append(model)
            kept[1].append(row)
        settle()  # what is grouped is kept until the end
    return days


def record_as_reported(
    located: Iterable[tuple[EventInput, str | None]],
    chunk: int,
    check_and_append: CheckAndAppend,
    connection: Connection,
    clock: Clock,
) -> tuple[list[StoredEvent], int]:
    """Append each source date's events at its midnight UTC, in date order, holding the tail;
    the first and last rows, and the skip count. Nothing is appended unless every date can be:
    the earliest after the store's latest instant, the last not after now by `clock`."""
    days = by_source_date(located, chunk)
    if not days:
        return [], 0
    dates = sorted(days)
    latest = latest_instant(connection)
    first, last = dates[0], dates[-1]
    earliest = f"as reported: the earliest source date, {first}, known from"
    refuse_unless_after(latest, midnight(first), earliest)
    latest_date = f"{days[last][1][0].origin}: source.date {last}, known from"
    refuse_if_future(latest, midnight(last), clock(), latest_date)
    models: list[Event] = []
    pending: list[PendingEvent] = []
    instants: list[datetime] = []
    for day in dates:
        day_models, day_pending = days.pop(day)
        models += day_models
        pending += day_pending
        instants += [midnight(day)] * len(day_models)
    ends: list[StoredEvent] = []
    skipped = 0
    streams = StreamCache()
    for start in range(0, len(models), chunk):
        end = start + chunk
        rows, already = check_and_append(
            models[start:end], pending[start:end], recorded_at=instants[start:end], streams=streams
        )
        skipped += already
        if rows:
            ends = [ends[0] if ends else rows[0], rows[-1]]
    return ends, skipped
