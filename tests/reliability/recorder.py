"""One recorder process for the concurrency test: many small batches, every outcome logged.

    python recorder.py URL WRITER BATCHES SEED LOG

Each batch mixes deliveries to the shared commitments (together they would exceed them, so
some batches are refused by a rule), a race to open a commitment that only one writer can
win, and events of the writer's own commitment. Every batch's outcome goes to LOG as JSON:
accepted (its event ids) or refused (the exception's class and message).
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from typing import Any

from workload import SHARED, delivery, made

from ledger import Ledger, LedgerError
from projections import attach


def batch_of(writer: int, number: int, rng: random.Random) -> list[dict[str, Any]]:
    own = f"own-{writer}"
    if number == 0:
        # Alone in its batch: nobody else touches this stream, so it cannot be refused.
        return [{**made(own, holder=f"lab-{writer}", gw="1000"), "id": str(uuid.uuid4())}]
    events = [delivery(own, str(rng.randint(1, 5)), effective="2026-03-01")]
    for _ in range(rng.randint(1, 3)):
        events.append(delivery(rng.choice(SHARED), str(rng.randint(1, 3)) + ".5"))
    if number % 5 == 2:
        # Every writer tries to open the same commitment with its own holder: one wins.
        events.append(made(f"race-{number}", holder=f"lab-{writer}"))
    rng.shuffle(events)
    for event in events:
        event["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        event["note"] = f"writer {writer} batch {number}"
    return events


def main() -> None:
    url, writer, batches, seed, log = sys.argv[1:6]
    rng = random.Random(f"{seed}/{writer}")
    outcomes: list[dict[str, Any]] = []
    with Ledger.open(url, actor=f"recorder-{writer}") as ledger:
        attach(ledger)
        for number in range(int(batches)):
            events = batch_of(int(writer), number, rng)
            ids = [event["id"] for event in events]
            try:
                receipt = ledger.record(events)
            except LedgerError as error:
                outcomes.append(
                    {"ids": ids, "refused": type(error).__name__, "message": str(error)}
                )
            else:
                outcomes.append({"ids": ids, "recorded": receipt.recorded})
    with open(log, "w", encoding="utf-8") as out:
        json.dump(outcomes, out)


if __name__ == "__main__":
    main()
