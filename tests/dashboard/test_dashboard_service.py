"""The dashboard's reads (app.services series, periods, observations, templates) on both backends:
series with province sums, a city's YoY/QoQ/rank/share, provenance and history, upload scope,
template, period lists. Expectations computed by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

import pytest

from app.auth.policy import system_actor, upload_scope
from app.context import AppContext
from app.services import observations as obs_service
from app.services import periods as period_service
from app.services import series as series_service
from app.services import templates as template_service
from app.services import uploads
from indicators.plan import DEFAULT_PLAN, parse_plan
from tests.dashboard.conftest import USERS

ROWS = [
    # 5G基站数 (stock): 太原 and 大同
    ("5G基站数", "太原", "2024Q2", "100"),
    ("5G基站数", "太原", "2025Q1", "150"),
    ("5G基站数", "太原", "2025Q2", "160"),
    ("5G基站数", "大同", "2025Q2", "200"),
    # 软件和信息技术服务业收入 (flow, year-to-date): 太原
    ("软件和信息技术服务业收入", "太原", "2024Q2", "20"),
    ("软件和信息技术服务业收入", "太原", "2024Q3", "30"),
    ("软件和信息技术服务业收入", "太原", "2024Q4", "42"),
    ("软件和信息技术服务业收入", "太原", "2025Q1", "10"),
    ("软件和信息技术服务业收入", "太原", "2025Q2", "22"),
]


def publish(
    context: AppContext, folder: Path, rows: list[tuple[str, str, str, str]], *, reason: str | None = None
) -> int:
    path = folder / "upload.csv"
    path.write_text("指标,地区,时期,数值\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    staged = uploads.stage_upload(
        engine=context.engine, plan=context.plan, path=path, actor=system_actor("t")
    )
    assert staged.status == "staged", staged.errors
    uploads.publish_upload(
        engine=context.engine,
        upload_id=staged.upload_id or 0,
        actor=system_actor("t"),
        confirm_warnings=True,
        reason=reason,
    )
    return staged.upload_id or 0


@pytest.fixture
def loaded(empty_context: AppContext, tmp_path: Path) -> AppContext:
    publish(empty_context, tmp_path, ROWS)
    return empty_context


def by_code(context: AppContext, region: str, as_of: str) -> dict[str, dict[str, object]]:
    frame = series_service.region_indicators(
        engine=context.engine, plan=context.plan, region=region, as_of=as_of
    )
    return {row["indicator"]: row for row in frame.to_dict("records")}


def test_city_stock_changes_rank_and_share(loaded: AppContext) -> None:
    five_g = by_code(loaded, "140100", "2025Q2")["base_stations_5g"]
    assert five_g["period"] == "2025Q2" and five_g["value"] == 160
    assert five_g["yoy"] == pytest.approx(160 / 100 - 1)
    assert five_g["qoq"] == pytest.approx(160 / 150 - 1)
    assert (five_g["rank"], five_g["peers"]) == (2, 2)  # 大同 has 200
    assert five_g["share"] == pytest.approx(160 / 360)


@pytest.mark.parametrize(
    ("as_of", "yoy", "qoq"),
    [
        ("2025Q2", 22 / 20 - 1, (22 - 10) / 10 - 1),  # Q2 alone is 12; Q1 alone was 10
        ("2025Q1", None, 10 / (42 - 30) - 1),  # Q1 alone is 10; 2024Q4 alone was 12
    ],
)
def test_flow_qoq_compares_single_quarters(
    loaded: AppContext, as_of: str, yoy: float | None, qoq: float
) -> None:
    software = by_code(loaded, "140100", as_of)["software_revenue"]
    assert software["qoq"] == pytest.approx(qoq)
    if yoy is None:
        assert software["yoy"] != software["yoy"]  # NaN: no 2024Q1 value
    else:
        assert software["yoy"] == pytest.approx(yoy)


def test_province_series_is_the_sum_of_its_cities(loaded: AppContext) -> None:
    series = series_service.indicator_series(
        engine=loaded.engine, plan=loaded.plan, indicators=["base_stations_5g"]
    )
    province = series[(series["region"] == "140000") & (series["period"] == "2025Q2")].iloc[0]
    assert (province["value"], province["source"]) == (360.0, "city_sum")
    assert int(province["ordinal"]) == 2025 * 12 + 6


def test_indicators_without_values_are_listed_empty(loaded: AppContext) -> None:
    rows = by_code(loaded, "140100", "2025Q2")
    assert rows["smart_factories"]["value"] != rows["smart_factories"]["value"]  # NaN
    assert "computing_power" not in rows  # province-only indicator


def test_provenance_and_history(loaded: AppContext, tmp_path: Path) -> None:
    revision = publish(loaded, tmp_path, [("5G基站数", "太原", "2025Q2", "165")], reason="补报基站")
    rows = obs_service.provenance(engine=loaded.engine, indicator="base_stations_5g", region="140100")
    assert [(r["period"], r["value"], r["upload_id"]) for r in rows][-1] == ("2025Q2", 165.0, revision)
    history = obs_service.value_history(
        engine=loaded.engine, indicator="base_stations_5g", region="140100", period="2025Q2"
    )
    assert [(h["value"], h["reason"]) for h in history] == [(160.0, None), (165.0, "补报基站")]


def test_as_of_options_run_from_the_baseline_quarter(loaded: AppContext) -> None:
    options = period_service.as_of_options(engine=loaded.engine, plan=loaded.plan)
    assert options[0] == "2025Q2" and options[-1] == "2020Q4" and len(options) == 19


def test_no_options_without_data(empty_context: AppContext) -> None:
    assert period_service.as_of_options(engine=empty_context.engine, plan=empty_context.plan) == []


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 11, 29), ["2025Q4", "2025Q3"]),  # 2025Q3 closes 92 days after 30 Sep
        (dt.date(2026, 1, 1), ["2026Q1", "2025Q4"]),  # 2025Q3 closed on 31 Dec
    ],
)
def test_open_note_periods(today: dt.date, expected: list[str]) -> None:
    assert period_service.open_note_periods(today=today, edit_days=92) == expected


def test_upload_scope_limits_departments_only(empty_context: AppContext) -> None:
    plan = empty_context.plan
    scope = upload_scope(plan=plan, actor=USERS["department"])
    assert scope is not None and {"smart_factories", "data_annotation_firms"} <= scope
    energy = dataclasses.replace(USERS["department"], department="energy")
    # 省能源局 reports 智能化煤矿; supporting intel-2 (两化融合) and policy-01 (数据中心) as 配合 does not
    # make it the reporter of those tasks' indicators
    assert upload_scope(plan=plan, actor=energy) == {"smart_coal_mines"}
    assert upload_scope(plan=plan, actor=USERS["bureau"]) is None


def test_the_plan_can_let_another_department_report_an_indicator() -> None:
    """`also_reported_by = ["energy"]` on 数据中心终端电价 adds it to 省能源局's scope, and only there."""
    data = tomllib.loads(DEFAULT_PLAN.read_text(encoding="utf-8"))
    [price] = [i for i in data["indicators"] if i["code"] == "dc_power_price"]
    price["also_reported_by"] = ["energy"]
    plan = parse_plan(data)
    energy = dataclasses.replace(USERS["department"], department="energy")
    assert upload_scope(plan=plan, actor=energy) == {"smart_coal_mines", "dc_power_price"}
    assert "dc_power_price" not in (upload_scope(plan=plan, actor=USERS["department"]) or set())


def test_template_is_an_xlsx_named_for_its_period(empty_context: AppContext) -> None:
    workbook = template_service.template_workbook(
        plan=empty_context.plan, period="2025年第四季度", department="industry_it"
    )
    assert workbook.name == "数据上报模板_2025Q4_industry_it.xlsx"
    assert workbook.ascii_name == "template_2025Q4_industry_it.xlsx"
    assert workbook.content_disposition == (
        "attachment; filename=\"template_2025Q4_industry_it.xlsx\"; filename*=UTF-8''"
        "%E6%95%B0%E6%8D%AE%E4%B8%8A%E6%8A%A5%E6%A8%A1%E6%9D%BF_2025Q4_industry_it.xlsx"
    )
    assert workbook.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("period", "department", "code"),
    [
        ("2025Q5", None, "bad-period"),
        ("next quarter", None, "bad-period"),
        ("2025Q4", "nobody", "unknown-department"),
    ],
)
def test_a_template_the_plan_cannot_serve_is_refused(
    empty_context: AppContext, period: str, department: str | None, code: str
) -> None:
    with pytest.raises(template_service.TemplateError) as refused:
        template_service.template_workbook(plan=empty_context.plan, period=period, department=department)
    assert refused.value.code == code
