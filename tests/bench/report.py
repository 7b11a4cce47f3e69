"""The table of rates and ratios, the machine it ran on, and docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version

from .run import Result, Row

HEADER = ("work", "unit", "capledger", "eventsourcing", "raw limit", "× peer", "× limit")

# (label, backend, work, test): checked at the largest N measured on each backend.
TARGETS = (
    ("record ≥ 60k events/s (CLI)", "sqlite", "record, CLI", lambda r: r.capledger >= 60_000),
    (
        "record ≥ 2× the peer's batched append",
        "sqlite",
        "record, CLI",
        lambda r: (r.ratio(r.peer) or 0) >= 2,
    ),
    (
        "record ≥ 0.4× raw executemany",
        "sqlite",
        "record, CLI",
        lambda r: r.limit is not None and r.capledger / r.limit >= 0.4,
    ),
    (
        "record peak RSS < 300 MB (CLI)",
        "sqlite",
        "record, CLI: peak RSS",
        lambda r: r.capledger < 300,
    ),
    (
        "record peak RSS < 300 MB (API, 10 calls)",
        "sqlite",
        "record, API: peak RSS",
        lambda r: r.capledger < 300,
    ),
    ("positions median < 50 ms", "sqlite", "positions, median", lambda r: r.capledger < 50),
    ("positions p95 < 150 ms", "sqlite", "positions, p95", lambda r: r.capledger < 150),
    (
        "positions ≥ 200× faster than the peer's replay",
        "sqlite",
        "positions, median",
        lambda r: (r.ratio(r.peer) or 0) >= 200,
    ),
    *(
        (f"{label}{' (PostgreSQL)' if backend == 'postgresql' else ''}", backend, work, test)
        for backend in ("sqlite", "postgresql")
        for label, work, test in (
            ("exposure median ≤ 100 ms", "exposure", lambda r: r.capledger <= 100),
            ("flows median ≤ 100 ms", "flows, median", lambda r: r.capledger <= 100),
            ("flows --cycles median ≤ 500 ms", "flows --cycles", lambda r: r.capledger <= 500),
        )
    ),
    ("overdue median ≤ 100 ms", "sqlite", "overdue, median", lambda r: r.capledger <= 100),
    (
        "publish ≥ 0.6× nats-py alone",
        "sqlite",
        "publish to NATS JetStream",
        lambda r: r.limit is not None and r.capledger / r.limit >= 0.6,
    ),
    ("rebuild ≥ 150k events/s", "sqlite", "project --rebuild", lambda r: r.capledger >= 150_000),
    ("verify ≥ 300k events/s", "sqlite", "verify", lambda r: r.capledger >= 300_000),
    (
        "PostgreSQL record ≥ 30k events/s",
        "postgresql",
        "record, CLI",
        lambda r: r.capledger >= 30_000,
    ),
)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "events/s":
        return f"{value / 1000:,.1f}k" if value >= 1000 else f"{value:,.0f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}×" if value >= 100 else f"{value:.2f}×"


def cells(row: Row) -> tuple[str, ...]:
    return (
        row.work,
        row.unit,
        _number(row.capledger, row.unit),
        _number(row.peer, row.unit),
        _number(row.limit, row.unit),
        _ratio(row.ratio(row.peer)),
        _ratio(row.ratio(row.limit)),
    )


def text_table(result: Result) -> str:
    lines = [cells(row) for row in result.rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(HEADER)]
    out = [f"{result.backend}, N = {result.n:,}"]
    for line in (HEADER, *lines):
        out.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    return "\n".join(out)


def markdown_table(result: Result) -> str:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(cells(row)) + " |" for row in result.rows]
    return "\n".join(out)


def targets(results: Sequence[Result]) -> list[tuple[str, str, str, str]]:
    """(target, figure, the driver alone's rate for the same writes or "—", met/missed/not
    measured), at the largest N of each backend."""
    checked = []
    for label, backend, work, test in TARGETS:
        ran = [r for r in results if r.backend == backend]
        if not ran:
            checked.append((label, "—", "—", "not measured"))
            continue
        largest = max(ran, key=lambda r: r.n)
        row = next((x for x in largest.rows if x.work.startswith(work)), None)
        if row is None:
            checked.append((label, "—", "—", "not measured"))
            continue
        figure = f"{_number(row.capledger, row.unit)} {row.unit} at N = {largest.n:,}"
        floor = largest.floors.get(row.work)
        alone = "—" if floor is None else f"{_number(floor, row.unit)} {row.unit}"
        checked.append((label, figure, alone, "met" if test(row) else "missed"))
    return checked


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import psutil

    described = {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "eventsourcing": version("eventsourcing"),
        "SQLAlchemy": version("sqlalchemy"),
        "pydantic": version("pydantic"),
    }
    try:
        import psycopg

        from .run import PG_ADMIN

        with psycopg.connect(PG_ADMIN, connect_timeout=3) as db:
            row = db.execute("SHOW server_version").fetchone()
            described["PostgreSQL"] = str(row[0]) if row else "?"
    except Exception:
        described["PostgreSQL"] = "not answering"
    return described


METHOD = """\
- One process (`python -m tests.bench`) generates a seeded synthetic ledger (tests/bench/synth.py)
  and measures everything on that same JSONL file: capledger, the `eventsourcing` library (the
  peer) and the raw limits of the database driver alone. The mix, per commitment (~18 events on
  average, 1,000 commitments open at once so every batch touches many streams):
  CommitmentMade (up_to/exact/at_least; usd, gw, chips), tranches, deliveries (70% against a
  tranche, 12% back-dated before events recorded earlier), amendments raising totals,
  corrections (a smaller delivery, or a new note), retractions, cancelled tranches and
  commitments. Every event is valid: nothing is refused.
