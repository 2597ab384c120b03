"""The briefs' 政策兑现 section, on both backends: per item, as the ledger stood at the brief's time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.briefs.charts import render_chart
from app.briefs.compose import compose
from app.briefs.excel import write_xlsx
from app.briefs.word import write_docx
from app.services import ledger, setup
from app.services.accounts import User
from app.services.brief_data import gather
from app.services.ledger import ApplicationInput, State
from indicators.model import Plan
from indicators.periods import Period
from indicators.plan import DEFAULT_PLAN

GONGXIN = User(1, "gongxin", "省工信厅", Role.DEPARTMENT, "industry_it")
CAIZHENG = User(2, "caizheng", "省财政厅", Role.DEPARTMENT, "finance")
CODE = "91350100M000100Y43"
T1, T2, T3 = dt.datetime(2025, 3, 1), dt.datetime(2025, 6, 1), dt.datetime(2025, 9, 1)


@pytest.fixture
def db(engine: sa.Engine, plan: Plan) -> sa.Engine:
    """第10条 800 (applied T1, approved T2, paid T3) in 太原; 第13条 4000 × 5% = 200 (applied T1) in 大同."""
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    app10 = ApplicationInput(CODE, "甲", "太原", 10, 2025, {"revenue": "55000", "previous_revenue": "12000"})
    row = ledger.file_application(engine=engine, plan=plan, actor=GONGXIN, application=app10, now=T1)
    app13 = ApplicationInput(CODE, "甲", "大同", 13, 2025, {"new_loan": "4000"}, award="loan_interest")
    ledger.file_application(engine=engine, plan=plan, actor=CAIZHENG, application=app13, now=T1)
    ledger.move(engine=engine, plan=plan, actor=GONGXIN, application_id=row["id"], to=State.APPROVED, now=T2)
    ledger.move(engine=engine, plan=plan, actor=GONGXIN, application_id=row["id"], to=State.PAID, now=T3)
    return engine


def _brief(
    db: sa.Engine, plan: Plan, kind: str, code: str | None, cutoff: dt.datetime | None
) -> dict[str, list]:
    data = gather(
        engine=db,
        plan=plan,
        kind=kind,
        code=code,
        label="x",
        period=Period.parse("2025Q2"),
        issued=dt.date(2025, 9, 2),
        data_version=None,
        published_on=None,
        notes_before=cutoff,
    )
    content = compose(data)
    sections = [s for s in content.sections if s.heading.endswith("政策兑现情况")]
    tables = [t for t in content.tables() if t.sheet == "政策兑现"]
    return {"sections": sections, "rows": [list(r) for t in tables for r in t.rows]}


def test_the_province_brief_lists_every_item_with_awards(db: sa.Engine, plan: Plan) -> None:
    brief = _brief(db, plan, "province", None, None)
    assert brief["rows"] == [
        ["第10条", plan.task("policy-10").title, "省工信厅", 1, 800.0, 800.0, 800.0],
        ["第13条", plan.task("policy-13").title, "省财政厅", 1, 200.0, 0.0, 0.0],
    ]
    text = brief["sections"][0].blocks[0].text
    assert "共受理奖补申请2笔，按规则核定1,000万元，已审核800万元，已拨付800万元" in text


def test_the_section_reads_the_ledger_at_the_briefs_time(db: sa.Engine, plan: Plan) -> None:
    """Between T2 and T3 第10条 is approved, not paid; before T1 there is no section at all."""
    between = _brief(db, plan, "province", None, T2 + dt.timedelta(days=1))
    assert between["rows"][0][4:] == [800.0, 800.0, 0.0]
    assert _brief(db, plan, "province", None, T1 - dt.timedelta(days=1))["sections"] == []


def test_department_and_city_briefs_keep_to_their_scope(db: sa.Engine, plan: Plan) -> None:
    assert [r[0] for r in _brief(db, plan, "department", "finance", None)["rows"]] == ["第13条"]
    assert [r[0] for r in _brief(db, plan, "region", "140100", None)["rows"]] == ["第10条"]
    assert _brief(db, plan, "department", "comms_admin", None)["sections"] == []


def test_the_section_renders_in_word_and_excel(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    data = gather(
        engine=db,
        plan=plan,
        kind="province",
        code=None,
        label="全省",
        period=Period.parse("2025Q2"),
        issued=dt.date(2025, 9, 2),
        data_version=None,
        published_on=None,
        notes_before=None,
    )
    content = compose(data)
    write_docx(content, tmp_path / "b.docx", render_chart=render_chart)
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "b.docx")).paragraphs)
    assert "政策兑现情况" in text and "已拨付800万元" in text
    write_xlsx(content, tmp_path / "b.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx")["政策兑现"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[:1] == ["第10条"] and 800 in row for row in values), values
