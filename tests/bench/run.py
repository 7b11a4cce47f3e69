"""One benchmark run: capledger, the eventsourcing peer and the raw limits, on the same data."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from . import limits, peer
from .synth import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_PREFIX = "postgresql+psycopg://postgres@127.0.0.1:5432/"
TIMELINE = (date(2021, 1, 1), date(2030, 12, 31))
RECORD_CLI = "record, CLI (JSONL file, 1 transaction)"
RECORD_AS_REPORTED = "record --as-reported, CLI (a batch per source date)"
REPORTED_PER_DAY = 100
"""Events a source date in the benchmark's as-reported file: 1M events span ~27 years of days."""
REBUILD = "project --rebuild"


BY_HOLDER = ("holder", "kind", "resource")
"""The grouping `changes` is timed at (docs/benchmarks.md)."""


@dataclass
class Row:
    """One line of the table. `better` says which way is better: "higher" or "lower"."""

    work: str
    unit: str
    capledger: float
    peer: float | None = None
    limit: float | None = None
    better: str = "higher"
    note: str = ""

    def ratio(self, other: float | None) -> float | None:
        """How many times better capledger does than `other` (> 1: capledger is better)."""
        if other is None or other == 0 or self.capledger == 0:
            return None
        return self.capledger / other if self.better == "higher" else other / self.capledger


@dataclass
class Result:
    n: int
    backend: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    floors: dict[str, float] = field(default_factory=dict)
    """Per work (a row's name), the rate (events/s) of the database driver alone doing only
    the reads and writes that work must do: nothing that goes through the driver does better."""

    def get(self, work: str) -> Row | None:
        return next((row for row in self.rows if row.work == work), None)


# -- child processes: timing and peak RSS of one piece of work -----------------------------------


def _footprint(process: Any) -> int:
    """Bytes of memory a process and the processes it forked hold: its RSS, and what is each
    fork's alone (their USS; pages still shared with it are in its RSS)."""
    import psutil

    total = int(process.memory_info().rss)
    for child in process.children(recursive=True):
        try:
            total += int(child.memory_full_info().uss)
        except psutil.Error:
            continue  # ended meanwhile
    return total


def _run_measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run a process; its stdout, wall seconds and its peak RSS in MB.

    The peak is sampled (every 20 ms, with psutil): a child's ru_maxrss on Linux starts from
    its parent's RSS at fork, so it overstates a small child of a large parent. Processes it
    forks (workers) add the memory that is theirs alone (USS): what they share with it is
    counted once.
    """
    import psutil

    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=err, cwd=ROOT, env=env, text=True
        )
        watched = psutil.Process(process.pid)
        peak = 0
        chunks: list[str] = []
        reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()))  # type: ignore[union-attr]
        reader.start()
        while process.poll() is None:
            try:
                peak = max(peak, _footprint(watched))
            except psutil.Error:
                break
            time.sleep(0.02)
        process.wait()
        seconds = time.perf_counter() - started
        reader.join()
        process.stdout.close()  # type: ignore[union-attr]
        if process.returncode != 0:
            err.seek(0)
            message = err.read()[-3000:]
            raise RuntimeError(f"{' '.join(argv[:4])} failed ({process.returncode}):\n{message}")
    return "".join(chunks), seconds, peak / 2**20


# -- backends ----------------------------------------------------------------------------------


def postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


def _fresh_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def drop_pg_databases(n: int) -> list[str]:
    """Drop the databases a run at this N made on PostgreSQL; their names, sorted."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        names = sorted(
            name
            for (name,) in db.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (f"{Store.tag_for(n)}\\_%",),
            )
        )
        for name in names:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return names


class Store:
    """Where one backend's databases live: capledger's two stores, the peer's, the raw one."""

    def __init__(self, backend: str, workdir: Path, n: int):
        self.backend = backend
        self.workdir = workdir
        self.tag = self.tag_for(n)

    @staticmethod
    def tag_for(n: int) -> str:
        """What the names of a run's databases at this N start with."""
        return f"capbench_{n}"

    def capledger(self, purpose: str) -> str:
        if self.backend == "sqlite":
            path = self.workdir / f"{self.tag}_{purpose}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        _fresh_pg(f"{self.tag}_{purpose}")
        return f"{PG_PREFIX}{self.tag}_{purpose}"

    def raw(self, purpose: str) -> str:
        """A fresh raw database: a file path (SQLite) or a DSN (PostgreSQL)."""
        if self.backend == "sqlite":
            path = self.workdir / f"{self.tag}_raw_{purpose}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return str(path)
        return self.dsn("api")  # raw tables beside capledger's own, in the same database

    def dsn(self, purpose: str) -> str:
        return f"postgresql://postgres@127.0.0.1:5432/{self.tag}_{purpose}"

    def peer_env(self) -> dict[str, str]:
        if self.backend == "sqlite":
            path = self.workdir / f"{self.tag}_peer.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
        _fresh_pg(f"{self.tag}_peer")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": f"{self.tag}_peer",
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": "5432",
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "",
        }


