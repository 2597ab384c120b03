"""The header and the briefs name the plan's own province and document: a second province's plan
file brings its own name, with no code changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.briefs.compose import brief_title, final_title
from app.config import Settings
from app.context import AppContext
from app.main import build_context
from app.services.synthetic import SyntheticSpec, plan_toml, synthetic_plan
from dashboard.app import create_dash
from dashboard.layout import navbar
from tests.dashboard.conftest import text


def header_text(context: AppContext, lang: str) -> str:
    app = create_dash(context)
    with app.server.test_request_context("/"):
        return text(navbar("overview", lang=lang, user=None, path="/", query={}))  # type: ignore[arg-type]


@pytest.fixture
def other_province(tmp_path: Path) -> AppContext:
    data, _ = synthetic_plan(SyntheticSpec(regions=20, indicators=3, periods=4))
    path = tmp_path / "plan.toml"
    path.write_text(plan_toml(data), encoding="utf-8")
    return build_context(Settings(database_url=f"duckdb:///{tmp_path / 'dem.duckdb'}", plan=path))


def test_the_shanxi_plan_shows_its_name_and_document_number(sample_context: AppContext) -> None:
    assert "山西省数字经济发展监测" in header_text(sample_context, "zh")
    assert "晋政发〔2021〕25号" in header_text(sample_context, "zh")
    english = header_text(sample_context, "en")
    assert "Shanxi Digital Economy Monitor" in english and "Jinzhengfa [2021] No. 25" in english


def test_another_provinces_plan_shows_its_own_name_in_the_header_and_the_briefs(
    other_province: AppContext,
) -> None:
    plan = other_province.plan
    province = plan.province.name
    assert province != "山西省"
    header = header_text(other_province, "zh")
    assert f"{province}数字经济发展监测" in header and plan.document in header
    assert "山西" not in header and "晋政发" not in header
    english = header_text(other_province, "en")
    assert plan.document in english  # no English number in its plan file: the document's own
    assert "Shanxi" not in english
    assert brief_title(plan) == f"{province}数字经济发展监测简报"
    assert final_title(plan) == f"{province}数字经济发展规划终期评估报告"
