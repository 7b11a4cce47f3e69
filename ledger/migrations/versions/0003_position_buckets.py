"""Position buckets, and position postings posted again with the `excess` measure.

Revision ID: 0003
Revises: 0002

Owned by projections/ (see projections/tables.py and docs/read-models.md). `position_buckets`
holds the position postings summed per year and per month, so that positions read few rows.
Both are derived by folding the event log, which a migration cannot do (the store does not
import the read side); so the position postings are emptied and their checkpoint removed, and
the next query or `capledger project` rebuilds them and the buckets from the log, as
`project --rebuild` would.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PARTIES = ["holder", "provider", "kind", "resource"]
AMOUNTS = [
    f"{measure}_{part}"
    for measure in ("committed", "scheduled", "delivered", "excess")
    for part in ("units", "nanos")
]


def upgrade() -> None:
    op.create_table(
        "position_buckets",
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("resource", sa.String(60), nullable=False),
        sa.Column("level", sa.String(5), nullable=False),
        sa.Column("period", sa.Date, nullable=False),
        *(sa.Column(name, sa.BigInteger, nullable=False) for name in AMOUNTS),
        sa.Column("known_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("known_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            *PARTIES, "level", "period", "known_from", name="pk_position_buckets"
        ),
    )
    op.create_index(
        "ix_position_buckets_known",
        "position_buckets",
        ["level", "period", *PARTIES, "known_from", "known_until", *AMOUNTS],
    )
    # Rebuilt from the log on next use: the catch-up path replays an empty projection at 0.
    op.execute("DELETE FROM position_postings")
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'position_postings'")


def downgrade() -> None:
    op.drop_table("position_buckets")
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'position_postings'")
    op.execute("DELETE FROM position_postings")
