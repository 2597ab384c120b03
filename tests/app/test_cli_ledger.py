"""`dem ledger …` through Typer's runner on both backends: quote, apply, approve, pay, list, summary."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.auth.policy import SYSTEM
from app.cli import cli
from app.services import accounts, setup
from app.store.engine import make_engine
from indicators.plan import DEFAULT_PLAN

runner = CliRunner()
CODE = "91350100M000100Y43"


def test_quote_prints_award_rule_and_caps_as_json() -> None:
    """第10条 1.2亿 → 5.5亿: 300 + min(3% × 43000 = 1290, 500) = 800 万元."""
    result = runner.invoke(
        cli,
        [
            "ledger",
            "quote",
            "--item",
            "10",
            "--basis",
            "revenue=55000",
            "--basis",
            "previous_revenue=12000",
            "--year",
            "2025",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["amount"] == 800.0 and data["unit"] == "万元"
    assert data["rule"].endswith("首次达到档次奖补 + 收入增量3%奖励")
    assert [(c["code"], c["limit"], c["bound"]) for c in data["caps"]] == [("rule", 500.0, True)]


def test_quote_of_a_cmmi_upgrade_pays_the_difference() -> None:
    """第15条 CMMI 3级 (10) → 5级 (30): 20."""
    result = runner.invoke(
        cli,
        ["ledger", "quote", "--item", "15", "-b", "scheme=CMMI", "-b", "level=5", "-b", "previous_level=3"],
    )
    assert result.exit_code == 0, result.output
    assert "奖励差额 20万元" in result.output and "核定奖补 award: 20 万元" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--item", "10", "-b", "revenue=55000"], "缺少依据"),
        (["--item", "10", "-b", "revenue"], "KEY=VALUE"),
        (["--item", "30"], "没有第30条"),
        (["--item", "14"], "请指定其一"),
        (["--item", "15", "-b", "scheme=CMMI", "-b", "level=9"], "不在可选范围"),
        (["--item", "20", "-b", "event_cost=80", "--enterprise", "123"], "统一社会信用代码应为18位"),
    ],
)
def test_quote_refuses_bad_input_in_chinese(args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["ledger", "quote", *args])
    assert result.exit_code == 1 and message in result.output, result.output


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    for name, role, department in [
        ("gongxin", "department", "industry_it"),
        ("fagai", "department", "ndrc"),
        ("tongji", "bureau", None),
        ("lingdao", "leader", None),
    ]:
        accounts.create_user(
            actor=SYSTEM,
            engine=engine,
            username=name,
            password="correct-horse-battery",
            role=role,
            department=department,
        )
    engine.dispose()
    return {"DEM_DATABASE_URL": database_url}


def _json(args: list[str], env: dict[str, str]) -> object:
    result = runner.invoke(cli, ["ledger", *args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_apply_approve_pay_and_the_refusals(env: dict[str, str], database_url: str) -> None:
    """第14条: 6000 × 3% = 180, then 5000 × 3% = 150 → 300 − 180 = 120 (enterprise-year cap)."""
    first = _json(
        [
            "apply",
            "--user",
            "gongxin",
            "--item",
            "14",
            "--enterprise",
            CODE,
            "--name",
            "示例软件有限公司",
            "--city",
            "太原",
            "-b",
            "contract=6000",
            "-b",
            "completed=6000",
            "--year",
            "2025",
            "--project",
            "甲",
        ],
        env,
    )
    assert isinstance(first, dict) and first["amount"] == 180.0
    second = _json(
        [
            "apply",
            "--user",
            "gongxin",
            "--item",
            "14",
            "--award",
            "out_of_province_contract",
            "--enterprise",
            CODE,
            "--name",
            "示例软件有限公司",
            "--city",
            "140100",
            "-b",
            "contract=5000",
            "-b",
            "completed=5000",
            "--year",
            "2025",
            "--project",
            "乙",
        ],
        env,
    )
    assert (
        isinstance(second, dict)
        and second["amount"] == 120.0
        and second["binding_caps"] == ["enterprise_year"]
    )
    quote = _json(
        [
            "quote",
            "--item",
            "14",
            "-b",
            "contract=5000",
            "-b",
            "completed=5000",
            "--enterprise",
            CODE,
            "--year",
            "2025",
        ],
        env,
    )
    assert isinstance(quote, dict) and quote["amount"] == 0.0
    unapproved = runner.invoke(cli, ["ledger", "pay", str(first["id"]), "--user", "gongxin"], env=env)
    assert unapproved.exit_code == 1 and "只有“已审核”的申请才能拨付" in unapproved.output
    other = runner.invoke(cli, ["ledger", "approve", str(first["id"]), "--user", "fagai"], env=env)
    assert other.exit_code == 1 and "由省工信厅牵头" in other.output
    nobody = runner.invoke(cli, ["ledger", "approve", str(first["id"]), "--user", "ghost"], env=env)
    assert nobody.exit_code == 1 and "没有可用的账户" in nobody.output
    assert (
        runner.invoke(cli, ["ledger", "approve", str(first["id"]), "--user", "gongxin"], env=env).exit_code
        == 0
    )
    paid = _json(["pay", str(first["id"]), "--user", "gongxin"], env)
    assert isinstance(paid, dict) and paid["state"] == "paid"
    listed = _json(["list", "--user", "tongji"], env)
    assert isinstance(listed, list) and {r["enterprise_name"] for r in listed} == {"（已隐去）"}
    assert _json(["list", "--user", "fagai"], env) == []
    summary = _json(["summary", "--user", "lingdao"], env)
    assert isinstance(summary, dict)
    assert summary["totals"] == {"applications": 2.0, "requested": 300.0, "approved": 180.0, "paid": 180.0}
    table = runner.invoke(cli, ["ledger", "summary", "--user", "lingdao"], env=env)
    assert "已拨付 180 万元" in table.output
    engine = make_engine(env["DEM_DATABASE_URL"])
    with engine.connect() as conn:
        actions = (
            conn.execute(sa.text("SELECT action FROM audit_log WHERE action LIKE 'ledger.%' ORDER BY id"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert actions == ["ledger.apply", "ledger.apply", "ledger.approve", "ledger.pay"]
    assert database_url
