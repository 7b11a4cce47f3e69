"""A user's own projection: the documented example, registered, caught up and rebuilt."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ledger import Ledger
from projections import catch_up, project, rebuild, register
from projections.examples import deliveries_by_site as example
from projections.examples.deliveries_by_site import DeliveriesBySite, deliveries_by_site

from .conftest import SetClock, delivered, made

DOC = Path(__file__).parents[2] / "docs" / "projections.md"


def sites(led: Ledger) -> list[tuple[Any, ...]]:
    table = deliveries_by_site
    with led.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]


def test_the_docs_show_the_example_projection_as_it_is() -> None:
    assert Path(example.__file__).read_text() in DOC.read_text()


def test_the_usage_snippet_in_the_docs_runs(store_url: str) -> None:
    snippet = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)[-1]
    namespace: dict[str, Any] = {"url": store_url}
    exec(snippet, namespace)
    namespace["led"].close()


def test_a_registered_projection_follows_deliveries_and_their_corrections(
    led: Ledger, clock: SetClock
) -> None:
    projection = DeliveriesBySite()
    register(led, projection)
    register(led, projection)  # once is enough; twice changes nothing
    clock.set("2026-05-01T00:00:00")
    led.record(
        [
            made("aws", "2026-04-20", kind="capacity", gw="5"),
            delivered("aws", "2026-05-01", site="indiana", gw="0.5"),
            delivered("aws", "2026-05-02", site="indiana", gw="0.25"),
            delivered("aws", "2026-05-03", site="mississippi", gw="1"),
            delivered("aws", "2026-05-03", gw="1"),
        ]
    )
    assert sites(led) == [("aws", "indiana", "gw", "0.75"), ("aws", "mississippi", "gw", "1")]
    wrong = str(list(led.read_all())[3].event_id)
    clock.tick(hours=1)
    led.record(
        [
            {
                "type": "EventCorrected",
                "commitment": "aws",
                "target": wrong,
                "replacement": delivered("aws", "2026-05-03", site="indiana", gw="1"),
            }
        ]
    )
    assert sites(led) == [("aws", "indiana", "gw", "1.75")]
    incremental = sites(led)
    assert rebuild(led, projection) == 6
    assert sites(led) == incremental
    assert project(led)["example_deliveries_by_site"] == 0


def test_a_projection_registered_late_catches_up_with_what_came_before(
    led: Ledger, clock: SetClock
) -> None:
    led.record(
        [
            made("aws", "2026-04-20", kind="capacity", gw="5"),
            delivered("aws", "2026-05-01", site="indiana", gw="0.5"),
        ]
    )
    projection = DeliveriesBySite()
    register(led, projection)
    assert sites(led) == []
    assert catch_up(led, projection) == 2
    assert catch_up(led, projection) == 0
    assert sites(led) == [("aws", "indiana", "gw", "0.5")]
