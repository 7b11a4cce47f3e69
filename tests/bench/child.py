"""Work measured in a child process, so that its peak RSS is its own: `python -m tests.bench.child`.

    record-api URL FILE PARTS      capledger's API with the read models attached, PARTS calls
    peer-append ENV_JSON FILE      the eventsourcing peer, batched

Prints one JSON object: {"events": N, "seconds": S} (S excludes interpreter start-up).
"""

from __future__ import annotations

import json
import sys
import time
from itertools import islice
from typing import Any


def record_api(url: str, path: str, parts: int) -> dict[str, Any]:
    from ledger import Ledger
    from ledger.event_files import read_file
    from projections import attach

    with open(path, encoding="utf-8") as lines:
        total = sum(1 for _ in lines)
    per_part = -(-total // parts)
    started = time.perf_counter()
    led = Ledger.open(url)
    attach(led)
    located = read_file(path)
    recorded = 0
    for _ in range(parts):
        receipt = led.record_stream(islice(located, per_part))
        recorded += receipt.recorded
    seconds = time.perf_counter() - started
    led.close()
    return {"events": recorded, "seconds": seconds}


def peer_append(env_json: str, path: str) -> dict[str, Any]:
    from tests.bench import peer

    started = time.perf_counter()
    app = peer.open_app(json.loads(env_json))
    with open(path, encoding="utf-8") as lines:
        count = peer.append(app, (json.loads(line) for line in lines))
    seconds = time.perf_counter() - started
    app.close()
    return {"events": count, "seconds": seconds}


def main(argv: list[str]) -> None:
    task, *args = argv
    if task == "record-api":
        result = record_api(args[0], args[1], int(args[2]))
    elif task == "peer-append":
        result = peer_append(args[0], args[1])
    else:
        raise SystemExit(f"unknown task {task!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
