"""Folding streams into dated states and posting rows: no database, no writes.

The reference fold (events: `CommitmentFold`, `states_by_date`) is what every path means; the
drivers here fold the same way for the read models' own needs (docs/design.md, "The fold"):

- `payload_fold`: the reference step over stored JSON payloads, in whole nanos, keeping only
  what the built-in read models show (rebuilds skip validating what was validated on append);
- `payload_postings`: one stream's built-in rows from its payloads, corrections applied;
- `payload_history`: those rows after each recording instant of a stream, resumed from the
  first changed date, as `events.StreamFold` resumes the models' fold (which other
  projections, and payloads of an older schema, go through).
"""

from .exact_amounts import ReadModelError, join, split, text
from .payload_history import raw_history
from .rows import Folded, Posting, States

__all__ = [
    "Folded",
    "Posting",
    "ReadModelError",
    "States",
    "join",
    "raw_history",
    "split",
    "text",
]
