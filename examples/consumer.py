"""A downstream projection fed by `capledger publish`: positions in a SQLite file of its own.

    python examples/consumer.py --server nats://127.0.0.1:4222 --stream CAPLEDGER \\
        --db positions.db [--durable positions] [--follow]
    python examples/consumer.py --db positions.db --show [--as-of YYYY-MM-DD]

It reads the stream with a durable pull consumer, so a restart goes on where it stopped. Each
fetched batch is applied in one SQLite transaction that also records the stream sequence it
reached, and acknowledged only after that commit: a crash before the commit redelivers the
batch; a crash between the commit and the acknowledgements redelivers messages the table
already holds, which it skips by their sequence. So each event is applied exactly once.

The table holds, per commitment and resource, the commitment's state at the end of every
effective date (committed, scheduled, delivered, outstanding, ceiling, floor), folded by
capledger's own pure `events` package (corrections and retractions included); `--show` sums
the states as of a date per holder, provider, kind and resource, as `capledger positions
--format json` prints them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

from events import decimal_text, load_stored, states_by_date

SCHEMA = """
CREATE TABLE IF NOT EXISTS stream_position (stream TEXT PRIMARY KEY, sequence INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stream_events (
    position INTEGER PRIMARY KEY, commitment TEXT NOT NULL, type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_stream_events_commitment ON stream_events (commitment, position);
CREATE TABLE IF NOT EXISTS positions (
    commitment TEXT NOT NULL, holder TEXT NOT NULL, provider TEXT NOT NULL, kind TEXT NOT NULL,
    resource TEXT NOT NULL, effective TEXT NOT NULL, committed TEXT NOT NULL,
    scheduled TEXT NOT NULL, delivered TEXT NOT NULL, outstanding TEXT NOT NULL,
    ceiling TEXT NOT NULL, floor TEXT NOT NULL,
    PRIMARY KEY (commitment, resource, effective));
"""
MEASURES = ("committed", "scheduled", "delivered", "outstanding", "ceiling", "floor")
KEYS = ("holder", "provider", "kind", "resource")


def open_db(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript(SCHEMA)
    return connection


def position_of(connection: sqlite3.Connection, stream: str) -> int:
    row = connection.execute(
        "SELECT sequence FROM stream_position WHERE stream = ?", (stream,)
    ).fetchone()
    return int(row[0]) if row else 0


def apply(connection: sqlite3.Connection, stream: str, messages: list[tuple[int, bytes]]) -> int:
    """Apply a batch of (stream sequence, body) in one transaction; returns how many were new."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        reached = position_of(connection, stream)
        touched: set[str] = set()
        for sequence, body in messages:
            if sequence <= reached:
                continue  # applied before a crash that lost its acknowledgement
            event = json.loads(body)
            connection.execute(
                "INSERT INTO stream_events VALUES (?, ?, ?, ?, ?, ?)",
                (
                    event["position"],
                    event["commitment"],
                    event["type"],
                    event["schema_version"],
                    event["id"],
                    json.dumps(event["payload"]),
                ),
            )
            touched.add(event["commitment"])
            reached = sequence
        for commitment in sorted(touched):
            refold(connection, commitment)
        connection.execute(
            "INSERT INTO stream_position VALUES (?, ?) "
            "ON CONFLICT (stream) DO UPDATE SET sequence = excluded.sequence",
            (stream, reached),
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return len(touched)


def refold(connection: sqlite3.Connection, commitment: str) -> None:
    """The commitment's rows again, from all its events: its state at each effective date."""
    rows = connection.execute(
        "SELECT type, schema_version, id, payload FROM stream_events "
        "WHERE commitment = ? ORDER BY position",
        (commitment,),
    )
    stream = [load_stored(*row) for row in rows]
    connection.execute("DELETE FROM positions WHERE commitment = ?", (commitment,))
    for effective, state in states_by_date(stream):
        outstanding = state.outstanding
        for resource in state.resources:
            amounts = [
                decimal_text(measure.get(resource, Decimal(0)))
                for measure in (
                    state.committed,
                    state.scheduled,
                    state.delivered,
                    outstanding,
                    state.ceiling,
                    state.floor,
                )
            ]
            connection.execute(
                "INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    commitment,
                    state.holder,
                    state.provider,
                    state.kind,
                    resource,
                    effective.isoformat(),
                    *amounts,
                ),
            )


def positions(connection: sqlite3.Connection, as_of: date) -> list[dict[str, str]]:
    """Each commitment's latest state on or before `as_of`, summed per holder, provider, kind and
    resource (rows all zero left out), as `capledger positions --format json` gives them."""
    latest = connection.execute(
        "SELECT holder, provider, kind, resource, committed, scheduled, delivered, outstanding, "
        "ceiling, floor "
        "FROM positions AS p WHERE effective = (SELECT max(effective) FROM positions AS q "
        "WHERE q.commitment = p.commitment AND q.resource = p.resource AND q.effective <= ?)",
        (as_of.isoformat(),),
    )
    totals: dict[tuple[str, ...], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(MEASURES))
    for row in latest:
        running = totals[tuple(row[:4])]
        for index, amount in enumerate(row[4:]):
            running[index] += Decimal(amount)
    return [
        dict(zip(KEYS, key, strict=True))
        | {name: decimal_text(value) for name, value in zip(MEASURES, sums, strict=True)}
        for key, sums in sorted(totals.items())
        if any(sums)
    ]


async def consume(args: argparse.Namespace, connection: sqlite3.Connection) -> int:
    """Fetch, apply and acknowledge until the stream has nothing more (or for ever, --follow)."""
    import nats
    from nats.errors import TimeoutError as FetchTimeout

    client = await nats.connect(args.server)
    applied = 0
    try:
        jetstream = client.jetstream()
        info = await jetstream.stream_info(args.stream)
        subject = info.config.subjects[0]
        subscription = await jetstream.pull_subscribe(
            subject, durable=args.durable, stream=args.stream
        )
        while True:
            try:
                batch = await subscription.fetch(args.batch, timeout=args.wait)
            except (FetchTimeout, TimeoutError):  # nats-py raises either when none came
                if args.follow:
                    continue
                break
            messages = [(message.metadata.sequence.stream, message.data) for message in batch]
            apply(connection, args.stream, messages)  # committed before anything is acked
            for message in batch:
                await message.ack()
            applied += len(batch)
        await client.flush()
    finally:
        await client.close()
    return applied


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="the consumer's own SQLite file")
    parser.add_argument("--server", default="nats://127.0.0.1:4222")
    parser.add_argument("--stream", default="CAPLEDGER")
    parser.add_argument("--durable", default="positions", help="the durable consumer's name")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--wait", type=float, default=1.0, help="seconds a fetch waits")
    parser.add_argument("--follow", action="store_true", help="keep consuming until Ctrl-C")
    parser.add_argument("--show", action="store_true", help="print the positions and exit")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    args = parser.parse_args(None if argv is None else list(argv))
    connection = open_db(args.db)
    if args.show:
        as_of = args.as_of or datetime.now(UTC).date()
        print(json.dumps(positions(connection, as_of), indent=2))
        return 0
    try:
        applied = asyncio.run(consume(args, connection))
    except KeyboardInterrupt:
        return 130
    print(
        f"applied {applied} messages; at stream sequence {position_of(connection, args.stream)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
