"""Alembic migrations run up, down and up again on both backends."""

from __future__ import annotations

import sqlalchemy as sa

from app.store import migrate
from app.store import schema as s


def _tables(engine: sa.Engine) -> set[str]:
    names = set()
    with engine.connect() as conn:
        for table in s.metadata.sorted_tables:
            try:
                conn.execute(sa.select(sa.func.count()).select_from(table))
                names.add(table.name)
            except sa.exc.DBAPIError:
                conn.rollback()
    return names


def test_upgrade_creates_every_table_of_the_schema(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    assert _tables(engine) == set(s.metadata.tables)
    assert migrate.is_current(engine)


def test_downgrade_removes_everything_and_upgrade_works_again(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    migrate.downgrade(engine)
    assert _tables(engine) == set()
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert _tables(engine) == set(s.metadata.tables)


def test_ids_come_from_sequences_in_set_wise_inserts(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (occurred_at, username, action, object_type) "
                "SELECT TIMESTAMP '2025-01-01 00:00:00', 'a', 'x', 'y' UNION ALL "
                "SELECT TIMESTAMP '2025-01-01 00:00:00', 'b', 'x', 'y'"
            )
        )
        ids = conn.execute(sa.select(s.audit_log.c.id).order_by(s.audit_log.c.id)).scalars().all()
    assert ids == [1, 2]


def test_the_current_values_migration_backfills_from_the_history(engine: sa.Engine) -> None:
    migrate.upgrade(engine, "0003")
    insert = (
        "INSERT INTO observations (indicator, region, period, period_ordinal, value, upload_id, action, "
        "published_at) VALUES "
        "('base_stations_5g', '140000', '2025Q1', 24303, 100, 1, 'publish', TIMESTAMP '2025-04-01 00:00:00'),"
        "('base_stations_5g', '140000', '2025Q1', 24303, 120, 2, 'publish', TIMESTAMP '2025-05-01 00:00:00'),"
        "('base_stations_5g', '140100', '2025Q1', 24303, 50, 1, 'publish', TIMESTAMP '2025-04-01 00:00:00'),"
        "('base_stations_5g', '140100', '2025Q1', 24303, NULL, 1, 'retract', TIMESTAMP '2025-06-01 00:00:00')"
    )
    with engine.begin() as conn:
        conn.execute(sa.text(insert))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.current_values.c.region, s.current_values.c.value)).all()
    assert [tuple(r) for r in rows] == [("140000", 120.0)]
