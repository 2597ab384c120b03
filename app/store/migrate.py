"""Create or upgrade the database schema with Alembic, on either backend."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent


class AlembicDuckDBImpl(DefaultImpl):
    """Alembic has no DuckDB dialect; DuckDB's DDL is transactional like PostgreSQL's.

    Defining the class registers it with Alembic for the `duckdb` dialect name.
    """

    __dialect__ = "duckdb"
    transactional_ddl = True


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default: the newest)."""
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def is_current(engine: sa.Engine) -> bool:
    """Whether the database is at the newest migration (for /healthz and a clear startup error)."""
    return current_revision(engine) == head_revision()
