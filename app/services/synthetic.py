"""Synthetic data at any scale: a plan and the uploads a bureau would send, deterministic by seed.

National scale (every county, about 2,900 regions × 100 indicators × 40 quarters ≈ 12M values) is
what the benchmarks and the scale tests need, and no real data set of that size may be shipped. So
this writes one: a plan file (province → cities → counties, a target for every province-level
indicator, or for every region with `targets="all"`) and the files a statistics bureau uploads:

- a long CSV (指标, 地区, 时期, 数值, 单位) of every period but the last, written period by period so
  that 12M rows never sit in memory at once;
- a wide XLSX of the last period (regions down, one sheet per reporting department, indicators across
  with the unit in the header, the period in the title row), the quarterly workbook.

The files contain only what a bureau would write: Chinese region and indicator names, periods like
2024年第三季度, numbers with two decimals; never internal codes. Counties add up exactly (to the cent)
to their city and cities to the province, unless `noise` asks for reported city figures that differ a
little from their counties' sum (and `missing` leaves some city and province values out), which the
progress benchmark uses to exercise the engine's aggregation and inconsistency flags.

Same spec and seed → byte-identical files (the XLSX carries a fixed creation date). The values are
also available as a frame (`synthetic_values`) for loading straight into a store in benchmarks.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from indicators.model import Plan
from indicators.plan import parse_plan

MAX_CITIES = 99  # two digits of the administrative code
MAX_COUNTIES_PER_CITY = 99
MAX_REGIONS = 1 + MAX_CITIES + MAX_CITIES * MAX_COUNTIES_PER_CITY
FIRST_YEAR = 2020
PROVINCE_CODE = "710000"  # a code no real plan here uses; names below are invented too
XLSX_CREATED = dt.datetime(2026, 1, 1)  # fixed, so that the same seed gives the same bytes
SEASONS = np.array([0.8, 0.95, 1.05, 1.2])  # quarterly shape of flows
QUARTER_NAMES = ("一", "二", "三", "四")
CSV_HEADER = ("指标", "地区", "时期", "数值", "单位")

# Two-character stems for place names: every region gets a distinct stem, so full and short names
# are unambiguous (a county is never mistaken for a city).
_STEM_CHARS = (
    "安平宁远昌兴和乐永丰长清新华临德广泰定武顺阳明东西南北中山河川江湖云海林石金玉"
    "龙凤鹤松柏桃柳梅兰嘉福寿康盛富荣晋原泽凤城台沙岭峰溪湾川益通宜"
)
_SUBJECTS = (
    ("数字经济核心产业", "core"), ("电子信息制造业", "electronics"), ("软件和信息技术服务业", "software"),
    ("互联网和相关服务业", "internet"), ("电信业务", "telecom"), ("大数据产业", "bigdata"),
    ("工业互联网", "iiot"), ("人工智能产业", "ai"), ("集成电路产业", "ic"), ("数据中心", "datacenter"),
    ("信息安全产业", "security"), ("智能制造", "smartmfg"), ("电子商务", "ecommerce"),
)  # fmt: skip
# (metric, code, unit, measure, polarity)
_METRICS = (
    ("营业收入", "revenue", "亿元", "flow", "higher"),
    ("利润总额", "profit", "亿元", "flow", "higher"),
    ("企业数", "firms", "家", "stock", "higher"),
    ("从业人员", "employees", "万人", "stock", "higher"),
    ("研发投入", "rnd", "亿元", "flow", "higher"),
    ("固定资产投资", "investment", "亿元", "flow", "higher"),
    ("出口额", "exports", "亿元", "flow", "higher"),
    ("增加值占比", "share", "%", "rate", "higher"),
    ("单位产值能耗", "energy", "吨标准煤/万元", "rate", "lower"),
)
_DEPARTMENTS = (
    ("stats", "省统计局", "统计局"), ("industry", "省工业和信息化厅", "工信厅"),
    ("comms", "省通信管理局", "通信管理局"), ("development", "省发展和改革委员会", "发展改革委"),
)  # fmt: skip
_DOMAINS = (("net", "网"), ("intel", "智"), ("data", "数"), ("device", "器"), ("chip", "芯"))


@dataclass(frozen=True)
class SyntheticSpec:
    """What to generate: sizes, seed, which targets, and how far cities stray from their counties."""

    regions: int = 2_900
    indicators: int = 100
    periods: int = 40  # quarters from FIRST_YEAR Q1
    seed: int = 20210801
    targets: str = "province"  # "province": every province-level indicator; "all": every region too
    noise: float = 0.0  # relative noise of a city's reported value against its counties' sum
    missing: float = 0.0  # share of city and province values left out

    def check(self) -> None:
        """Refuse sizes the administrative codes or the name pools cannot carry."""
        if not 2 <= self.regions <= MAX_REGIONS:
            raise ValueError(f"地区数应在 2 到 {MAX_REGIONS} 之间 regions must be 2..{MAX_REGIONS}")
        if not 1 <= self.indicators <= len(_SUBJECTS) * len(_METRICS):
            raise ValueError(f"指标数应在 1 到 {len(_SUBJECTS) * len(_METRICS)} 之间 indicators out of range")
        if not 2 <= self.periods <= 400:
            raise ValueError("时期数应在 2 到 400 之间 periods must be 2..400")
        if self.targets not in ("province", "all"):
            raise ValueError("targets must be 'province' or 'all'")

    @property
    def values(self) -> int:
        """Values before any are left out: regions × indicators × periods."""
        return self.regions * self.indicators * self.periods


@dataclass(frozen=True)
class SyntheticSet:
    """The files written and what they hold."""

    plan_path: Path
    csv_path: Path
    xlsx_path: Path
    values: int
    targets: int


# ------------------------------------------------------------------------------------ the plan


def _layout(regions: int) -> list[int]:
    """Counties per city: about √N cities, the counties spread evenly over them."""
    cities = min(MAX_CITIES, max(1, round(math.sqrt(regions - 1))))
    while cities * (MAX_COUNTIES_PER_CITY + 1) < regions - 1:
        cities += 1
    counties = regions - 1 - cities
    return [counties // cities + (1 if c < counties % cities else 0) for c in range(cities)]


def _stems(rng: np.random.Generator, n: int) -> list[str]:
    chars = list(dict.fromkeys(_STEM_CHARS))
    pairs = [a + b for a in chars for b in chars if a != b]
    order = rng.permutation(len(pairs))[:n]
    return [pairs[i] for i in order]


def plan_data(spec: SyntheticSpec) -> dict[str, Any]:
    """The plan as the TOML file holds it (tables of dicts), derived from the spec and its seed."""
    spec.check()
    rng = np.random.default_rng(spec.seed)
    layout = _layout(spec.regions)
    stems = _stems(rng, spec.regions)
    province = {
        "code": PROVINCE_CODE, "name": f"{stems[0]}省", "short_name": stems[0], "level": "province",
        "aliases": ["全省", "合计"],
    }  # fmt: skip
    regions: list[dict[str, Any]] = [province]
    k = 1
    for c, counties in enumerate(layout, start=1):
        city = f"{PROVINCE_CODE[:2]}{c:02d}00"
        regions.append(
            {"code": city, "name": f"{stems[k]}市", "short_name": stems[k], "level": "city",
             "parent": PROVINCE_CODE}
        )  # fmt: skip
        k += 1
        for n in range(1, counties + 1):
            suffix = "区" if n <= 2 else "县"
            regions.append(
                {"code": f"{city[:4]}{n:02d}", "name": f"{stems[k]}{suffix}", "short_name": stems[k],
                 "level": "county", "parent": city}
            )  # fmt: skip
            k += 1
    indicators = []
    for i in range(spec.indicators):
        subject, s_code = _SUBJECTS[i % len(_SUBJECTS)]
        metric, m_code, unit, measure, polarity = _METRICS[(i // len(_SUBJECTS)) % len(_METRICS)]
        department = _DEPARTMENTS[i % len(_DEPARTMENTS)][0]
        indicators.append(
            {
                "code": f"{s_code}_{m_code}",
                "name": f"{subject}{metric}",
                "unit": unit,
                "frequency": "quarterly",
                "measure": measure,
                "aggregation": "none" if measure == "rate" else "sum",
                "polarity": polarity,
                "levels": ["province", "city", "county"],
                "domain": _DOMAINS[i % len(_DOMAINS)][0],
                "department": department,
                "change_warning": 0.8,
            }
        )
    return {
        "plan": {
            "code": "synthetic", "document": "合成数据（基准测试）",
            "title": f"{province['name']}数字经济发展规划（合成）",
            "title_en": "Synthetic plan (benchmarks)", "issued": dt.date(FIRST_YEAR + 1, 1, 1),
            "baseline_year": FIRST_YEAR,
        },
        "departments": [{"code": c, "name": n, "short_name": s} for c, n, s in _DEPARTMENTS],
        "domains": [{"code": c, "name": n} for c, n in _DOMAINS],
        "regions": regions,
        "indicators": indicators,
        "targets": [],
    }  # fmt: skip


def _year_end(values: np.ndarray, year: int) -> np.ndarray:
    """indicator × region: the value at the end of `year`, extrapolated from the last two year-ends."""
    n_q = values.shape[2]
    index = 4 * (year - FIRST_YEAR) + 3
    if index < n_q:
        return values[:, :, index]
    last = n_q - 1 - (n_q - 4) % 4 if n_q >= 4 else n_q - 1
    if last < 4:
        return values[:, :, last]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(values[:, :, last - 4] > 0, values[:, :, last] / values[:, :, last - 4], 1.0)
    return values[:, :, last] * growth ** ((index - last) / 4)


def _targets(spec: SyntheticSpec, data: dict[str, Any], values: np.ndarray) -> list[dict[str, Any]]:
    """A target per indicator at the province (or every region): the path's year-end value × ±15 %.

    Deadlines alternate between the last year of data and the year after, so that the set holds
    targets met, missed, ahead and behind.
    """
    rng = np.random.default_rng(spec.seed + 1)
    last_year = FIRST_YEAR + (spec.periods - 1) // 4
    scope = len(data["regions"]) if spec.targets == "all" else 1
    ends = {year: _year_end(values, year)[:, :scope] for year in (last_year, last_year + 1)}
    factors = rng.uniform(0.85, 1.15, (len(data["indicators"]), scope))
    out = []
    for i, ind in enumerate(data["indicators"]):
        lower = ind["polarity"] == "lower"
        kinds = ("linear", "geometric", "seasonal") if ind["measure"] == "flow" else ("linear", "geometric")
        for r in range(scope):
            year = last_year + (r + i) % 2
            value = float(ends[year][i, r]) * float(factors[i, r])
            out.append(
                {
                    "indicator": ind["code"],
                    "region": data["regions"][r]["code"],
                    "year": year,
                    "value": round(value if math.isfinite(value) and value > 0 else 1.0, 2),
                    "comparator": "<=" if lower else ">=",
                    "trajectory": kinds[(r + i) % len(kinds)],
                    "clause": "合成规划 目标",
                }
            )
    return out


# ---------------------------------------------------------------------------------- the values


def _value_array(spec: SyntheticSpec, data: dict[str, Any]) -> np.ndarray:
    """indicator × region (plan order) × quarter; counties to the cent, cities and province their sums."""
    rng = np.random.default_rng(spec.seed + 2)
    regions = data["regions"]
    levels = np.array([r["level"] for r in regions])
    county_idx = np.flatnonzero(levels == "county")
    city_idx = np.flatnonzero(levels == "city")
    parent_pos = {r["code"]: p for p, r in enumerate(regions)}
    city_of = np.array([parent_pos[regions[p]["parent"]] for p in county_idx])
    n_i, n_q = len(data["indicators"]), spec.periods
    measure = np.array([i["measure"] for i in data["indicators"]])
    t = np.arange(n_q)
    base = rng.lognormal(3.0, 1.0, (n_i, len(regions), 1))
    growth = rng.normal(0.02, 0.01, (n_i, len(regions), 1))
    level = base * (1 + growth) ** t
    quarterly = level * np.resize(SEASONS, n_q)
    in_year = t % 4
    ytd = np.stack([quarterly[:, :, q - in_year[q] : q + 1].sum(axis=2) for q in range(n_q)], axis=2)
    rate = 20 + 60 * rng.random((n_i, len(regions), 1)) * (1 + 0.002 * t)
    values = np.where((measure == "flow")[:, None, None], ytd, level)
    values = np.where((measure == "rate")[:, None, None], rate, values)
    values = np.round(values, 2)
    summed = measure != "rate"
    by_region = np.zeros((len(regions), n_i, n_q))  # region first: np.add.at adds along axis 0
    np.add.at(by_region, city_of, values[:, county_idx, :].transpose(1, 0, 2))
    city_rows = by_region.transpose(1, 0, 2)
    counts = np.bincount(city_of, minlength=len(regions)).astype(float)
    has_counties = counts[city_idx] > 0
    cities = city_idx[has_counties]
    mean = city_rows[:, cities, :] / counts[cities][None, :, None]
    city_values = np.where(summed[:, None, None], city_rows[:, cities, :], mean)
    if spec.noise:
        city_values = city_values * (1 + rng.normal(0, spec.noise, city_values.shape))
    values[:, cities, :] = np.round(city_values, 2)
    city_block = values[:, city_idx, :]
    total = np.where(summed[:, None], city_block.sum(axis=1), city_block.mean(axis=1))
    values[:, 0, :] = np.round(total, 2)
    return values


def _quarter(q: int) -> tuple[int, int]:
    return FIRST_YEAR + q // 4, q % 4 + 1


def synthetic_plan(spec: SyntheticSpec) -> tuple[dict[str, Any], np.ndarray]:
    """The plan's data with its targets, and the value array they were derived from."""
    data = plan_data(spec)
    values = _value_array(spec, data)
    data["targets"] = _targets(spec, data, values)
    return data, values


