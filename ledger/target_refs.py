"""Targets named the way a person reads them, resolved to the event ids the store keeps.

A correction or retraction may name its target (in the same commitment) by a prefix of the
target's id, as `capledger history` prints it (`"target": "82ef87d7"`, at least 4 hex digits),
or by its tranche (`"target": "tranche:phase-1"`: the in-force event that scheduled or
cancelled it; for a correction, the one of its replacement's type). Resolution needs the
store, so it is done here, at record time and before the rules: the event is then validated
and stored with the full id, so its content id, its payload and the hash chain are what the
full form would have given, and older ledgers read the same. Only events recorded before the
call can be named so; an event of the same input is named by its full id.

A reference that names no event, or more than one, is refused in one line that names the
input, the field (`target`) and the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine

from events import InvalidEvent, LedgerError, parse_and_stamp

from .log_reads import position_known_at
from .stream_reads import StoredPayload, read_stream_payloads

__all__ = ["TargetResolver", "names_a_target", "resolved_batch", "resolving"]

_FIXES = ("EventCorrected", "EventRetracted")
_TRANCHE_EVENTS = ("TrancheScheduled", "TrancheCancelled")
_TRANCHE = "tranche:"
_PREFIX = re.compile(r"[0-9a-f]{4}[0-9a-f-]{0,31}")
_LISTED = 5
_RETRACTED = object()

Reference = tuple[str, str, str]
"""(commitment, "prefix", "tranche" or "unreadable", the prefix, the tranche's name or the
text that is none of them)."""


def _reference(item: Any) -> Reference | None:
    """What a correction or retraction given as a mapping names its target by, if not by a
    full id (anything else is left for validation to judge)."""
    if not isinstance(item, Mapping) or item.get("type") not in _FIXES:
        return None
    commitment, target = item.get("commitment"), item.get("target")
    if not isinstance(commitment, str) or not isinstance(target, str):
        return None
    text = target.strip().lower()
    if text.startswith(_TRANCHE):
        return commitment, "tranche", text.removeprefix(_TRANCHE).strip()
    if len(text) >= 32 and _is_uuid(text):
        return None
    if _PREFIX.fullmatch(text):
        return commitment, "prefix", text
    return commitment, "unreadable", target


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def names_a_target(item: Any) -> bool:
    """Whether the input names its target by a prefix or a tranche (and so needs the store)."""
    return _reference(item) is not None


class TargetResolver:
    """Resolves references against the store as it stood when the resolver was made (events
    appended later in the same call are not candidates, whatever the chunking)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._upto = position_known_at(connection, None)
        self._streams: dict[str, list[StoredPayload]] = {}

    def resolving(
        self, located: Iterable[tuple[Any, str | None]]
    ) -> Iterator[tuple[Any, str | None]]:
        """The (event, origin) pairs, each target named by a prefix or a tranche resolved."""
        for item, origin in located:
            yield self.resolved(item, origin), origin

    def resolved(self, item: Any, origin: str | None) -> Any:
        """The input with its target's full id in place of a prefix or a tranche."""
        reference = _reference(item)
        if reference is None:
            return item
        commitment, how, text = reference
        if how == "unreadable":
            raise InvalidEvent(
                "target",
                f"{text[:40]!r} is neither an event id, nor the start of one (4 or more hex "
                "digits, as `capledger history` shows), nor tranche:NAME",
                origin,
            )
        stream = self._stream(commitment)
        if not stream:
            raise InvalidEvent(
                "target",
                f"{item['target']!r} names an event of {commitment!r}, which has none recorded",
                origin,
            )
        if how == "prefix":
            return {**item, "target": _by_prefix(item, stream, text, origin)}
        wanted = item.get("replacement")
        of_type = wanted.get("type") if isinstance(wanted, Mapping) else None
        if of_type is not None and of_type not in _TRANCHE_EVENTS:
            raise InvalidEvent(
                "target",
                "tranche:NAME names a TrancheScheduled or TrancheCancelled; a correction "
                f"to a {str(of_type)[:40]} names its target by its id",
                origin,
            )
        return {**item, "target": _by_tranche(item, stream, text, of_type, origin)}

    def _stream(self, commitment: str) -> list[StoredPayload]:
        stream = self._streams.get(commitment)
        if stream is None:
            read = read_stream_payloads(self._connection, [commitment], upto=self._upto)
            stream = self._streams[commitment] = read[commitment]
        return stream


