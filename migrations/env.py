"""Alembic environment: runs on DuckDB and PostgreSQL with the same revisions.

The caller (app.store.migrate) passes an open connection in `config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context

import app.store.migrate  # noqa: F401  (registers Alembic's DuckDB implementation)


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `dem init`")
run_migrations_online()
