"""The relay's checkpoints: per destination, the last position a broker acknowledged.

Revision ID: 0005
Revises: 0004

Owned by relay/ (see relay/checkpoints.py and docs/feed.md), written only by `capledger
publish`. A new, empty table: a relay that finds no checkpoint resumes after the last message
its destination holds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_checkpoints",
        sa.Column("destination", sa.String(300), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feed_checkpoints")
