"""`capledger overdue`: late tranches as a table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from .conftest import DEALS, Run, as_json

LATE = [
    *DEALS,
    {
        "type": "TrancheScheduled",
        "commitment": "amazon-anthropic-investment-2023",
        "effective": "2023-09-25",
        "tranche": "option",
        "amounts": {"usd": "2750000000"},
        "due": "2024-03-31",
        "source": {"publisher": "Reuters", "date": "2023-09-26"},
    },
]


def _recorded(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in LATE), encoding="utf-8")
    assert run("record", str(path)).exit_code == 0


def test_late_tranches_are_shown_the_latest_first_with_units_at_one_scale_and_source(
    run: Run, tmp_path: Path
) -> None:
    _recorded(run, tmp_path)
    table = run("overdue", "--as-of", "2027-01-10").stdout.splitlines()
    assert table[0].split() == [
        "commitment",
        "tranche",
        "resource",
        "due",
        "days_late",
        "scheduled",
        "delivered",
        "outstanding",
        "source",
    ]
    option, trainium = (re.split(r"\s{2,}", line.strip()) for line in table[2:4])
    assert option == [
        "amazon-anthropic-investment-2023",
        "option",
        "usd",
        "2024-03-31",
        "1015",
        *("$2.8B", "$0.0B", "$2.8B"),
        "Reuters, 2023-09-26",
    ]
    assert trainium == [
        "aws-anthropic-2026-capacity",
        "trainium-2026",
        "gw",
        "2026-12-31",
        "10",
        # One scale for every gigawatt amount of the table: never 1 GW beside 400 MW.
        *("1.0 GW", "0.4 GW", "0.6 GW"),
    ]


def test_json_and_csv_give_exact_amounts_and_every_field(run: Run, tmp_path: Path) -> None:
    _recorded(run, tmp_path)
    rows = as_json(run("overdue", "--as-of", "2027-01-10", "--format", "json"))
    assert rows[1] == {
        "commitment": "aws-anthropic-2026-capacity",
        "tranche": "trainium-2026",
        "resource": "gw",
        "holder": "anthropic",
        "provider": "amazon",
        "kind": "capacity",
        "due": "2026-12-31",
        "days_late": 10,
        "scheduled": "1",
        "delivered": "0.4",
        "outstanding": "0.6",
        "publisher": None,
        "source_date": None,
    }
    found = run("overdue", "--as-of", "2027-01-10", "--resource", "usd", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(found.stdout)))
    assert (row["tranche"], row["outstanding"], row["publisher"], row["source_date"]) == (
        "option",
        "2750000000",
        "Reuters",
        "2023-09-26",
    )


def test_nothing_is_late_before_the_due_dates_or_as_known_before_the_schedule(
    run: Run, tmp_path: Path
) -> None:
    _recorded(run, tmp_path)
    assert run("overdue", "--as-of", "2024-03-31").stdout.strip() == "(no rows)"
    early = run("overdue", "--as-of", "2027-01-10", "--known-at", "2020-01-01")
    assert early.stdout.strip() == "(no rows)"
    only = run("overdue", "--as-of", "2027-01-10", "--kind", "capacity", "--format", "json")
    assert [row["tranche"] for row in as_json(only)] == ["trainium-2026"]
