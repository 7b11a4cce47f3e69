"""Append a seeded workload a few events at a time, for the relay's crash and restart tests.

    python appender.py URL SEED PAUSE STOP_FILE

Records `import_events(LIMIT, SEED)` in batches of five, pausing PAUSE seconds between them,
until STOP_FILE exists (or the workload ends), so that the log grows while `capledger publish
--follow` runs beside it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from workload import import_events

from ledger import Ledger
from projections import attach

BATCH = 5
LIMIT = 50_000


def main() -> None:
    url, seed, pause, stop = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), Path(sys.argv[4])
    events = import_events(LIMIT, seed)
    with Ledger.open(url, actor="appender") as ledger:
        attach(ledger)
        for start in range(0, len(events), BATCH):
            if stop.exists():
                return
            ledger.record(events[start : start + BATCH])
            time.sleep(pause)


if __name__ == "__main__":
    main()
