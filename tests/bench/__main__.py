"""`python -m tests.bench`: capledger beside the eventsourcing library and the raw limits.

python -m tests.bench --sizes 100000,1000000 --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .report import keeping_hand_written, markdown, targets, text_table
from .run import drop_pg_databases, postgres_answers, prepare_data, run_backend


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--sizes", default="100000", help="comma-separated N (default 100000)")
    parser.add_argument("--write", metavar="FILE", help="write the report (markdown) here")
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql",
        help="sqlite,postgresql (PostgreSQL if it answers)",
    )
    parser.add_argument(
        "--workdir",
        help="keep the SQLite databases here, and the PostgreSQL ones on the server "
        "(default: a temporary folder, and every database dropped at the end)",
    )
    parser.add_argument("--queries", type=int, default=50, help="(as_of, known_at) pairs")
    parser.add_argument("--peer-budget", type=float, default=120.0, help="seconds of peer replay")
    parser.add_argument("--pg-max", type=int, default=None, help="largest N to run on PostgreSQL")
    parser.add_argument("--seed", type=int, default=20260420)
    args = parser.parse_args(argv)

    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    backends = [name for name in args.backends.split(",") if name]
    if "postgresql" in backends and not postgres_answers():
        print("PostgreSQL does not answer on 127.0.0.1:5432: SQLite only", file=sys.stderr)
        backends.remove("postgresql")

    with tempfile.TemporaryDirectory(prefix="capbench-") as scratch:
        workdir = Path(args.workdir or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        results = []
        for n in sizes:
            data = prepare_data(n, workdir, args.seed)
            for backend in backends:
                if backend == "postgresql" and args.pg_max is not None and n > args.pg_max:
                    continue
                try:
                    result = run_backend(
                        backend,
                        n,
                        data,
                        workdir,
                        queries=args.queries,
                        peer_budget=args.peer_budget,
                        log=lambda line: print(line, file=sys.stderr, flush=True),
                    )
                finally:
                    if backend == "postgresql" and not args.workdir:
                        drop_pg_databases(n)
                results.append(result)
                print(text_table(result), flush=True)
                for note in result.notes:
                    print(f"  - {note}")
                print()
    for label, figure, alone, state in targets(results):
        floor = "" if alone == "—" else f" (the driver alone: {alone})"
        print(f"{state:>12}  {label}: {figure}{floor}")
    if args.write:
        page = Path(args.write)
        before = page.read_text(encoding="utf-8") if page.exists() else ""
        page.write_text(keeping_hand_written(markdown(results), before), encoding="utf-8")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
