"""API tokens expire: tokens made from now on carry an expiry date.

Tokens created before this revision keep NULL (no expiry) rather than being cut off by an upgrade;
a password change or a disabled account revokes them like any other.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("api_tokens", "expires_at")
