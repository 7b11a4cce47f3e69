"""The read-model tables, as SQLAlchemy Core metadata (created by migration 0002).

Both posting tables are bitemporal step functions: a row says "from `effective` on, this amount
changed by `units + nanos / 1e9`", and was the ledger's word from `known_from` until
`known_until` (NULL while current). Amounts are split into two integers so that SUM is exact on
every backend; see docs/read-models.md.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    text,
)

from ledger import UTCDateTime

metadata = MetaData()

CURRENT = text("known_until IS NULL")


def _bitemporal_columns() -> list[Column[object]]:
    return [
        Column("units", BigInteger, nullable=False),
        Column("nanos", BigInteger, nullable=False),
        Column("known_from", UTCDateTime, nullable=False),
        Column("known_until", UTCDateTime, nullable=True),
    ]


position_postings = Table(
    "position_postings",
    metadata,
    Column("commitment", String(100), nullable=False),
    Column("holder", String(100), nullable=False),
    Column("provider", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("resource", String(60), nullable=False),
    Column("measure", String(10), nullable=False),
    Column("effective", Date, nullable=False),
    *_bitemporal_columns(),
    PrimaryKeyConstraint(
        "commitment",
        "resource",
        "measure",
        "effective",
        "known_from",
        name="pk_position_postings",
    ),
    # Covering indexes for the positions query: current rows (the common case), any instant.
    Index(
        "ix_position_postings_current",
        "effective",
        "holder",
        "provider",
        "kind",
        "resource",
        "measure",
        "commitment",
        "units",
        "nanos",
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    ),
    Index(
        "ix_position_postings_known",
        "effective",
        "known_from",
        "known_until",
        "holder",
        "provider",
        "kind",
        "resource",
        "measure",
        "commitment",
        "units",
        "nanos",
    ),
)
"""Signed step changes of committed, scheduled and delivered per commitment and resource."""

tranche_schedule = Table(
    "tranche_schedule",
    metadata,
    Column("commitment", String(100), nullable=False),
    Column("holder", String(100), nullable=False),
    Column("provider", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("resource", String(60), nullable=False),
    Column("effective", Date, nullable=False),
    Column("due", Date, nullable=False),
    *_bitemporal_columns(),
    PrimaryKeyConstraint(
        "commitment",
        "resource",
        "effective",
        "due",
        "known_from",
        name="pk_tranche_schedule",
    ),
    Index(
        "ix_tranche_schedule_current",
        "resource",
        "effective",
        "due",
        "holder",
        "provider",
        "kind",
        "units",
        "nanos",
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    ),
    Index(
        "ix_tranche_schedule_known",
        "resource",
        "effective",
        "due",
        "known_from",
        "known_until",
        "holder",
        "provider",
        "kind",
        "units",
        "nanos",
    ),
)
"""Signed step changes of scheduled amounts, keyed by the date they are expected (`due`)."""

MEASURES = ("committed", "scheduled", "delivered", "excess", "ceiling", "floor")
"""The measures posted per commitment and resource. `excess` is max(delivered - committed, 0)
(only an `at_least` floor can be exceeded), so that outstanding = committed - delivered +
excess is a plain sum over commitments. `ceiling` and `floor` are the parts of committed that
are bounds (`CommitmentState.ceiling`, `.floor`: committed of a standing `up_to` or
`at_least` commitment)."""
_BUCKET_AMOUNTS = [f"{m}_{part}" for m in MEASURES for part in ("units", "nanos")]
_BUCKET_KEYS = ["holder", "provider", "kind", "resource"]

position_buckets = Table(
    "position_buckets",
    metadata,
    Column("holder", String(100), nullable=False),
    Column("provider", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("resource", String(60), nullable=False),
    Column("level", String(5), nullable=False),
    Column("period", Date, nullable=False),
    *(Column(name, BigInteger, nullable=False) for name in _BUCKET_AMOUNTS),
    Column("known_from", UTCDateTime, nullable=False),
    Column("known_until", UTCDateTime, nullable=True),
    PrimaryKeyConstraint(
        *_BUCKET_KEYS, "level", "period", "known_from", name="pk_position_buckets"
    ),
    # One covering index serves the positions query at any instant and now (the known times
    # are checked inside it; a second, partial index would double the write path's cost) and
    # the write path's lookups by bucket (its six columns first: PostgreSQL picks it for them).
    Index(
        "ix_position_buckets_known",
        "level",
        "period",
        *_BUCKET_KEYS,
        "known_from",
        "known_until",
        *_BUCKET_AMOUNTS,
    ),
)
"""The position postings summed per parties, kind, resource and year or month of `effective`
(`level` "year" or "month", `period` its first day), one column pair per measure, each row the
ledger's word from `known_from` until `known_until`: the totals as they stood in that span."""

projection_checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)
"""The last global position each projection has processed."""
