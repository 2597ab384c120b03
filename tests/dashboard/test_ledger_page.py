"""The 政策兑现 page's layout inside a request, on both backends: empty, then with applications."""

from __future__ import annotations

from types import SimpleNamespace

from app.auth.roles import Role
from app.context import AppContext
from app.services import ledger
from app.services.accounts import User
from app.services.ledger import ApplicationInput
from tests.dashboard.conftest import RunAs, find, ids_in, text

CODE = "91350100M000100Y43"


def test_an_empty_ledger_says_so(pages: SimpleNamespace, as_user_empty: RunAs) -> None:
    with as_user_empty("leader"):
        layout = pages.ledger.layout()
    assert "台账中还没有申请" in text(find(layout, "ledger-empty"))


def test_totals_and_masking_by_role(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext
) -> None:
    """第20条 150 × 50% = 75 → 50 (每场); 第13条 12000 × 5% = 600 → 500 (每户每年)."""
    plan, engine = empty_context.plan, empty_context.engine
    gongxin = User(9, "gongxin", "省工信厅", Role.DEPARTMENT, "industry_it")
    caizheng = User(10, "caizheng", "省财政厅", Role.DEPARTMENT, "finance")
    event = ledger.file_application(
        engine=engine,
        plan=plan,
        actor=gongxin,
        application=ApplicationInput(CODE, "甲公司", "太原", 20, 2025, {"event_cost": "150"}),
    )
    ledger.move(engine=engine, plan=plan, actor=gongxin, application_id=event["id"], to=ledger.State.APPROVED)
    ledger.file_application(
        engine=engine,
        plan=plan,
        actor=caizheng,
        application=ApplicationInput(
            CODE, "甲公司", "太原", 13, 2025, {"new_loan": "12000"}, award="loan_interest"
        ),
    )
    with as_user_empty("leader"):
        layout = pages.ledger.layout()
    assert "550.00 万元" in text(find(layout, "ledger-total-requested"))
    assert {"ledger-by-item", "ledger-binding", "ledger-chart", "ledger-top"} <= ids_in(layout)
    assert "ledger-illustrative" not in ids_in(layout)
    binding = text(find(layout, "ledger-binding"))
    assert "第13条" in binding and "第20条" in binding
    with as_user_empty("department", "/ledger?lang=en"):  # 省工信厅: only 第20条
        own = pages.ledger.layout(lang="en")
    assert "50.00 10k yuan" in text(find(own, "ledger-total-requested"))
    assert "第13条" not in text(find(own, "ledger-by-item"))
    with as_user_empty("bureau"):
        masked = pages.ledger.layout()
    assert "（已隐去）" in text(find(masked, "ledger-top")) and "甲公司" not in text(masked)
