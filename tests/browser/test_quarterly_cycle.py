"""The quarterly cycle in Chromium: refused files say why (an .xls is accepted), a revision needs a
reason on the page, a locked quarter refuses a revision until the 年报修订 override or an unlock, the
completeness panel is redrawn after publishing, and a department sees its 催报 reminders.

The module's server carries every sample upload (latest period 2026Q3, the default of the page's
period lists). Each test works on its own values; the completeness test runs last, since it adds
2026Q4, which becomes the latest period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.auth.policy import system_actor
from app.services import reminders as reminder_service
from app.services import uploads as upload_service
from app.services.completeness import completeness
from app.store import schema as s
from dashboard import ids
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.browser.conftest import LiveServer, login, prepare_database, screenshot, serve, settle
from tests.etl.test_ragged_and_legacy import write_xls

pytestmark = pytest.mark.slow

UPLOAD_INPUT = f"#{ids.UPLOAD} input[type=file]"
HEADER = ["指标", "地区", "时期", "数值"]
LATEST = "2026Q3"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    engine, settings = prepare_database(tmp_path_factory.mktemp("cycle"))
    yield from serve(engine, settings)


def value_of(server: LiveServer, indicator: str, region: str, period: str) -> float | None:
    cv = s.current_values
    with server.engine.connect() as conn:
        query = sa.select(cv.c.value).where(
            cv.c.indicator == indicator, cv.c.region == region, cv.c.period == period
        )
        return conn.execute(query).scalar_one_or_none()


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    path.write_text("\n".join(",".join(map(str, r)) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def open_uploads(page: Page, server: LiveServer, role: str = "bureau") -> None:
    login(page, server, role)
    page.goto(f"{server.url}/uploads")
    page.wait_for_selector(UPLOAD_INPUT, state="attached")
    settle(page)


def stage(page: Page, path: Path) -> None:
    page.set_input_files(UPLOAD_INPUT, str(path))
    expect(page.locator("#upload-verdict")).to_contain_text("校验通过，已暂存")
    if page.locator(f"#{ids.UPLOAD_WARNINGS}").count():  # drawn with the verdict, in one callback
        page.locator(f"#{ids.CONFIRM_WARNINGS}").check()
        expect(page.locator(f"#{ids.CONFIRM_WARNINGS}")).to_be_checked()


def test_a_refused_file_says_why_and_an_xls_is_accepted(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    open_uploads(page, live_server)
    page.set_input_files(
        UPLOAD_INPUT, files=[{"name": "季报.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    refused = page.locator("#upload-refused")
    expect(refused).to_contain_text("不支持的文件类型“.pdf”：请上传 CSV、XLSX、XLSM 或 XLS 文件")
    expect(refused).to_contain_text("XLS")
    xls = write_xls(tmp_path / "2026Q4_统计局.xls", [HEADER, ["5G基站数", "太原市", "2026Q4", 31000]])
    page.set_input_files(UPLOAD_INPUT, str(xls))
    expect(page.locator("#upload-verdict")).to_contain_text("校验通过，已暂存")
    expect(page.locator(f"#{ids.UPLOAD_DIFF}")).to_contain_text("新增 1")
    expect(page.locator("#upload-refused")).to_have_count(0)


def test_a_revision_needs_a_reason_on_the_page_and_keeps_it_in_the_history(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    before = value_of(live_server, "base_stations_5g", "140400", LATEST)  # 长治
    assert before is not None
    open_uploads(page, live_server)
    stage(page, write_csv(tmp_path / "长治_修订.csv", [["5G基站数", "长治市", LATEST, before + 12]]))
    expect(page.locator("#reason-required")).to_contain_text("本文件将修订 1 个已发布数值")
    page.click(f"#{ids.PUBLISH}")
    expect(page.locator(f"#{ids.PUBLISH_MESSAGE}")).to_contain_text("请填写发布说明（修订原因）")
    assert value_of(live_server, "base_stations_5g", "140400", LATEST) == before  # nothing changed
    settle(page)
    screenshot(page, "bureau-uploads-reason-required", full_page=True)
    page.fill(f"#{ids.PUBLISH_REASON}", "长治市补报一个区县的基站")
    page.click(f"#{ids.PUBLISH}")
    expect(page.locator("#publish-done")).to_contain_text("已发布 1 个数值")
    assert value_of(live_server, "base_stations_5g", "140400", LATEST) == before + 12
    page.goto(f"{live_server.url}/indicator?indicator=base_stations_5g&region=140400&period={LATEST}")
    history = page.locator(f"#{ids.HISTORY}")
    expect(history).to_contain_text("长治市补报一个区县的基站")
    expect(history).to_contain_text("发布")
    expect(history).not_to_contain_text("publish")


def test_a_locked_quarter_refuses_a_revision_until_the_override_and_unlocks(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    before = value_of(live_server, "base_stations_5g", "140200", LATEST)  # 大同
    assert before is not None
    open_uploads(page, live_server)
    expect(page.locator("#lock-list")).to_contain_text("暂无锁定的时期")
    page.click("#lock-button")  # the period list opens on the latest quarter
    expect(page.locator("#lock-message")).to_contain_text("已锁定 2026年第三季度")
    locked = page.locator("#lock-list .locked-period")
    expect(locked).to_have_count(1)
    expect(locked).to_contain_text("已锁定")
    expect(locked).to_contain_text("2026年第三季度 · bureau_b")
    stage(page, write_csv(tmp_path / "大同_修订.csv", [["5G基站数", "大同市", LATEST, before + 30]]))
    page.fill(f"#{ids.PUBLISH_REASON}", "更正录入错误")
    page.click(f"#{ids.PUBLISH}")
    refusal = page.locator(f"#{ids.PUBLISH_MESSAGE}")
    expect(refusal).to_contain_text("2026年第三季度已锁定，不能修订")
    expect(refusal).to_contain_text("年报修订")
    assert value_of(live_server, "base_stations_5g", "140200", LATEST) == before
    settle(page)
    screenshot(page, "bureau-uploads-locked", full_page=True)

    page.fill(f"#{ids.PUBLISH_REASON}", "2025年年报修订：大同市基站数据")
    page.click(f"#{ids.PUBLISH}")
    expect(page.locator("#publish-done")).to_contain_text("已发布 1 个数值")
    assert value_of(live_server, "base_stations_5g", "140200", LATEST) == before + 30

    page.goto(f"{live_server.url}/indicator?indicator=base_stations_5g&region=140200&period={LATEST}")
    expect(page.locator("#history-lock")).to_contain_text("2026年第三季度已于统计部门锁定（bureau_b）")
    expect(page.locator(f"#{ids.HISTORY}")).to_contain_text("2025年年报修订")

    open_uploads(page, live_server)
    page.click("#unlock-button")
    expect(page.locator("#lock-message")).to_contain_text("已解锁 2026年第三季度")
    expect(page.locator("#lock-list")).to_contain_text("暂无锁定的时期")


def test_a_department_sees_no_lock_buttons(page: Page, live_server: LiveServer) -> None:
    open_uploads(page, live_server, "department")
    expect(page.locator("#lock-list")).to_be_visible()
    expect(page.locator("#lock-button")).to_have_count(0)


def test_a_department_sees_its_reminders_and_downloads_the_notice(
    page: Page, live_server: LiveServer
) -> None:
    """2026Q4 is due 2026-12-31 + 45 days = 2027-02-14; with reminder day +1 the job runs 2027-02-15."""
    plan = load_plan(DEFAULT_PLAN)
    created = reminder_service.create_reminders(
        engine=live_server.engine, plan=plan, offsets=[1], today=dt.date(2027, 2, 15)
    )
    mine = [r for r in created if r["department"] == "industry_it"]
    assert len(mine) == 1 and len(created) > 1  # other departments are chased too, on their own pages
    login(page, live_server, "department")
    page.goto(f"{live_server.url}/departments")
    banner = page.locator("#reminder-banner")
    expect(banner).to_contain_text(
        f"有 1 条催报通知：2026年第四季度 尚有 {mine[0]['n_missing']} 个数值未报送，报送截止 2027年2月14日"
    )
    expect(page.locator("#reminder-list tbody tr")).to_have_count(1)
    settle(page)
    screenshot(page, "department-reminders")
    with page.expect_download() as download:
        banner.get_by_role("link", name="Word").click()
    assert download.value.path().read_bytes()[:2] == b"PK"
    # another department's reminders are not this department's to see (the API refuses their notices)
    page.goto(f"{live_server.url}/departments?department=comms_admin")
    page.wait_for_selector("#departments-page h1")
    settle(page)
    expect(page.locator("#reminder-banner")).to_have_count(0)
    # a leader sees each department's own reminders on its page
    page.context.clear_cookies()
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/departments?department=comms_admin")
    [theirs] = [r for r in created if r["department"] == "comms_admin"]
    expect(page.locator("#reminder-banner")).to_contain_text(f"尚有 {theirs['n_missing']} 个数值未报送")


def test_the_completeness_panel_is_redrawn_after_publishing(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    """Runs last: it opens 2026Q4 (one value published beforehand), which becomes the latest period.

    The panel counts 1 received value of 2026Q4 when the page opens; publishing 2 more on the page
    must show 3 at once, the count the service gives.
    """
    plan = load_plan(DEFAULT_PLAN)
    first = write_csv(tmp_path / "2026Q4_太原.csv", [["5G基站数", "太原市", "2026Q4", 31000]])
    staged = upload_service.stage_upload(
        engine=live_server.engine, plan=plan, path=first, actor=system_actor("bureau_b")
    )
    upload_service.publish_upload(
        engine=live_server.engine,
        upload_id=staged.upload_id or 0,
        actor=system_actor("bureau_b"),
        confirm_warnings=True,
    )
    open_uploads(page, live_server)
    summary = page.locator(f"#{ids.COMPLETENESS_SUMMARY} .legend-received b")
    expect(summary).to_have_text("1")
    rows = [["5G基站数", "大同市", "2026Q4", 15800], ["5G基站数", "阳泉市", "2026Q4", 5200]]
    stage(page, write_csv(tmp_path / "2026Q4_补报.csv", rows))
    page.click(f"#{ids.PUBLISH}")
    expect(page.locator("#publish-done")).to_contain_text("已发布 2 个数值")
    expect(summary).to_have_text("3")  # redrawn at once, on the same page
    after = completeness(engine=live_server.engine, plan=plan, period="2026Q4", today=dt.date.today())
    assert int((after["status"] == "received").sum()) == 3
    settle(page)
    screenshot(page, "bureau-uploads-completeness", full_page=True)


#: Stored codes that must never reach a page: upload statuses and actions, value actions, progress
#: statuses and permission codes. On a Chinese page any of them is a leak; on an English page the
#: plain English words are fine, so only the snake_case and kebab-case codes are.
RAW_CODES_ZH = re.compile(
    r"\b(published|staged|rejected|rolled_back|publish|rollback|retract|lock_periods|write_notes"
    r"|export_briefs|read_audit|manage_users|own_tokens|on_track|severely_behind|no_data|achieved"
    r"|ahead|behind|missed|received|late|revision|ragged-row|unknown-region)\b"
)
RAW_CODES_EN = re.compile(
    r"\b(rolled_back|lock_periods|write_notes|export_briefs|read_audit|manage_users|own_tokens"
    r"|on_track|severely_behind|no_data|period-locked|reason-required|ragged-row|unknown-region)\b"
)
SCANNED = [
    "/",
    "/regions",
    "/departments",
    "/indicator?indicator=base_stations_5g&region=140200&period=2026Q3",
    "/uploads",
    "/tasks",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_shows_a_raw_code(page: Page, live_server: LiveServer, lang: str) -> None:
    """Runs after the others, so the pages carry revisions, reasons, a rollback-able history and
    reminders; every page a bureau user and a department user open is scanned in both languages."""
    pattern = RAW_CODES_ZH if lang == "zh" else RAW_CODES_EN
    found: dict[str, list[str]] = {}
    for role in ("bureau", "department"):
        page.context.clear_cookies()
        login(page, live_server, role)
        for path in SCANNED:
            page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
            page.wait_for_selector("[id$='-page']")
            settle(page)
            leaks = sorted(set(pattern.findall(page.inner_text("body"))))
            if leaks:
                found[f"{role} {path}"] = leaks
    assert found == {}
