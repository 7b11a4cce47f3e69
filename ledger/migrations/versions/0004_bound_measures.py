"""Position postings and buckets with the `ceiling` and `floor` measures.

Revision ID: 0004
Revises: 0003

Owned by projections/ (see projections/tables.py and docs/read-models.md). How much of
committed is a ceiling (`up_to`) or a floor (`at_least`) is posted as two more measures, and the
buckets get a column pair for each. As in 0003, the position postings and buckets are derived by
folding the log, which a migration cannot do: they are emptied and their checkpoint removed,
and the next query or `capledger project` rebuilds them from the log.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PARTIES = ["holder", "provider", "kind", "resource"]
OLD = ("committed", "scheduled", "delivered", "excess")
NEW = ("ceiling", "floor")


def _amounts(measures: tuple[str, ...]) -> list[str]:
    return [f"{measure}_{part}" for measure in measures for part in ("units", "nanos")]


def _index(measures: tuple[str, ...]) -> None:
    op.create_index(
        "ix_position_buckets_known",
        "position_buckets",
        ["level", "period", *PARTIES, "known_from", "known_until", *_amounts(measures)],
    )


def _rebuilt_on_next_use() -> None:
    # The catch-up path replays an empty projection from position 0.
    op.execute("DELETE FROM position_buckets")
    op.execute("DELETE FROM position_postings")
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'position_postings'")


def upgrade() -> None:
    _rebuilt_on_next_use()
    op.drop_index("ix_position_buckets_known", table_name="position_buckets")
    for name in _amounts(NEW):
        op.add_column(
            "position_buckets",
            sa.Column(name, sa.BigInteger, nullable=False, server_default="0"),
        )
    _index(OLD + NEW)


def downgrade() -> None:
    _rebuilt_on_next_use()
    op.drop_index("ix_position_buckets_known", table_name="position_buckets")
    with op.batch_alter_table("position_buckets") as batch:
        for name in _amounts(NEW):
            batch.drop_column(name)
    _index(OLD)
