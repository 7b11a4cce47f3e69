"""The names the ledger holds for each key positions are filtered on: holders, providers,
kinds, resources and commitments, as every commitment ever recorded has had them."""

from __future__ import annotations

from sqlalchemy import select

from ledger import Ledger

from ..read_models import position_buckets, position_postings
from ..upkeep import ensure_current
from .positions import KEYS

__all__ = ["names"]


def names(ledger: Ledger, key: str) -> list[str]:
    """Every value of `key` (one of KEYS) that any commitment has had, at any time, sorted:
    what a filter on `key` can match."""
    if key not in KEYS:
        raise ValueError(f"key must be one of {', '.join(KEYS)}; got {key!r}")
    # The buckets are far fewer than the postings, and hold every key but the commitment.
    table = position_postings if key == "commitment" else position_buckets
    ensure_current(ledger)
    with ledger.engine.connect() as connection:
        found = connection.execute(select(table.c[key]).distinct()).scalars()
        return sorted(found)
