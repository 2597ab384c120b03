"""How a brief is named and typed when it is downloaded (RFC 6266 with RFC 5987's UTF-8 name)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.services.brief_downloads import (
    FILE_URL,
    ascii_name,
    content_disposition,
    download_name,
    file_url,
    media_type,
)
from app.services.briefs import BriefRecord


def record(title: str, fmt: str = "docx", period: str = "2025Q3") -> BriefRecord:
    return BriefRecord(
        id=12,
        scope="province",
        period=period,
        format=fmt,
        path="/tmp/brief.docx",
        sha256="0" * 64,
        data_version=7,
        published_on=None,
        created_by="lingdao",
        created_at=dt.datetime(2025, 10, 20, 8, 0),
        title=title,
        reproduces=None,
    )


@pytest.mark.parametrize(
    ("title", "fmt", "name"),
    [
        (
            "山西省数字经济发展监测简报（2025年第三季度）",
            "docx",
            "山西省数字经济发展监测简报（2025年第三季度）-12.docx",
        ),
        ("省工信厅/监测:简报", "xlsx", "省工信厅-监测-简报-12.xlsx"),  # / and : cannot be in a file name
        ("", "pdf", "brief-12.pdf"),
    ],
)
def test_the_download_name_is_the_title_and_the_id(title: str, fmt: str, name: str) -> None:
    assert download_name(record(title, fmt)) == name


def test_the_header_carries_an_ascii_name_and_the_percent_encoded_chinese_one() -> None:
    # 简 = E7 AE 80, 报 = E6 8A A5 in UTF-8; the space-free title needs no other escapes
    header = content_disposition(record("简报"))
    assert (
        header == "attachment; filename=\"brief-12-2025Q3.docx\"; filename*=UTF-8''%E7%AE%80%E6%8A%A5-12.docx"
    )
    assert ascii_name(record("简报", period="2025")) == "brief-12-2025.docx"


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_each_format_has_its_content_type(fmt: str, kind: str) -> None:
    assert media_type(record("简报", fmt)) == kind


def test_the_scheduled_formats_are_checked_when_the_settings_are_read() -> None:
    assert Settings(brief_formats=" DOCX, pdf,docx").brief_format_list == ["docx", "pdf"]
    with pytest.raises(ValidationError, match="未知格式"):
        Settings(brief_formats="docx,doc")


def test_the_dashboards_download_link_is_the_apis_download_route() -> None:
    from app.api import API_PREFIX
    from app.api.routes.briefs import router

    assert FILE_URL.removeprefix(API_PREFIX) in {route.path for route in router.routes}  # type: ignore[attr-defined]
    assert file_url(7) == "/api/v1/briefs/7/file"
