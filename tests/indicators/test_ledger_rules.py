"""The plan's award rules load, and a broken rule fails with file, entry and problem."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from typing import Any

import pytest

from indicators.ledger.rules import CapScope, Form, Once
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN, PlanError, parse_plan


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    with DEFAULT_PLAN.open("rb") as fh:
        return tomllib.load(fh)


def test_all_22_items_carry_rules(plan: Plan) -> None:
    assert [i.item for i in plan.incentives] == list(range(1, 23))
    assert all(i.task == f"policy-{i.item:02d}" for i in plan.incentives)
    forms = {r.form for i in plan.incentives for a in i.awards for r in a.rules}
    assert forms == set(Form)
    scopes = {c.scope for i in plan.incentives for a in i.awards for c in a.caps} | {"rule"}
    assert scopes >= {CapScope.AWARD, CapScope.PROJECT, CapScope.PROJECT_YEAR, CapScope.ENTERPRISE_YEAR}


def test_the_policy_numbers_are_encoded(plan: Plan) -> None:
    """Spot checks against the text: 第10条 tiers 1/5/10亿 → 100/300/500; 第14条 caps 200, 300; 第15条."""
    tiers = plan.incentive(10).awards[0].rules[0].tiers
    assert [(t.threshold, t.amount) for t in tiers] == [(10000, 100), (50000, 300), (100000, 500)]
    increment = plan.incentive(10).awards[0].rules[1]
    assert increment.rate == Decimal("0.03") and increment.cap == 500
    contract = plan.incentive(14).award("out_of_province_contract")
    assert [(c.scope, c.amount) for c in contract.caps] == [
        (CapScope.PROJECT, 200),
        (CapScope.ENTERPRISE_YEAR, 300),
    ]
    levels = plan.incentive(15).awards[0].rules[0].levels
    assert levels["ITSS:1"] == 30 and levels["ITSS:3"] == 10 and levels["CMMI:5"] == 30
    assert (
        plan.incentive(12).awards[0].max_years == 3
        and plan.incentive(13).award("loan_interest").max_years == 3
    )
    assert plan.incentive(1).awards[0].once is Once.PROJECT


def _break(raw: dict[str, Any], task: str, change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    entry = next(t for t in data["tasks"] if t["code"] == task)
    change(entry)
    return data


@pytest.mark.parametrize(
    ("task", "change", "entry", "problem"),
    [
        (
            "policy-02",
            lambda t: t["awards"][0]["rules"][0].update(base="budget"),
            "tasks[",
            "names basis key 'budget'",
        ),
        (
            "policy-02",
            lambda t: t["awards"][0]["rules"][0].update(rate=1.5),
            "awards[0] infra_demo rules[0]",
            "rate",
        ),
        (
            "policy-02",
            lambda t: t["awards"][0]["rules"][0].update(form="lottery"),
            "rules[0]",
            "bad form 'lottery'",
        ),
        ("policy-02", lambda t: t["awards"][0]["caps"][0].update(scope="galaxy"), "caps[0]", "bad scope"),
        ("policy-02", lambda t: t["awards"][0]["caps"][0].update(amount=-5), "caps[0]", "positive number"),
        (
            "policy-10",
            lambda t: t["awards"][0]["rules"][0]["tiers"].reverse(),
            "rules[0]",
            "tier thresholds must rise",
        ),
        (
            "policy-04",
            lambda t: t["awards"][0]["rules"][0]["levels"].update(regional=5),
            "rules[0]",
            "['regional'] are not choices",
        ),
        ("policy-12", lambda t: t["awards"][0].update(max_years=0), "startup_rent", "max_years"),
        (
            "policy-09",
            lambda t: t["awards"][0]["rules"][0].update(minimum=2000),
            "rules[0]",
            "'minimum' exceeds 'maximum'",
        ),
        (
            "policy-14",
            lambda t: t["awards"][1].update(code="out_of_province_contract"),
            "tasks[",
            "duplicate award code",
        ),
        (
            "policy-13",
            lambda t: t["awards"][0]["rules"][0]["conditions"][0].update(op="~"),
            "conditions[0]",
            "bad op",
        ),
        (
            "policy-15",
            lambda t: t["awards"][0]["rules"][0].update(group_key="level"),
            "rules[0]",
            "levels.CMMI",
        ),
        ("policy-01", lambda t: t["awards"][0].pop("rules"), "green_dc", "needs at least one rule"),
        ("policy-01", lambda t: t["awards"][0].update(once="twice"), "green_dc", "bad once"),
    ],
)
def test_a_broken_rule_names_file_entry_and_problem(
    raw: dict[str, Any], task: str, change: Any, entry: str, problem: str
) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(_break(raw, task, change), file="shanxi.toml")
    assert caught.value.file == "shanxi.toml"
    assert task in caught.value.entry and entry in caught.value.entry, caught.value.entry
    assert problem in caught.value.problem, caught.value.problem


def test_only_policy_tasks_carry_awards(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    policy = next(t for t in data["tasks"] if t["code"] == "policy-02")
    next(t for t in data["tasks"] if t["code"] == "net-1")["awards"] = policy["awards"]
    with pytest.raises(PlanError, match="only policy tasks"):
        parse_plan(data, file="x.toml")