# -- the run -------------------------------------------------------------------------------------


def _median_seconds(work: Callable[[], Any], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return sorted(timings)[len(timings) // 2]


def _pairs(led: Any, count: int, seed: int) -> list[tuple[date, datetime]]:
    """Random (as_of, known_at) pairs: any date of the data, any instant of its recording."""
    from sqlalchemy import func, select

    from ledger.schema import events

    with led.engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(events.c.recorded_at), func.max(events.c.recorded_at))
        ).one()
    first, last = first.replace(tzinfo=UTC), last.replace(tzinfo=UTC)
    rng = random.Random(seed)
    span = (last - first).total_seconds()
    pairs = []
    for _ in range(count):
        as_of = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 12 * 365))
        known_at = first + timedelta(seconds=rng.uniform(0, span * 1.05))
        pairs.append((as_of, known_at))
    return pairs


def month_ends(start: date, end: date) -> list[date]:
    days = []
    index = start.year * 12 + start.month - 1
    while True:
        nxt = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
        last = nxt - timedelta(days=1)
        if last > end:
            return days
        days.append(last)
        index += 1


def run_backend(
    backend: str,
    n: int,
    data: Path,
    workdir: Path,
    *,
    queries: int = 50,
    parts: int = 10,
    peer_budget: float = 120.0,
    repeats: int = 3,
    log: Callable[[str], None] = print,
) -> Result:
    """Measure everything on one backend over the same JSONL file of `n` events."""
    from ledger import Ledger
    from projections import changes, overdue, positions, project, timeline

    store = Store(backend, workdir, n)
    result = Result(n=n, backend=backend)
    python = sys.executable
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    # record: API (with the read models attached, in `parts` calls), then the CLI (one call)
    api_url = store.capledger("api")
    log(f"[{backend} {n}] record through the API ...")
    out, _, api_rss = _run_measured(
        [python, "-m", "tests.bench.child", "record-api", api_url, str(data), str(parts)], env
    )
    api = json.loads(out)
    if api["events"] != n:
        raise RuntimeError(f"recorded {api['events']} of {n} events")
    api_rate = api["events"] / api["seconds"]

    cli_url = store.capledger("cli")
    log(f"[{backend} {n}] record through the CLI ...")
    capledger = str(Path(python).with_name("capledger"))
    cli_env = {**env, "CAPLEDGER_ACTOR": "bench"}
    out, cli_seconds, cli_rss = _run_measured(
        [capledger, "--db", cli_url, "record", str(data)], cli_env
    )
    if not out.startswith(f"recorded {n} events"):
        raise RuntimeError(f"the CLI said {out!r}")
    cli_rate = n / cli_seconds

    reported_url = store.capledger("reported")
    log(f"[{backend} {n}] record --as-reported through the CLI ...")
    out, reported_seconds, _ = _run_measured(
        [capledger, "--db", reported_url, "record", "--as-reported", str(reported_file(data))],
        cli_env,
    )
    if not out.startswith(f"recorded {n} events"):
        raise RuntimeError(f"the CLI said {out!r}")

    log(f"[{backend} {n}] the peer appends ...")
    peer_rate: float | None = None
    peer_rss: float | None = None
    try:
        out, _, peer_rss = _run_measured(
            [
                python,
                "-m",
                "tests.bench.child",
                "peer-append",
                json.dumps(store.peer_env()),
                str(data),
            ],
            env,
        )
        peer_run = json.loads(out)
        peer_rate = peer_run["events"] / peer_run["seconds"]
    except RuntimeError as error:  # e.g. psycopg_pool missing for eventsourcing.postgres
        result.notes.append(f"The peer could not run on {backend}: {str(error).splitlines()[-1]}")

    log(f"[{backend} {n}] raw append ...")
    if backend == "sqlite":
        api_path = api_url.removeprefix("sqlite:///")
        rows = limits.sqlite_rows(api_path)
        raw_seconds = min(
            limits.sqlite_executemany(store.raw(f"append{i}"), rows) for i in range(repeats)
        )
        raw_label = "sqlite3 executemany"
    else:
        rows = limits.pg_rows(store.dsn("api"))
        raw_seconds = min(limits.pg_copy(store.dsn("api"), rows) for _ in range(repeats))
        raw_label = "COPY"
    del rows
    raw_rate = n / raw_seconds

    result.rows += [
        Row(RECORD_CLI, "events/s", cli_rate, peer_rate, raw_rate),
        Row(RECORD_AS_REPORTED, "events/s", n / reported_seconds, peer_rate, raw_rate),
        Row(
            f"record, API + read models ({parts} calls)", "events/s", api_rate, peer_rate, raw_rate
        ),
        Row("record, CLI: peak RSS", "MB", cli_rss, peer_rss, better="lower"),
        Row("record, API: peak RSS", "MB", api_rss, peer_rss, better="lower"),
    ]

    led = Ledger.open(api_url)
    try:
        pairs = _pairs(led, queries, seed=n)
        positions(led, as_of=pairs[0][0], known_at=pairs[0][1])  # warm-up, not counted
        log(f"[{backend} {n}] positions at {queries} (as_of, known_at) pairs ...")
        timings = []
        for as_of, known_at in pairs:
            started = time.perf_counter()
            positions(led, as_of=as_of, known_at=known_at)
            timings.append((time.perf_counter() - started) * 1000)

        if backend == "sqlite":
            raw_db = store.raw("postings")
            limits.sqlite_postings(api_url.removeprefix("sqlite:///"), raw_db)
            raw_timings = limits.sqlite_as_of(raw_db, pairs)
            raw_monthly = limits.sqlite_monthly(raw_db, month_ends(*TIMELINE), pairs[0][1])
            raw_read = min(
                limits.sqlite_read_all(api_url.removeprefix("sqlite:///")) for _ in range(repeats)
            )
        else:
            limits.pg_postings(store.dsn("api"))
            raw_timings = limits.pg_as_of(store.dsn("api"), pairs)
            raw_monthly = limits.pg_monthly(store.dsn("api"), month_ends(*TIMELINE), pairs[0][1])
            raw_read = min(limits.pg_read_all(store.dsn("api")) for _ in range(repeats))

        peer_replay_rate: float | None = None
        peer_as_of_ms: float | None = None
        done = names_count = 0
        if peer_rate is not None:
            log(f"[{backend} {n}] the peer replays ...")
            app = peer.open_app(_peer_env_existing(store))
            with open(data, encoding="utf-8") as lines:
                names = list(peer.commitments_in(lines))
            names_count = len(names)
            _, done, replayed, seconds = peer.replay_as_of(
                app, names, pairs[0][0], pairs[0][1], budget=peer_budget
            )
            app.close()
            peer_replay_rate = replayed / seconds
            peer_as_of_ms = n / peer_replay_rate * 1000
        if done < names_count:
            result.notes.append(
                f"The peer's replay was stopped after {seconds:.0f} s ({done:,} of {names_count:,} "
                f"aggregates, {replayed:,} events); its as-of time is extrapolated to all {n:,} "
                "events at the rate measured."
            )

        result.rows += [
            Row(
                "positions, median",
                "ms",
                limits.median(timings),
                peer_as_of_ms,
                limits.median(raw_timings),
                better="lower",
            ),
            Row(
                "positions, p95",
                "ms",
                limits.p95(timings),
                peer_as_of_ms,
                limits.p95(raw_timings),
                better="lower",
            ),
        ]

        log(f"[{backend} {n}] timeline ...")
        timeline_ms = 1000 * _median_seconds(
            lambda: timeline(led, resource="gw", every="month", start=TIMELINE[0], end=TIMELINE[1]),
            repeats,
        )
        result.rows.append(
            Row(
                "timeline, 10 years monthly (gw)",
                "ms",
                timeline_ms,
                peer_as_of_ms,
                raw_monthly,
                better="lower",
            )
        )

        log(f"[{backend} {n}] changes between two knowledge instants ...")
        change_timings = []
        for (as_of, first), (_, second) in pairwise(pairs):
            known_from, known_to = sorted((first, second))
            started = time.perf_counter()
            changes(led, known_from=known_from, known_to=known_to, as_of=as_of, by=BY_HOLDER)
            change_timings.append((time.perf_counter() - started) * 1000)
        result.rows.append(
            Row(
                "changes between two knowledge instants (by holder, resource), median",
                "ms",
                limits.median(change_timings),
                better="lower",
            )
        )
        from .exposure_flows import question_rows

        result.rows += question_rows(led, pairs, log, f"{backend} {n}")

        log(f"[{backend} {n}] overdue at the (as_of, known_at) pairs ...")
        overdue_timings = []
        for as_of, known_at in pairs:
            started = time.perf_counter()
            overdue(led, as_of=as_of, known_at=known_at)
            overdue_timings.append((time.perf_counter() - started) * 1000)
        result.rows.append(
            Row("overdue, median", "ms", limits.median(overdue_timings), better="lower")
        )

        log(f"[{backend} {n}] rebuild ...")
        rebuild_seconds = _median_seconds(lambda: project(led, rebuild=True), 1)
        log(f"[{backend} {n}] the read models' rows, written by the driver alone ...")
        if backend == "sqlite":
            models_seconds = min(
                limits.sqlite_read_models(
                    api_url.removeprefix("sqlite:///"), store.raw(f"models{i}")
                )
                for i in range(repeats)
            )
        else:
            models_seconds = min(limits.pg_read_models(store.dsn("api")) for _ in range(repeats))
        log(f"[{backend} {n}] verify ...")
        verify_seconds = _median_seconds(led.verify, repeats)
        report = led.verify()
        if not report.intact or report.count != n:
            raise RuntimeError(f"verify: {report}")
        result.floors[RECORD_CLI] = n / (raw_seconds + models_seconds)
        result.floors[REBUILD] = n / (raw_read + models_seconds)
        result.rows += [
            Row(REBUILD, "events/s", n / rebuild_seconds, peer_replay_rate, result.floors[REBUILD]),
            Row("verify (hash chain)", "events/s", n / verify_seconds, None, n / raw_read),
        ]
    finally:
        led.close()
    if backend == "sqlite":
        _feed(result, api_url, n, workdir, log)
    models_how = (
        "executemany into their tables without the secondary indexes, then the index builds"
        if backend == "sqlite"
        else "COPY into copies of their tables, indexes included"
    )
    result.notes.append(
        f"Raw limits on {backend}: append = {raw_label} of the same rows into a table with "
        f"capledger's keys and indexes; as-of = covering-index SUM over a copy of the position "
        f"postings; read (verify's limit) = SELECT of every event row + {limits.PARSER} parsing "
        f"of its payload; rebuild's limit = read, then writing the rows the rebuild made to the "
        f"read models ({models_how}; {models_seconds:.2f} s) in one transaction."
    )
    result.notes.append(
        f"A record that keeps the read models in its transaction writes both the events and "
        f"those rows: done by the driver alone, without validation, rules, chain or fold, that "
        f"is {raw_seconds + models_seconds:.2f} s here, {result.floors[RECORD_CLI]:,.0f} events/s."
    )
    return result


