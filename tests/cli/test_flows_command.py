"""`capledger flows`: pairs with their round trip, cycles, DOT, and the network chart."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .conftest import Run, as_json

RING = [
    {
        "type": "CommitmentMade",
        "commitment": "nvidia-openai",
        "effective": "2026-01-05",
        "provider": "nvidia",
        "holder": "openai",
        "kind": "investment",
        "bound": "up_to",
        "amounts": {"usd": "30000000000"},
    },
    {
        "type": "CommitmentMade",
        "commitment": "openai-azure",
        "effective": "2026-01-10",
        "provider": "microsoft",
        "holder": "openai",
        "kind": "spend",
        "bound": "exact",
        "amounts": {"usd": "250000000000"},
    },
    {
        "type": "CommitmentMade",
        "commitment": "microsoft-nvidia-chips",
        "effective": "2026-02-01",
        "provider": "nvidia",
        "holder": "microsoft",
        "kind": "capacity",
        "bound": "exact",
        "amounts": {"usd": "20000000000"},
    },
    {
        "type": "CommitmentMade",
        "commitment": "microsoft-openai",
        "effective": "2026-03-01",
        "provider": "microsoft",
        "holder": "openai",
        "kind": "investment",
        "bound": "exact",
        "amounts": {"usd": "10000000000"},
    },
]


@pytest.fixture
def ring_file(tmp_path: Path) -> Path:
    path = tmp_path / "ring.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in RING), encoding="utf-8")
    return path


def test_each_pair_shows_both_directions_and_the_round_trip(run: Run, ring_file: Path) -> None:
    run("record", str(ring_file))
    result = run("flows", "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "a          b       a_to_b             b_to_a         round_trip",
        "---------  ------  -----------------  -------------  ----------",
        "microsoft  nvidia  capacity $20.0B    -                    0.0%",
        "microsoft  openai  investment $10.0B  spend $250.0B        4.0%",
        "nvidia     openai  investment $30.0B  -                    0.0%",
    ]
    rows = as_json(run("flows", "--as-of", "2026-06-30", "--format", "json"))
    assert rows[1] == {
        "a": "microsoft",
        "b": "openai",
        "a_to_b_investment": "10000000000",
        "a_to_b_spend": "0",
        "a_to_b_capacity": "0",
        "b_to_a_investment": "0",
        "b_to_a_spend": "250000000000",
        "b_to_a_capacity": "0",
        "round_trip": "0.04",
    }


def test_every_dollar_of_the_pairs_table_is_at_one_scale(
    run: Run, ring_file: Path, tmp_path: Path
) -> None:
    small = {
        **RING[3],
        "commitment": "nvidia-microsoft",
        "provider": "nvidia",
        "holder": "microsoft",
        "amounts": {"usd": "350000000"},
    }
    more = tmp_path / "small.jsonl"
    more.write_text(json.dumps(small) + "\n", encoding="utf-8")
    run("record", str(ring_file))
    run("record", str(more))
    lines = run("flows", "--as-of", "2026-06-30").stdout.splitlines()
    # $350M beside $20B reads $0.4B, in billions as every other amount of the table.
    assert lines[3].split() == [
        *("nvidia", "microsoft", "investment", "$0.4B", "capacity", "$20.0B", "1.8%"),
    ]
    exact = as_json(run("flows", "--as-of", "2026-06-30", "--format", "json"))
    assert exact[1]["a_to_b_investment"] == "350000000"


def test_cycles_are_listed_with_their_smallest_edge(run: Run, ring_file: Path) -> None:
    run("record", str(ring_file))
    result = run("flows", "--as-of", "2026-06-30", "--cycles")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2:] == [
        "     3  microsoft -> nvidia -> openai -> microsoft    $20.0B  "
        "microsoft -> nvidia (capacity)",
        "     2  microsoft -> openai -> microsoft              $10.0B  "
        "microsoft -> openai (investment)",
    ]
    cycles = as_json(run("flows", "--as-of", "2026-06-30", "--cycles", "--format", "json"))
    assert [(cycle["parties"], cycle["smallest"]) for cycle in cycles] == [
        (["microsoft", "nvidia", "openai"], "20000000000"),
        (["microsoft", "openai"], "10000000000"),
    ]
    none_yet = run("flows", "--as-of", "2026-01-31", "--cycles")
    assert none_yet.stdout.strip() == "no cycles of 2 to 4 parties as of 2026-01-31"


def test_dot_describes_the_graph_with_the_cycle_edges_marked(run: Run, ring_file: Path) -> None:
    run("record", str(ring_file))
    result = run("flows", "--as-of", "2026-06-30", "--cycles", "--format", "dot")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("digraph flows {") and text.rstrip().endswith("}")
    # Every edge of this ring is on a cycle: all drawn in the cycle colour.
    assert '"nvidia" -> "openai" [label="investment $30.0B", color="#c0392b"' in text
    assert '"openai" -> "microsoft" [label="spend $250.0B", color="#c0392b"' in text
    plain = run("flows", "--as-of", "2026-06-30", "--format", "dot").stdout
    assert '"nvidia" -> "openai" [label="investment $30.0B", color="#1f4e79"' in plain
    assert "#c0392b" not in plain


def test_a_date_before_any_deal_has_no_flows(run: Run, ring_file: Path) -> None:
    run("record", str(ring_file))
    result = run("flows", "--as-of", "2025-12-31")
    assert result.exit_code == 0
    assert (
        result.stdout.strip() == "no dollars committed between parties as of 2025-12-31: no flows"
    )
    assert run("flows", "--as-of", "2025-12-31", "--format", "json").stdout.strip() == "[]"


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_network_chart_is_written(
    run: Run, ring_file: Path, tmp_path: Path, suffix: str
) -> None:
    run("record", str(ring_file))
    chart = tmp_path / f"flows{suffix}"
    result = run("flows", "--as-of", "2026-06-30", "--chart", str(chart))
    assert result.exit_code == 0, result.stderr
    assert chart.stat().st_size > 5_000
    assert f"chart written to {chart}" in result.stderr
    gif = run("flows", "--chart", str(tmp_path / "flows.gif"))
    assert gif.exit_code == 2
    assert "write a .png or .svg file" in gif.stderr


def test_without_networkx_cycles_name_the_extra_and_pairs_still_work(
    run: Run, ring_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("record", str(ring_file))
    monkeypatch.setitem(sys.modules, "networkx", None)
    assert run("flows", "--as-of", "2026-06-30").exit_code == 0
    result = run("flows", "--as-of", "2026-06-30", "--cycles")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: finding cycles needs networkx: pip install 'capacity-ledger[graphs]'"
    )
