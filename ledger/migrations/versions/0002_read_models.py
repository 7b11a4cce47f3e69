"""The read models: position postings, the tranche schedule and projection checkpoints.

Revision ID: 0002
Revises: 0001

Owned by projections/ (see projections/tables.py and docs/read-models.md). The tables are
derived data: a rebuild from the event log (`capledger project --rebuild`) fills them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CURRENT = sa.text("known_until IS NULL")


def _bitemporal() -> list[sa.Column[object]]:
    return [
        sa.Column("units", sa.BigInteger, nullable=False),
        sa.Column("nanos", sa.BigInteger, nullable=False),
        sa.Column("known_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("known_until", sa.DateTime(timezone=True), nullable=True),
    ]


def _parties() -> list[sa.Column[object]]:
    return [
        sa.Column("commitment", sa.String(100), nullable=False),
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("resource", sa.String(60), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "position_postings",
        *_parties(),
        sa.Column("measure", sa.String(10), nullable=False),
        sa.Column("effective", sa.Date, nullable=False),
        *_bitemporal(),
        sa.PrimaryKeyConstraint(
            "commitment",
            "resource",
            "measure",
            "effective",
            "known_from",
            name="pk_position_postings",
        ),
    )
    # Covering indexes for "as of D, known at K": one for the rows current now (partial),
    # one for any instant.
    op.create_index(
        "ix_position_postings_current",
        "position_postings",
        [
            "effective",
            "holder",
            "provider",
            "kind",
            "resource",
            "measure",
            "commitment",
            "units",
            "nanos",
        ],
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_index(
        "ix_position_postings_known",
        "position_postings",
        [
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
        ],
    )
    op.create_table(
        "tranche_schedule",
        *_parties(),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        *_bitemporal(),
        sa.PrimaryKeyConstraint(
            "commitment",
            "resource",
            "effective",
            "due",
            "known_from",
            name="pk_tranche_schedule",
        ),
    )
    op.create_index(
        "ix_tranche_schedule_current",
        "tranche_schedule",
        ["resource", "effective", "due", "holder", "provider", "kind", "units", "nanos"],
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_index(
        "ix_tranche_schedule_known",
        "tranche_schedule",
        [
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
        ],
    )
    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("projection_checkpoints")
    op.drop_table("tranche_schedule")
    op.drop_table("position_postings")
