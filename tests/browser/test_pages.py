"""Every role signs in through the form and opens every page it may see; what it may not see, it does not.

Screenshots of each page (1440×900) land in tests/artifacts/<role>-<page>.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ACCOUNTS, PASSWORD, LiveServer, login, screenshot, settle

pytestmark = pytest.mark.slow

NAV_PAGES = {
    "overview": "#overview-page",
    "regions": "#regions-page",
    "departments": "#departments-page",
    "indicator": "#indicator-page",
    "uploads": "#uploads-page",
    "tasks": "#tasks-page",
    "index": "#index-page",
    "methodology": "#methodology-page",
    "briefs": "#briefs-page",
}
"""Navbar link key → the page's marker."""
ROLES_THAT_UPLOAD = {"admin", "bureau", "department"}


def shoot(page: Page, role: str, name: str) -> None:
    settle(page)
    screenshot(page, f"{role}-{name}")
    if role == "admin":
        screenshot(page, f"{role}-{name}-full", full_page=True)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_each_role_opens_every_page_it_may(page: Page, live_server: LiveServer, role: str) -> None:
    login(page, live_server, role)
    expect(page.locator("#user-badge")).to_contain_text(ACCOUNTS[role].display_name)
    expect(page.locator("#logout-link")).to_have_text("退出登录")
    for name, marker in NAV_PAGES.items():
        link = page.locator(f"#nav-{name}")
        if name == "uploads" and role not in ROLES_THAT_UPLOAD:
            expect(link).to_have_count(0)
            expect(page.locator("#navbar")).not_to_contain_text("数据上报")
            page.goto(f"{live_server.url}/uploads")
            expect(page.locator(marker)).to_contain_text("无权")
            continue
        link.click()
        page.wait_for_selector(marker)
        shoot(page, role, name)
        if name == "regions":
            page.locator("#city-table").get_by_role("link", name="太原").click()
            expect(page.locator("#city-page h1")).to_have_text("太原市")
            shoot(page, role, "city")


def test_department_user_lands_on_its_own_department(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "department")
    page.click("#nav-departments")
    expect(page.locator("#departments-page h1")).to_have_text("山西省工业和信息化厅")
    expect(page.locator("#note-save")).to_be_visible()


def test_leader_reads_notes_but_cannot_write_them(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/departments?department=industry_it")
    page.wait_for_selector("#departments-page")
    expect(page.locator("#note-save")).to_have_count(0)
    expect(page.locator("#departments-page")).to_contain_text("只有本部门用户和管理员可以填报进展")


def test_department_saves_a_progress_note(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "department")
    page.goto(f"{live_server.url}/departments")
    page.wait_for_selector("#note-text")
    settle(page)
    page.fill("#note-text", "完成省级智能工厂第三批认定，新增12家。")
    page.click("#note-save")
    expect(page.locator("#note-message")).to_contain_text("已保存")
    expect(page.locator("#notes")).to_contain_text("完成省级智能工厂第三批认定")


def test_english_switch_keeps_the_page(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/regions?indicator=base_stations_5g")
    page.wait_for_selector("#regions-page")
    page.click("#lang-switch")
    expect(page.locator("#nav-regions")).to_have_text("Regions")
    assert "lang=en" in page.url and "indicator=base_stations_5g" in page.url
    settle(page)
    screenshot(page, "leader-regions-en")


def test_signing_out_through_the_navbar_ends_the_session(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/login")
    page.fill("#username", ACCOUNTS["leader"].username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector("#overview-page")
    page.click("#logout-link")
    page.wait_for_url(f"{live_server.url}/login")
    page.goto(f"{live_server.url}/regions")
    expect(page.locator("#login-button")).to_be_visible()