def resolved_batch(
    engine: Engine, items: Iterable[Any], origins: Sequence[str | None] | None
) -> list[Any]:
    """A batch with its targets resolved (read from the store only if one needs it)."""
    batch = list(items)
    if not any(map(names_a_target, batch)):
        return batch
    with engine.connect() as connection:
        resolver = TargetResolver(connection)
        return [
            resolver.resolved(item, origins[index] if origins is not None else f"event {index + 1}")
            for index, item in enumerate(batch)
        ]


def resolving(
    connection: Connection, located: Iterable[tuple[Any, str | None]]
) -> Iterator[tuple[Any, str | None]]:
    """(event, origin) pairs with their targets resolved against the store as it stands now
    (the caller holds the tail: what the call appends later is not a candidate)."""
    return TargetResolver(connection).resolving(located)


def _described(row: StoredPayload, payload: Mapping[str, Any]) -> str:
    effective = payload.get("effective")
    return f"{row.event_id[:8]} ({payload.get('type', row.type_name)}" + (
        f", {effective})" if effective else ")"
    )


def _listed(described: Sequence[str]) -> str:
    shown = ", ".join(described[:_LISTED])
    more = len(described) - _LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _recorded_as(
    item: Mapping[str, Any], candidates: Sequence[str], stream: Sequence[StoredPayload]
) -> str | None:
    """The candidate with which the input is an event already stored, if one is: so that
    recording the same input again is a no-op, whatever happened to its target since."""
    stored = {row.event_id for row in stream}
    for candidate in candidates:
        try:
            event, _ = parse_and_stamp({**item, "target": candidate})
        except LedgerError:
            return None  # validation will say what is wrong with it
        if str(event.id) in stored:
            return candidate
    return None


def _by_prefix(
    item: Mapping[str, Any], stream: list[StoredPayload], prefix: str, origin: str | None
) -> str:
    found = [row for row in stream if row.event_id.startswith(prefix)]
    if len(found) == 1:
        return found[0].event_id
    again = _recorded_as(item, [row.event_id for row in found], stream)
    if again is not None:
        return again
    commitment = item["commitment"]
    if found:
        rule = (
            f"{prefix!r} is the start of {len(found)} event ids of {commitment}: "
            f"{_listed([_described(row, row.payload) for row in found])}; give more of the id"
        )
    else:
        rule = (
            f"no event of {commitment} has an id starting with {prefix!r}; its events: "
            f"{_listed([_described(row, row.payload) for row in stream])}"
        )
    raise InvalidEvent("target", rule, origin)


def _as_known(stream: list[StoredPayload]) -> list[tuple[StoredPayload, Mapping[str, Any], bool]]:
    """The stream's events that are not corrections, each as its last correction left it, and
    whether it is retracted."""
    fixes: dict[str, Any] = {}
    for row in stream:
        if row.type_name in _FIXES:
            target = str(UUID(str(row.payload["target"])))
            fixes[target] = row.payload.get("replacement", _RETRACTED)
    known = []
    for row in stream:
        if row.type_name not in _FIXES:
            payload = fixes.get(row.event_id, row.payload)
            gone = payload is _RETRACTED
            known.append((row, row.payload if gone else payload, gone))
    return known


def _by_tranche(
    item: Mapping[str, Any],
    stream: list[StoredPayload],
    tranche: str,
    of_type: str | None,
    origin: str | None,
) -> str:
    events = [known for known in _as_known(stream) if known[1].get("type") in _TRANCHE_EVENTS]
    named = [
        (row, payload, gone)
        for row, payload, gone in events
        if payload.get("tranche") == tranche and of_type in (None, payload.get("type"))
    ]
    found = [(row, payload) for row, payload, gone in named if not gone]
    again = _recorded_as(item, [row.event_id for row, _, _ in named], stream)
    if again is not None:
        return again
    if len(found) == 1:
        return found[0][0].event_id
    live = sorted({str(payload.get("tranche")) for _, payload, gone in events if not gone})
    raise InvalidEvent("target", _no_one_tranche(item, tranche, of_type, found, live), origin)


def _no_one_tranche(
    item: Mapping[str, Any],
    tranche: str,
    of_type: str | None,
    found: Sequence[tuple[StoredPayload, Mapping[str, Any]]],
    live: Sequence[str],
) -> str:
    """Why a tranche names no single event: it names several, or none."""
    commitment = item["commitment"]
    if found:
        return (
            f"tranche {tranche!r} of {commitment} is named by {len(found)} events: "
            f"{_listed([_described(row, payload) for row, payload in found])}; "
            "name the target by its id"
        )
    kind = f" by a {of_type}" if of_type else ""
    return f"no tranche {tranche!r} of {commitment}{kind}; its tranches: " + (
        ", ".join(live) if live else "none"
    )
