"""Draw a timeline as a chart: committed, scheduled and delivered, reserved versus built."""

from __future__ import annotations

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


def _unit(resource: str) -> tuple[str, Decimal]:
    if resource in UNITS:
        return UNITS[resource]
    if resource.startswith("chips:"):
        return (f"{resource.removeprefix('chips:')} chips (thousands)", Decimal(1000))
    return (resource, Decimal(1))


def draw_timeline(
    rows: Sequence[Any],
    *,
    resource: str,
    path: str,
    every: str,
    known_at: datetime | None,
    today: date,
    scope: str = "",
) -> None:
    """Write the chart to `path` (.png or .svg)."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise click.BadParameter(f"{path}: write a .png or .svg file", param_hint="--chart")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError:
        raise click.ClickException(
            "charts need matplotlib: pip install 'capacity-ledger[charts]'"
        ) from None
    label, scale = _unit(resource)
    ends = [row.as_of for row in rows]
    figure, axes = plt.subplots(figsize=(10, 5.5), dpi=120)
    for key, name, colour, style in SERIES:
        values = [float(getattr(row, key) / scale) for row in rows]
        axes.step(
            ends, values, where="post", label=name, color=colour, linestyle=style, linewidth=2.2
        )
    delivered = [float(row.delivered / scale) for row in rows]
    axes.fill_between(ends, delivered, step="post", color="#2e8b57", alpha=0.15)
    knowledge = f"as known at {instant_text(known_at)}" if known_at else f"as known on {today}"
    name = NAMES.get(resource, resource.replace("chips:", "").upper() + " chips")
    title = f"{name} reserved versus built, per {every}"
    axes.set_title(f"{title}{' - ' + scope if scope else ''}\n{knowledge}", fontsize=12)
    axes.set_ylabel(label)
    axes.set_xlabel("period end (effective date)")
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]
    axes.grid(True, alpha=0.3)
    axes.set_ylim(bottom=0)
    if ends and ends[0] <= today <= ends[-1]:
        axes.axvline(
            mdates.date2num(today),  # type: ignore[no-untyped-call]
            color="#888888",
            linestyle=":",
            linewidth=1,
        )
        axes.annotate(
            "today",
            (today, axes.get_ylim()[1]),
            textcoords="offset points",
            xytext=(3, -12),
            color="#666666",
            fontsize=9,
        )
    axes.legend(loc="upper left")
    figure.autofmt_xdate()
    figure.text(0.99, 0.01, "capledger", ha="right", va="bottom", fontsize=8, color="#999999")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