- record, CLI: `capledger --db URL record FILE.jsonl` in a child process, wall time including
  interpreter start-up; one transaction into a new store, so the read models are filled at its
  end from the whole log, as a rebuild does (in this process), before it commits.
  record, API: `Ledger.record_stream` with `projections.attach` in a child process, the file split
  into 10 calls (10 transactions, so that `known_at` has 10 instants to tell apart): the first
  fills the read models as the CLI does, the other 9 feed them their first chunk and the rest
  at their commit (docs/projections.md); time excludes interpreter start-up. Peak RSS: the
  child process sampled every 20 ms (psutil), plus the memory that is their own (USS) of any
  process it forks meanwhile.
- The peer: one `Aggregate` per commitment with a method and event per capledger event type
  (same fields, Decimal amounts, dates), saved with `app.save(*aggregates)` over every aggregate
  a 5,000-event chunk touched; in a child process, parsing the same JSONL. It checks none of
  capledger's rules and keeps no hash chain. "State as of a date" is a replay of every aggregate
  (`app.events.get`) folded in Python, filtered by effective date and event timestamp; one replay
  answers one (as_of, known_at) pair, so its time is the peer's figure for positions (median and
  p95 alike) and, generously, for the whole timeline. Its replay rate stands beside rebuild.
- positions: `projections.positions` (by holder, provider, kind, resource) at 50 random
  (as_of, known_at) pairs after one warm-up; median and p95. timeline: `projections.timeline`
  (gw, monthly, 2021-01 to 2030-12), median of 3. overdue: `projections.overdue` at the same
  50 (as_of, known_at) pairs, median (the tranche schedule finds the commitments with a tranche
  due, whose streams are then folded). rebuild: `project(led, rebuild=True)`, once;
  from 100,000 events its streams are read and folded by one forked process per core (2 here)
  while this process writes the rows. verify: `led.verify()`, median of 3; from 100,000 events
  it checks ranges of the log in one forked process per core. So the × limit of both compares
  two cores with the raw limit's one. Raw limits: best of 3. The raw limit of rebuild is the
  read plus writing the very rows capledger's rebuild wrote to its read models (position
  postings, tranche schedule, buckets) into tables of the same shape with the driver alone,
  in one transaction: what any rebuild that keeps those tables must at least do. (Before
  2026-12-02 it was the read alone.)
- exposure, flows, flows --cycles: `projections.exposure` (by provider, committed, with each
  commitment's bound), `projections.flows` and `flows(..., cycles=True)` (networkx, cycles of
  2 to 4 parties) at the same (as_of, known_at) pairs as positions, after one warm-up each;
  medians.
- Ratios (× peer, × limit) say how many times better capledger does: rate ÷ rate for events/s,
  time ÷ time (theirs over ours) for ms and MB, so > 1 always means capledger is ahead.
- The machine is a shared VM whose speed moves from run to run (the peer's own rates have
  differed more than twofold between runs on the same machine type). Absolute figures, and the
  targets set in them, hold for the run they come from; across runs, compare the ratios.
"""


GENERATED = "Generated by `make bench`"
"""Where the generated report starts: what a page has before it (under its title) is kept."""


def keeping_hand_written(report: str, page: str) -> str:
    """The generated `report` with the hand-written sections of the existing `page` (between
    its title and the generated part) kept above it, as they were."""
    start = page.find("\n", page.find("# Benchmarks")) + 1
    end = page.find(GENERATED)
    kept = page[start:end].strip("\n") if 0 < start <= end else ""
    if not kept:
        return report
    title, _, rest = report.partition("\n")
    return f"{title}\n\n{kept}\n\n{rest.lstrip()}"


def markdown(results: Sequence[Result]) -> str:
    described = machine()
    sizes = ", ".join(f"{n:,}" for n in sorted({r.n for r in results}))
    parts = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m tests.bench --sizes N,...`"
        " `--write docs/benchmarks.md`); do not edit by hand.",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, N = {sizes} events.",
        "",
        "## Machine",
        "",
        *(f"- {name}: {value}" for name, value in described.items()),
        "",
    ]
    for result in results:
        parts += [f"## {result.backend}, N = {result.n:,}", "", markdown_table(result), ""]
        parts += [f"- {note}" for note in result.notes]
        parts.append("")
    parts += [
        "## Targets",
        "",
        "The driver alone: the rate of the database driver doing only the database work that"
        " the command must do, with no validation, rules, chain or fold: for record, writing"
        " the events and the read models' rows; for rebuild, reading the events and writing"
        " those rows (see the notes under each table). Nothing that goes through the driver"
        " does better.",
        "",
        "| target | figure | the driver alone | |",
        "|---|---|---|---|",
    ]
    parts += [
        f"| {label} | {figure} | {alone} | {state} |"
        for label, figure, alone, state in targets(results)
    ]
    parts += ["", "## Method", "", METHOD]
    return "\n".join(parts)
