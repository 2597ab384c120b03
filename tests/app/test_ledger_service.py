"""The ledger on both backends: filing prices against history, transitions are guarded and audited."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.services import ledger
from app.services.accounts import User
from app.services.ledger import ApplicationInput, LedgerError, State
from app.store import migrate
from app.store import schema as s
from indicators.model import Plan

NOW = dt.datetime(2026, 12, 1, 9, 0)
GONGXIN = User(1, "gongxin", "省工信厅", Role.DEPARTMENT, "industry_it")
CAIZHENG = User(2, "caizheng", "省财政厅", Role.DEPARTMENT, "finance")
LEADER = User(3, "lingdao", "领导", Role.LEADER, None)
BUREAU = User(4, "tongji", "统计局", Role.BUREAU, None)
ADMIN = User(5, "root", "管理员", Role.ADMIN, None)
CODE_A = "91350100M000100Y43"
CODE_B = "91110108551385082Q"


@pytest.fixture
def migrated(engine: sa.Engine) -> sa.Engine:
    migrate.upgrade(engine)
    return engine


def app_(
    item: int, basis: dict[str, object], *, code: str = CODE_A, year: int = 2025, **kw: object
) -> ApplicationInput:
    return ApplicationInput(code, "示例科技有限公司", "太原", item, year, basis, **kw)  # type: ignore[arg-type]


def _audit(engine: sa.Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(s.audit_log.c.action, s.audit_log.c.object_id).order_by(s.audit_log.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_file_approve_pay_each_audited(migrated: sa.Engine, plan: Plan) -> None:
    """第10条 1.2亿 → 5.5亿: 300 + min(1290, 500) = 800; approve then pay by 省工信厅."""
    filed = ledger.file_application(
        engine=migrated,
        plan=plan,
        actor=GONGXIN,
        application=app_(10, {"revenue": "55000", "previous_revenue": "12000"}),
        now=NOW,
    )
    assert filed["amount"] == 800.0 and filed["state"] == "applied" and filed["city"] == "140100"
    assert filed["binding_caps"] == ["rule"] and "由1290万元降至500万元" in filed["explanation"]
    approved = ledger.move(
        engine=migrated, plan=plan, actor=GONGXIN, application_id=filed["id"], to=State.APPROVED, now=NOW
    )
    assert approved["state"] == "approved" and approved["approved_by"] == "gongxin"
    paid = ledger.move(
        engine=migrated, plan=plan, actor=GONGXIN, application_id=filed["id"], to=State.PAID, now=NOW
    )
    assert paid["state"] == "paid" and paid["paid_at"] == NOW
    assert _audit(migrated) == [
        ("ledger.apply", str(filed["id"])),
        ("ledger.approve", str(filed["id"])),
        ("ledger.pay", str(filed["id"])),
    ]


def test_refused_transitions_change_nothing(migrated: sa.Engine, plan: Plan) -> None:
    filed = ledger.file_application(
        engine=migrated, plan=plan, actor=GONGXIN, application=app_(20, {"event_cost": "80"}), now=NOW
    )
    with pytest.raises(LedgerError) as unapproved:
        ledger.move(engine=migrated, plan=plan, actor=GONGXIN, application_id=filed["id"], to=State.PAID)
    assert unapproved.value.code == "wrong-state" and unapproved.value.status == 409
    assert "只有“已审核”的申请才能拨付" in unapproved.value.message_zh
    with pytest.raises(LedgerError) as other:  # 第20条 is led by 省工信厅, not 省财政厅
        ledger.move(engine=migrated, plan=plan, actor=CAIZHENG, application_id=filed["id"], to=State.APPROVED)
    assert (
        other.value.code == "forbidden" and other.value.status == 403 and "省工信厅" in other.value.message_zh
    )
    for actor in (ADMIN, LEADER, BUREAU):
        with pytest.raises(LedgerError):
            ledger.move(
                engine=migrated, plan=plan, actor=actor, application_id=filed["id"], to=State.APPROVED
            )
    with pytest.raises(LedgerError) as missing:
        ledger.move(engine=migrated, plan=plan, actor=GONGXIN, application_id=999, to=State.APPROVED)
    assert missing.value.status == 404
    assert (
        ledger.get_application(engine=migrated, plan=plan, actor=GONGXIN, application_id=filed["id"])["state"]
        == "applied"
    )
    assert _audit(migrated) == [("ledger.apply", str(filed["id"]))]


def test_history_counts_first_time_upgrades_and_year_caps(migrated: sa.Engine, plan: Plan) -> None:
    """第15条 CMMI 3 (10) then 5 pays 30 − 10 = 20; a repeated 首次 claim pays 0; 第14条 180 + 150 → 120."""
    rows = ledger.file_applications(
        engine=migrated,
        plan=plan,
        actor=GONGXIN,
        applications=[
            app_(15, {"scheme": "CMMI", "level": "3"}, year=2023),
            app_(15, {"scheme": "CMMI", "level": "5"}, year=2025),
            app_(6, {"level": "provincial_demonstration"}, year=2024),
            app_(6, {"level": "provincial_demonstration"}, year=2025),
            app_(14, {"contract": "6000", "completed": "6000"}, project="甲合同"),
            app_(14, {"contract": "5000", "completed": "5000"}, project="乙合同"),
            app_(14, {"contract": "5000", "completed": "5000"}, project="乙合同", code=CODE_B),
        ],
        now=NOW,
    )
    assert [r["amount"] for r in rows] == [10.0, 20.0, 50.0, 0.0, 180.0, 120.0, 150.0]
    assert rows[5]["binding_caps"] == ["enterprise_year"]
    # a later quote sees the filed history
    quote = ledger.quote_award(
        engine=migrated,
        plan=plan,
        item=15,
        basis={"scheme": "CMMI", "level": "4"},
        year=2026,
        enterprise=CODE_A,
    )
    assert quote.amount == 0


def test_a_bad_row_files_nothing(migrated: sa.Engine, plan: Plan) -> None:
    with pytest.raises(LedgerError) as caught:
        ledger.file_applications(
            engine=migrated,
            plan=plan,
            actor=GONGXIN,
            applications=[
                app_(20, {"event_cost": "80"}),
                app_(20, {"event_cost": "80"}, code="91350100M000100Y44"),
            ],
        )
    assert caught.value.code == "credit-code-check" and caught.value.index == 1  # type: ignore[attr-defined]
    assert ledger.list_applications(engine=migrated, plan=plan, actor=LEADER) == []
    assert _audit(migrated) == []


@pytest.mark.parametrize(
    ("application", "code"),
    [
        (app_(20, {"event_cost": "80"}, code="123"), "credit-code-length"),
        (ApplicationInput(CODE_A, "", "太原", 20, 2025, {"event_cost": "80"}), "bad-enterprise-name"),
        (ApplicationInput(CODE_A, "甲", "北京", 20, 2025, {"event_cost": "80"}), "unknown-city"),
        (ApplicationInput(CODE_A, "甲", "山西省", 20, 2025, {"event_cost": "80"}), "unknown-city"),
        (app_(23, {}), "unknown-item"),
        (app_(20, {"event_cost": "80"}, year=1999), "bad-year"),
        (app_(20, {"event_cost": "-1"}), "negative"),
        (app_(13, {"new_loan": "800"}), "forbidden"),  # 第13条 is led by 省财政厅
    ],
)
def test_bad_applications_are_refused_in_chinese(
    migrated: sa.Engine, plan: Plan, application: ApplicationInput, code: str
) -> None:
    with pytest.raises(LedgerError) as caught:
        ledger.file_application(engine=migrated, plan=plan, actor=GONGXIN, application=application)
    assert caught.value.code == code


def test_roles_scope_items_and_names(migrated: sa.Engine, plan: Plan) -> None:
    ledger.file_application(
        engine=migrated, plan=plan, actor=GONGXIN, application=app_(20, {"event_cost": "80"})
    )
    ledger.file_application(
        engine=migrated, plan=plan, actor=CAIZHENG, application=app_(13, {"new_loan": "4000"})
    )
    assert {r["item"] for r in ledger.list_applications(engine=migrated, plan=plan, actor=LEADER)} == {13, 20}
    assert [r["item"] for r in ledger.list_applications(engine=migrated, plan=plan, actor=CAIZHENG)] == [13]
    assert ledger.list_applications(engine=migrated, plan=plan, actor=CAIZHENG, item=20) == []
    masked = ledger.list_applications(engine=migrated, plan=plan, actor=BUREAU)
    assert {r["enterprise_name"] for r in masked} == {"（已隐去）"} and masked[0][
        "enterprise_code"
    ] == "91350100**********"
    assert (
        ledger.list_applications(engine=migrated, plan=plan, actor=LEADER)[0]["enterprise_name"]
        == "示例科技有限公司"
    )
    summary = ledger.summary(engine=migrated, plan=plan, actor=CAIZHENG)
    assert [r["key"] for r in summary.by_item] == [13] and summary.totals["requested"] == 200.0


def test_summary_totals_by_state(migrated: sa.Engine, plan: Plan) -> None:
    """Requested 40 + 50 + 200; approved 50 (then paid); by city 太原 and 大同."""
    a = ledger.file_application(
        engine=migrated, plan=plan, actor=GONGXIN, application=app_(20, {"event_cost": "80"})
    )
    b = ledger.file_application(
        engine=migrated,
        plan=plan,
        actor=GONGXIN,
        application=ApplicationInput(CODE_B, "乙公司", "大同市", 20, 2024, {"event_cost": "150"}),
    )
    ledger.file_application(
        engine=migrated, plan=plan, actor=CAIZHENG, application=app_(13, {"new_loan": "4000"})
    )
    ledger.move(engine=migrated, plan=plan, actor=GONGXIN, application_id=b["id"], to=State.APPROVED)
    ledger.move(engine=migrated, plan=plan, actor=GONGXIN, application_id=b["id"], to=State.PAID)
    result = ledger.summary(engine=migrated, plan=plan, actor=LEADER)
    assert result.totals == {"applications": 3, "requested": 290.0, "approved": 50.0, "paid": 50.0}
    assert {r["label"]: r["requested"] for r in result.by_city} == {"太原": 240.0, "大同": 50.0}
    assert {r["key"]: r["approved"] for r in result.by_year} == {2024: 50.0, 2025: 0.0}
    assert result.top_enterprises[0]["enterprise_name"] == "乙公司"
    assert {r["item"]: r["award"] for r in result.binding} == {13: 0, 20: 1}
    assert a["amount"] == 40.0


def test_concurrent_filings_for_one_enterprise_respect_the_year_cap(migrated: sa.Engine, plan: Plan) -> None:
    """Six clerks file 第14条 contracts of 5000 (5000 × 3% = 150 each) at once for one enterprise:
    the 同一企业年度 300 cap lets exactly 150 + 150 through, whatever the interleaving."""
    from concurrent.futures import ThreadPoolExecutor

    def file(n: int) -> float:
        application = app_(14, {"contract": "5000", "completed": "5000"}, project=f"合同{n}")
        return float(
            ledger.file_application(engine=migrated, plan=plan, actor=GONGXIN, application=application)[
                "amount"
            ]
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        amounts = list(pool.map(file, range(6)))
    assert sorted(amounts) == [0.0, 0.0, 0.0, 0.0, 150.0, 150.0]


def test_the_bureau_never_sees_a_project_name(migrated: sa.Engine, plan: Plan) -> None:
    """A repeated 首次 claim's explanation names the project; the bureau reads it masked."""
    for _ in range(2):
        ledger.file_application(
            engine=migrated,
            plan=plan,
            actor=GONGXIN,
            application=app_(7, {"investment": "100"}, project="秘密项目"),
        )
    masked = ledger.list_applications(engine=migrated, plan=plan, actor=BUREAU)
    assert all("秘密项目" not in str(r) for r in masked)
    assert "秘密项目" in ledger.list_applications(engine=migrated, plan=plan, actor=LEADER)[0]["explanation"]
