"""A publication larger than the tables (indexes built after its rows on PostgreSQL) and a small one
after it leave the same tables, indexes and current values as the row-by-row way would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import setup
from app.services import uploads as svc
from app.services.synthetic import SyntheticSpec, generate
from indicators.plan import load_plan
from tests.app.test_uploads_service import current

NOW = dt.datetime(2025, 11, 20, 9, 0)
INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"


def _indexes(engine: sa.Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(name, definition) for name, definition in conn.execute(sa.text(INDEXES))]


def test_a_first_large_load_then_a_small_revision(engine: sa.Engine, tmp_path: Path) -> None:
    written = generate(spec=SyntheticSpec(regions=30, indicators=6, periods=8), out_dir=tmp_path)
    setup.init_database(engine=engine, plan_path=written.plan_path)
    indexes_before = _indexes(engine) if engine.dialect.name == "postgresql" else []
    plan = load_plan(written.plan_path)
    actor = system_actor("bureau")

    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def publish(path: Path) -> int:
        statements.clear()
        staged = svc.stage_upload(engine=engine, plan=plan, path=path, actor=actor, now=NOW)
        assert staged.status == "staged", staged.report.errors[:3]
        done = svc.publish_upload(
            engine=engine, upload_id=staged.upload_id or 0, actor=actor, confirm_warnings=True, reason="更正"
        )
        return done.published_values

    lines = written.csv_path.read_text("utf-8").splitlines(keepends=True)
    assert publish(written.csv_path) == len(lines) - 1  # into empty tables: every value is new
    rebuilt_first = [q for q in statements if q.startswith(("DROP INDEX", "ALTER TABLE"))]
    small = tmp_path / "small.csv"  # a few revised values: fewer than the tables hold
    small.write_text(lines[0] + "".join(line.replace(",亿元", "1,亿元") for line in lines[1:40]), "utf-8")
    revised = sum(",亿元" in line for line in lines[1:40])
    assert publish(small) == revised > 0
    rebuilt_second = [q for q in statements if q.startswith(("DROP INDEX", "ALTER TABLE"))]
    values = current(engine)  # also checks the current values against the history
    assert len(values) == len(lines) - 1
    if engine.dialect.name == "postgresql":
        assert len(rebuilt_first) == 3 and rebuilt_second == []  # two drops, one re-added key
        assert _indexes(engine) == indexes_before  # rebuilt as the migrations made them
    else:
        assert rebuilt_first == rebuilt_second == []
