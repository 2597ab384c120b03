"""Initial schema: catalog, uploads, append-only observations, notes, users, tokens, audit, briefs.

Written for both DuckDB and PostgreSQL: ids come from explicit sequences (DuckDB has no SERIAL).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQUENCES = ["uploads", "observations", "progress_notes", "users", "api_tokens", "audit_log", "briefs"]


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("uploads_id_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("observations_id_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("progress_notes_id_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("users_id_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("api_tokens_id_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("audit_log_id_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("briefs_id_seq")))
    op.create_table(
        "api_tokens",
        sa.Column(
            "id", sa.BigInteger(), server_default=sa.text("nextval('api_tokens_id_seq')"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id", sa.BigInteger(), server_default=sa.text("nextval('audit_log_id_seq')"), nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=128), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "briefs",
        sa.Column("id", sa.BigInteger(), server_default=sa.text("nextval('briefs_id_seq')"), nullable=False),
        sa.Column("scope_type", sa.String(length=16), nullable=False),
        sa.Column("scope_code", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "departments",
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("short_name", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("plan_code", "code"),
    )
    op.create_table(
        "domains",
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_code", "code"),
    )
    op.create_table(
        "indicators",
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("aggregation", sa.String(length=16), nullable=False),
        sa.Column("polarity", sa.String(length=16), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("change_warning", sa.Double(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_code", "code"),
    )
    op.create_table(
        "observations",
        sa.Column(
            "id", sa.BigInteger(), server_default=sa.text("nextval('observations_id_seq')"), nullable=False
        ),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("period_ordinal", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("upload_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("rollback_of", sa.BigInteger(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_observations_key", "observations", ["indicator", "region", "period"], unique=False)
    op.create_table(
        "plans",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("document", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "progress_notes",
        sa.Column(
            "id", sa.BigInteger(), server_default=sa.text("nextval('progress_notes_id_seq')"), nullable=False
        ),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department", "task", "period", name="uq_progress_notes_key"),
    )
    op.create_table(
        "regions",
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("short_name", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent", sa.String(length=16), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("plan_code", "code"),
    )
    op.create_table(
        "staged_values",
        sa.Column("upload_id", sa.BigInteger(), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("period_ordinal", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
    )
    op.create_index(op.f("ix_staged_values_upload_id"), "staged_values", ["upload_id"], unique=False)
    op.create_table(
        "targets",
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=True),
        sa.Column("milestone", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("comparator", sa.String(length=4), nullable=True),
        sa.Column("trajectory", sa.String(length=16), nullable=False),
        sa.Column("baseline_period", sa.String(length=16), nullable=True),
        sa.Column("baseline_value", sa.Double(), nullable=True),
        sa.Column("clause", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_code", "id"),
    )
    op.create_table(
        "task_departments",
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("task_code", sa.String(length=32), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_code", "task_code", "department_code"),
    )
    op.create_table(
        "tasks",
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("clause", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("departments_source", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_code", "code"),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.BigInteger(), server_default=sa.text("nextval('uploads_id_seq')"), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("n_errors", sa.Integer(), nullable=False),
        sa.Column("n_warnings", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("rolled_back_at", sa.DateTime(), nullable=True),
        sa.Column("rolled_back_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), server_default=sa.text("nextval('users_id_seq')"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("uploads")
    op.drop_table("tasks")
    op.drop_table("task_departments")
    op.drop_table("targets")
    op.drop_index(op.f("ix_staged_values_upload_id"), table_name="staged_values")
    op.drop_table("staged_values")
    op.drop_table("regions")
    op.drop_table("progress_notes")
    op.drop_table("plans")
    op.drop_index("ix_observations_key", table_name="observations")
    op.drop_table("observations")
    op.drop_table("indicators")
    op.drop_table("domains")
    op.drop_table("departments")
    op.drop_table("briefs")
    op.drop_table("audit_log")
    op.drop_table("api_tokens")
    op.execute(sa.schema.DropSequence(sa.Sequence("uploads_id_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("observations_id_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("progress_notes_id_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("users_id_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("api_tokens_id_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("audit_log_id_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("briefs_id_seq")))
