"""On DuckDB, the history table keeps no index on indicator × region × period.

A DuckDB index is an ART that every insert maintains and every commit writes out in full:
publishing 10^6 values spent 0.7 s of its commit on this one (measured: the same publication
without it commits in a third of the time), and the ART of a national history lives in memory.
DuckDB reads the history by scanning (its joins are hash joins, a single key's history is a
filtered scan with zone maps), so nothing reads through the index. PostgreSQL keeps it: there
history lookups and rollback joins go through the B-tree.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        op.drop_index("ix_observations_key", table_name="observations")


def downgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        op.create_index("ix_observations_key", "observations", ["indicator", "region", "period"])