def _kept(spec: SyntheticSpec, data: dict[str, Any]) -> np.ndarray:
    """Which values are published: all, or all but a `missing` share of city and province values."""
    shape = (len(data["indicators"]), len(data["regions"]), spec.periods)
    if not spec.missing:
        return np.ones(shape, dtype=bool)
    rng = np.random.default_rng(spec.seed + 3)
    upper = np.array([r["level"] != "county" for r in data["regions"]])[None, :, None]
    return ~(upper & (rng.random(shape) < spec.missing))


def synthetic_values(spec: SyntheticSpec) -> tuple[Plan, pd.DataFrame]:
    """The plan and its values by code (indicator, region, period, value), for loading a store directly."""
    data, values = synthetic_plan(spec)
    keep = _kept(spec, data)
    n_i, n_r, n_q = values.shape
    periods = np.array([f"{y}Q{q}" for y, q in map(_quarter, range(n_q))], dtype=object)
    indicators = np.array([i["code"] for i in data["indicators"]], dtype=object)
    regions = np.array([r["code"] for r in data["regions"]], dtype=object)
    frame = pd.DataFrame(
        {
            "indicator": np.repeat(indicators, n_r * n_q),
            "region": np.tile(np.repeat(regions, n_q), n_i),
            "period": np.tile(periods, n_i * n_r),
            "value": values.reshape(-1),
        }
    )
    frame = frame[keep.reshape(-1)].reset_index(drop=True)
    return parse_plan(data, file="<synthetic>"), frame


