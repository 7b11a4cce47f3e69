"""Eight processes record interleaved batches to shared commitments: nothing lost, nothing twice.

Every accepted batch is stored exactly once, every refused batch was told why (a rule or a
conflict) and left no trace, the positions equal the reference fold and the chain verifies.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .conftest import open_ledger
from .workload import SHARED, made, projected_positions, reference_positions, scaled

WRITERS = 8
BATCHES = scaled(15)
SCRIPT = Path(__file__).with_name("recorder.py")
TOLD_WHY = {"RuleViolation", "ConcurrencyConflict"}


@pytest.mark.slow
def test_eight_recorders_store_every_accepted_event_once_and_refuse_the_rest_with_a_reason(
    store_url: str, tmp_path: Path
) -> None:
    with open_ledger(store_url) as ledger:
        # Shared commitments that the writers' deliveries together would overrun.
        ledger.record([made(name, gw="150") for name in SHARED])
    logs = [tmp_path / f"writer-{w}.json" for w in range(WRITERS)]
    processes = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), store_url, str(w), str(BATCHES), "7", str(log)],
            cwd=SCRIPT.parent,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w, log in enumerate(logs)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    outcomes = [outcome for log in logs for outcome in json.loads(log.read_text())]
    accepted = [outcome for outcome in outcomes if "refused" not in outcome]
    refused = [outcome for outcome in outcomes if "refused" in outcome]

    with open_ledger(store_url) as ledger:
        stored = list(ledger.read_all())
        report = ledger.verify()
        projected = projected_positions(ledger)

    stored_ids = Counter(str(row.event_id) for row in stored)
    assert all(times == 1 for times in stored_ids.values())
    accepted_ids = {event_id for outcome in accepted for event_id in outcome["ids"]}
    assert all(outcome["recorded"] == len(outcome["ids"]) for outcome in accepted)
    assert set(stored_ids) - accepted_ids == {str(row.event_id) for row in stored[: len(SHARED)]}
    assert accepted_ids <= set(stored_ids)
    for outcome in refused:
        assert outcome["refused"] in TOLD_WHY, outcome
        assert outcome["message"].strip(), outcome
        assert not set(outcome["ids"]) & set(stored_ids), outcome
    # Both outcomes happen: the workload is built to overrun the shared commitments and race.
    assert accepted and refused
    assert len(outcomes) == WRITERS * BATCHES
    reasons = Counter(outcome["refused"] for outcome in refused)
    print(f"{len(accepted)} batches accepted, refused: {dict(reasons)}")

    assert report.intact, report
    assert report.count == len(stored)
    assert [row.position for row in stored] == list(range(1, len(stored) + 1))
    for commitment in {row.commitment for row in stored}:
        versions = [row.version for row in stored if row.commitment == commitment]
        assert versions == list(range(1, len(versions) + 1))
    recorded_at = [row.recorded_at for row in stored]
    assert recorded_at == sorted(recorded_at)
    assert projected == reference_positions(stored)
    # The shared commitments were never overrun, whatever the interleaving.
    for name in SHARED:
        assert projected[(name, "gw")][2] <= 150
