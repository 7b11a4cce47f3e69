"""The questions users ask of the read models: positions, what changed, history, timeline.

Each reads at two times (docs/design.md, "The two times"): as of a date, and as known at an
instant (`known_at`). Queries first catch the built-in read models up with the log.
"""

from .changes import ChangeEvent, ChangeRow, NotAChange, changes
from .history import HistoryEntry, history
from .positions import DEFAULT_BY, KEYS, PositionRow, positions
from .timeline import Every, TimelineRow, periods, timeline, timeline_steps

__all__ = [
    "DEFAULT_BY",
    "KEYS",
    "ChangeEvent",
    "ChangeRow",
    "Every",
    "HistoryEntry",
    "NotAChange",
    "PositionRow",
    "TimelineRow",
    "changes",
    "history",
    "periods",
    "positions",
    "timeline",
    "timeline_steps",
]
