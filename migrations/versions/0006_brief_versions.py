"""Briefs record what they were made from: data version, title, content hash, the brief they reproduce.

`data_version` is the newest observation id the brief read (one state of the append-only history,
finer than a day), so `dem brief --reproduce ID` reads exactly the same values after any revision.
`content_sha256` hashes the format-independent content (numbers and sentences), so a reproduction can
be checked against the original even though the file bytes (zip timestamps) differ.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("data_version", sa.BigInteger()),
    ("title", sa.Text()),
    ("content_sha256", sa.String(length=64)),
    ("reproduces", sa.BigInteger()),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("briefs", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("briefs", name)