def _feed(result: Result, url: str, n: int, workdir: Path, log: Callable[[str], None]) -> None:
    """The relay's rows (tests/bench/feed.py), when a NATS server answers on 127.0.0.1:4222."""
    from . import feed

    if not feed.nats_answers():
        result.notes.append(f"No NATS server answers at {feed.NATS_URL}: no rows for publish.")
        return
    follow_seconds = min(10.0, max(1.0, n / 10_000))
    result.rows += feed.feed_rows(url, n, workdir, follow_seconds=follow_seconds, log=log)
    result.notes.append(
        f"publish: `capledger publish` of the {n:,} events to a fresh JetStream stream (file "
        "storage) on the local server, start-up included; its limit is nats-py alone publishing "
        "the same bodies and headers with the same pipelining (1,000 publishes, then their "
        f"acknowledgements). --follow: a writer appending 1,000 events/s for {follow_seconds:.0f} "
        "s in batches of ten; each event's time from its commit to its acknowledgement."
    )


def _peer_env_existing(store: Store) -> dict[str, str]:
    if store.backend == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(store.workdir / f"{store.tag}_peer.db"),
        }
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": f"{store.tag}_peer",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
    }


def reported_file(data: Path) -> Path:
    """The benchmark's events, each given a source date (REPORTED_PER_DAY a day, in file order,
    ending before today), for `record --as-reported`: grouping by date keeps the file's order."""
    path = data.with_name(f"{data.stem}_reported.jsonl")
    if path.exists():
        return path
    lines = data.read_text(encoding="utf-8").splitlines()
    days = -(-len(lines) // REPORTED_PER_DAY)
    first = date.today() - timedelta(days=days + 1)
    with path.open("w", encoding="utf-8") as out:
        for index, line in enumerate(lines):
            event = json.loads(line)
            day = first + timedelta(days=index // REPORTED_PER_DAY)
            source = {"publisher": "bench", **event.get("source", {}), "date": day.isoformat()}
            event["source"] = source
            out.write(json.dumps(event) + "\n")
    return path


def prepare_data(n: int, workdir: Path, seed: int) -> Path:
    path = workdir / f"ledger_{n}_{seed}.jsonl"
    if not path.exists():
        write_jsonl(path, n, seed=seed)
    return path
