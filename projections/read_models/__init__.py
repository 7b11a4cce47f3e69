"""The read models: their tables, and how each derives its rows from the fold and writes them.

- `tables`: the tables (SQLAlchemy Core), bitemporal, amounts as exact integers;
- `posting_tables`: `PostingProjection`, a table of postings kept equal to the fold, written
  as differences at each recording instant; `batch_states`: the states it folds from;
- `built_in_models`: the two built-in read models, position postings and the tranche schedule;
- `bucket_upkeep`, `bucket_rows`, `bucket_tally`: the position postings summed per month and
  year, kept as postings change or computed at once after a rebuild;
- `held_rows`: the rows one write transaction left, so its next batches need not read them.

See docs/design.md, "Read models".
"""

from .bucket_rows import AMOUNTS
from .built_in_models import PositionPostings, TrancheSchedule
from .held_rows import HeldPostings
from .posting_tables import PostingProjection
from .tables import (
    MEASURES,
    position_buckets,
    position_postings,
    projection_checkpoints,
    tranche_schedule,
)

__all__ = [
    "AMOUNTS",
    "MEASURES",
    "HeldPostings",
    "PositionPostings",
    "PostingProjection",
    "TrancheSchedule",
    "position_buckets",
    "position_postings",
    "projection_checkpoints",
    "tranche_schedule",
]
