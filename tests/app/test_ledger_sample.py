"""The illustrative ledger sample loads once, hits every cap it claims, and its totals are known."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.services import ledger, ledger_imports, ledger_samples
from app.services.accounts import User
from app.store import migrate
from indicators.model import Plan
from tests.conftest import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "data" / "sample"
LEADER = User(1, "lingdao", "领导", Role.LEADER, None)


@pytest.fixture
def loaded(engine: sa.Engine, plan: Plan) -> sa.Engine:
    migrate.upgrade(engine)
    outcome = ledger_samples.load_ledger_sample(engine=engine, plan=plan, sample_dir=SAMPLE_DIR)
    assert outcome == ledger_samples.LedgerSampleOutcome(filed=39, approved=37, paid=17)
    return engine


def test_the_sample_shows_each_rule_and_cap(loaded: sa.Engine, plan: Plan) -> None:
    """See data/sample/ledger/README.md for the hand computations."""
    rows = {
        (r["item"], r["award"], r["year"], r["project"]): r
        for r in ledger.list_applications(engine=loaded, plan=plan, actor=LEADER)
    }
    amount = {k: r["amount"] for k, r in rows.items()}
    assert amount[(10, "electronics_revenue", 2024, None)] == 220.0
    assert amount[(10, "electronics_revenue", 2025, None)] == 800.0
    assert amount[(15, "maturity_certification", 2025, None)] == 20.0
    assert amount[(14, "out_of_province_contract", 2025, "河北交通大数据合同")] == 120.0
    assert amount[(14, "out_of_province_contract", 2026, "陕西医疗大数据合同")] == 200.0
    assert amount[(12, "startup_rent", 2025, "朔州数据产业园")] == 0.0
    assert amount[(12, "startup_rent", 2024, "朔州数据产业园")] == 41.25
    bound = {c for r in rows.values() for c in r["binding_caps"]}
    assert bound == {"rule", "award", "project", "project_year", "enterprise_year"}
    assert all(r["illustrative"] and r["enterprise_name"].startswith("（示例）") for r in rows.values())


def test_sample_totals_and_a_second_load_skips(loaded: sa.Engine, plan: Plan) -> None:
    """Totals of the sample (万元), summed by hand from the README's rows:
    paid (≤ 2024, 17 rows) 20 + 41.25 + 10 + 50 + 41.25 + 1000 + 220 + 500 + 100 + 41.25 + 200 + 500
    + 30 + 40 + 100 + 100 + 10 = 3003.75; approved in 2025 (20 rows) 800 + 20 + 180 + 120 + 360 + 300
    + 0 + 500 + 0 + 200 + 10 + 100 + 500 + 100 + 200 + 500 + 50 + 300 + 10 + 800 = 5050, so approved
    3003.75 + 5050 = 8053.75; applied in 2026: 200 + 20, so computed in all 8273.75."""
    summary = ledger.summary(engine=loaded, plan=plan, actor=LEADER)
    expected = {"applications": 39.0, "requested": 8273.75, "approved": 8053.75, "paid": 3003.75}
    assert summary.totals == expected
    again = ledger_samples.load_ledger_sample(engine=loaded, plan=plan, sample_dir=SAMPLE_DIR)
    assert again.skipped
    assert ledger.summary(engine=loaded, plan=plan, actor=LEADER).totals == summary.totals


def test_the_broken_sample_is_refused(loaded: sa.Engine, plan: Plan) -> None:
    path = SAMPLE_DIR / "ledger" / "broken" / "示例_政策兑现申请_信用代码错误.csv"
    result = ledger_imports.import_applications(
        engine=loaded, plan=plan, actor=User(0, "x", "x", Role.ADMIN, None), path=path
    )
    assert [e["message_zh"] for e in result.report["errors"]] == [
        "第2行“统一社会信用代码”列：统一社会信用代码校验位错误：91140100MA0K1A2B35，第18位应为4"
    ]


def test_the_readme_exists() -> None:
    assert (SAMPLE_DIR / "ledger" / "README.md").is_file() and isinstance(SAMPLE_DIR, Path)
