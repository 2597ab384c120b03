"""Current values: the newest live value per indicator × region × period, kept at publish time.

Progress and the dashboard read the current values far more often than anything else; computing
them from the whole append-only history (a window over every revision) costs seconds at national
scale. Publishing and rolling back maintain this table in the same transaction; the history stays
the source of truth and vintage queries still read it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO current_values
    (indicator, region, period, period_ordinal, value, note, upload_id, published_at)
SELECT indicator, region, period, period_ordinal, value, note, upload_id, published_at
FROM (
    SELECT observations.*,
           row_number() OVER (PARTITION BY indicator, region, period
                              ORDER BY published_at DESC, id DESC) AS rank
    FROM observations
) AS ranked
WHERE rank = 1 AND value IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        "current_values",
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("period_ordinal", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("upload_id", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("indicator", "region", "period"),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("current_values")
