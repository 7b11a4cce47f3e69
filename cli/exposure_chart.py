"""Draw one party's exposure over time: its counterparties' shares, quarter by quarter."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from ledger import Ledger
from projections import ExposurePeriod, Measure, Side, exposure_by_period

from .chart import NAMES

_OTHER = {"provider": "holder", "holder": "provider"}
_COLOURS = (
    "#1f4e79",
    "#d98c1f",
    "#2e8b57",
    "#8e44ad",
    "#c0392b",
    "#16a085",
    "#7f8c8d",
    "#b7950b",
    "#2c3e50",
    "#e67e22",
)


def pyplot() -> Any:
    """matplotlib's pyplot on a non-interactive backend, or a one-line error naming the extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise click.ClickException(
            "charts need matplotlib: pip install 'capacity-ledger[charts]'"
        ) from None
    return plt


def checked_path(path: str) -> None:
    if Path(path).suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter(f"{path}: write a .png or .svg file", param_hint="--chart")


def draw_exposure(
    ledger: Ledger,
    party: str,
    *,
    side: Side,
    measure: Measure,
    kind: str | None,
    resource: str | None,
    end: date,
    known_at: datetime | None,
    path: str,
) -> None:
    """Write the chart to `path` (.png or .svg): one panel per kind and resource of `party`,
    its counterparties' shares stacked per quarter."""
    checked_path(path)
    plt = pyplot()
    history = exposure_by_period(
        ledger,
        party,
        side=side,
        measure=measure,
        kind=kind,
        resource=resource,
        end=end,
        known_at=known_at,
    )
    panels = sorted({(row.kind, row.resource) for period in history for row in period.rows})
    if not panels:
        raise click.ClickException(f"no {measure} amounts for {side} {party!r}: nothing to draw")
    counterparties = sorted(
        {part.party for period in history for row in period.rows for part in row.counterparties}
    )
    colour = {name: _COLOURS[i % len(_COLOURS)] for i, name in enumerate(counterparties)}
    columns = 2 if len(panels) > 1 else 1
    rows = (len(panels) + columns - 1) // columns
    figure, grid = plt.subplots(
        rows, columns, figsize=(6.2 * columns, 3.4 * rows + 0.9), dpi=120, squeeze=False
    )
    for axes, (panel_kind, panel_resource) in zip(grid.flat, panels, strict=False):
        _panel(axes, history, panel_kind, panel_resource, colour)
    for axes in list(grid.flat)[len(panels) :]:
        axes.set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour[name]) for name in counterparties]
    figure.legend(
        handles,
        counterparties,
        loc="lower center",
        ncol=min(len(counterparties), 6),
        frameon=False,
        title=f"{_OTHER[side]}s",
    )
    knowledge = f"as known at {known_at:%Y-%m-%d %H:%M} UTC" if known_at else "as known now"
    figure.suptitle(
        f"{party}: each {_OTHER[side]}'s share of what it {_verb(side, measure)}, "
        f"per quarter (as of each quarter end, {knowledge})",
        fontsize=11,
    )
    figure.text(0.99, 0.005, "capledger", ha="right", va="bottom", fontsize=8, color="#999999")
    figure.tight_layout(rect=(0, 0.09 if rows == 1 else 0.06, 1, 0.95))
    figure.savefig(path)
    plt.close(figure)


def _verb(side: Side, measure: Measure) -> str:
    action = {"committed": "has committed", "outstanding": "has outstanding"}
    done = action.get(measure, "has delivered")
    return done if side == "provider" else done.replace("has", "holds", 1)


def _panel(
    axes: Any,
    history: list[ExposurePeriod],
    kind: str,
    resource: str,
    colour: dict[str, str],
) -> None:
    labels = [period.period for period in history]
    shares: dict[str, list[float]] = {}
    for index, period in enumerate(history):
        for row in period.rows:
            if (row.kind, row.resource) != (kind, resource):
                continue
            for part in row.counterparties:
                series = shares.setdefault(part.party, [0.0] * len(history))
                series[index] = float(part.share * 100)
    names = sorted(shares, key=lambda name: -max(shares[name]))
    positions = list(range(len(labels)))
    bottom = [0.0] * len(labels)
    for name in names:
        axes.bar(positions, shares[name], width=0.8, bottom=bottom, color=colour[name])
        bottom = [low + share for low, share in zip(bottom, shares[name], strict=True)]
    unit = NAMES.get(resource, resource.replace("chips:", "") + " chips").lower()
    axes.set_title(f"{kind}, {unit}", fontsize=10)
    axes.set_ylim(0, 100)
    axes.set_ylabel("share (%)")
    step = max(1, (len(labels) + 15) // 16)
    axes.set_xticks(positions[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    axes.set_xlim(-0.6, len(labels) - 0.4)
    axes.grid(True, axis="y", alpha=0.3)
