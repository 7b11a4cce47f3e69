"""Draw a timeline as a chart: committed, scheduled and delivered, reserved versus built.

Each change is drawn on its own date (the timeline's steps, `projections.timeline_steps`), so a
delivery of 2026-10-15 stands left of a "today" of 2026-12-06, not at the end of its quarter.
A breakdown (`--by`) is drawn as small multiples, a panel per key on shared axes, biggest
first; the legend sits below the panels, clear of the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ledger import instant_text

UNITS = {"usd": ("US dollars (billions)", Decimal("1e9")), "gw": ("gigawatts (GW)", Decimal(1))}
NAMES = {"usd": "Dollars", "gw": "Gigawatts"}
SERIES = (
    ("committed", "Committed", "#1f4e79", "-"),
    ("scheduled", "Scheduled by due date", "#d98c1f", "--"),
    ("delivered", "Delivered", "#2e8b57", "-"),
)
Key = tuple[str, ...]


def _unit(resource: str) -> tuple[str, Decimal]:
    if resource in UNITS:
        return UNITS[resource]
    if resource.startswith("chips:"):
        return (f"{resource.removeprefix('chips:')} chips (thousands)", Decimal(1000))
    return (resource, Decimal(1))


def _panels(steps: Sequence[Any], by: Sequence[str]) -> dict[Key, list[Any]]:
    """The steps of each breakdown key, the key with the most committed at its end first."""
    found: dict[Key, list[Any]] = {}
    for step in steps:
        found.setdefault(tuple(str(getattr(step, name)) for name in by), []).append(step)
    return dict(sorted(found.items(), key=lambda item: (-item[1][-1].committed, item[0])))


def draw_timeline(steps: Sequence[Any], *, path: str, **drawn: Any) -> None:
    """Write the chart of `steps` (`timeline_figure`) to `path` (.png or .svg)."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise click.BadParameter(f"{path}: write a .png or .svg file", param_hint="--chart")
    figure = timeline_figure(steps, **drawn)
    figure.savefig(path)
    import matplotlib.pyplot as plt

    plt.close(figure)


def timeline_figure(
    steps: Sequence[Any],
    *,
    resource: str,
    by: Sequence[str],
    span: tuple[date | None, date | None],
    known_at: datetime | None,
    today: date,
    scope: str = "",
) -> Any:
    """The chart of `steps` (timeline rows on the days a total changes, as `timeline_steps`
    gives them) over `span`, a matplotlib figure: a panel per key of `by` (one when there is
    one key), committed, scheduled and delivered each changing on its own date."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError:
        raise click.ClickException(
            "charts need matplotlib: pip install 'capacity-ledger[charts]'"
        ) from None
    panels = _panels(steps, by) or {(): []}
    columns = 1 if len(panels) == 1 else 2 if len(panels) <= 4 else 3
    rows = math.ceil(len(panels) / columns)
    figure, grid = plt.subplots(
        rows,
        columns,
        figsize=(10 if columns < 3 else 13, 5.5 if len(panels) == 1 else 1.6 + 2.6 * rows),
        dpi=120,
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    label, scale = _unit(resource)
    end = span[1] or today
    for index, axes in enumerate(grid.flat):
        if index >= len(panels):
            axes.set_visible(False)
            continue
        key, drawn = list(panels.items())[index]
        _draw_panel(axes, drawn, end=end, scale=scale)
        if len(panels) > 1:
            axes.set_title(" · ".join(key), fontsize=10, loc="left")
        if index + columns >= len(panels):  # the lowest panel of its column: dates below it
            axes.xaxis.set_tick_params(labelbottom=True)
        _frame(axes, mdates, (span[0], end), today)
    figure.supylabel(label, fontsize=10)
    figure.suptitle(_title(resource, by, list(panels), known_at, today, scope), fontsize=12)
    handles, labels = grid.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)
    figure.text(0.995, 0.005, "capledger", ha="right", va="bottom", fontsize=8, color="#999999")
    return figure


def _frame(axes: Any, mdates: Any, span: tuple[date | None, date], today: date) -> None:
    """A panel's grid, date axis over `span` and "today" line (when today is in it)."""
    start, end = span
    if start is not None and start <= today <= end:
        axes.axvline(today, color="#888888", linestyle=":", linewidth=1, label="today")
    axes.grid(True, alpha=0.3)
    axes.set_ylim(bottom=0)
    locator = mdates.AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if start is not None:
        axes.set_xlim(start, end)


def _title(
    resource: str,
    by: Sequence[str],
    keys: list[Key],
    known_at: datetime | None,
    today: date,
    scope: str,
) -> str:
    """What is drawn, by what, for whom, and as known when."""
    knowledge = f"as known at {instant_text(known_at)}" if known_at else f"as known on {today}"
    name = NAMES.get(resource, resource.replace("chips:", "").upper() + " chips")
    if len(keys) > 1:
        title = f"{name} reserved versus built, by {' and '.join(by)}"
    else:  # one panel: its key (say, the one kind found) joins the scope
        title = f"{name} reserved versus built"
        named = [part for part in scope.split(", ") if part]
        scope = ", ".join(dict.fromkeys([*named, *keys[0]]))
    return f"{title}{' - ' + scope if scope else ''}\n{knowledge}"


def _draw_panel(axes: Any, steps: Sequence[Any], *, end: date, scale: Decimal) -> None:
    """One key's committed, scheduled and delivered as steps on their own dates, held to `end`."""
    if not steps:
        axes.text(0.5, 0.5, "nothing recorded", ha="center", va="center", transform=axes.transAxes)
        return
    days = [step.as_of for step in steps]
    if days[-1] < end:
        days.append(end)
    for key, name, colour, style in SERIES:
        values = [float(getattr(step, key) / scale) for step in steps]
        values += values[-1:] * (len(days) - len(values))
        axes.step(days, values, where="post", label=name, color=colour, linestyle=style, lw=2)
    delivered = [float(step.delivered / scale) for step in steps]
    delivered += delivered[-1:] * (len(days) - len(delivered))
    axes.fill_between(days, delivered, step="post", color="#2e8b57", alpha=0.15)
