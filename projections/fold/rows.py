"""The shapes the folds hand the read models: a posting row's values, a stream's states by date."""

from __future__ import annotations

from datetime import date
from typing import Any

from events import CommitmentState

__all__ = ["Folded", "Posting", "States"]

Posting = tuple[Any, ...]
"""One row's values in the order of `PostingProjection.columns` (commitment first)."""

States = list[tuple[date, CommitmentState]]
"""A stream's state at the end of each distinct effective date (`states_by_date`)."""

Folded = tuple[States, date | None]
"""A stream's states by date, and the first date the rows being handled may have changed."""