# ---------------------------------------------------------------------------------- the files


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def plan_toml(data: dict[str, Any]) -> str:
    """The plan as TOML: `[plan]`, then one `[[table]]` entry per item, in the data's order."""
    lines = ["# 合成规划：由 dem sample generate 生成，仅用于基准测试与规模测试", "", "[plan]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in data["plan"].items()]
    for table in ("departments", "domains", "regions", "indicators", "targets"):
        for item in data[table]:
            lines += ["", f"[[{table}]]"] + [f"{k} = {_toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def _period_zh(q: int) -> str:
    year, quarter = _quarter(q)
    return f"{year}年第{QUARTER_NAMES[quarter - 1]}季度"


def _csv_chunks(data: dict[str, Any], values: np.ndarray, keep: np.ndarray) -> Iterator[str]:
    names = np.array([i["name"] for i in data["indicators"]], dtype=object)
    units = np.array([i["unit"] for i in data["indicators"]], dtype=object)
    regions = np.array([r["name"] for r in data["regions"]], dtype=object)
    n_i, n_r, n_q = values.shape
    yield ",".join(CSV_HEADER) + "\n"
    for q in range(n_q - 1):
        mask = keep[:, :, q].reshape(-1)
        frame = pd.DataFrame(
            {
                "指标": np.repeat(names, n_r)[mask],
                "地区": np.tile(regions, n_i)[mask],
                "时期": _period_zh(q),
                "数值": values[:, :, q].reshape(-1)[mask],
                "单位": np.repeat(units, n_r)[mask],
            }
        )
        yield frame.to_csv(index=False, header=False, float_format="%.2f", lineterminator="\n")


def _write_xlsx(path: Path, data: dict[str, Any], values: np.ndarray, keep: np.ndarray) -> None:
    """The last quarter's workbook: one sheet per department, regions down, indicators across."""
    import xlsxwriter  # the writer only benchmarks and scale tests need

    q = values.shape[2] - 1
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": XLSX_CREATED, "author": "统计局"})
    province = data["regions"][0]["name"]
    for code, name, short in _DEPARTMENTS:
        columns = [i for i, ind in enumerate(data["indicators"]) if ind["department"] == code]
        if not columns:
            continue
        sheet = workbook.add_worksheet(short)
        sheet.write(0, 0, f"{_period_zh(q)}{province}数字经济主要指标（{name}）")
        sheet.write(1, 0, "注：营业收入等均为年初至报告期末累计值。")
        sheet.write(2, 0, "地区")
        for c, i in enumerate(columns, start=1):
            ind = data["indicators"][i]
            sheet.write(2, c, f"{ind['name']}（{ind['unit']}）")
        for r, region in enumerate(data["regions"]):
            sheet.write(3 + r, 0, "全省" if r == 0 else region["name"])
            for c, i in enumerate(columns, start=1):
                if keep[i, r, q]:
                    sheet.write_number(3 + r, c, float(values[i, r, q]))
    workbook.close()


def generate(*, spec: SyntheticSpec, out_dir: Path) -> SyntheticSet:
    """Write the plan, the long CSV (all periods but the last) and the wide XLSX (the last period)."""
    data, values = synthetic_plan(spec)
    keep = _kept(spec, data)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan_path = out_dir / "plan.toml"
    plan_path.write_text(plan_toml(data), encoding="utf-8")
    province = data["regions"][0]["name"]
    last = spec.periods - 1
    csv_path = out_dir / f"{_period_zh(0)}至{_period_zh(last - 1)}_{province}_数字经济主要指标.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        for chunk in _csv_chunks(data, values, keep):
            out.write(chunk)
    xlsx_path = out_dir / f"{_period_zh(last)}_{province}_数字经济主要指标.xlsx"
    _write_xlsx(xlsx_path, data, values, keep)
    return SyntheticSet(plan_path, csv_path, xlsx_path, int(keep.sum()), len(data["targets"]))
