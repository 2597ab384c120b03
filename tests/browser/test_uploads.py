"""数据上报 in the browser: a broken workbook shows its row errors and publishes nothing; the real
2026Q3 workbook (the sample's latest) stages, publishes and rolls back; the template downloads.

The server of this module starts without the 2026Q3 workbook, so publishing it is visible as a new
latest period.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.services.progress import latest_period
from app.services.uploads import list_uploads
from app.store import schema as s
from dashboard import ids
from tests.browser.conftest import SAMPLE_DIR, LiveServer, login, prepare_database, screenshot, serve, settle

pytestmark = pytest.mark.slow

WORKBOOK = SAMPLE_DIR / "2026Q3_统计局_数字经济主要指标.xlsx"
BROKEN = SAMPLE_DIR / "broken" / "2025Q3_工信厅_错误示例.xlsx"
UPLOAD_INPUT = f"#{ids.UPLOAD} input[type=file]"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    engine, settings = prepare_database(tmp_path_factory.mktemp("uploads"), skip=frozenset({WORKBOOK.name}))
    yield from serve(engine, settings)


def counts(server: LiveServer) -> tuple[int, int]:
    with server.engine.connect() as conn:
        uploads = conn.execute(sa.select(sa.func.count()).select_from(s.uploads)).scalar_one()
        values = conn.execute(sa.select(sa.func.count()).select_from(s.observations)).scalar_one()
    return int(uploads), int(values)


def open_uploads(page: Page, server: LiveServer, role: str) -> None:
    login(page, server, role)
    page.click("#nav-uploads")
    page.wait_for_selector(UPLOAD_INPUT, state="attached")
    settle(page)


def test_broken_workbook_shows_row_errors_and_publishes_nothing(page: Page, live_server: LiveServer) -> None:
    before = counts(live_server)
    open_uploads(page, live_server, "bureau")
    page.set_input_files(UPLOAD_INPUT, str(BROKEN))
    expect(page.locator("#upload-verdict")).to_contain_text("文件有错误，未写入任何数据")
    errors = page.locator(f"#{ids.UPLOAD_ERRORS} tbody tr")
    expect(errors).to_have_count(9)
    first = errors.nth(0).locator("td")
    expect(first.nth(0)).to_have_text("工信厅")
    expect(first.nth(1)).to_have_text("4")
    expect(first.nth(2)).to_have_text("地区")
    expect(first.nth(4)).to_contain_text("未知地区“太源”")
    expect(page.locator(f"#{ids.UPLOAD_ERRORS}")).to_contain_text("不能为负数")
    expect(page.locator(f"#{ids.PUBLISH}")).to_have_count(0)
    settle(page)
    screenshot(page, "bureau-uploads-broken", full_page=True)
    assert counts(live_server) == before


def test_workbook_stages_publishes_and_rolls_back(page: Page, live_server: LiveServer) -> None:
    assert latest_period(engine=live_server.engine) == "2026Q2"
    open_uploads(page, live_server, "bureau")
    page.set_input_files(UPLOAD_INPUT, str(WORKBOOK))
    expect(page.locator("#upload-verdict")).to_contain_text("校验通过，已暂存")
    expect(page.locator(f"#{ids.UPLOAD_DIFF}")).to_contain_text("新增 209")
    settle(page)
    screenshot(page, "bureau-uploads-staged", full_page=True)
    confirm = page.locator(f"#{ids.CONFIRM_WARNINGS}")
    if confirm.is_visible():
        confirm.check()
    page.click(f"#{ids.PUBLISH}")
    expect(page.locator("#publish-done")).to_contain_text("已发布 209 个数值")
    assert latest_period(engine=live_server.engine) == "2026Q3"
    newest = list_uploads(engine=live_server.engine, limit=1)[0]
    assert (newest["file_name"], newest["status"]) == (WORKBOOK.name, "published")

    page.on("dialog", lambda dialog: dialog.accept())
    rollback = page.locator(f"#{ids.HISTORY_TABLE} tbody tr").first.get_by_role("button", name="回滚")
    rollback.click()
    expect(page.locator(f"#{ids.ROLLBACK_MESSAGE}")).to_contain_text(f"已回滚上报 #{newest['id']}")
    assert latest_period(engine=live_server.engine) == "2026Q2"


def test_department_cannot_roll_back(page: Page, live_server: LiveServer) -> None:
    open_uploads(page, live_server, "department")
    expect(page.locator(f"#{ids.HISTORY_TABLE}")).to_be_visible()
    expect(page.locator(f"#{ids.HISTORY_TABLE}").get_by_role("button", name="回滚")).to_have_count(0)


def test_template_downloads(page: Page, live_server: LiveServer) -> None:
    open_uploads(page, live_server, "bureau")
    with page.expect_download() as download:
        page.click(f"#{ids.TEMPLATE_BUTTON}")
    name = download.value.suggested_filename
    assert name.startswith("数据上报模板_") and name.endswith(".xlsx")
    assert download.value.path().read_bytes()[:2] == b"PK"
