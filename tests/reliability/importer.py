"""Record several files by separate `capledger record` calls, one after the other, in one process.

    python importer.py URL FILE...

The crash test kills it at random: what is stored must then be whole calls, in order.
"""

from __future__ import annotations

import sys

from cli.main import capledger

if __name__ == "__main__":
    url, *files = sys.argv[1:]
    for name in files:
        capledger.main(["--db", url, "record", name], prog_name="capledger", standalone_mode=False)
