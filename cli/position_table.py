"""Position rows for a person or a program: amounts with their units, and the bounds marked.

A committed figure that is, in part or whole, a ceiling (an `up_to` deal: it may turn out
less) is marked `≤`, a floor (`at_least`: it may turn out more) `≥`, and a mix of both `~`; a
footnote under the table says so. JSON and CSV carry the exact `ceiling` and `floor` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from projections import KEYS, PositionRow

from .amounts import amount_columns
from .render import render

MEASURES = ("committed", "scheduled", "delivered", "outstanding")
BOUNDS = ("ceiling", "floor")
BOUNDS_NOTE = (
    "≤ committed is, in part or whole, a ceiling (up to: it may turn out less); ≥ a floor\n"
    "(at least: it may turn out more); ~ some of each. --format json or csv say how much."
)


def position_table(
    rows: Sequence[PositionRow],
    by: Sequence[str],
    fmt: str = "table",
    *,
    resource: str | None = None,
) -> str:
    """Positions rendered: in a table, amounts with their units (the row's resource, else the
    one chosen, `resource`) and the bounds of committed marked, with a footnote when any is;
    exact decimal strings, ceiling and floor included, otherwise."""
    if fmt != "table":
        return render([row.as_dict() for row in rows], fmt, columns=[*by, *MEASURES, *BOUNDS])
    dicts = [_typed(row) for row in rows]
    human = amount_columns(dicts, MEASURES, lambda row: row.get("resource", resource))
    with_unit = human["committed"]
    human["committed"] = lambda value, row: _mark(row) + with_unit(value, row)
    table = render(dicts, fmt, columns=[*by, *MEASURES], human=human)
    if any(_mark(row) for row in dicts):
        return f"{table}\n\n{BOUNDS_NOTE}"
    return table


def _mark(row: Mapping[str, Any]) -> str:
    ceiling, floor = row.get("ceiling"), row.get("floor")
    if ceiling and floor:
        return "~ "
    if ceiling:
        return "≤ "
    return "≥ " if floor else ""


def _typed(row: PositionRow) -> dict[str, Any]:
    values = {key: getattr(row, key) for key in (*KEYS, *MEASURES, *BOUNDS)}
    return {key: value for key, value in values.items() if value is not None}
