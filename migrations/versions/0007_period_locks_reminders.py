"""Period locks (a published quarter closed to revision) and 催报 reminders sent to departments.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "period_locks",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("period"),
    )
    op.execute(sa.schema.CreateSequence(sa.Sequence("reminders_id_seq")))
    op.create_table(
        "reminders",
        sa.Column(
            "id", sa.BigInteger(), server_default=sa.text("nextval('reminders_id_seq')"), nullable=False
        ),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("n_missing", sa.Integer(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("emailed_to", sa.Text(), nullable=True),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department", "period", "due_date", "offset_days", name="uq_reminders_key"),
    )


def downgrade() -> None:
    op.drop_table("reminders")
    op.execute(sa.schema.DropSequence(sa.Sequence("reminders_id_seq")))
    op.drop_table("period_locks")
