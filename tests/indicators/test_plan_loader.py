"""The plan loader accepts a well-formed plan and names file, entry and problem for a broken one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from indicators.model import Comparator, RegionLevel
from indicators.plan import PlanError, load_plan, parse_plan

MINIMAL: dict[str, Any] = {
    "plan": {
        "code": "demo",
        "document": "示例〔2021〕1号",
        "title": "示例规划",
        "issued": "2021-08-01",
        "baseline_year": 2020,
    },
    "regions": [
        {"code": "140000", "name": "山西省", "short_name": "山西", "level": "province"},
        {"code": "140100", "name": "太原市", "short_name": "太原", "level": "city", "parent": "140000"},
        {"code": "140105", "name": "小店区", "level": "county", "parent": "140100"},
        {"code": "ZGQ", "name": "山西综改示范区", "level": "zone", "parent": "140000"},
    ],
    "departments": [{"code": "industry_it", "name": "山西省工业和信息化厅", "short_name": "省工信厅"}],
    "domains": [{"code": "net", "name": "网", "title": "提升网络设施能力"}],
    "tasks": [
        {
            "code": "net-1",
            "domain": "net",
            "clause": "四(一)",
            "title": "夯实基础网络服务能力",
            "departments": ["industry_it"],
        }
    ],
    "indicators": [
        {
            "code": "base_stations_5g",
            "name": "5G基站数",
            "unit": "个",
            "frequency": "quarterly",
            "measure": "stock",
            "domain": "net",
            "department": "industry_it",
            "tasks": ["net-1"],
        }
    ],
    "targets": [
        {
            "indicator": "base_stations_5g",
            "region": "140000",
            "year": 2022,
            "value": 30000,
            "clause": "专栏1",
        },
        {"milestone": "network_ready", "region": "140000", "year": 2025, "clause": "三"},
    ],
}


def _broken(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is _APPEND:
        node[int(last) if last.isdigit() else last].append(copy.deepcopy(node[last][0]))
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


_APPEND = object()


def test_minimal_plan_loads_with_counties_zones_and_target_ids() -> None:
    plan = parse_plan(MINIMAL)
    assert plan.region("140105").level is RegionLevel.COUNTY
    assert not plan.region("ZGQ").summable
    target = plan.target("base_stations_5g@140000:2022")
    assert target.comparator is Comparator.GE and target.value == 30000.0
    assert plan.target("network_ready@140000:2025").is_milestone
    assert plan.task("net-1").lead == "industry_it"


@pytest.mark.parametrize(
    ("path", "value", "entry", "problem"),
    [
        ("regions", _APPEND, "regions[4] 140000", "duplicate code '140000'"),
        ("tasks.0.departments", ["industry_it", "nobody"], "tasks[0] net-1", "unknown department 'nobody'"),
        ("tasks.0.domain", "sky", "tasks[0] net-1", "unknown domain 'sky'"),
        (
            "targets.0.indicator",
            "unicorns",
            "targets[0] unicorns@140000:2022",
            "unknown indicator 'unicorns'",
        ),
        ("targets.0.region", "999999", "targets[0] base_stations_5g@999999:2022", "unknown region '999999'"),
        ("targets.0.comparator", "=>", "targets[0] base_stations_5g@140000:2022", "bad comparator '=>'"),
        ("targets.0.value", "三万", "targets[0] base_stations_5g@140000:2022", "needs a number"),
        ("indicators.0.measure", "pile", "indicators[0] base_stations_5g", "bad measure 'pile'"),
        ("indicators.0.tasks", ["net-9"], "indicators[0] base_stations_5g", "unknown task 'net-9'"),
        ("regions.1.parent", "150000", "regions[1] 140100", "unknown parent region '150000'"),
        ("regions.0.level", "city", "regions", "exactly one region must have level 'province'"),
    ],
)
def test_broken_plan_names_file_entry_and_problem(
    tmp_path: Path, path: str, value: Any, entry: str, problem: str
) -> None:
    import tomllib  # noqa: F401  (the file is written as TOML to exercise the real reader)

    plan_file = tmp_path / "broken.toml"
    plan_file.write_text(_to_toml(_broken(path, value)), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(plan_file)
    assert info.value.file == str(plan_file)
    assert info.value.entry == entry
    assert problem in info.value.problem
    assert str(plan_file) in str(info.value)


def test_missing_and_malformed_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="not found"):
        load_plan(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan\ncode = 1", encoding="utf-8")
    with pytest.raises(PlanError, match="not valid TOML"):
        load_plan(bad)


def _to_toml(data: dict[str, Any]) -> str:
    """A tiny TOML writer for the shapes used here (tables and arrays of flat tables)."""

    def scalar(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(scalar(x) for x in v) + "]"
        return '"' + str(v).replace('"', '\\"') + '"'

    out = []
    for key, value in data.items():
        rows = value if isinstance(value, list) else [value]
        for row in rows:
            out.append(f"[[{key}]]" if isinstance(value, list) else f"[{key}]")
            out.extend(f"{k} = {scalar(v)}" for k, v in row.items())
            out.append("")
    return "\n".join(out)
