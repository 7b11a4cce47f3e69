"""The SHA-256 hash chain over the event log.

Each row's hash covers the previous row's hash, the row's header (position, id, commitment,
stream version, type, schema version, effective date, both times' recorder) and the payload text
exactly as stored, so that any edit, deletion, reordering or insertion breaks the chain at the
first row it touches (docs/design.md, "The hash chain").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

GENESIS = "0" * 64

# What json.dumps(header, separators=(",", ":"), ensure_ascii=False) builds on every call.
_HEADER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)

# What that encoder escapes in a string: a string without any of these is its own JSON between
# two quotes. As UTF-8 bytes: no other character encodes to any of them.
_ESCAPED = bytes(range(0x20)) + b'"\\'


def hashed_text(
    prev_hash: str,
    position: int,
    event_id: str,
    commitment: str,
    version: int,
    type_name: str,
    schema_version: int,
    day: str,
    times: str,
    payload: str,
    plain: bool,
) -> str:
    """The text a row's hash is taken of: the previous row's hash, the row's header (the canonical
    JSON of the part of the row that is not its payload) and its payload, a line each. The one
    encoder of the header, which the write path and verify both call for every row.

    `day` and `times` are the texts `day_text` and `times_text` give (rows share their days, and
    a transaction's rows their times: callers encode each once). `plain` says that event_id,
    commitment and type_name are known to be `plain_texts`, which JSON writes as they are
    between quotes: the header is then assembled directly, several times faster than encoding
    it. Anything else, or a number that is not an int (a row tampered with, read back), goes
    through the JSON encoder.
    """
    if plain and type(position) is type(version) is type(schema_version) is int:
        return (
            f'{prev_hash}\n[{position},"{event_id}","{commitment}",{version},"{type_name}",'
            f"{schema_version},{day},{times}\n{payload}"
        )
    values = [position, event_id, commitment, version, type_name, schema_version]
    return f"{prev_hash}\n{_HEADER.encode(values)[:-1]},{day},{times}\n{payload}"


def day_text(effective: date | None) -> str:
    """A row's effective date as its header holds it."""
    return _HEADER.encode(effective.isoformat() if effective else None)


def times_text(recorded_at: datetime, recorded_by: str) -> str:
    """The end of a row's header: when and by whom it was recorded, shared by the rows of a
    transaction (or of one of its stated instants)."""
    at = recorded_at.isoformat(timespec="microseconds")
    return f"{_HEADER.encode(at)},{_HEADER.encode(recorded_by)}]"


def plain_texts(*texts: Iterable[Any]) -> bool:
    """Whether every value is a str that the header's encoder writes as it is between quotes."""
    try:
        for text in texts:
            data = "".join(text).encode()
            if len(data.translate(None, _ESCAPED)) != len(data):
                return False
    except (TypeError, UnicodeEncodeError):  # not a str, or not one UTF-8 can hold
        return False
    return True


def header_text(
    *,
    position: int,
    event_id: str,
    commitment: str,
    version: int,
    type_name: str,
    schema_version: int,
    effective: date | None,
    recorded_at: datetime,
    recorded_by: str,
) -> str:
    """The header of one row from its values, as `hashed_text` encodes it (through the JSON
    encoder, whatever the values: the reference the shortcut is held to)."""
    day, times = day_text(effective), times_text(recorded_at, recorded_by)
    values = (position, event_id, commitment, version, type_name, schema_version, day, times)
    return hashed_text("", *values, "", plain=False)[1:-1]


def link(prev_hash: str, row_header: str, payload: str) -> str:
    """The hash of a row, given the hash of the row before it and its header."""
    material = f"{prev_hash}\n{row_header}\n{payload}".encode()
    return hashlib.sha256(material).hexdigest()


class Links:
    """The hashes of one transaction's rows: both times encoded once, each day once.

    `plain` as `hashed_text` takes it, for all the rows it links (see `plain_texts`).
    """

    def __init__(self, recorded_at: datetime, recorded_by: str, plain: bool) -> None:
        self._by = recorded_by
        self._at = recorded_at
        self._times = times_text(recorded_at, recorded_by)
        self._plain = plain
        self._days: dict[date | None, str] = {}

    def at(self, recorded_at: datetime) -> None:
        """Link the next rows at `recorded_at` (a transaction recording as reported states an
        instant per source date)."""
        if recorded_at != self._at:
            self._at, self._times = recorded_at, times_text(recorded_at, self._by)

    def digest(
        self,
        prev_hash: str,
        position: int,
        event_id: str,
        commitment: str,
        version: int,
        type_name: str,
        schema_version: int,
        effective: date | None,
        payload: str,
    ) -> str:
        """The hash of a row of this transaction, given the hash of the row before it."""
        day = self._days.get(effective)
        if day is None:
            day = self._days[effective] = day_text(effective)
        text = hashed_text(
            prev_hash,
            position,
            event_id,
            commitment,
            version,
            type_name,
            schema_version,
            day,
            self._times,
            payload,
            self._plain,
        )
        return hashlib.sha256(text.encode()).hexdigest()
