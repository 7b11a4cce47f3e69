"""Instants as text: one form written everywhere, and every form capledger writes read back.

Written: ISO 8601 in UTC with microseconds and `Z`, `2026-12-05T23:18:12.481101Z`, in the
feed, JSON, CSV and tables alike, so that an instant printed by one command can be pasted into
another's `--known-at`. Read: that form, any ISO 8601 offset (`+00:00`, `+02:00`), a space
instead of the `T`, and a trailing `UTC` (`2026-12-05 23:18:12.481101 UTC`, the form earlier
versions printed).
"""

from __future__ import annotations

import re
from datetime import datetime

from .clock import as_utc

__all__ = ["instant_text", "read_instant"]

_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT)$", re.IGNORECASE)


def instant_text(instant: datetime) -> str:
    """`instant` as capledger writes it: ISO 8601, UTC, microseconds, `Z`."""
    return as_utc(instant).isoformat(timespec="microseconds").replace("+00:00", "Z")


def read_instant(text: str) -> datetime:
    """The date and time `text` states (naive if it names no zone); ValueError if it is none.

    `Z`, an offset, or a trailing `UTC` name the zone."""
    given = text.strip()
    if _UTC_SUFFIX.search(given):
        given = _UTC_SUFFIX.sub("", given) + "+00:00"
    elif given.endswith("z"):
        given = given[:-1] + "Z"
    return datetime.fromisoformat(given)
