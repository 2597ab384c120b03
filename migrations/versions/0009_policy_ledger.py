"""The policy ledger: applications under 若干政策 with their computed awards and states.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("ledger_applications_id_seq")))
    op.create_table(
        "ledger_applications",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('ledger_applications_id_seq')"),
            nullable=False,
        ),
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=16), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("award", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("amount", sa.Numeric(16, 4), nullable=False),
        sa.Column("gross", sa.Numeric(16, 4), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("binding_caps", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=True),
        sa.Column("tier", sa.Numeric(16, 4), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("applied_by", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("paid_by", sa.String(length=64), nullable=True),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_enterprise", "ledger_applications", ["enterprise_code", "item"])
    op.create_index("ix_ledger_item_year", "ledger_applications", ["item", "year"])


def downgrade() -> None:
    op.drop_index("ix_ledger_item_year", table_name="ledger_applications")
    op.drop_index("ix_ledger_enterprise", table_name="ledger_applications")
    op.drop_table("ledger_applications")
    op.execute(sa.schema.DropSequence(sa.Sequence("ledger_applications_id_seq")))
