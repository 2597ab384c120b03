"""Briefs in the browser: the department exports its brief from its page and gets a real .docx; the
简报 page lists it (and not the province's brief) with a working download; a leader exports the
province's workbook from the overview.
"""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from app.auth.roles import Role
from app.services import briefs as brief_service
from app.services.accounts import User
from dashboard import ids
from indicators.periods import Period
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.browser.conftest import LiveServer, login, screenshot, settle

pytestmark = pytest.mark.slow

LEADER = User(id=4, username="leader_b", display_name="张副省长", role=Role.LEADER, department=None)


def test_department_exports_its_brief_and_finds_it_on_the_briefs_page(
    page: Page, live_server: LiveServer
) -> None:
    plan = load_plan(DEFAULT_PLAN)
    province = brief_service.generate_brief(
        engine=live_server.engine,
        plan=plan,
        settings=live_server.settings,
        actor=LEADER,
        scope=brief_service.BriefScope.parse("province", plan=plan),
        period=Period.parse("2025Q3"),
        fmt=brief_service.BriefFormat.XLSX,
    )
    login(page, live_server, "department")
    page.goto(f"{live_server.url}/departments?as_of=2025Q3")
    page.wait_for_selector(f"#{ids.BRIEF_BUTTON}")
    settle(page)
    with page.expect_download() as download:
        page.click(f"#{ids.BRIEF_BUTTON}")
    name = download.value.suggested_filename
    assert name.endswith(".docx") and "简报" in name, name
    document = docx.Document(str(download.value.path()))
    assert "2025年第三季度" in "\n".join(p.text for p in document.paragraphs)
    expect(page.locator(f"#{ids.BRIEF_MESSAGE}")).to_contain_text("已生成")
    screenshot(page, "department-brief-export")

    page.click("#nav-briefs")
    table = page.locator(f"#{ids.BRIEF_TABLE}")
    expect(table).to_contain_text("省工信厅")
    expect(table).to_contain_text("Word (.docx)")
    expect(page.locator(f"#{ids.brief_link(province.id)}")).to_have_count(0)
    settle(page)
    screenshot(page, "department-briefs")
    link = table.get_by_role("link", name="下载").first
    with page.expect_download() as again:
        link.click()
    assert again.value.suggested_filename == name
    assert again.value.path().read_bytes() == download.value.path().read_bytes()


def test_leader_exports_the_province_workbook_from_the_overview(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    page.wait_for_selector(f"#{ids.BRIEF_BUTTON}")
    settle(page)
    page.locator(f"#{ids.BRIEF_FORMAT}").get_by_text("Excel (.xlsx)").click()
    with page.expect_download() as download:
        page.click(f"#{ids.BRIEF_BUTTON}")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).sheetnames
    page.click("#nav-briefs")
    expect(page.locator(f"#{ids.BRIEF_TABLE}")).to_contain_text("全省")
    settle(page)
    screenshot(page, "leader-briefs", full_page=True)
