"""The award engine prices every rule form and cap of the 22 items from the policy's own numbers.

Each row of AWARDS carries its hand computation (万元) in `why`; the docstring of
`test_award_table` repeats the rule forms covered. History rows are the enterprise's earlier
awards in the ledger (item, award, year, amount, project, level, tier).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from indicators.ledger.engine import Claim, ClaimError, Prior, choose_award, fmt, quote
from indicators.ledger.rules import parse_awards
from indicators.model import Plan

D = Decimal


def P(
    item: int,
    award: str,
    year: int,
    amount: float,
    *,
    project: str | None = None,
    level: str | None = None,
    tier: float | None = None,
) -> Prior:  # noqa: E501
    return Prior(
        item, award, year, D(str(amount)), project, level, D(str(tier)) if tier is not None else None
    )


# (item, award, basis, history, project, year, expected, binding caps, why)
AWARDS: list[tuple[int, str, dict[str, Any], list[Prior], str | None, int, str, list[str], str]] = [
    (1, "green_dc", {}, [], "一号数据中心", 2024, "100", [], "fixed 100"),
    (
        1,
        "green_dc",
        {},
        [P(1, "green_dc", 2023, 100, project="一号数据中心")],
        "一号数据中心",
        2024,
        "0",
        [],
        "首次: same data centre paid 2023 → 0",
    ),
    (2, "infra_demo", {"investment": 1000}, [], "5G示范", 2024, "300", [], "1000 × 30% = 300"),
    (
        2,
        "infra_demo",
        {"investment": 2000},
        [],
        "5G示范",
        2024,
        "500",
        ["project"],
        "2000 × 30% = 600 → project cap 500",
    ),
    (3, "iiot_project", {"investment": 1200}, [], "二级节点", 2024, "360", [], "1200 × 30% = 360"),
    (4, "national_pilot", {"level": "demonstration"}, [], None, 2024, "100", [], "国家级试点示范 100"),
    (4, "national_pilot", {"level": "solution"}, [], None, 2024, "50", [], "优秀解决方案 50"),
    (
        5,
        "integration_demo",
        {"investment": 2000},
        [],
        None,
        2024,
        "500",
        ["rule"],
        "2000 × 30% = 600 → 最高 500",
    ),
    (6, "smart_manufacturing", {"level": "national_benchmark"}, [], None, 2024, "300", [], "国家标杆 300"),
    (
        6,
        "smart_manufacturing",
        {"level": "national_benchmark"},
        [P(6, "smart_manufacturing", 2023, 300, level="national_benchmark")],
        None,
        2024,
        "0",
        [],
        "same title 2023 → 0",
    ),
    (
        6,
        "smart_manufacturing",
        {"level": "national_benchmark"},
        [P(6, "smart_manufacturing", 2023, 50, level="provincial_demonstration")],
        None,
        2024,
        "300",
        [],
        "other title 2023 does not count: 300",
    ),
    (6, "diagnosis", {"cost": 35}, [], None, 2024, "20", ["rule"], "35 × 100% = 35 → 不超过 20"),
    (6, "diagnosis", {"cost": 12}, [], None, 2024, "12", [], "12 × 100% = 12"),
    (
        7,
        "innovation_product",
        {"investment": 1000},
        [P(7, "innovation_product", 2023, 300, project="工业App")],
        "工业App",
        2024,
        "0",
        [],
        "once per project",
    ),
    (
        7,
        "innovation_product",
        {"investment": 1000},
        [P(7, "innovation_product", 2023, 300, project="工业App")],
        "新系统",
        2024,
        "300",
        [],
        "another project: 1000 × 30% = 300",
    ),
    (8, "ai_data_fund", {"amount": 800}, [], None, 2024, "800", [], "一事一议 800"),
    (
        9,
        "top_enterprise_landing",
        {"amount": 1200},
        [],
        None,
        2024,
        "1000",
        ["rule"],
        "1200 → range max 1000",
    ),
    (9, "top_enterprise_landing", {"amount": 600}, [], None, 2024, "600", [], "600 within 200–1000"),
    (
        10,
        "electronics_revenue",
        {"revenue": 55000, "previous_revenue": 12000},
        [],
        None,
        2025,
        "800",
        ["rule"],
        "5亿 tier 300 (1亿 reached last year) + 43000 × 3% = 1290 → 500: 800",
    ),
    (
        10,
        "electronics_revenue",
        {"revenue": 9500, "previous_revenue": 8000},
        [],
        None,
        2025,
        "0",
        [],
        "below 1亿: no tier; increment needs 1亿以上",
    ),
    (
        10,
        "electronics_revenue",
        {"revenue": 10500, "previous_revenue": 9000},
        [],
        None,
        2025,
        "145",
        [],
        "1亿 tier 100 + 1500 × 3% = 45 (growth 16.7%): 145",
    ),
    (
        10,
        "electronics_revenue",
        {"revenue": 10900, "previous_revenue": 10000},
        [],
        None,
        2025,
        "0",
        [],
        "1亿 reached before; growth 9% < 10%",
    ),
    (
        10,
        "electronics_revenue",
        {"revenue": 22000, "previous_revenue": 20000},
        [],
        None,
        2025,
        "60",
        [],
        "growth exactly 10% (以上 includes it): 2000 × 3% = 60",
    ),
    (
        10,
        "electronics_revenue",
        {"revenue": 120000, "previous_revenue": 8000},
        [],
        None,
        2025,
        "1000",
        ["rule"],
        "jump to 10亿: highest tier 500 + 112000 × 3% = 3360 → 500: 1000",
    ),
    (
        10,
        "electronics_revenue",
        {"revenue": 60000, "previous_revenue": 40000},
        [P(10, "electronics_revenue", 2024, 300, tier=50000)],
        None,
        2025,
        "500",
        ["rule"],
        "5亿 tier paid in 2024 (history): tier 0; 20000 × 3% = 600 → 500",
    ),
    (
        10,
        "electronics_revenue",
        {"revenue": 55000, "previous_revenue": 12000},
        [P(10, "electronics_revenue", 2025, 800, tier=50000)],
        None,
        2025,
        "0",
        ["rule"],
        "每年一次: 2025 already claimed",
    ),
    (
        12,
        "startup_rent",
        {"area": 200, "rent": 10},
        [P(12, "startup_rent", 2024, 10)],
        None,
        2024,
        "0",
        [],
        "按年: a second 2024 claim pays 0",
    ),
    (11, "top100_entry", {"level": "software"}, [], None, 2024, "200", [], "软件百强 200"),
    (
        11,
        "top100_entry",
        {"level": "software"},
        [P(11, "top100_entry", 2022, 200, level="software")],
        None,
        2024,
        "0",
        [],
        "首次: software list 2022",
    ),
    (
        11,
        "big_data_revenue",
        {"revenue": 25000, "previous_revenue": 15000},
        [],
        None,
        2024,
        "200",
        [],
        "2亿 first (1亿 last year): 200",
    ),
    (
        11,
        "big_data_revenue",
        {"revenue": 25000},
        [P(11, "big_data_revenue", 2023, 200, tier=20000)],
        None,
        2024,
        "0",
        [],
        "2亿 tier paid 2023: nothing new",
    ),
    (
        11,
        "big_data_revenue",
        {"revenue": 52000, "previous_revenue": 9000},
        [],
        None,
        2024,
        "500",
        [],
        "jump past 1/2/3亿 to 5亿: highest 500 only",
    ),
    (
        12,
        "startup_rent",
        {"area": 800, "rent": 60},
        [],
        None,
        2024,
        "41.25",
        [],
        "(300 × 100% + 500 × 50%) / 800 × 60 = 41.25",
    ),
    (12, "startup_rent", {"area": 200, "rent": 10}, [], None, 2024, "10", [], "200 ㎡ all within 300: 10"),
    (
        12,
        "startup_rent",
        {"area": 1500, "rent": 150},
        [],
        None,
        2024,
        "65",
        [],
        "(300 + 700 × 50%) / 1500 × 150 = 650/1500 × 150 = 65",
    ),
    (
        12,
        "startup_rent",
        {"area": 200, "rent": 10},
        [P(12, "startup_rent", y, 10) for y in (2021, 2022, 2023)],
        None,
        2024,
        "0",
        [],
        "4th year: 补贴期不超过3年",
    ),
    (
        12,
        "startup_rent",
        {"area": 200, "rent": 10},
        [P(12, "startup_rent", y, 10) for y in (2022, 2023)],
        None,
        2024,
        "10",
        [],
        "3rd year still paid",
    ),
    (13, "loan_interest", {"new_loan": 4000}, [], None, 2024, "200", [], "4000 × 5% = 200"),
    (
        13,
        "loan_interest",
        {"new_loan": 12000},
        [],
        None,
        2024,
        "500",
        ["enterprise_year"],
        "12000 × 5% = 600 → 每户每年 500",
    ),
    (13, "loan_interest", {"new_loan": 150}, [], None, 2024, "0", [], "new loans below 200: condition fails"),
    (13, "angel_investment", {"investment": 1500}, [], None, 2024, "100", ["rule"], "1500 × 10% = 150 → 100"),
    (
        14,
        "out_of_province_contract",
        {"contract": 6000, "completed": 6000},
        [],
        "甲合同",
        2024,
        "180",
        [],
        "6000 × 3% = 180",
    ),
    (
        14,
        "out_of_province_contract",
        {"contract": 5000, "completed": 5000},
        [P(14, "out_of_province_contract", 2024, 180, project="甲合同")],
        "乙合同",
        2024,
        "120",
        ["enterprise_year"],
        "5000 × 3% = 150; year cap 300 − 180 = 120",
    ),
    (
        14,
        "out_of_province_contract",
        {"contract": 8000, "completed": 8000},
        [],
        "丙合同",
        2024,
        "200",
        ["project"],
        "8000 × 3% = 240 → project 200",
    ),
    (
        14,
        "out_of_province_contract",
        {"contract": 250, "completed": 250},
        [],
        "小合同",
        2024,
        "0",
        [],
        "contract below 300: no award",
    ),
    (
        14,
        "exhibition",
        {"booth_fee": 15},
        [],
        None,
        2024,
        "10",
        ["enterprise_year"],
        "15 × 80% = 12 → 每家每年 10",
    ),
    (
        15,
        "maturity_certification",
        {"scheme": "CMMI", "level": "5", "previous_level": "3"},
        [],
        None,
        2024,
        "20",
        [],
        "CMMI 3→5: 30 − 10 = 20",
    ),
    (
        15,
        "maturity_certification",
        {"scheme": "ITSS", "level": "3"},
        [],
        None,
        2024,
        "10",
        [],
        "ITSS 三级 first: 10",
    ),
    (
        15,
        "maturity_certification",
        {"scheme": "ITSS", "level": "1"},
        [P(15, "maturity_certification", 2022, 10, level="ITSS:3")],
        None,
        2024,
        "20",
        [],
        "ITSS 三级 (10, history) → 一级 (30): 20",
    ),
    (
        15,
        "maturity_certification",
        {"scheme": "DCMM", "level": "4"},
        [P(15, "maturity_certification", 2022, 30, level="DCMM:5")],
        None,
        2024,
        "0",
        [],
        "DCMM 5 held: 4 pays nothing",
    ),
    (
        15,
        "maturity_certification",
        {"scheme": "DCMM", "level": "3"},
        [P(15, "maturity_certification", 2022, 30, level="CMMI:5")],
        None,
        2024,
        "10",
        [],
        "another scheme does not count: DCMM 3 = 10",
    ),
    (16, "standards", {"level": "international"}, [], "ISO/IEC 1", 2024, "50", [], "国际标准 50"),
    (16, "standards", {"level": "local"}, [], "DB14/T 1", 2024, "10", [], "地方标准 10"),
    (
        17,
        "innovation_platform",
        {"level": "national_center"},
        [],
        None,
        2024,
        "500",
        [],
        "国家工程研究中心 500",
    ),
    (17, "innovation_platform", {"level": "ip_advantage"}, [], None, 2024, "20", [], "知识产权优势企业 20"),
    (18, "base_operation_service", {"service_fee": 300}, [], None, 2024, "150", [], "300 × 50% = 150"),
    (
        18,
        "base_operation_service",
        {"service_fee": 300},
        [P(18, "base_operation_service", 2024, 150)],
        None,
        2024,
        "50",
        ["enterprise_year"],
        "150 more; 200 − 150 = 50 left",
    ),
    (
        19,
        "platform_construction",
        {"construction_cost": 1200},
        [],
        "测评平台",
        2024,
        "500",
        ["rule"],
        "1200 × 50% = 600 → 500",
    ),
    (
        19,
        "platform_operation",
        {"operating_cost": 300},
        [],
        "测评平台",
        2024,
        "100",
        ["project_year"],
        "300 × 50% = 150 → 每个平台每年 100",
    ),
    (
        19,
        "platform_operation",
        {"operating_cost": 300},
        [P(19, "platform_operation", 2023, 100, project="测评平台")],
        "测评平台",
        2024,
        "100",
        ["project_year"],
        "last year does not count against this year's 100",
    ),
    (19, "shared_service_consortium", {"amount": 600}, [], None, 2024, "500", ["rule"], "600 → 每个最高 500"),
    (20, "industry_event", {"event_cost": 80}, [], None, 2024, "40", [], "80 × 50% = 40"),
    (20, "industry_event", {"event_cost": 150}, [], None, 2024, "50", ["award"], "150 × 50% = 75 → 每场 50"),
    (21, "public_training", {"training_cost": 30}, [], None, 2024, "15", [], "30 × 50% = 15, no cap"),
    (
        21,
        "training_base",
        {"construction_cost": 2000},
        [],
        None,
        2024,
        "500",
        ["rule"],
        "2000 × 30% = 600 → 500",
    ),
    (
        22,
        "key_talent_salary",
        {"persons": 5, "amount_per_person": 2, "salary_multiple": 3.5},
        [],
        None,
        2024,
        "10",
        [],
        "5 × 2 = 10",
    ),
    (
        22,
        "key_talent_salary",
        {"persons": 5, "amount_per_person": 2, "salary_multiple": 2.5},
        [],
        None,
        2024,
        "0",
        [],
        "salary below 3× average: 0",
    ),
    (
        22,
        "key_talent_training",
        {"cost": 50, "person_times": 3},
        [],
        None,
        2024,
        "25",
        [],
        "50 × 50% = 25 ≤ 10 × 3",
    ),
    (
        22,
        "key_talent_training",
        {"cost": 80, "person_times": 2},
        [],
        None,
        2024,
        "20",
        ["award"],
        "80 × 50% = 40 → 10 × 2 = 20",
    ),
    (22, "graduate_innovation_center", {"level": "excellent"}, [], None, 2024, "50", [], "首次优秀 50"),
]


@pytest.mark.parametrize(
    ("item", "award", "basis", "history", "project", "year", "expected", "binding", "why"),
    AWARDS,
    ids=[f"{row[0]}-{row[1]}-{i}" for i, row in enumerate(AWARDS)],
)
def test_award_table(
    plan: Plan,
    item: int,
    award: str,
    basis: dict[str, Any],
    history: list[Prior],
    project: str | None,
    year: int,
    expected: str,
    binding: list[str],
    why: str,
) -> None:  # noqa: E501
    """Fixed by level, rate × base with caps, tiers once (jumps pay the highest), increments with
    conditions, banded rent, per-person ranges, ranges, 一事一议, caps per award, project,
    project-year and enterprise-year, 首次 by enterprise/level/project, upgrades paying the
    difference and the 3-year limit; the expected amount is the `why` computation."""
    result = quote(
        plan.incentive(item),
        Claim(item, award, year, {k: str(v) for k, v in basis.items()}, project),
        history,
    )
    assert fmt(result.amount) == expected, (why, result.explanation_zh)
    assert list(result.binding_caps) == binding, result.explanation_zh


def test_every_item_has_a_case(plan: Plan) -> None:
    assert {row[0] for row in AWARDS} == set(range(1, 23))
    awards = {(i.item, a.code) for i in plan.incentives for a in i.awards}
    assert {(row[0], row[1]) for row in AWARDS} == awards


def test_the_explanation_names_rule_and_caps(plan: Plan) -> None:
    """第10条 1.2亿 → 5.5亿: tier 300, increment 1290 capped to 500; gross before caps 300 + 1290 = 1590."""
    result = quote(
        plan.incentive(10),
        Claim(10, "electronics_revenue", 2025, {"revenue": "55000", "previous_revenue": "12000"}),
    )
    assert "首次达到50000万元档（300万元）" in result.explanation_zh
    assert "43000万元 × 3% = 1290万元" in result.explanation_zh
    assert "由1290万元降至500万元" in result.explanation_zh
    assert result.rule_zh == "若干政策 第10条 电子信息制造企业营业收入奖补：首次达到档次奖补 + 收入增量3%奖励"
    assert result.gross == D("1590") and result.tier == D("50000")
    data = result.as_dict()
    assert data["amount"] == 800.0 and data["caps"][0]["limit"] == 500.0 and data["caps"][0]["bound"]
    assert "lowered to 500" in result.explanation_en


def test_second_contract_stops_at_the_enterprise_year_cap(plan: Plan) -> None:
    """第14条: 180 paid; a second 150 leaves 300 − 180 = 120; a third gets 0."""
    incentive = plan.incentive(14)
    basis = {"contract": "5000", "completed": "5000"}
    history = [
        P(14, "out_of_province_contract", 2024, 180, project="甲"),
        P(14, "out_of_province_contract", 2024, 120, project="乙"),
    ]
    result = quote(incentive, Claim(14, "out_of_province_contract", 2024, basis, "丙"), history)
    assert result.amount == 0 and result.binding_caps == ("enterprise_year",)
    assert "此前已获300万元，尚余0万元" in result.explanation_zh
    next_year = quote(incentive, Claim(14, "out_of_province_contract", 2025, basis, "丙"), history)
    assert next_year.amount == 150


@pytest.mark.parametrize(
    ("item", "award", "basis", "code"),
    [
        (10, "electronics_revenue", {"revenue": "55000"}, "missing-basis"),
        (10, "electronics_revenue", {"revenue": "-5", "previous_revenue": "1"}, "negative"),
        (10, "electronics_revenue", {"revenue": "五亿", "previous_revenue": "1"}, "not-a-number"),
        (10, "electronics_revenue", {"revenue": "nan", "previous_revenue": "1"}, "negative"),
        (10, "electronics_revenue", {"revenue": "1e30", "previous_revenue": "1"}, "too-large"),
        (10, "electronics_revenue", {"revenue": "1", "previous_revenue": "1", "staff": "3"}, "unknown-basis"),
        (15, "maturity_certification", {"scheme": "ISO", "level": "3"}, "bad-level"),
        (15, "maturity_certification", {"scheme": "CMMI", "level": "2"}, "bad-level"),
        (9, "top_enterprise_landing", {"amount": "150"}, "out-of-range"),
        (
            22,
            "key_talent_salary",
            {"persons": "2", "amount_per_person": "4", "salary_multiple": "3"},
            "out-of-range",
        ),
    ],
)
def test_bad_basis_is_refused_in_chinese(
    plan: Plan, item: int, award: str, basis: dict[str, str], code: str
) -> None:
    with pytest.raises(ClaimError) as caught:
        quote(plan.incentive(item), Claim(item, award, 2024, basis))
    assert caught.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message_zh)


def test_the_award_is_inferred_from_the_basis_keys(plan: Plan) -> None:
    incentive = plan.incentive(14)
    assert choose_award(incentive, None, {"booth_fee"}).code == "exhibition"
    assert choose_award(incentive, None, {"contract", "completed"}).code == "out_of_province_contract"
    with pytest.raises(ClaimError) as caught:
        choose_award(incentive, None, set())
    assert caught.value.code == "award-required"
    with pytest.raises(ClaimError):
        choose_award(incentive, "nope", set())
    assert choose_award(plan.incentive(10), None, set()).code == "electronics_revenue"


def test_an_enterprise_year_cap_over_the_whole_item() -> None:
    """A cap with `over = "item"` counts every award of the item: 80 (award a) already this year,
    so award b's 50 × 100% = 50 stops at 100 − 80 = 20; last year's 80 does not count."""
    raw = [
        {
            "code": "a",
            "name": "甲",
            "clause": "x",
            "basis": [{"key": "cost", "name": "费用"}],
            "rules": [{"form": "rate", "name": "r", "base": "cost", "rate": 1}],
        },
        {
            "code": "b",
            "name": "乙",
            "clause": "x",
            "basis": [{"key": "cost", "name": "费用"}],
            "rules": [{"form": "rate", "name": "r", "base": "cost", "rate": 1}],
            "caps": [
                {"scope": "enterprise_year", "amount": 100, "over": "item", "text": "每家每年合计100万元"}
            ],
        },
    ]
    incentive = parse_awards("policy-30", "第30条", raw, "tasks[0] policy-30")
    same_year = quote(incentive, Claim(30, "b", 2025, {"cost": "50"}), [P(30, "a", 2025, 80)])
    assert same_year.amount == 20 and same_year.binding_caps == ("enterprise_year",)
    assert quote(incentive, Claim(30, "b", 2025, {"cost": "50"}), [P(30, "a", 2024, 80)]).amount == 50
