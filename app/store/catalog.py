"""SQL for the plan catalog: write a plan's rows, read them back as plain dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.store import schema as s
from indicators.model import Plan

CATALOG_TABLES = (
    s.regions,
    s.departments,
    s.domains,
    s.tasks,
    s.task_departments,
    s.indicators,
    s.targets,
)


def fetch_plan_sha(conn: sa.Connection, *, plan_code: str) -> str | None:
    """The content hash of the plan as last loaded, or None if it was never loaded."""
    query = sa.select(s.plans.c.content_sha256).where(s.plans.c.code == plan_code)
    return conn.execute(query).scalar_one_or_none()


def replace_plan(conn: sa.Connection, *, plan: Plan, content_sha256: str, now: dt.datetime) -> None:
    """Replace every catalog row of the plan in the caller's transaction (a reload is atomic)."""
    for table in (*CATALOG_TABLES, s.plans):
        key = table.c.code if table is s.plans else table.c.plan_code
        conn.execute(sa.delete(table).where(key == plan.code))
    conn.execute(
        sa.insert(s.plans),
        [
            {
                "code": plan.code,
                "document": plan.document,
                "title": plan.title,
                "issued": plan.issued,
                "effective_from": plan.effective_from,
                "baseline_year": plan.baseline_year,
                "content_sha256": content_sha256,
                "loaded_at": now,
            }
        ],
    )
    for table, rows in _catalog_rows(plan).items():
        if rows:
            conn.execute(sa.insert(table), rows)


def _catalog_rows(plan: Plan) -> dict[sa.Table, list[dict[str, Any]]]:
    p = plan.code
    return {
        s.regions: [
            {
                "plan_code": p,
                "code": r.code,
                "name": r.name,
                "short_name": r.short_name,
                "name_en": r.name_en,
                "level": str(r.level),
                "parent": r.parent,
                "aliases": list(r.aliases),
            }
            for r in plan.regions
        ],
        s.departments: [
            {
                "plan_code": p,
                "code": d.code,
                "name": d.name,
                "short_name": d.short_name,
                "name_en": d.name_en,
                "kind": d.kind,
            }
            for d in plan.departments
        ],
        s.domains: [
            {
                "plan_code": p,
                "code": d.code,
                "name": d.name,
                "title": d.title,
                "name_en": d.name_en,
                "position": i,
            }
            for i, d in enumerate(plan.domains)
        ],
        s.tasks: [
            {
                "plan_code": p,
                "code": t.code,
                "domain": t.domain,
                "kind": str(t.kind),
                "clause": t.clause,
                "title": t.title,
                "title_en": t.title_en,
                "text": t.text,
                "departments_source": t.departments_source,
                "position": i,
            }
            for i, t in enumerate(plan.tasks)
        ],
        s.task_departments: [
            {
                "plan_code": p,
                "task_code": t.code,
                "department_code": d,
                "role": "lead" if j == 0 else "support",
                "position": j,
            }
            for t in plan.tasks
            for j, d in enumerate(dict.fromkeys(t.departments))
        ],
        s.indicators: [
            {
                "plan_code": p,
                "code": i.code,
                "name": i.name,
                "name_en": i.name_en,
                "unit": i.unit,
                "frequency": str(i.frequency),
                "measure": str(i.measure),
                "aggregation": str(i.aggregation),
                "polarity": str(i.polarity),
                "domain": i.domain,
                "department": i.department,
                "levels": [str(lv) for lv in i.levels],
                "aliases": list(i.aliases),
                "tasks": list(i.tasks),
                "definition": i.definition,
                "change_warning": i.change_warning,
                "source": i.source,
                "position": n,
            }
            for n, i in enumerate(plan.indicators)
        ],
        s.targets: [
            {
                "plan_code": p,
                "id": t.id,
                "indicator": t.indicator,
                "milestone": t.milestone,
                "region": t.region,
                "year": t.year,
                "value": t.value,
                "comparator": str(t.comparator) if t.comparator else None,
                "trajectory": str(t.trajectory),
                "baseline_period": t.baseline_period,
                "baseline_value": t.baseline_value,
                "clause": t.clause,
                "text": t.text,
                "name": t.name,
                "tasks": list(t.tasks),
                "effective_from": plan.effective_from,
                "position": n,
            }
            for n, t in enumerate(plan.targets)
        ],
    }


def count_rows(conn: sa.Connection, *, plan_code: str) -> dict[str, int]:
    """Rows per catalog table, for the init summary."""
    counts = {}
    for table in CATALOG_TABLES:
        query = sa.select(sa.func.count()).select_from(table).where(table.c.plan_code == plan_code)
        counts[table.name] = int(conn.execute(query).scalar_one())
    return counts
