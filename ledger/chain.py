"""The SHA-256 hash chain over the event log.

Each row's hash covers the previous row's hash, the row's header (position, id, commitment,
stream version, type, schema version, effective date, both times' recorder) and the payload text
exactly as stored, so that any edit, deletion, reordering or insertion breaks the chain at the
first row it touches.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

GENESIS = "0" * 64

# What json.dumps(header, separators=(",", ":"), ensure_ascii=False) builds on every call.
_HEADER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


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
    """The canonical JSON of a row's header, the part of the row that is not its payload."""
    return _HEADER.encode(
        [
            position,
            event_id,
            commitment,
            version,
            type_name,
            schema_version,
            effective.isoformat() if effective else None,
            recorded_at.isoformat(timespec="microseconds"),
            recorded_by,
        ]
    )


def header_json(value: str | None) -> str:
    """One header value as header_text encodes it (for callers that assemble the header)."""
    return _HEADER.encode(value)


class Headers:
    """Writes the headers of one transaction's rows, as `header_text` would, several times
    faster: both times' part is encoded once, and each text once per distinct value."""

    def __init__(self, recorded_at: datetime, recorded_by: str) -> None:
        at = recorded_at.isoformat(timespec="microseconds")
        self._tail = f"{_HEADER.encode(at)},{_HEADER.encode(recorded_by)}]"
        self._quoted: dict[str | None, str] = {}
        self._days: dict[date | None, str] = {}

    def _quote(self, value: str | None) -> str:
        quoted = self._quoted.get(value)
        if quoted is None:
            quoted = self._quoted[value] = _HEADER.encode(value)
        return quoted

    def text(
        self,
        position: int,
        event_id: str,
        commitment: str,
        version: int,
        type_name: str,
        schema_version: int,
        effective: date | None,
    ) -> str:
        """What `header_text` gives for these values and the transaction's two."""
        day = self._days.get(effective)
        if day is None:
            day = self._days[effective] = _HEADER.encode(
                effective.isoformat() if effective else None
            )
        return (
            f"[{int(position)},{_HEADER.encode(event_id)},{self._quote(commitment)},"
            f"{int(version)},{self._quote(type_name)},{int(schema_version)},{day},{self._tail}"
        )


def link(prev_hash: str, header: str, payload: str) -> str:
    """The hash of a row, given the hash of the row before it."""
    material = f"{prev_hash}\n{header}\n{payload}".encode()
    return hashlib.sha256(material).hexdigest()
