"""The exceptions of capledger, rooted at one class.

    LedgerError                  anything the ledger refuses
    ├── InvalidEvent             input that is not a valid event (events/)
    ├── RuleViolation            a valid event that would break a rule of its stream (events/)
    └── ...                      the store adds ConcurrencyConflict, ChainBroken, ... (ledger/)

InvalidEvent and RuleViolation carry what a person needs to fix the input: where it came from
(`origin`, e.g. "deals.jsonl:7"), which field (a dotted path, e.g. "amounts.gw") and the rule.
"""

from __future__ import annotations

import copy
from typing import Self

__all__ = ["InvalidEvent", "LedgerError", "RuleViolation"]


MAX_FIELD = 80
MAX_RULE = 400


def _clip(text: str, limit: int) -> str:
    # Messages quote the input; a hostile 10 MB name must not come back as a 10 MB message.
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text):,} characters)"


class LedgerError(Exception):
    """The root of every error the ledger raises on purpose."""


class _InputError(LedgerError):
    """An error about one input event: its origin, the field at fault and the rule it breaks."""

    def __init__(self, field: str, rule: str, origin: str | None = None) -> None:
        field, rule = _clip(field, MAX_FIELD), _clip(rule, MAX_RULE)
        super().__init__(field, rule, origin)
        self.field = field
        self.rule = rule
        self.origin = origin

    def __str__(self) -> str:
        located = f"{self.field}: {self.rule}"
        return located if self.origin is None else f"{self.origin}: {located}"

    def located(self, origin: str | None) -> Self:
        """Return a copy of this error that names the input it came from."""
        moved = copy.copy(self)
        moved.origin = origin
        moved.args = (self.field, self.rule, origin)
        return moved


class InvalidEvent(_InputError):
    """Input that is not a valid event: an unknown type or field, a bad value or date."""


class RuleViolation(_InputError):
    """A well-formed event that would break a rule of its commitment stream."""
