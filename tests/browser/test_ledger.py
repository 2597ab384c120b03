"""The 政策兑现 page in Chromium: totals of the illustrative sample, linked targets, scoping, zh/en."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from app.services.ledger_samples import load_ledger_sample
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.browser.conftest import SAMPLE_DIR, LiveServer, login, prepare_database, screenshot, serve, settle

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ledger_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Every sample upload plus the illustrative ledger sample (39 applications)."""
    engine, settings = prepare_database(tmp_path_factory.mktemp("ledger"))
    load_ledger_sample(engine=engine, plan=load_plan(DEFAULT_PLAN), sample_dir=SAMPLE_DIR)
    yield from serve(engine, settings)


def _open(page: Page, server: LiveServer, role: str, lang: str = "") -> None:
    login(page, server, role)
    page.click("#nav-ledger")
    page.wait_for_selector("#ledger-page")
    if lang:
        page.goto(f"{server.url}/ledger?lang={lang}")
        page.wait_for_selector("#ledger-page")
    settle(page)


def test_leader_sees_the_totals_caps_and_linked_targets(page: Page, ledger_server: LiveServer) -> None:
    """Sample totals (万元): computed 8,273.75, approved 8,053.75, paid 3,003.75 (see test_ledger_sample)."""
    _open(page, ledger_server, "leader")
    expect(page.locator("#ledger-illustrative")).to_contain_text("示例申请")
    expect(page.locator("#ledger-total-applications")).to_contain_text("39")
    expect(page.locator("#ledger-total-requested")).to_contain_text("8,273.75 万元")
    expect(page.locator("#ledger-total-approved")).to_contain_text("8,053.75 万元")
    expect(page.locator("#ledger-total-paid")).to_contain_text("3,003.75 万元")
    rows = page.locator("#ledger-by-item tbody tr")
    expect(rows).to_have_count(22)
    sixth = rows.filter(has_text="第6条")
    expect(sixth).to_contain_text("省级智能工厂")  # awards under 第6条 next to the smart-factory count
    expect(sixth).to_contain_text("370.00")  # approved: 20 + 50 + 300 + 0
    expect(page.locator("#ledger-binding")).to_contain_text("同一企业年度")
    expect(page.locator("#ledger-top tbody tr").first).to_contain_text("（示例）")
    expect(page.locator("#ledger-chart .main-svg").first).to_be_visible()
    screenshot(page, "leader-ledger", full_page=True)


def test_the_bureau_sees_amounts_without_names(page: Page, ledger_server: LiveServer) -> None:
    _open(page, ledger_server, "bureau")
    expect(page.locator("#ledger-top tbody tr").first).to_contain_text("（已隐去）")
    expect(page.locator("#ledger-top")).not_to_contain_text("（示例）")


def test_a_department_sees_its_own_items_in_english(page: Page, ledger_server: LiveServer) -> None:
    """省工信厅 leads 15 of the 22 items (not 1, 2, 13, 16, 17, 21, 22)."""
    _open(page, ledger_server, "department", lang="en")
    expect(page.locator("h1.page-title")).to_have_text("Policy awards")
    expect(page.locator("#ledger-by-item tbody tr")).to_have_count(15)
    expect(page.locator("#ledger-by-item")).not_to_contain_text("第13条")
