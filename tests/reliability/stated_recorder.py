"""One recorder process for the race of stated knowledge instants: it records one commitment
known from a stated instant, and prints the outcome as JSON.

    python stated_recorder.py URL INSTANT COMMITMENT SIGNALS ROLE

ROLE `holder` takes the write lock, says `ready` (a file in SIGNALS) and keeps the lock until
the other has said `trying`, and a second more. ROLE `latecomer` opens the store, says
`opened`, waits for `ready`, says `trying` and records: its append waits for the holder's
lock, and so is checked against the store as the holder left it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workload import made

from ledger import Ledger, LedgerError


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path.name} signal")
        time.sleep(0.02)


def holding(event: dict[str, Any], signals: Path) -> Iterator[tuple[dict[str, Any], str]]:
    """The event; then, with the write lock held, the wait for the latecomer."""
    yield event, "holder.jsonl:1"
    (signals / "ready").touch()
    wait_for(signals / "trying")
    time.sleep(1)


def main() -> None:
    url, instant, commitment, signal_dir, role = sys.argv[1:6]
    signals = Path(signal_dir)
    event = made(commitment, gw="1")
    with Ledger.open(url, actor=role) as ledger:
        try:
            if role == "holder":
                receipt = ledger.record_stream(holding(event, signals), recorded_at=instant)
            else:
                (signals / "opened").touch()
                wait_for(signals / "ready")
                (signals / "trying").touch()
                receipt = ledger.record([event], recorded_at=instant)
        except LedgerError as error:
            print(json.dumps({"refused": type(error).__name__, "message": str(error)}))
        else:
            print(json.dumps({"recorded": receipt.recorded}))


if __name__ == "__main__":
    main()
