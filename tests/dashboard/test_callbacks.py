"""Callbacks called directly, as plain functions, inside a request of a given user, on both backends.

They write through the services (stage, publish, reject, roll back, save a note) and refuse what the
user's role may not do, whatever the page showed.
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.context import AppContext
from app.services import notes as notes_service
from app.services import uploads as upload_service
from app.services.clock import utcnow
from app.services.periods import open_note_periods
from app.services.progress import latest_period
from dashboard import ids, selectors
from dashboard.app import CALLBACK_SLACK, create_dash
from dashboard.i18n import LABELS
from etl.report import ErrorCode
from tests.dashboard.conftest import SAMPLE_DIR, USERS, RunAs, find, is_no_update, text
from tests.dashboard.conftest import _run_as as run_as

BROKEN = SAMPLE_DIR / "broken" / "2025Q3_工信厅_错误示例.xlsx"
PRICES = SAMPLE_DIR / "2020-2023_发改委_数据中心电价.csv"


def contents(path: Path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


def csv_file(folder: Path, rows: list[str]) -> Path:
    path = folder / "上报.csv"
    path.write_text("指标,地区,时期,数值\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_broken_workbook_lists_its_row_errors_and_writes_nothing(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext
) -> None:
    with as_user_empty("bureau"):
        result, store, _ = pages.uploads.stage(contents(BROKEN), BROKEN.name, None)
    assert store is None
    rows = find(result, ids.table_body(ids.UPLOAD_ERRORS)).children
    cells = [[cell.children for cell in row.children] for row in rows]
    # the issue type reads in Chinese; its stable code stays in the tooltip
    assert [(c[0], c[1], c[2], c[3].children, c[3].title) for c in cells[:3]] == [
        ("工信厅", 4, "地区", "未知地区", "unknown-region"),
        ("工信厅", 5, "数据标注企业（家）", "数值无法识别", "non-numeric-value"),
        ("工信厅", 6, "省级数字化车间（个）", "数量为负", "negative-count"),
    ]
    assert "未知地区“太源”" in cells[0][4]
    assert len(cells) == 9
    assert ids.PUBLISH not in text(result)
    assert upload_service.list_uploads(engine=empty_context.engine) == []


def test_valid_file_stages_then_publishes(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext
) -> None:
    with as_user_empty("bureau"):
        result, store, history = pages.uploads.stage(contents(PRICES), PRICES.name, "?lang=zh")
        assert "校验通过" in text(result) and "新增 16" in text(find(result, ids.UPLOAD_DIFF))
        message, _, *_ = pages.uploads.publish(1, True, "", store, None)
    assert "已发布 16 个数值" in text(message)
    assert latest_period(engine=empty_context.engine) == "2023Q4"
    assert "#1" in text(history)


def test_warnings_must_be_confirmed(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext, tmp_path: Path
) -> None:
    first = csv_file(tmp_path, ["5G基站数,太原,2025Q1,100"])
    with as_user_empty("bureau"):
        _, store, _ = pages.uploads.stage(contents(first), first.name, None)
        pages.uploads.publish(1, True, None, store, None)
        revised = csv_file(tmp_path, ["5G基站数,太原,2025Q1,300"])
        result, store, _ = pages.uploads.stage(contents(revised), "修订.csv", None)
        assert find(result, ids.CONFIRM_WARNINGS).style is None  # shown, unchecked
        refused, _, *_ = pages.uploads.publish(1, False, None, store, None)
        assert "请确认后再发布" in text(refused)
        done, _, *_ = pages.uploads.publish(2, True, "修正录入错误", store, None)
    assert "已发布 1 个数值" in text(done)


def test_discarding_a_staged_upload(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext
) -> None:
    with as_user_empty("bureau"):
        _, store, _ = pages.uploads.stage(contents(PRICES), PRICES.name, None)
        message, _ = pages.uploads.reject(1, store, None)
    assert "已放弃" in text(message)
    assert [u["status"] for u in upload_service.list_uploads(engine=empty_context.engine)] == ["rejected"]


def test_department_may_not_upload_foreign_indicators(
    pages: SimpleNamespace, as_user_empty: RunAs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    energy = dataclasses.replace(USERS["department"], department="energy")
    monkeypatch.setitem(USERS, "department", energy)
    path = csv_file(tmp_path, ["5G基站数,太原,2025Q1,100"])
    with as_user_empty("department"):
        result, store, _ = pages.uploads.stage(contents(path), path.name, None)
    assert store is None
    errors = text(find(result, ids.UPLOAD_ERRORS))
    # named as people know it: the indicator's Chinese name and its reporter, never a code
    assert "无权上报该指标" in errors and "指标“5G基站数”由省通信管理局报送" in errors
    assert "base_stations_5g" not in errors


def test_department_acts_only_on_its_own_uploads(pages: SimpleNamespace, as_user_empty: RunAs) -> None:
    with as_user_empty("bureau"):
        _, store, _ = pages.uploads.stage(contents(PRICES), PRICES.name, None)
    with as_user_empty("department"):
        refused, history, *_ = pages.uploads.publish(1, True, None, store, None)
    assert "无权" in text(refused) and is_no_update(history)


@pytest.mark.parametrize(
    ("role", "allowed"), [("bureau", True), ("admin", True), ("department", False), ("leader", False)]
)
def test_rollback_is_for_bureau_and_admin(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext, role: str, allowed: bool
) -> None:
    with as_user_empty("bureau"):
        _, store, _ = pages.uploads.stage(contents(PRICES), PRICES.name, None)
        pages.uploads.publish(1, True, None, store, None)
    with as_user_empty(role):
        message, _ = pages.uploads.rollback_upload(store["upload_id"], "zh")
    assert ("已回滚" in text(message)) is allowed
    assert (latest_period(engine=empty_context.engine) is None) is allowed


def test_non_uploaders_are_refused_even_without_the_page(
    pages: SimpleNamespace, as_user_empty: RunAs
) -> None:
    with as_user_empty("leader"):
        result, store, _ = pages.uploads.stage(contents(PRICES), PRICES.name, None)
        assert is_no_update(pages.uploads.download_template(1, "2025Q4", None))
    assert "无权" in text(result) and store is None


def test_template_download(pages: SimpleNamespace, as_user_empty: RunAs) -> None:
    with as_user_empty("department"):
        sent = pages.uploads.download_template(1, "2025Q4", "industry_it")
    assert sent["filename"] == "数据上报模板_2025Q4_industry_it.xlsx"
    assert base64.b64decode(sent["content"])[:2] == b"PK"


def test_completeness_for_another_period(pages: SimpleNamespace, as_user_empty: RunAs) -> None:
    with as_user_empty("bureau"):
        figure, summary = pages.uploads.show_completeness("2025Q2", None)
    assert figure.data[0].type == "heatmap"
    assert "已报送 0" in text(summary).replace("\xa0", " ")


def note_period(context: AppContext) -> str:
    return open_note_periods(today=utcnow().date(), edit_days=context.settings.note_edit_days)[0]


def test_department_saves_its_note(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext
) -> None:
    period = note_period(empty_context)
    with as_user_empty("department"):
        message, notes = pages.departments.save_note(
            1, "intel-3", period, "completed", " 第三批认定完成 ", None
        )
    assert "已保存" in text(message) and "第三批认定完成" in text(notes)
    saved = notes_service.list_notes(engine=empty_context.engine, department="industry_it")
    assert [(n["task"], n["period"], n["status"], n["narrative"]) for n in saved] == [
        ("intel-3", period, "completed", "第三批认定完成")
    ]


@pytest.mark.parametrize(
    ("role", "search", "text_", "expected"),
    [
        ("leader", "?department=industry_it", "x", "无权执行此操作（需要“填报工作进展”权限）"),
        ("department", "?department=stats", "x", "只有本部门用户和管理员可以填报进展"),
        ("department", None, "   ", "请填写进展情况"),
    ],
)
def test_notes_refused(
    pages: SimpleNamespace,
    as_user_empty: RunAs,
    empty_context: AppContext,
    role: str,
    search: str | None,
    text_: str,
    expected: str,
) -> None:
    with as_user_empty(role):
        message, notes = pages.departments.save_note(
            1, "intel-3", note_period(empty_context), "completed", text_, search
        )
    assert expected in text(message) and is_no_update(notes)
    assert notes_service.list_notes(engine=empty_context.engine) == []


def test_admin_writes_for_a_department(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext
) -> None:
    with as_user_empty("admin"):
        message, _ = pages.departments.save_note(
            1, "intel-8", note_period(empty_context), "in_progress", "统计监测已建立", "?department=stats"
        )
    assert "已保存" in text(message)


def test_a_closed_quarter_is_refused_with_the_service_message(
    pages: SimpleNamespace, as_user_empty: RunAs
) -> None:
    with as_user_empty("department"):
        message, _ = pages.departments.save_note(1, "intel-3", "2021Q1", "completed", "补录", None)
    assert "已关账" in text(message)


@pytest.mark.parametrize(
    ("value", "rendered", "search", "expected"),
    [
        ("2022Q2", "2025Q3", "?lang=en", "?as_of=2022Q2&lang=en"),
        ("2025Q3", "2025Q3", "?lang=en", None),  # the dropdown reporting its own value on mount
        (None, "2025Q3", "", None),
    ],
)
def test_selectors_write_the_query(
    value: str | None, rendered: str, search: str, expected: str | None
) -> None:
    result = selectors.select_query(value, rendered, search, param="as_of")
    assert is_no_update(result) if expected is None else result == expected


def test_a_tile_click_opens_the_city(pages: SimpleNamespace) -> None:
    click = {"points": [{"customdata": ["140100"], "x": 1, "y": -2}]}
    assert pages.regions.clicked_region(click) == "140100"
    assert pages.regions.clicked_region({"points": []}) is None
    assert pages.regions.city_location("140100", "?as_of=2025Q2&lang=en&indicator=x") == (
        "/regions/140100",
        "?as_of=2025Q2&lang=en",
    )


def test_every_issue_code_has_a_label_in_both_languages() -> None:
    codes = {str(code) for code in ErrorCode} | {"indicator-not-permitted"}
    missing = sorted(code for code in codes if f"issue_{code}" not in LABELS)
    assert missing == []


def tight(context: AppContext, **settings: object) -> AppContext:
    """The same database with a 0.001 MB upload limit (about 1 KB)."""
    return dataclasses.replace(
        context, settings=context.settings.model_copy(update={"max_upload_mb": 0.001, **settings})
    )


def test_a_dropped_file_over_the_limit_is_refused_in_chinese_and_writes_nothing(
    pages: SimpleNamespace, empty_context: AppContext, tmp_path: Path
) -> None:
    big = csv_file(tmp_path, [f"5G基站数,太原,{year}Q1,100" for year in range(1990, 2050)])  # about 2 KB
    (tmp_path / "small").mkdir()
    small = csv_file(tmp_path / "small", ["5G基站数,太原,2025Q1,100"])
    with run_as(tight(empty_context))("bureau"):
        refused, store, history = pages.uploads.stage(contents(big), big.name, None)
        staged, _, _ = pages.uploads.stage(contents(small), "small.csv", None)
    assert text(refused) == "未上传“上报.csv”：文件超过 0.001 MB，请拆分后上传"
    assert find(refused, "upload-refused") is refused
    assert store is None and is_no_update(history)
    assert "校验通过" in text(staged)
    assert [u["file_name"] for u in upload_service.list_uploads(engine=empty_context.engine)] == ["small.csv"]


def test_a_dropped_file_of_another_type_is_refused_by_the_door(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext
) -> None:
    with as_user_empty("bureau"):
        result, store, _ = pages.uploads.stage(contents(PRICES), "电价.pdf", "?lang=en")
    assert "unsupported file type '.pdf'" in text(result) and store is None
    assert upload_service.list_uploads(engine=empty_context.engine) == []


def test_a_callback_body_far_over_the_limit_is_refused_before_it_is_read(empty_context: AppContext) -> None:
    context = tight(empty_context, demo=True)  # the demo visitor may post callbacks: past the guard
    limit = context.settings.max_upload_bytes * 4 // 3 + CALLBACK_SLACK
    client = create_dash(context).server.test_client()
    big = client.post("/_dash-update-component", data=b"x" * (limit + 1), content_type="application/json")
    assert big.status_code == 413
    fits = client.post("/_dash-update-component", data=b"{}", content_type="application/json")
    assert fits.status_code != 413
