"""Briefs in the dashboard: the export panel on the department, city and overview pages, its callback
(a real .docx handed to dcc.Download), and the 简报 page, each honouring `may_export`.

On the shared sample database of each backend, with briefs written to this module's own folder.
The department user of tests/dashboard/conftest.py belongs to 省工信厅 (industry_it).
"""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Iterator
from types import SimpleNamespace

import docx
import pytest

from app.context import AppContext
from app.services import briefs as brief_service
from dashboard import brief_export, ids
from tests.dashboard.conftest import USERS, RunAs, _run_as, find, ids_in, is_no_update, text

PERIOD = "2025Q3"
OWN = "department:industry_it"


@pytest.fixture(scope="module")
def brief_context(sample_context: AppContext, tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    folder = tmp_path_factory.mktemp("dashboard-briefs")
    settings = sample_context.settings.model_copy(update={"brief_dir": folder})
    return dataclasses.replace(sample_context, settings=settings)


@pytest.fixture(scope="module")
def as_user(brief_context: AppContext) -> Iterator[RunAs]:
    yield _run_as(brief_context)


def export(target: dict[str, str], fmt: str = "docx") -> tuple[object, object]:
    return brief_export.export_brief(1, fmt, target, "")


@pytest.mark.parametrize(
    ("role", "page", "query", "shown"),
    [
        ("department", "departments", {"department": "industry_it"}, True),
        ("department", "departments", {"department": "comms_admin"}, False),
        ("leader", "departments", {"department": "comms_admin"}, True),
        ("leader", "overview", {}, True),
        ("department", "overview", {}, False),
        ("bureau", "city", {"region": "140100"}, True),
        ("department", "city", {"region": "140100"}, False),
    ],
)
def test_the_export_panel_shows_where_the_user_may_export_that_scope(
    pages: SimpleNamespace, as_user: RunAs, role: str, page: str, query: dict[str, str], shown: bool
) -> None:
    with as_user(role):
        layout = getattr(pages, page).layout(**query)
    assert (ids.BRIEF_EXPORT in ids_in(layout)) is shown
    if shown:
        assert {ids.BRIEF_FORMAT, ids.BRIEF_BUTTON, ids.BRIEF_DOWNLOAD} <= ids_in(layout)
        assert find(layout, ids.BRIEF_FORMAT).options[0]["value"] == "docx"


def test_the_panel_carries_the_pages_scope_and_period(pages: SimpleNamespace, as_user: RunAs) -> None:
    with as_user("leader"):
        layout = pages.city.layout(region="140100", as_of="2024Q4")
    assert find(layout, ids.BRIEF_SCOPE).data == {"scope": "region:140100", "period": "2024Q4"}
    assert "太原市" in text(find(layout, ids.BRIEF_EXPORT))


def test_export_hands_a_real_docx_to_the_browser_and_lists_it(
    as_user: RunAs, brief_context: AppContext
) -> None:
    with as_user("department"):
        download, message = export({"scope": OWN, "period": PERIOD})
    assert isinstance(download, dict) and download["base64"] is True
    assert download["filename"].endswith(".docx") and "简报" in download["filename"]
    document = docx.Document(io.BytesIO(base64.b64decode(download["content"])))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "省工信厅" in body or "工业和信息化厅" in body
    assert "已生成" in text(message)
    made = brief_service.list_briefs(engine=brief_context.engine, actor=USERS["department"], limit=1)[0]
    assert (made.scope, made.period, made.format, made.created_by) == (OWN, PERIOD, "docx", "dept_t")
    assert download["filename"] == f"{made.title}-{made.id}.docx"


@pytest.mark.parametrize("scope", ["province", "department:comms_admin", "region:140100", "final"])
def test_an_edited_store_gets_the_services_refusal(as_user: RunAs, scope: str) -> None:
    with as_user("department"):
        download, message = export({"scope": scope, "period": PERIOD})
    assert is_no_update(download)
    assert "无权导出该范围的简报" in text(message)


def test_a_period_no_page_offers_is_refused_in_chinese(as_user: RunAs) -> None:
    with as_user("leader"):
        download, message = export({"scope": "province", "period": "2025Q9"})
    assert is_no_update(download)
    assert "时期或格式有误" in text(message)


def test_the_briefs_page_lists_what_the_user_may_see(
    pages: SimpleNamespace, as_user: RunAs, brief_context: AppContext
) -> None:
    with as_user("leader"):
        _, message = export({"scope": "province", "period": PERIOD}, fmt="xlsx")
        assert "已生成" in text(message)
    with as_user("department"):
        export({"scope": OWN, "period": PERIOD}, fmt="xlsx")
    everything = brief_service.list_briefs(engine=brief_context.engine, actor=USERS["leader"], limit=500)
    own = [r for r in everything if r.scope == OWN]
    province = next(r for r in everything if r.scope == "province")

    with as_user("department"):
        mine = pages.briefs.layout()
    links = {node for node in ids_in(mine) if node.startswith("brief-link-")}
    assert links == {ids.brief_link(r.id) for r in own}
    assert "仅显示本部门的简报" in text(mine)
    assert find(mine, ids.brief_link(own[0].id)).href == f"/api/v1/briefs/{own[0].id}/file"
    assert ids.BRIEF_EXPORT not in ids_in(mine)  # the final evaluation is not a department's scope

    with as_user("leader"):
        all_of_them = pages.briefs.layout()
    table = text(find(all_of_them, ids.BRIEF_TABLE))
    assert {ids.brief_link(r.id) for r in everything} <= ids_in(all_of_them)
    for label in (
        "全省",
        "省工信厅",
        "Excel (.xlsx)",
        "Word (.docx)",
        str(province.data_version),
        "leader_t",
    ):
        assert label in table
    assert find(all_of_them, ids.BRIEF_SCOPE).data["scope"] == "final"

    with as_user("leader"):
        english = pages.briefs.layout(lang="en")
    assert "Monitoring briefs" in text(english) and "Province" in text(find(english, ids.BRIEF_TABLE))
