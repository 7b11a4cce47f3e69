"""The read model is plain SQL: docs/read-models.md's query, run by `sqlite3` alone."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from ledger import Ledger
from projections import attach, positions

from .conftest import SetClock, amended, delivered, made, scheduled

DOC = Path(__file__).parents[2] / "docs" / "read-models.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def test_current_positions_read_with_sqlite3_alone_match_positions(
    sqlite_url: str, clock: SetClock
) -> None:
    led = Ledger.open(sqlite_url, clock=clock)
    attach(led)
    clock.set("2026-05-01T00:00:00")
    led.record(
        [
            made("deal", "2023-09-25", usd="4000000000"),
            delivered("deal", "2023-09-25", usd="1250000000.5"),
            amended("deal", "2024-11-22", usd="8000000000"),
            made("floor", "2025-01-01", bound="at_least", provider="google", usd="100"),
            delivered("floor", "2025-02-01", usd="150.25"),
            made("cap", "2026-04-20", kind="capacity", gw="5"),
            scheduled("cap", "2026-04-20", "p1", gw="1.5"),
        ]
    )
    clock.tick(days=1)
    wrong = str(list(led.read_all())[1].event_id)
    led.record(
        [
            {
                "type": "EventCorrected",
                "commitment": "deal",
                "target": wrong,
                "replacement": delivered("deal", "2023-09-25", usd="1250000000.75"),
            }
        ]
    )
    led.close()

    (query,) = blocks("sql")
    (code,) = blocks("python")
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    path = sqlite_url.removeprefix("sqlite:///")
    for as_of in (date(2024, 1, 1), date(2025, 3, 1), date(2026, 5, 1)):
        found = namespace["current_positions"](path, query, as_of.isoformat())
        with Ledger.open(sqlite_url, clock=clock) as reopened:
            rows = positions(reopened, as_of=as_of)
        assert found == {
            (row.holder, row.provider, row.kind, row.resource): (
                row.committed,
                row.scheduled,
                row.delivered,
                row.outstanding,
            )
            for row in rows
        }
        assert found
