"""The questions users ask of the read models: positions, what changed, history, timeline,
late tranches, exposure (concentration) and money flows.

Each reads at two times (docs/design.md, "The two times"): as of a date, and as known at an
instant (`known_at`). Queries first catch the built-in read models up with the log.
"""

from .changes import ChangeEvent, ChangeRow, NotAChange, changes
from .exposure import (
    EXPOSURE_MEASURES,
    SIDES,
    Counterparty,
    ExposureRow,
    Measure,
    Side,
    exposure,
    exposure_rows,
)
from .exposure_history import ExposurePeriod, exposure_by_period
from .flows import FlowEdge, FlowPair, Flows, flows
from .history import FieldChange, HistoryEntry, history
from .money_cycles import Cycle, MissingExtra, find_cycles
from .names import names
from .overdue import OverdueRow, overdue
from .positions import DEFAULT_BY, KEYS, PositionRow, positions
from .timeline import Every, TimelineRow, periods, timeline, timeline_steps

__all__ = [
    "DEFAULT_BY",
    "EXPOSURE_MEASURES",
    "KEYS",
    "SIDES",
    "ChangeEvent",
    "ChangeRow",
    "Counterparty",
    "Cycle",
    "Every",
    "ExposurePeriod",
    "ExposureRow",
    "FieldChange",
    "FlowEdge",
    "FlowPair",
    "Flows",
    "HistoryEntry",
    "Measure",
    "MissingExtra",
    "NotAChange",
    "OverdueRow",
    "PositionRow",
    "Side",
    "TimelineRow",
    "changes",
    "exposure",
    "exposure_by_period",
    "exposure_rows",
    "find_cycles",
    "flows",
    "history",
    "names",
    "overdue",
    "periods",
    "positions",
    "timeline",
    "timeline_steps",
]
