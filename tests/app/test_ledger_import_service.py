"""Importing applications on both backends: rows priced in order against the ledger, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from typer.testing import CliRunner

from app.auth.policy import SYSTEM
from app.auth.roles import Role
from app.cli import cli
from app.services import accounts, ledger, ledger_imports, setup
from app.services.accounts import User
from app.store import migrate
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN

GONGXIN = User(1, "gongxin", "省工信厅", Role.DEPARTMENT, "industry_it")
LEADER = User(2, "lingdao", "领导", Role.LEADER, None)
CODE_A = "91350100M000100Y43"
CODE_B = "91110108551385082Q"
HEADER = ["统一社会信用代码", "企业名称", "所在市", "政策条款", "奖补事项", "年度", "项目名称", "依据"]
runner = CliRunner()


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.title = "申请"
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


ROWS = [
    [CODE_A, "甲软件有限公司", "太原", "14", None, 2025, "甲合同", "contract=6000; completed=6000"],
    [CODE_A, "甲软件有限公司", "太原", "14", None, 2025, "乙合同", "contract=5000; completed=5000"],
    [CODE_B, "乙数据有限公司", "晋中", "15", None, 2024, None, "scheme=DCMM; level=3"],
    [CODE_B, "乙数据有限公司", "晋中", "15", None, 2025, None, "scheme=DCMM; level=5"],
]


@pytest.fixture
def migrated(engine: sa.Engine) -> sa.Engine:
    migrate.upgrade(engine)
    return engine


def test_rows_are_priced_in_order_and_filed_once(migrated: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    """180; 150 → 300 − 180 = 120; DCMM 3 = 10; DCMM 3 → 5 = 30 − 10 = 20."""
    path = _xlsx(tmp_path / "申请.xlsx", ROWS)
    dry = ledger_imports.import_applications(
        engine=migrated, plan=plan, actor=GONGXIN, path=path, dry_run=True
    )
    assert dry.valid and [q["amount"] for q in dry.quotes] == [180.0, 120.0, 10.0, 20.0]
    assert ledger.list_applications(engine=migrated, plan=plan, actor=LEADER) == []
    done = ledger_imports.import_applications(engine=migrated, plan=plan, actor=GONGXIN, path=path)
    assert [r["amount"] for r in done.applications] == [180.0, 120.0, 10.0, 20.0]
    assert {r["applied_by"] for r in done.applications} == {"gongxin"}
    again = ledger_imports.import_applications(
        engine=migrated, plan=plan, actor=GONGXIN, path=path, dry_run=True
    )
    assert [q["amount"] for q in again.quotes] == [0.0, 0.0, 0.0, 0.0]  # caps used up, 首次 and upgrade paid


def test_one_bad_row_or_a_foreign_item_files_nothing(migrated: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    bad = _xlsx(
        tmp_path / "bad.xlsx",
        [*ROWS, [CODE_A[:-1] + "X", "甲", "太原", "20", None, 2025, None, "event_cost=10"]],
    )
    result = ledger_imports.import_applications(engine=migrated, plan=plan, actor=GONGXIN, path=bad)
    assert not result.valid and [(e["row"], e["code"]) for e in result.report["errors"]] == [
        (6, "invalid-credit-code")
    ]
    foreign = _xlsx(
        tmp_path / "foreign.xlsx",
        [*ROWS, [CODE_A, "甲", "太原", "第13条", "angel_investment", 2025, None, "investment=500"]],
    )
    refused = ledger_imports.import_applications(engine=migrated, plan=plan, actor=GONGXIN, path=foreign)
    assert [(e["row"], e["code"]) for e in refused.report["errors"]] == [(6, "item-not-permitted")]
    assert "第13条由省财政厅牵头" in refused.report["errors"][0]["message_zh"]
    assert ledger.list_applications(engine=migrated, plan=plan, actor=LEADER) == []


def test_cli_import_and_template(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    accounts.create_user(
        actor=SYSTEM,
        engine=engine,
        username="gongxin",
        password="correct-horse-battery",
        role="department",
        department="industry_it",
    )
    engine.dispose()
    env = {"DEM_DATABASE_URL": database_url}
    template = runner.invoke(cli, ["ledger", "template", str(tmp_path / "t.xlsx")], env=env)
    assert template.exit_code == 0 and (tmp_path / "t.xlsx").is_file()
    bad = _xlsx(tmp_path / "bad.xlsx", [[CODE_A, "甲", "上海", "20", None, 2025, None, "event_cost=10"]])
    refused = runner.invoke(cli, ["ledger", "import", str(bad), "--user", "gongxin"], env=env)
    assert refused.exit_code == 1 and "第2行“所在市”列：未知的设区市“上海”" in refused.output
    good = _xlsx(tmp_path / "good.xlsx", ROWS)
    done = runner.invoke(cli, ["ledger", "import", str(good), "--user", "gongxin"], env=env)
    assert done.exit_code == 0 and "已导入 imported: 4 笔申请 applications, 奖补合计 330 万元" in done.output
