"""What a verification of the hash chain found: how many rows, the head, the first bad row."""

from __future__ import annotations

from dataclasses import dataclass


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


def broken(count: int, head: str, position: int, reason: str) -> ChainReport:
    """The report of a chain intact up to `count` (whose head is `head`), broken at `position`."""
    return ChainReport(count=count, head_hash=head, first_bad_position=position, reason=reason)
