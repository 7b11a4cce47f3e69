"""The peer: the eventsourcing library doing the same work with an Aggregate per commitment.

It appends the same events, saved as batched as it allows (`app.save(*aggregates)` over every
aggregate a chunk touched, one recorder transaction per chunk), and answers "state as of a date"
the only way it can: by replaying every aggregate's events and folding them in Python. It checks
none of capledger's rules and keeps no hash chain: its figures are a floor for that work.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder, Transcoding

CHUNK = 5_000


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _amounts(values: dict[str, Any] | None) -> dict[str, Decimal] | None:
    return {k: Decimal(str(v)) for k, v in values.items()} if values is not None else None


class Commitment(Aggregate):
    """One commitment stream; its events mirror capledger's vocabulary field for field."""

    @staticmethod
    def create_id(commitment: str, **_: Any) -> UUID:
        return stream_id(commitment)

    @event("CommitmentMade")
    def __init__(
        self,
        commitment: str,
        effective: date,
        provider: str,
        holder: str,
        kind: str,
        bound: str,
        amounts: dict[str, Decimal],
        term_start: date | None = None,
        term_end: date | None = None,
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        self.committed = dict(amounts)
        self.delivered: dict[str, Decimal] = {}

    @event("CommitmentAmended")
    def amend(
        self,
        effective: date,
        amounts: dict[str, Decimal] | None = None,
        bound: str | None = None,
        term_start: date | None = None,
        term_end: date | None = None,
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        self.committed.update(amounts or {})

    @event("TrancheScheduled")
    def schedule(
        self,
        effective: date,
        tranche: str,
        amounts: dict[str, Decimal],
        due: date | None = None,
        condition: str | None = None,
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        pass

    @event("TrancheCancelled")
    def cancel_tranche(
        self,
        effective: date,
        tranche: str,
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        pass

    @event("DeliveryRecorded")
    def deliver(
        self,
        effective: date,
        amounts: dict[str, Decimal],
        tranche: str | None = None,
        site: str | None = None,
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        for name, value in amounts.items():
            self.delivered[name] = self.delivered.get(name, Decimal(0)) + value

    @event("CommitmentCancelled")
    def cancel(
        self,
        effective: date,
        reason: str | None = None,
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        self.committed = dict(self.delivered)

    @event("EventCorrected")
    def correct(
        self,
        target: str,
        replacement: dict[str, Any],
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        pass

    @event("EventRetracted")
    def retract(
        self,
        target: str,
        reason: str | None = None,
        source: dict[str, Any] | None = None,
        note: str | None = None,
        event_id: str | None = None,
    ) -> None:
        pass


METHODS = {
    "CommitmentAmended": Commitment.amend,
    "TrancheScheduled": Commitment.schedule,
    "TrancheCancelled": Commitment.cancel_tranche,
    "DeliveryRecorded": Commitment.deliver,
    "CommitmentCancelled": Commitment.cancel,
    "EventCorrected": Commitment.correct,
    "EventRetracted": Commitment.retract,
}


def stream_id(commitment: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"capledger-bench:{commitment}")


class Ledger(Application[UUID]):
    """The peer's application: nothing but its recorder, mapper and repository."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def open_app(env: dict[str, str]) -> Ledger:
    return Ledger(env=env)


def _kwargs(item: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in item.items() if k not in ("type", "commitment", "id")}
    if "id" in item:
        fields["event_id"] = item["id"]
    for name in ("effective", "term_start", "term_end", "due"):
        if name in fields:
            fields[name] = _day(fields[name])
    if "amounts" in fields:
        fields["amounts"] = _amounts(fields["amounts"])
    return fields


def append(app: Ledger, items: Iterable[dict[str, Any]], *, chunk: int = CHUNK) -> int:
    """Append every event, one `app.save(*touched_aggregates)` per chunk; returns the count."""
    aggregates: dict[str, Commitment] = {}
    touched: dict[str, Commitment] = {}
    count = 0
    for item in items:
        name = item["commitment"]
        fields = _kwargs(item)
        if item["type"] == "CommitmentMade":
            aggregate = Commitment(commitment=name, **fields)
            aggregates[name] = aggregate
        else:
            aggregate = aggregates[name]
            METHODS[item["type"]](aggregate, **fields)
        touched[name] = aggregate
        count += 1
        if count % chunk == 0:
            app.save(*touched.values())
            touched.clear()
    if touched:
        app.save(*touched.values())
    return count


def replay_as_of(
    app: Ledger,
    commitments: list[str],
    as_of: date,
    known_at: datetime | None,
    *,
    budget: float,
) -> tuple[dict[tuple[str, str], Decimal], int, int, float]:
    """Replay aggregates and fold committed and delivered per (holder, resource) as of a date.

    Stops after `budget` seconds. Returns the totals, how many aggregates and events were
    replayed, and the seconds taken.
    """
    totals: dict[tuple[str, str], Decimal] = {}
    started = time.perf_counter()
    done = events_read = 0
    for name in commitments:
        events = list(app.events.get(stream_id(name)))
        events_read += len(events)
        _fold_into(totals, events, as_of, known_at)
        done += 1
        if time.perf_counter() - started > budget:
            break
    return totals, done, events_read, time.perf_counter() - started


def _fold_into(
    totals: dict[tuple[str, str], Decimal],
    events: list[Any],
    as_of: date,
    known_at: datetime | None,
) -> None:
    known = [e for e in events if known_at is None or e.timestamp <= known_at]
    if not known:
        return
    by_id: dict[str, Any] = {}
    replaced: dict[str, dict[str, Any]] = {}
    retracted: set[str] = set()
    for e in known:
        if e.event_id is not None:
            by_id[e.event_id] = e
        name = type(e).__name__
        if name == "EventCorrected":
            replaced[e.target] = e.replacement
        elif name == "EventRetracted":
            retracted.add(e.target)
    holder = known[0].holder
    committed: dict[str, Decimal] = {}
    delivered: dict[str, Decimal] = {}
    cancelled = False
    for e in known:
        kind = type(e).__name__
        if e.event_id in retracted or kind in ("EventCorrected", "EventRetracted"):
            continue
        fields = replaced.get(e.event_id)
        effective = _day(fields["effective"]) if fields else e.effective
        if effective is None or effective > as_of:
            continue
        amounts = _amounts(fields["amounts"]) if fields and "amounts" in fields else None
        amounts = amounts or getattr(e, "amounts", None) or {}
        if kind in ("CommitmentMade", "CommitmentAmended"):
            committed.update(amounts)
        elif kind == "DeliveryRecorded":
            for r, v in amounts.items():
                delivered[r] = delivered.get(r, Decimal(0)) + v
        elif kind == "CommitmentCancelled":
            cancelled = True
    if cancelled:
        committed = dict(delivered)
    for r, v in committed.items():
        totals[(holder, r)] = totals.get((holder, r), Decimal(0)) + v


def commitments_in(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        item = json.loads(line)
        if item["type"] == "CommitmentMade":
            yield item["commitment"]


UTC = UTC
