"""The timeline chart: each change on its own date, the legend clear of the data, a panel per
breakdown."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from freezegun import freeze_time

from cli.chart import timeline_figure
from ledger import Ledger
from projections import timeline_steps

from .conftest import Run

LATE_DELIVERY = {
    "type": "DeliveryRecorded",
    "commitment": "aws-anthropic-2026-capacity",
    "effective": "2026-10-15",
    "tranche": "trainium-2026",
    "amounts": {"gw": "0.1"},
}
GOOGLE = {
    "type": "CommitmentMade",
    "commitment": "google-anthropic-2026-capacity",
    "effective": "2026-08-01",
    "provider": "google",
    "holder": "anthropic",
    "kind": "capacity",
    "bound": "exact",
    "amounts": {"gw": "1"},
}


def _record(run: Run, deals_file: Path, tmp_path: Path) -> None:
    more = tmp_path / "more.jsonl"
    more.write_text("".join(json.dumps(e) + "\n" for e in (LATE_DELIVERY, GOOGLE)), "utf-8")
    with freeze_time("2026-11-01T12:00:00Z"):
        assert run("record", str(deals_file), str(more)).exit_code == 0


def _figure(store_url: str, by: tuple[str, ...]) -> Any:
    span = (date(2026, 7, 1), date(2027, 3, 31))
    with Ledger.open(store_url) as ledger:
        steps = timeline_steps(
            ledger, resource="gw", kind="capacity", by=by, start=span[0], end=span[1]
        )
    figure = timeline_figure(
        steps, resource="gw", by=by, span=span, known_at=None, today=date(2026, 11, 20)
    )
    figure.canvas.draw()
    return figure


def _line(axes: Any, label: str) -> Any:
    return next(line for line in axes.get_lines() if line.get_label() == label)


def test_a_delivery_is_drawn_on_its_own_date_left_of_today(
    run: Run, deals_file: Path, tmp_path: Path, store_url: str
) -> None:
    _record(run, deals_file, tmp_path)
    figure = _figure(store_url, ("provider",))
    amazon = next(axes for axes in figure.axes if axes.get_title(loc="left") == "amazon")
    delivered = _line(amazon, "Delivered")
    steps = list(zip(delivered.get_xdata(), delivered.get_ydata(), strict=True))
    assert (date(2026, 10, 15), 0.5) in steps  # 0.4 GW on 2026-09-30, 0.1 GW more that day
    assert steps[-1] == (date(2027, 3, 31), 0.5)  # held to the end of the span
    assert set(_line(amazon, "today").get_xdata()) == {date(2026, 11, 20)}


def test_a_breakdown_draws_a_panel_per_provider_with_the_legend_clear_of_them(
    run: Run, deals_file: Path, tmp_path: Path, store_url: str
) -> None:
    _record(run, deals_file, tmp_path)
    figure = _figure(store_url, ("provider",))
    panels = [axes for axes in figure.axes if axes.get_visible()]
    assert [axes.get_title(loc="left") for axes in panels] == ["amazon", "google"]
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "Committed",
        "Scheduled by due date",
        "Delivered",
        "today",
    ]
    where = legend.get_window_extent()
    assert not any(where.overlaps(axes.get_window_extent()) for axes in panels)


def test_the_command_draws_a_breakdown_by_holder(
    run: Run, deals_file: Path, tmp_path: Path
) -> None:
    _record(run, deals_file, tmp_path)
    chart = tmp_path / "by-holder.png"
    result = run("timeline", "--resource", "gw", "--by", "holder,kind", "--chart", str(chart))
    assert result.exit_code == 0, result.stderr
    assert chart.stat().st_size > 5_000
    assert result.stdout.splitlines()[0].split() == [
        *("period", "end", "holder", "kind", "committed", "scheduled", "delivered"),
    ]
