"""One writer process for the concurrency test: appends its batches as fast as it can."""

from __future__ import annotations

import sys

from conftest import make_pending  # type: ignore[import-not-found]

from ledger import Ledger

if __name__ == "__main__":
    url, writer, batches, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with Ledger.open(url, actor=f"writer-{writer}") as ledger:
        for batch in range(batches):
            # Every writer appends to a shared stream and to one of its own.
            ledger.append(
                [
                    make_pending("shared", n=int(writer) * 100_000 + batch * 100 + i)
                    for i in range(size)
                ]
                + [make_pending(f"own-{writer}", n=batch)]
            )
