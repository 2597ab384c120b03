"""The data version an upload was staged against, so publishing can tell what changed since.

A staged upload's diff and warnings describe what was published when it was staged. Publishing
compares that state (`basis_version`, the newest observation id then) with what is published now and
refuses, showing the new diff, when a value the upload would write has changed meanwhile.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("uploads", sa.Column("basis_version", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("uploads", "basis_version")
