"""On DuckDB, the history and the staged values keep no index (indicator × region × period; upload).

A DuckDB index is an ART that every insert maintains and every commit writes out in full:
publishing 10^6 values spent 0.7 s of its commit on the history's key index, staging them 0.3 s
on the staged values' upload index (measured: the same statements without them), and both ARTs
of a national history live in memory. DuckDB reads these tables by scanning: its joins are hash
joins, a single key's history is a filtered scan, and one upload's staged values are found by
the zone maps of `upload_id` (uploads are appended in id order). PostgreSQL keeps both B-trees,
through which its lookups and joins go.

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
        op.drop_index("ix_staged_values_upload_id", table_name="staged_values")


def downgrade() -> None:
    if op.get_bind().dialect.name == "duckdb":
        op.create_index("ix_staged_values_upload_id", "staged_values", ["upload_id"])
        op.create_index("ix_observations_key", "observations", ["indicator", "region", "period"])
