"""capledger's read side: positions, history, timeline, and checkpointed projections.

    from projections import attach, positions, history, timeline
    attach(led)                               # keep the read models current on every append
    rows = positions(led, as_of=date(2026, 5, 1), by=("holder", "resource"))

Queries work on a ledger that was never attached too: they catch the read models up first.
"""

from .builtins import attach, project
from .feed import Projection, catch_up, rebuild, register
from .history import HistoryEntry, history
from .nanos import ReadModelError
from .positions import PositionRow, positions
from .timeline import TimelineRow, timeline

__all__ = [
    "HistoryEntry",
    "PositionRow",
    "Projection",
    "ReadModelError",
    "TimelineRow",
    "attach",
    "catch_up",
    "history",
    "positions",
    "project",
    "rebuild",
    "register",
    "timeline",
]
