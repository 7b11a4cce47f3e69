"""capledger's read side: positions, what changed, history, timeline, late tranches, exposure,
money flows, and checkpointed projections.

Four subpackages, each importing only those below it (docs/design.md, "Layout"):
`queries` (what users ask) -> `upkeep` (keeping read models current) -> `read_models` (their
tables and rows) -> `fold` (streams folded into dated states and rows, no I/O). What differs
between SQLite and PostgreSQL is in `backends`.

    from projections import attach, positions, history, timeline
    attach(led)                               # keep the read models current on every append
    rows = positions(led, as_of=date(2026, 5, 1), by=("holder", "kind", "resource"))

Queries work on a ledger that was never attached too: they catch the read models up first.
"""

from .fold import ReadModelError
from .queries import (
    DEFAULT_BY,
    EXPOSURE_MEASURES,
    KEYS,
    SIDES,
    ChangeEvent,
    ChangeRow,
    Counterparty,
    Cycle,
    Every,
    ExposurePeriod,
    ExposureRow,
    FieldChange,
    FlowEdge,
    FlowPair,
    Flows,
    HistoryEntry,
    Measure,
    MissingExtra,
    NotAChange,
    OverdueRow,
    PositionRow,
    Side,
    TimelineRow,
    changes,
    exposure,
    exposure_by_period,
    find_cycles,
    flows,
    history,
    names,
    overdue,
    positions,
    timeline,
    timeline_steps,
)
from .upkeep import Projection, attach, catch_up, project, rebuild, register

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
    "Projection",
    "ReadModelError",
    "Side",
    "TimelineRow",
    "attach",
    "catch_up",
    "changes",
    "exposure",
    "exposure_by_period",
    "find_cycles",
    "flows",
    "history",
    "names",
    "overdue",
    "positions",
    "project",
    "rebuild",
    "register",
    "timeline",
    "timeline_steps",
]
