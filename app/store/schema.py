"""The database schema (SQLAlchemy Core), the same on DuckDB and PostgreSQL.

Tables are created only by the Alembic migrations in migrations/; this module describes them so
that store functions can build statements. Observations are append-only: a value is never updated
or deleted, a revision or a rollback adds a row, and the value "as published on date X" is the
latest row published at or before X.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()


def _id(name: str) -> sa.Column:
    # DuckDB has no SERIAL: ids come from explicit sequences on both backends.
    sequence = f"{name}_id_seq"
    return sa.Column(
        "id",
        sa.BigInteger,
        sa.Sequence(sequence),
        primary_key=True,
        server_default=sa.text(f"nextval('{sequence}')"),
    )


plans = sa.Table(
    "plans",
    metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("document", sa.String(128), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("issued", sa.Date, nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("baseline_year", sa.Integer, nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
)

regions = sa.Table(
    "regions",
    metadata,
    sa.Column("plan_code", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("short_name", sa.String(64), nullable=False),
    sa.Column("name_en", sa.String(128), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("parent", sa.String(16)),
    sa.Column("aliases", sa.JSON, nullable=False),
)

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("plan_code", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("short_name", sa.String(64), nullable=False),
    sa.Column("name_en", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
)

domains = sa.Table(
    "domains",
    metadata,
    sa.Column("plan_code", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("title", sa.String(128), nullable=False),
    sa.Column("name_en", sa.String(128), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("plan_code", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("domain", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("clause", sa.String(128), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("title_en", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("departments_source", sa.String(16), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

task_departments = sa.Table(
    "task_departments",
    metadata,
    sa.Column("plan_code", sa.String(64), primary_key=True),
    sa.Column("task_code", sa.String(32), primary_key=True),
    sa.Column("department_code", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(8), nullable=False),  # lead | support
    sa.Column("position", sa.Integer, nullable=False),
)

indicators = sa.Table(
    "indicators",
    metadata,
    sa.Column("plan_code", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("name_en", sa.String(128), nullable=False),
    sa.Column("unit", sa.String(32), nullable=False),
    sa.Column("frequency", sa.String(16), nullable=False),
    sa.Column("measure", sa.String(16), nullable=False),
    sa.Column("aggregation", sa.String(16), nullable=False),
    sa.Column("polarity", sa.String(16), nullable=False),
    sa.Column("domain", sa.String(32), nullable=False),
    sa.Column("department", sa.String(64), nullable=False),
    sa.Column("levels", sa.JSON, nullable=False),
    sa.Column("aliases", sa.JSON, nullable=False),
    sa.Column("tasks", sa.JSON, nullable=False),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("change_warning", sa.Double, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("plan_code", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("indicator", sa.String(64)),
    sa.Column("milestone", sa.String(64)),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("value", sa.Double),
    sa.Column("comparator", sa.String(4)),
    sa.Column("trajectory", sa.String(16), nullable=False),
    sa.Column("baseline_period", sa.String(16)),
    sa.Column("baseline_value", sa.Double),
    sa.Column("clause", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("tasks", sa.JSON, nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

uploads = sa.Table(
    "uploads",
    metadata,
    _id("uploads"),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("uploaded_by", sa.String(64), nullable=False),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # staged | published | rejected | rolled_back
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("n_errors", sa.Integer, nullable=False),
    sa.Column("n_warnings", sa.Integer, nullable=False),
    sa.Column("report", sa.JSON),
    sa.Column("reason", sa.Text),
    sa.Column("published_at", sa.DateTime),
    sa.Column("published_by", sa.String(64)),
    sa.Column("rolled_back_at", sa.DateTime),
    sa.Column("rolled_back_by", sa.String(64)),
    # newest observation id when staged (None: nothing published yet); publishing checks what changed since
    sa.Column("basis_version", sa.BigInteger),
)

staged_values = sa.Table(
    "staged_values",
    metadata,
    # indexed on PostgreSQL only: migration 0010 drops the index on DuckDB (zone maps find an upload)
    sa.Column("upload_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("indicator", sa.String(64), nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("period_ordinal", sa.Integer, nullable=False),
    sa.Column("value", sa.Double),
    sa.Column("note", sa.Text),
    sa.Column("sheet", sa.Text),
    sa.Column("row", sa.Integer),
)

observations = sa.Table(
    "observations",
    metadata,
    _id("observations"),
    sa.Column("indicator", sa.String(64), nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("period_ordinal", sa.Integer, nullable=False),
    sa.Column("value", sa.Double),  # NULL with action 'retract': the key has no value from here on
    sa.Column("note", sa.Text),
    sa.Column("upload_id", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # publish | rollback | retract
    sa.Column("rollback_of", sa.BigInteger),  # the upload whose rollback wrote this row
    sa.Column("published_at", sa.DateTime, nullable=False),
    # PostgreSQL only: migration 0010 drops it on DuckDB, where every commit would write its ART out
    sa.Index("ix_observations_key", "indicator", "region", "period"),
)

progress_notes = sa.Table(
    "progress_notes",
    metadata,
    _id("progress_notes"),
    sa.Column("department", sa.String(64), nullable=False),
    sa.Column("task", sa.String(32), nullable=False),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("narrative", sa.Text, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("department", "task", "period", name="uq_progress_notes_key"),
)

users = sa.Table(
    "users",
    metadata,
    _id("users"),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # admin | bureau | department | leader
    sa.Column("department", sa.String(64)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _id("api_tokens"),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("expires_at", sa.DateTime),  # NULL only for tokens made before expiry existed
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    _id("audit_log"),
    sa.Column("occurred_at", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("address", sa.String(64)),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("object_type", sa.String(64), nullable=False),
    sa.Column("object_id", sa.String(128)),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
)

briefs = sa.Table(
    "briefs",
    metadata,
    _id("briefs"),
    sa.Column("scope_type", sa.String(16), nullable=False),  # province | department | region | final
    sa.Column("scope_code", sa.String(64), nullable=False),  # department or region code; '' for the others
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("format", sa.String(8), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("published_on", sa.Date),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("data_version", sa.BigInteger),  # newest observation id read; None: no data at all
    sa.Column("title", sa.Text),
    sa.Column("content_sha256", sa.String(64)),  # hash of the format-independent content
    sa.Column("reproduces", sa.BigInteger),  # id of the brief this one reproduces
)

job_locks = sa.Table(
    "job_locks",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(128)),
    sa.Column("acquired_at", sa.DateTime),
    sa.Column("expires_at", sa.DateTime),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("address", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    _id("login_attempts"),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("attempted_at", sa.DateTime, nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_account", "account", "attempted_at"),
    sa.Index("ix_login_attempts_address", "address", "attempted_at"),
)

current_values = sa.Table(
    "current_values",
    metadata,
    sa.Column("indicator", sa.String(64), primary_key=True),
    sa.Column("region", sa.String(16), primary_key=True),
    sa.Column("period", sa.String(16), primary_key=True),
    sa.Column("period_ordinal", sa.Integer, nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("upload_id", sa.BigInteger, nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=False),
)

period_locks = sa.Table(
    "period_locks",
    metadata,
    sa.Column("period", sa.String(16), primary_key=True),  # as values carry it: 2025Q3, 2025
    sa.Column("locked_by", sa.String(64), nullable=False),
    sa.Column("locked_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text),
)

reminders = sa.Table(
    "reminders",
    metadata,
    _id("reminders"),
    sa.Column("department", sa.String(64), nullable=False),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("offset_days", sa.Integer, nullable=False),  # negative: before the due date
    sa.Column("n_missing", sa.Integer, nullable=False),
    sa.Column("missing", sa.JSON, nullable=False),  # [{indicator, region, period}]
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("emailed_to", sa.Text),
    sa.Column("emailed_at", sa.DateTime),
    sa.UniqueConstraint("department", "period", "due_date", "offset_days", name="uq_reminders_key"),
)

#: The policy ledger (若干政策): one row per application, its computed award and its state
#: applied → approved → paid (each transition also in audit_log). `explanation` keeps the engine's
#: steps as filed; `level` and `tier` are what later applications' 首次/差额 checks read.
ledger_applications = sa.Table(
    "ledger_applications",
    metadata,
    _id("ledger_applications"),
    sa.Column("plan_code", sa.String(64), nullable=False),
    sa.Column("enterprise_code", sa.String(18), nullable=False),
    sa.Column("enterprise_name", sa.String(200), nullable=False),
    sa.Column("city", sa.String(16), nullable=False),
    sa.Column("item", sa.Integer, nullable=False),
    sa.Column("award", sa.String(64), nullable=False),
    sa.Column("department", sa.String(64), nullable=False),  # the item's lead department
    sa.Column("project", sa.String(200)),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("basis", sa.JSON, nullable=False),
    sa.Column("amount", sa.Numeric(16, 4), nullable=False),  # 万元
    sa.Column("gross", sa.Numeric(16, 4), nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("explanation", sa.JSON, nullable=False),
    sa.Column("binding_caps", sa.String(200), nullable=False),  # ",project,enterprise_year,"
    sa.Column("level", sa.String(64)),
    sa.Column("tier", sa.Numeric(16, 4)),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("source", sa.String(255)),
    sa.Column("applied_by", sa.String(64), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
    sa.Column("approved_by", sa.String(64)),
    sa.Column("approved_at", sa.DateTime),
    sa.Column("paid_by", sa.String(64)),
    sa.Column("paid_at", sa.DateTime),
    sa.Index("ix_ledger_enterprise", "enterprise_code", "item"),
    sa.Index("ix_ledger_item_year", "item", "year"),
)
