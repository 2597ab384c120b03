"""Build the illustrative sample uploads in data/sample/ from the published Shanxi figures.

    .venv/bin/python scripts/build_sample_data.py           # rewrite data/sample/, then check it
    .venv/bin/python scripts/build_sample_data.py --check   # only re-read data/sample/ and check it

Deterministic: one fixed seed (a generator per purpose, so adding a series does not shift the others)
and fixed workbook timestamps, so two runs give byte-identical files and the same sha256, which
`dem ingest` uses to recognise a file it has already loaded.

The numbers are illustrative, not official statistics. Province paths are built on the published
figures in ../shared/reference/shanxi-figures.md (see PUBLISHED below) and apportioned to the 11 cities
by 2022 city GDP shares, tilted per indicator where an industry is known to sit elsewhere (data centres
in 大同/阳泉/吕梁, coal mines in the coal cities …), with small deterministic noise. data/sample/README.md
says which number is which.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tomllib
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parents[1]
PLAN_PATH = ROOT / "indicators" / "plans" / "shanxi_2021.toml"
OUT = ROOT / "data" / "sample"
BROKEN = OUT / "broken"

SEED = 20210801  # the plan's date of issue
ZIP_TIME = (2025, 10, 20, 9, 0, 0)  # every workbook entry gets this timestamp: byte-identical reruns
DOC_TIME = "2025-10-20T09:00:00Z"

QUARTERS = [f"{y}Q{q}" for y in range(2020, 2027) for q in range(1, 5)][:27]  # 2020Q1 … 2026Q3
YEARS = [str(y) for y in range(2020, 2026)]  # annual indicators: 2020 … 2025
HISTORY = [q for q in QUARTERS if q <= "2023Q4"]  # long CSVs; 2024Q1 … 2026Q3 come as quarterly workbooks
WORKBOOK_QUARTERS = [q for q in QUARTERS if q > "2023Q4"]
HISTORY_YEARS = YEARS[:-1]  # 2020 … 2024 in the history files; 2025 arrives in 2026 (LATE_ANNUAL below)
AS_OF = "2026Q3"  # the latest quarter of the sample (today is December 2026)
EARLIER_AS_OF = "2025Q3"  # the sample's former end, still checked: the briefs' worked examples use it
BROKEN_QUARTER = "2025Q3"  # the broken uploads keep the quarter they were written for
PROVINCE, ZONE = "140000", "ZGQ"
TAIYUAN, YANGQUAN, JINCHENG, SHUOZHOU, JINZHONG, YUNCHENG, XINZHOU = (
    "140100",
    "140300",
    "140500",
    "140600",
    "140700",
    "140800",
    "140900",
)

# 2022 GDP, 亿元: solid for 吕梁 晋城 运城 临汾 大同, estimates for the rest (they add up to the province).
CITY_GDP_2022 = {
    "140100": 5600.0,
    "140200": 1842.5,
    "140300": 955.0,
    "140400": 2815.0,
    "140500": 2305.4,
    "140600": 1510.0,
    "140700": 2210.0,
    "140800": 2301.1,
    "140900": 1460.0,
    "141000": 2227.9,
    "141100": 2418.9,
}
CITIES = list(CITY_GDP_2022)

# Published anchors the paths pass through (quality and source in shanxi-figures.md).
PUBLISHED = {
    ("base_stations_5g", "2020Q2"): 11512,
    ("base_stations_5g", "2023Q4"): 93420,  # "93,000 cumulative" (2024-02), 93,307 at end Nov 2023
    ("electronics_revenue", "2022Q4"): 1697.2,
    ("software_revenue", "2022Q4"): 118.0,
    ("telecom_revenue", "2022Q4"): 291.2,
    ("integration_certified_firms", "2023Q2"): 408,
    ("smart_coal_mines", "2023Q2"): 46,
    ("nc_rate_key_processes", "2022"): 59.6,  # published Aug 2023: the latest (2022) evaluation
    ("dc_standard_racks", "2025Q3"): 517000,  # 514,000 in Aug 2025
}


# ---------------------------------------------------------------- province paths (catalog units)
def _interp(anchors: dict[str, float]) -> list[float]:
    """Log-linear interpolation between anchor quarters; the anchors themselves are kept exactly."""
    points = sorted((QUARTERS.index(q), v) for q, v in anchors.items())
    out = []
    for i in range(len(QUARTERS)):
        for (i0, v0), (i1, v1) in zip(points, points[1:], strict=False):
            if i0 <= i <= i1:
                out.append(v0 * (v1 / v0) ** ((i - i0) / (i1 - i0)))
                break
    return out


# fmt: off
STOCK_PATHS: dict[str, list[int]] = {
    # 11,512 end Jun 2020; 30,000 passed in 2021Q3 (target 2022: achieved early); ≈67,000 end 2022;
    # 84,000 in Jul 2023; 93,307 end Nov 2023 → 93,420 end 2023; growth continues to 2025Q3.
    "base_stations_5g": [6200, 11512, 15900, 19800, 23600, 28100, 32900, 38700, 43500, 50100, 57800,
                         67300, 73900, 81200, 87600, 93420, 98100, 103600, 108300, 113000, 117200,
                         121500, 125400, 129600, 133100, 136900, 140500],
    "gigabit_broadband_users": [12000, 38000, 82000, 146000, 260000, 410000, 600000, 820000, 1080000,
                                1390000, 1750000, 2150000, 2560000, 2990000, 3400000, 3800000, 4100000,
                                4380000, 4620000, 4850000, 5080000, 5300000, 5520000, 5730000, 5920000,
                                6100000, 6270000],
    # "双百" by 2022: 112 factories (achieved), 86 workshops (missed; 98 in 2025Q3, 100 only in 2026Q2).
    "smart_factories": [20, 24, 29, 36, 43, 52, 61, 72, 80, 89, 100, 112, 118, 125, 131, 140, 146, 152,
                        159, 168, 173, 179, 186, 193, 198, 204, 211],
    "digital_workshops": [15, 18, 22, 27, 33, 40, 48, 56, 62, 69, 77, 86, 88, 89, 90, 91, 92, 93, 94, 95,
                          96, 97, 98, 99, 99, 100, 102],
    # >= 100 by 2022: passed in 2022Q3.
    "data_annotation_firms": [22, 26, 31, 38, 44, 51, 60, 72, 80, 91, 104, 121, 133, 146, 158, 170, 181,
                              192, 203, 215, 224, 233, 242, 251, 259, 268, 276],
    "iid_secondary_nodes": [1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15, 16, 16, 17,
                            18, 18, 19, 20],
    "smart_coal_mines": [2, 2, 3, 5, 7, 9, 12, 15, 19, 24, 29, 35, 40, 46, 55, 65, 76, 88, 99, 110, 121,
                         131, 140, 149, 157, 165, 172],
    "iip_platforms": [12, 14, 17, 20, 22, 25, 28, 31, 34, 37, 40, 44, 47, 50, 53, 56, 59, 62, 65, 68, 71,
                      73, 76, 79, 81, 84, 86],
    "fixed_broadband_users": [round(v) for v in _interp({
        "2020Q1": 11_620_000, "2020Q4": 12_150_000, "2021Q4": 13_050_000, "2022Q4": 13_980_000,
        "2023Q4": 14_850_000, "2024Q4": 15_620_000, "2025Q3": 16_150_000, "2025Q4": 16_320_000,
        "2026Q3": 16_800_000})],
    "ipv6_active_users": [round(v, -2) for v in _interp({
        "2020Q1": 9_800_000, "2020Q4": 13_500_000, "2021Q4": 18_200_000, "2022Q4": 21_500_000,
        "2023Q4": 24_100_000, "2024Q4": 26_300_000, "2025Q3": 27_600_000, "2025Q4": 28_000_000,
        "2026Q3": 29_100_000})],
    "cloud_enterprises": [round(v) for v in _interp({
        "2020Q1": 21_000, "2020Q4": 26_500, "2021Q4": 35_800, "2022Q4": 46_200, "2023Q4": 56_000,
        "2024Q4": 65_300, "2025Q3": 71_800, "2025Q4": 73_900, "2026Q3": 79_600})],
    "integration_certified_firms": [round(v) for v in _interp({
        "2020Q1": 188, "2020Q4": 232, "2021Q4": 298, "2022Q4": 366, "2023Q2": 408, "2023Q4": 438,
        "2024Q4": 505, "2025Q3": 552, "2025Q4": 568, "2026Q3": 611})],
    "dc_standard_racks": [round(v, -2) for v in _interp({
        "2020Q1": 118_000, "2020Q4": 142_000, "2021Q4": 188_000, "2022Q4": 251_000, "2023Q4": 336_000,
        "2024Q4": 446_000, "2025Q2": 506_000, "2025Q3": 517_000, "2025Q4": 528_000,
        "2026Q3": 561_000})],
}
STOCK_UNIT_STEP = {"ipv6_active_users": 100, "dc_standard_racks": 100}  # allocated in whole hundreds

# Province-only quarterly series (aggregation none).
PROVINCE_QUARTERLY: dict[str, list[float]] = {
    # 0.42 in 2020 → 0.33 in 2025Q3 against 0.3 by 2025 (lower is better): behind; 0.327 at the deadline
    # (2025Q4), so missed by 9 % (T/C = 91.7 %); still 0.316 in 2026Q3.
    "dc_power_price": [0.421, 0.418, 0.415, 0.410, 0.405, 0.398, 0.402, 0.392, 0.388, 0.381, 0.384, 0.376,
                       0.372, 0.365, 0.361, 0.356, 0.352, 0.347, 0.343, 0.340, 0.336, 0.333, 0.330, 0.327,
                       0.323, 0.320, 0.316],
    # total FP32 computing power; the 32 EFLOPS published for Aug 2025 are intelligent computing only.
    "computing_power": [round(v, 1) for v in _interp({
        "2020Q1": 6.2, "2020Q4": 7.4, "2021Q4": 9.9, "2022Q4": 13.6, "2023Q4": 19.2, "2024Q4": 28.5,
        "2025Q3": 38.2, "2025Q4": 41.5, "2026Q3": 52.0})],
}

# Year-to-date flows: full-year province totals (2026 only up to Q3 is written), 亿元.
FLOW_ANNUAL: dict[str, dict[int, float]] = {
    "electronics_revenue": {2020: 1398.0, 2021: 1551.4, 2022: 1697.2, 2023: 1801.5, 2024: 1935.0,
                            2025: 2060.0, 2026: 2185.0},
    "software_revenue": {2020: 94.5, 2021: 106.9, 2022: 118.0, 2023: 131.2, 2024: 145.3, 2025: 159.0,
                         2026: 173.5},
    "telecom_revenue": {2020: 251.0, 2021: 268.4, 2022: 291.2, 2023: 305.8, 2024: 318.5, 2025: 330.0,
                        2026: 340.5},
    "digital_core_revenue": {2020: 2020.0, 2021: 2270.0, 2022: 2480.0, 2023: 2650.0, 2024: 2860.0,
                             2025: 3060.0, 2026: 3265.0},
}
# Share of the year's total reached by the end of Q1, Q2, Q3 (2020: the first quarter of the epidemic).
YTD_SHARES = {"default": (0.215, 0.465, 0.72), 2020: (0.17, 0.42, 0.69)}
YTD_SHARES_TELECOM = {"default": (0.245, 0.495, 0.748), 2020: (0.235, 0.485, 0.742)}

# 数字经济规模, annual flow: ≈18 % of GDP in 2020 to ≈25 % in 2024 (GDP 2020 17,651.9, 2021 22,590.2,
# 2022 25,642.59, 2023 25,698.18, 2024 25,494.9). 2022 lands just below the 5,000 target; 2024 leaves the
# 8,000 of 2025 behind schedule (ρ ≈ 0.88 with e measured at the value's own period, end 2024). 2025 grows
# 18 % in the plan's last year (the plan's own path needs ≈ 20 % a year) and misses 8,000 by 8.1 %.
DIGITAL_ECONOMY = {2020: 3177.3, 2021: 4050.0, 2022: 4962.0, 2023: 5650.0, 2024: 6230.0, 2025: 7350.0}
GDP = {2020: 17651.9, 2021: 22590.2, 2022: 25642.59, 2023: 25698.18, 2024: 25494.9}
NC_RATE = {2020: 54.1, 2021: 56.3, 2022: 59.6, 2023: 61.2, 2024: 62.8, 2025: 64.3}
NC_RATE_CITY_OFFSET = {"140100": 4.5, "140200": -0.5, "140300": 0.5, "140400": 1.5, "140500": 2.0,
                       "140600": -2.5, "140700": 1.0, "140800": -1.0, "140900": -3.5, "141000": -2.0,
                       "141100": -1.5}
ANNUAL_STOCKS = {
    "big_data_firms_100m": [14, 18, 23, 29, 36, 43],
    "cybersecurity_firms_500m": [2, 3, 4, 5, 7, 9],
}
INTL_FIRMS = [0, 0, 1, 1, 1, 2]  # >= 1 by 2022 achieved; >= 2 by 2025 reached in 2025 itself

# City weights: GDP share × tilt (default 1) × noise. `flatten` < 1 makes user counts less concentrated.
TILTS: dict[str, dict[str, float]] = {
    "digital_economy_scale": {TAIYUAN: 1.9},  # 太原 aims at 35 % of its GDP
    "digital_core_revenue": {TAIYUAN: 1.7, JINCHENG: 1.6, "140400": 1.2, JINZHONG: 1.1},
    "electronics_revenue": {TAIYUAN: 1.8, JINCHENG: 2.0, "140400": 1.3, JINZHONG: 1.2, "140200": 0.7,
                            YUNCHENG: 0.8, SHUOZHOU: 0.4, XINZHOU: 0.4, "141000": 0.4, "141100": 0.4},
    "software_revenue": {TAIYUAN: 3.0, JINZHONG: 1.2}
    | {c: 0.6 for c in CITIES if c not in (TAIYUAN, JINZHONG)},
    "telecom_revenue": {TAIYUAN: 1.2},
    "base_stations_5g": {TAIYUAN: 1.3, JINZHONG: 1.2, XINZHOU: 1.2, YANGQUAN: 1.2},  # 中部城市群: 46k of 93k
    "data_annotation_firms": {"140200": 4.0, TAIYUAN: 1.5, JINZHONG: 1.5}
    | {c: 0.4 for c in (YANGQUAN, "140400", JINCHENG, SHUOZHOU, YUNCHENG, XINZHOU, "141000")},
    "dc_standard_racks": {"140200": 3.5, YANGQUAN: 3.0, "141100": 2.0, JINZHONG: 1.5}
    | {c: 0.3 for c in ("140400", JINCHENG, SHUOZHOU, YUNCHENG, XINZHOU, "141000")},
    "smart_coal_mines": {TAIYUAN: 0.5, "140200": 1.5, YANGQUAN: 1.8, "140400": 1.6, JINCHENG: 1.8,
                         SHUOZHOU: 2.5, JINZHONG: 1.2, YUNCHENG: 0.03, XINZHOU: 1.8, "141000": 1.3,
                         "141100": 1.6},
    "iid_secondary_nodes": {TAIYUAN: 4.0},
    "big_data_firms_100m": {TAIYUAN: 3.0, JINZHONG: 1.5, "140200": 1.5}
    | {c: 0.5 for c in CITIES if c not in (TAIYUAN, JINZHONG, "140200")},
    "cybersecurity_firms_500m": {TAIYUAN: 12.0, JINZHONG: 4.0, "140200": 3.0, "140400": 1.0}
    | {c: 0.2 for c in CITIES if c not in (TAIYUAN, JINZHONG, "140200", "140400")},
    "smart_factories": {TAIYUAN: 1.3},
    "digital_workshops": {TAIYUAN: 1.2},
    "iip_platforms": {TAIYUAN: 1.6},
    "cloud_enterprises": {TAIYUAN: 1.3},
    "integration_certified_firms": {TAIYUAN: 1.2},
}
FLATTEN = {"gigabit_broadband_users": 0.6, "fixed_broadband_users": 0.6, "ipv6_active_users": 0.6,
           "base_stations_5g": 0.85}
# The zone (综改区) lies in 太原 and 晋中: this share of their growth happens inside it. Never summed.
ZONE_SHARE = {"base_stations_5g": 0.12, "data_annotation_firms": 0.45, "dc_standard_racks": 0.5,
              "big_data_firms_100m": 0.45, "cybersecurity_firms_500m": 0.5}
# fmt: on

# ---------------------------------------------------------------- deliberate anomalies (README lists them)
# A stock that fell: (indicator, city, quarter, relative fall vs the previous quarter); 太原 takes the rest.
DIPS = [
    ("fixed_broadband_users", YANGQUAN, "2022Q1", 0.006),
    ("ipv6_active_users", SHUOZHOU, "2023Q3", 0.015),
    ("cloud_enterprises", XINZHOU, "2024Q2", 0.004),
]
CITY_SUM_GAP = ("electronics_revenue", "2024Q2", 1.031)  # province row 3.1 % above the city sum
REVISIONS = [  # (indicator, region, quarter, change in 亿元, reason): 2025Q2 values revised in 2025Q3
    ("digital_core_revenue", TAIYUAN, "2025Q2", +4.68, "企业归属地由晋中市调整为太原市"),
    ("digital_core_revenue", JINZHONG, "2025Q2", -4.68, "企业归属地由晋中市调整为太原市"),
    ("electronics_revenue", JINCHENG, "2025Q2", +3.85, "补报一家漏统企业"),
]
REVISION_FILE = "2025Q3_统计局_数字经济主要指标_修订.csv"  # sorts after every other upload

Key = tuple[str, str, str]  # (indicator, region code, canonical period)


def _rng(*parts: object) -> np.random.Generator:
    """A generator of its own for each purpose, derived from the one seed."""
    return np.random.default_rng([SEED, zlib.crc32("/".join(map(str, parts)).encode())])


# ---------------------------------------------------------------- catalog
@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    aliases: tuple[str, ...]
    unit: str
    frequency: str
    measure: str
    aggregation: str
    levels: tuple[str, ...]
    change_warning: float


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    level: str
    aliases: tuple[str, ...]


def load_catalog() -> tuple[dict[str, Indicator], dict[str, Region], list[dict]]:
    plan = tomllib.loads(PLAN_PATH.read_text(encoding="utf-8"))
    indicators = {
        i["code"]: Indicator(
            i["code"],
            i["name"],
            tuple(i.get("aliases", ())),
            i["unit"],
            i["frequency"],
            i["measure"],
            i["aggregation"],
            tuple(i["levels"]),
            float(i["change_warning"]),
        )
        for i in plan["indicators"]
    }
    regions = {
        r["code"]: Region(r["code"], r["name"], r["short_name"], r["level"], tuple(r.get("aliases", ())))
        for r in plan["regions"]
    }
    targets = [t for t in plan["targets"] if "indicator" in t]
    return indicators, regions, targets


def allowed_regions(ind: Indicator) -> list[str]:
    codes = [PROVINCE] if "province" in ind.levels else []
    codes += CITIES if "city" in ind.levels else []
    codes += [ZONE] if "zone" in ind.levels else []
    return codes


def periods_of(ind: Indicator) -> list[str]:
    return YEARS if ind.frequency == "annual" else QUARTERS


# ---------------------------------------------------------------- apportioning
def _weights(code: str) -> np.ndarray:
    gdp = np.array([CITY_GDP_2022[c] for c in CITIES])
    share = (gdp / gdp.sum()) ** FLATTEN.get(code, 1.0)
    tilt = np.array([TILTS.get(code, {}).get(c, 1.0) for c in CITIES])
    noise = _rng("weights", code).lognormal(0.0, 0.08, size=len(CITIES))
    w = share * tilt * noise
    return w / w.sum()


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return base


def _allocate_stock(path: Sequence[int], weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split each period's increase across cities: cities never fall and always add up to the path."""
    out = np.zeros((len(path), len(weights)), dtype=np.int64)
    level = np.zeros(len(weights), dtype=np.int64)
    previous = 0
    for t, total in enumerate(path):
        delta = int(total) - previous
        if delta < 0:
            raise ValueError(f"stock path falls at step {t}")
        w = weights * rng.lognormal(0.0, 0.15, size=len(weights))
        w = w / w.sum()
        if delta >= 60 or t == 0:  # the opening level goes where the weight is (太原 gets the first node)
            level = level + _largest_remainder(delta, w if t else weights)
        elif delta > 0:
            level = level + rng.multinomial(delta, w)
        out[t] = level
        previous = int(total)
    return out


def _zone_levels(parent: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """The zone's level: a binomial share of each increase of 太原 + 晋中, so it stays inside them."""
    zone, previous, out = 0, 0, []
    for level in parent:
        zone += int(rng.binomial(max(int(level) - previous, 0), share))
        previous = int(level)
        out.append(zone)
    return np.array(out)


def _ytd_shares(code: str, year: int) -> tuple[float, float, float, float]:
    table = YTD_SHARES_TELECOM if code == "telecom_revenue" else YTD_SHARES
    base = table.get(year, table["default"])
    jitter = _rng("ytd", code, year).uniform(-0.005, 0.005, size=3)
    q1, q2, q3 = sorted(b + j for b, j in zip(base, jitter, strict=True))
    return (q1, q2, q3, 1.0)


def build_values(indicators: dict[str, Indicator]) -> dict[Key, float]:
    """Every value in catalog units, before the files are written."""
    values: dict[Key, float] = {}

    def put(code: str, region: str, period: str, value: float) -> None:
        values[(code, region, period)] = value

    for code, path in STOCK_PATHS.items():
        step = STOCK_UNIT_STEP.get(code, 1)
        units = [int(round(v / step)) for v in path]
        cities = _allocate_stock(units, _weights(code), _rng("stock", code))
        for ind_code, city, quarter, fall in DIPS:
            if ind_code != code:
                continue
            t, j = QUARTERS.index(quarter), CITIES.index(city)
            lower = int(cities[t - 1, j] * (1 - fall))
            cities[t, CITIES.index(TAIYUAN)] += cities[t, j] - lower
            cities[t, j] = lower
        for t, quarter in enumerate(QUARTERS):
            put(code, PROVINCE, quarter, float(cities[t].sum() * step))
            for j, city in enumerate(CITIES):
                put(code, city, quarter, float(cities[t, j] * step))
        if "zone" in indicators[code].levels:
            parent = cities[:, CITIES.index(TAIYUAN)] + cities[:, CITIES.index(JINZHONG)]
            for t, level in enumerate(_zone_levels(parent, ZONE_SHARE[code], _rng("zone", code))):
                put(code, ZONE, QUARTERS[t], float(level * step))

    for code, series in PROVINCE_QUARTERLY.items():
        for quarter, value in zip(QUARTERS, series, strict=True):
            put(code, PROVINCE, quarter, value)

    for code, annual in FLOW_ANNUAL.items():
        _build_flow(code, annual, put)
    _build_flow("digital_economy_scale", DIGITAL_ECONOMY, put, annual_only=True)

    rng = _rng("nc_rate")
    for year, rate in NC_RATE.items():
        put("nc_rate_key_processes", PROVINCE, str(year), rate)
        for city in CITIES:
            city_rate = rate + NC_RATE_CITY_OFFSET[city] + rng.normal(0.0, 0.5)
            put("nc_rate_key_processes", city, str(year), round(city_rate, 1))

    for code, path in ANNUAL_STOCKS.items():
        cities = _allocate_stock(path, _weights(code), _rng("stock", code))
        parent = cities[:, CITIES.index(TAIYUAN)] + cities[:, CITIES.index(JINZHONG)]
        zone = _zone_levels(parent, ZONE_SHARE[code], _rng("zone", code))
        for t, year in enumerate(YEARS):
            put(code, PROVINCE, year, float(cities[t].sum()))
            for j, city in enumerate(CITIES):
                put(code, city, year, float(cities[t, j]))
            put(code, ZONE, year, float(zone[t]))
    for year, count in zip(YEARS, INTL_FIRMS, strict=True):
        put("intl_influential_firms", PROVINCE, year, float(count))

    flow_code, quarter, factor = CITY_SUM_GAP
    city_sum = sum(values[(flow_code, c, quarter)] for c in CITIES)
    put(flow_code, PROVINCE, quarter, round(city_sum * factor, 2))
    return values


def _build_flow(
    code: str,
    annual: dict[int, float],
    put: Callable[[str, str, str, float], None],
    *,
    annual_only: bool = False,
) -> None:
    """Year-to-date flows: cities get a yearly share with noise; the province row differs by < 0.3 %."""
    weights, rng = _weights(code), _rng("flow", code)
    for year, total in annual.items():
        share = weights * rng.lognormal(0.0, 0.04, size=len(CITIES))
        share = share / share.sum()
        fractions = (1.0,) if annual_only else _ytd_shares(code, year)
        previous = np.zeros(len(CITIES))
        for q, fraction in enumerate(fractions, start=1):
            period = str(year) if annual_only else f"{year}Q{q}"
            if not annual_only and period not in QUARTERS:
                break
            province = round(total * fraction, 2)
            city = share * (1 + rng.normal(0.0, 0.012, size=len(CITIES)))
            city = np.round(city / city.sum() * province * (1 - rng.uniform(-0.003, 0.003)), 2)
            if (city <= previous).any():
                raise ValueError(f"{code} {period}: a city's year-to-date value fell")
            previous = city
            put(code, PROVINCE, period, province)
            for c, value in zip(CITIES, city, strict=True):
                put(code, c, period, float(value))


# ---------------------------------------------------------------- writing helpers
CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}
DECIMALS = {"亿元": 2, "%": 1, "元/千瓦时": 3, "EFLOPS": 1}


def _fmt(value: float, unit: str, *, grouped: bool) -> str:
    decimals = DECIMALS.get(unit, 0)
    if grouped:
        return f"{value:,.{decimals}f}"
    return f"{value:.{decimals}f}"


def _quarter_label(period: str, measure: str, rng: np.random.Generator) -> str:
    """A period in one of the bureau's styles: 2021Q1, 2021年第一季度, 2021年一季度, 2021年1-3月."""
    if len(period) == 4:
        return f"{period}年"
    year, q = period[:4], int(period[-1])
    styles = [period, f"{year}年第{CN_QUARTER[q]}季度"]
    styles.append(f"{year}年1-{3 * q}月" if measure == "flow" and q < 4 else f"{year}年{CN_QUARTER[q]}季度")
    return styles[int(rng.integers(len(styles)))]


def _region_label(code: str, regions: dict[str, Region], rng: np.random.Generator) -> str:
    if code == PROVINCE:
        return ["全省", "山西省", "140000"][int(rng.integers(3))]
    if code == ZONE:
        return "山西综改示范区"
    region = regions[code]
    return [region.name, region.short_name, code][int(rng.choice(3, p=[0.45, 0.35, 0.2]))]


@dataclass(frozen=True)
class LongFile:
    name: str
    encoding: str
    indicators: tuple[tuple[str, str, str], ...]  # (code, label as written, unit as written)
    periods: tuple[str, ...]
    note: Callable[[str, str, str], str] = lambda code, region, period: ""
    missing: Callable[[str, str, str, float], str | None] = lambda code, region, period, value: None
    lineterminator: str = "\n"


def _coal_missing(code: str, region: str, period: str, value: float) -> str | None:
    """The energy administration writes — for cities that had no intelligent mine in 2020Q1."""
    return "—" if period == "2020Q1" and region != PROVINCE and value == 0 else None


def _nodes_missing(code: str, region: str, period: str, value: float) -> str | None:
    """Two cities without a secondary node left the cell blank in 2020Q1."""
    blank = code == "iid_secondary_nodes" and period == "2020Q1" and region in (SHUOZHOU, XINZHOU)
    return "" if blank and value == 0 else None


def _history_note(code: str, region: str, period: str) -> str:
    if period.endswith("Q4") and region == PROVINCE:
        return "年报数"
    return "快报数" if period == "2023Q4" else ""


def write_long(spec: LongFile, values: dict[Key, float], indicators: dict[str, Indicator], regions) -> int:
    rng = _rng("labels", spec.name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=spec.lineterminator)
    writer.writerow(["指标", "地区", "时期", "数值", "单位", "备注"])
    rows = 0
    for period in spec.periods:
        for code, label, unit in spec.indicators:
            ind = indicators[code]
            for region in allowed_regions(ind):
                value = values[(code, region, period)]
                written = value * 10_000 if unit == "万元" else value
                cell = spec.missing(code, region, period, value)
                note = spec.note(code, region, period)
                if cell is None:
                    cell = _fmt(written, unit, grouped=abs(written) >= 1000 and rng.random() < 0.4)
                elif cell == "—":
                    note = "无"
                period_label = _quarter_label(period, ind.measure, rng)
                writer.writerow([label, _region_label(region, regions, rng), period_label, cell, unit, note])
                rows += 1
    (OUT / spec.name).write_bytes(buffer.getvalue().encode(spec.encoding))
    return rows


def _normalise_xlsx(path: Path) -> None:
    """Rewrite the workbook zip with fixed timestamps so reruns are byte-identical."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{DOC_TIME}\g<2>", text
                )
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    note: str | None
    header: list[str]
    rows: list[list[object]]


def write_workbook(path: Path, sheets: Iterable[Sheet], creator: str) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        ws.append([sheet.title])
        ws.append([sheet.note])
        ws.append(sheet.header)
        for row in sheet.rows:
            ws.append(row)
        width = len(sheet.header)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center")
        ws.column_dimensions["A"].width = 16
        for col in range(2, width + 1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = 18
    wb.properties.creator = creator
    wb.save(path)
    _normalise_xlsx(path)


# ---------------------------------------------------------------- the quarterly workbooks (2024Q1 … 2026Q3)
CORE_COLUMNS = [
    ("digital_core_revenue", "数字经济核心产业营业收入", "亿元"),
    ("electronics_revenue", "电子信息制造业营业收入", "亿元"),
    ("software_revenue", "软件和信息技术服务业收入", "万元"),
    ("telecom_revenue", "信息通信业收入", "亿元"),
]
COMMS_COLUMNS = [
    ("base_stations_5g", "5G基站数", "个"),
    ("gigabit_broadband_users", "千兆宽带用户数", "户"),
    ("fixed_broadband_users", "固定宽带接入用户", "户"),
    ("ipv6_active_users", "IPv6活跃用户数", "万户"),
]
MIIT_COLUMNS = [
    ("smart_factories", "省级智能工厂", "个"),
    ("digital_workshops", "省级数字化车间", "个"),
    ("data_annotation_firms", "数据标注企业", "家"),
    ("iip_platforms", "工业互联网平台", "个"),
    ("iid_secondary_nodes", "工业互联网标识解析二级节点", "个"),
    ("cloud_enterprises", "上云企业", "户"),
    ("integration_certified_firms", "两化融合管理体系贯标达标企业", "户"),
    ("dc_standard_racks", "数据中心标准机架", "架"),
]
ENERGY_COLUMNS = [("smart_coal_mines", "智能化煤矿", "座")]
ZONE_COLUMNS = [
    ("base_stations_5g", "5G基站数", "个"),
    ("data_annotation_firms", "数据标注企业", "家"),
    ("dc_standard_racks", "数据中心标准机架", "架"),
]
PROVINCE_COLUMNS = [
    ("dc_power_price", "数据中心用户终端电价", "元/千瓦时"),
    ("computing_power", "算力规模", "EFLOPS"),
]


def _cell(value: float, unit: str) -> object:
    if unit == "万元":
        return f"{round(value * 10_000):,}"  # as the bureau types it: text with thousands separators
    if unit == "万户":
        return round(value / 10_000, 2)
    decimals = DECIMALS.get(unit, 0)
    return round(value, decimals) if decimals else int(round(value))


def quarterly_workbook(
    quarter: str, values: dict[Key, float], regions: dict[str, Region], index: int
) -> Path:
    year, q = quarter[:4], int(quarter[-1])
    full_names = index % 2 == 1  # alternate 太原 / 太原市 and 全省 / 合计 between quarters
    brackets = ("(", ")") if index % 3 == 2 else ("（", "）")
    total = "合计" if full_names else "全省"

    def city_label(code: str) -> str:
        return regions[code].name if full_names else regions[code].short_name

    def table(columns, region_codes: list[str], labels: list[str]) -> tuple[list[str], list[list[object]]]:
        header = ["地区"] + [f"{label}{brackets[0]}{unit}{brackets[1]}" for _, label, unit in columns]
        rows = [
            [label] + [_cell(values[(code, region, quarter)], unit) for code, _, unit in columns]
            for region, label in zip(region_codes, labels, strict=True)
        ]
        return header, rows

    cities_and_total = (CITIES + [PROVINCE], [city_label(c) for c in CITIES] + [total])
    quarter_cn = f"{year}年第{CN_QUARTER[q]}季度"
    core_period = f"{year}年1-{3 * q}月" if year >= "2025" and q != 3 else quarter_cn  # 1-3, 1-6, 1-12月
    sheets = []
    for name, title, note, columns, rows in [
        (
            "数字经济核心产业",
            f"{core_period}全省数字经济核心产业主要指标",
            "注：营业收入均为年初至报告期末累计值。",
            CORE_COLUMNS,
            cities_and_total,
        ),
        (
            "通信管理局",
            f"{year}年{CN_QUARTER[q]}季度全省信息通信业主要指标（省通信管理局）",
            None,
            COMMS_COLUMNS,
            cities_and_total,
        ),
        (
            "工信厅",
            f"{quarter_cn}智能制造和数字产业主要指标（省工信厅）",
            "注：均为期末累计数。",
            MIIT_COLUMNS,
            cities_and_total,
        ),
        ("能源局", f"{quarter_cn}煤矿智能化建设情况（省能源局）", None, ENERGY_COLUMNS, cities_and_total),
        (
            "综改区",
            f"{quarter_cn}山西综改示范区数字经济主要指标",
            "注：综改区数据已含在太原市、晋中市数据中，不计入全省合计。",
            ZONE_COLUMNS,
            ([ZONE], ["山西综改示范区"]),
        ),
        (
            "全省指标",
            f"{quarter_cn}全省数字基础设施相关指标（省发展改革委、省工信厅）",
            None,
            PROVINCE_COLUMNS,
            ([PROVINCE], ["全省"]),
        ),
    ]:
        header, body = table(columns, *rows)
        sheets.append(Sheet(name, title, note, header, body))
    path = OUT / f"{quarter}_统计局_数字经济主要指标.xlsx"
    write_workbook(path, sheets, creator="山西省统计局")
    return path


ANNUAL_ROWS = [
    ("intl_influential_firms", "具有国际影响力的数字经济企业"),
    ("cybersecurity_firms_500m", "年产值超5亿元的网络安全骨干企业"),
    ("big_data_firms_100m", "主营业务收入超亿元大数据企业"),
    ("nc_rate_key_processes", "关键工序数控化率(%)"),
]


def annual_workbook(values: dict[Key, float], indicators: dict[str, Indicator], regions) -> Path:
    """Periods across: 指标 | 地区 | 2020年 … 2024年 (2025 came later, in LATE_ANNUAL)."""
    rows: list[list[object]] = []
    for code, label in ANNUAL_ROWS:
        ind = indicators[code]
        order = [c for c in allowed_regions(ind) if c != PROVINCE] + [PROVINCE]
        for region in order:
            name = "全省" if region == PROVINCE else regions[region].name
            rows.append([label, name] + [_cell(values[(code, region, y)], ind.unit) for y in HISTORY_YEARS])
    sheet = Sheet(
        "年度指标",
        "数字经济相关年度指标（省工信厅）",
        "注：企业数单位为家，关键工序数控化率单位为%；综改区数据已含在太原市、晋中市内。",
        ["指标", "地区"] + [f"{y}年" for y in HISTORY_YEARS],
        rows,
    )
    path = OUT / "2020-2024_工信厅_年度指标.xlsx"
    write_workbook(path, [sheet], creator="山西省工业和信息化厅")
    return path


def revision_file(values: dict[Key, float], regions: dict[str, Region]) -> dict[Key, float]:
    """The bureau's 2025Q3 revision of three 2025Q2 values (long CSV, UTF-8 with BOM)."""
    revised: dict[Key, float] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["指标", "地区", "时期", "数值", "单位", "备注"])
    names = {
        "digital_core_revenue": "数字经济核心产业营业收入",
        "electronics_revenue": "电子信息制造业营业收入",
    }
    for code, region, quarter, change, reason in REVISIONS:
        old = values[(code, region, quarter)]
        new = round(old + change, 2)
        revised[(code, region, quarter)] = new
        label = f"{quarter[:4]}年第{CN_QUARTER[int(quarter[-1])]}季度"
        note = f"修订：原报 {old:,.2f}，{reason}"
        writer.writerow([names[code], regions[region].name, label, f"{new:,.2f}", "亿元", note])
    (OUT / REVISION_FILE).write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return revised


def broken_files(values: dict[Key, float]) -> None:
    """Two malformed uploads for tests and demos (README lists the expected findings)."""
    BROKEN.mkdir(parents=True, exist_ok=True)
    quarter = BROKEN_QUARTER
    columns = [
        ("smart_factories", "省级智能工厂"),
        ("digital_workshops", "省级数字化车间"),
        ("data_annotation_firms", "数据标注企业"),
    ]
    header = ["地区"] + [
        f"{label}（{unit}）" for label, unit in zip((c[1] for c in columns), ("个", "个", "家"), strict=True)
    ]
    rows: list[list[object]] = []
    for code in CITIES:
        short = {
            "140100": "太原",
            "140200": "大同",
            "140300": "阳泉",
            "140400": "长治",
            "140500": "晋城",
            "140600": "朔州",
            "140700": "晋中",
            "140800": "运城",
            "140900": "忻州",
            "141000": "临汾",
            "141100": "吕梁",
        }[code]
        rows.append([short] + [int(values[(c, code, quarter)]) for c, _ in columns])
    rows[0][0] = "太源"  # unknown city (a typo for 太原)                     → Excel row 4
    rows[1][3] = "约300"  # non-numeric value, 大同 数据标注企业              → Excel row 5, column D
    rows[2][2] = -5  # negative count, 阳泉 省级数字化车间                   → Excel row 6, column C
    rows.insert(4, list(rows[3]))  # 长治 twice: duplicate key               → Excel rows 7 and 8
    rows.append(["全省"] + [int(values[(c, PROVINCE, quarter)]) for c, _ in columns])
    sheet = Sheet("工信厅", "2025年第三季度智能制造主要指标（省工信厅）", None, header, rows)
    write_workbook(BROKEN / "2025Q3_工信厅_错误示例.xlsx", [sheet], creator="山西省工业和信息化厅")

    text = "指标,地区,时期,数值,单位,备注\n" + "".join(
        f"5G基站数,{r},2025年第三季度,{int(values[('base_stations_5g', r, quarter)])},个,\n"
        for r in [PROVINCE] + CITIES
    )
    (BROKEN / "2025Q3_通信管理局_实为CSV.xlsx").write_bytes(text.encode("utf-8"))


# ---------------------------------------------------------------- build
def long_files() -> list[LongFile]:
    history = tuple(HISTORY)
    return [
        LongFile(
            "2020-2023_通信管理局_历史数据.csv",
            "utf-8-sig",
            (
                ("base_stations_5g", "5G基站数", "个"),
                ("telecom_revenue", "信息通信业营业收入", "亿元"),
                ("gigabit_broadband_users", "千兆宽带用户数", "户"),
                ("fixed_broadband_users", "固定互联网宽带接入用户", "户"),
                ("ipv6_active_users", "IPv6活跃用户数", "户"),
            ),
            history,
            note=_history_note,
        ),
        LongFile(
            "2020-2023_工信厅_历史数据.csv",
            "utf-8",
            (
                ("electronics_revenue", "电子信息制造业营业收入", "亿元"),
                ("software_revenue", "软件业务收入", "万元"),
                ("data_annotation_firms", "数据标注企业", "家"),
                ("iip_platforms", "省级工业互联网重点平台", "个"),
                ("iid_secondary_nodes", "工业互联网标识解析二级节点", "个"),
                ("cloud_enterprises", "上云企业数", "户"),
                ("integration_certified_firms", "两化融合管理体系贯标达标企业", "户"),
                ("dc_standard_racks", "数据中心标准机架", "架"),
                ("computing_power", "算力规模", "EFLOPS"),
            ),
            history,
            missing=_nodes_missing,
        ),
        LongFile(
            "2020-2023_工信厅_智能制造_GBK.csv",
            "gbk",
            (("smart_factories", "省级智能工厂", "个"), ("digital_workshops", "省级数字化车间", "个")),
            history,
            lineterminator="\r\n",
        ),
        LongFile(
            "2020-2023_统计局_数字经济核心产业.csv",
            "utf-8-sig",
            (("digital_core_revenue", "数字经济核心产业营业收入", "亿元"),),
            history,
            note=_history_note,
        ),
        LongFile(
            "2020-2023_能源局_智能化煤矿.csv",
            "utf-8",
            (("smart_coal_mines", "智能化煤矿", "座"),),
            history,
            missing=_coal_missing,
        ),
        LongFile(
            "2020-2023_发改委_数据中心电价.csv",
            "utf-8-sig",
            (("dc_power_price", "数据中心用户终端电价", "元/千瓦时"),),
            history,
            note=lambda *_: "110千伏及以上，参加战略性新兴产业用电交易",
        ),
        LongFile(
            "2020-2024_统计局_数字经济规模.csv",
            "utf-8-sig",
            (("digital_economy_scale", "数字经济规模", "亿元"),),
            tuple(HISTORY_YEARS),
            note=lambda code, region, period: "初步核算数" if period == "2024" else "",
        ),
        *LATE_ANNUAL,
    ]


# The 2025 annual values arrive in 2026, as annual figures do: the departments' year-end counts in the
# first quarter, the bureau's preliminary 数字经济规模 in the second. The names say when they came.
LATE_ANNUAL = (
    LongFile(
        "2026Q1_工信厅_2025年度指标.csv",
        "utf-8-sig",
        (
            ("intl_influential_firms", "具有国际影响力的数字经济企业", "家"),
            ("cybersecurity_firms_500m", "年产值超5亿元的网络安全骨干企业", "家"),
            ("big_data_firms_100m", "主营业务收入超亿元大数据企业", "家"),
            ("nc_rate_key_processes", "关键工序数控化率", "%"),
        ),
        (YEARS[-1],),
        note=lambda code, region, period: "年报数",
    ),
    LongFile(
        "2026Q2_统计局_2025年数字经济规模.csv",
        "utf-8-sig",
        (("digital_economy_scale", "数字经济规模", "亿元"),),
        (YEARS[-1],),
        note=lambda code, region, period: "初步核算数",
    ),
)


def build() -> None:
    indicators, regions, _ = load_catalog()
    values = build_values(indicators)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in [*OUT.glob("*.csv"), *OUT.glob("*.xlsx"), *BROKEN.glob("*.csv"), *BROKEN.glob("*.xlsx")]:
        old.unlink()
    for spec in long_files():
        write_long(spec, values, indicators, regions)
    for index, quarter in enumerate(WORKBOOK_QUARTERS):
        quarterly_workbook(quarter, values, regions, index)
    annual_workbook(values, indicators, regions)
    revision_file(values, regions)
    broken_files(values)


# ---------------------------------------------------------------- check: re-read every file independently
UNIT_FACTORS = {("万元", "亿元"): 1e-4, ("万户", "户"): 1e4, ("万个", "个"): 1e4}
_HEADER = re.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^（）()]+)[）)]$")
_PERIODS = [
    (re.compile(r"^(\d{4})Q([1-4])$"), lambda m: f"{m[1]}Q{m[2]}"),
    (re.compile(r"(\d{4})年第?([一二三四])季度"), lambda m: f"{m[1]}Q{' 一二三四'.index(m[2])}"),
    (re.compile(r"(\d{4})年1-(3|6|9|12)月"), lambda m: f"{m[1]}Q{int(m[2]) // 3}"),
    (re.compile(r"^(\d{4})年$"), lambda m: m[1]),
]


class Lookup:
    def __init__(self, indicators: dict[str, Indicator], regions: dict[str, Region]) -> None:
        self.indicators = indicators
        self.ind = {}
        for ind in indicators.values():
            for label in (ind.code, ind.name, *ind.aliases):
                self.ind[label] = ind.code
        self.reg = {"合计": PROVINCE}
        for r in regions.values():
            for label in (r.code, r.name, r.short_name, *r.aliases):
                self.reg[label] = r.code

    def indicator(self, label: str) -> tuple[str, str | None]:
        """Indicator code and the unit written in the label, if any."""
        match = _HEADER.match(label)  # a bracketed unit first, as the reader does: `IPv6活跃用户数(万户)`
        if match and match["name"] in self.ind:
            return self.ind[match["name"]], match["unit"]
        return self.ind[label], None

    def factor(self, code: str, unit: str | None) -> float:
        catalog = self.indicators[code].unit
        return 1.0 if unit in (None, catalog) else UNIT_FACTORS[(unit, catalog)]


def _period(text: str) -> str:
    for pattern, build in _PERIODS:
        match = pattern.search(text)
        if match:
            return build(match)
    raise ValueError(f"unreadable period {text!r}")


def _number(cell: object) -> float | None:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace(",", "")
    return None if text in ("", "—") else float(text)


Record = tuple[str, str, str, float | None, str]  # indicator, region, period, value, file


def read_back(lookup: Lookup) -> list[Record]:
    records: list[Record] = []
    for path in sorted(OUT.iterdir()):
        if path.suffix == ".csv":
            encoding = "utf-8-sig"
            try:
                path.read_bytes().decode(encoding)
            except UnicodeDecodeError:
                encoding = "gb18030"
            frame = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
            for row in frame.itertuples(index=False):
                code, _ = lookup.indicator(row.指标)
                value = _number(row.数值)
                factor = lookup.factor(code, row.单位)
                records.append(
                    (
                        code,
                        lookup.reg[row.地区],
                        _period(row.时期),
                        None if value is None else value * factor,
                        path.name,
                    )
                )
        elif path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for ws in wb.worksheets:
                grid = [list(r) for r in ws.iter_rows(values_only=True)]
                header = grid[2]
                if header[0] == "指标":  # periods across
                    periods = [_period(str(h)) for h in header[2:]]
                    for row in grid[3:]:
                        code, unit = lookup.indicator(row[0])
                        for period, cell in zip(periods, row[2:], strict=True):
                            records.append((code, lookup.reg[row[1]], period, _number(cell), path.name))
                    continue
                period = _period(grid[0][0])
                columns = [lookup.indicator(h) for h in header[1:]]
                for row in grid[3:]:
                    for (code, unit), cell in zip(columns, row[1:], strict=True):
                        value = _number(cell)
                        scaled = None if value is None else round(value * lookup.factor(code, unit), 6)
                        records.append((code, lookup.reg[row[0]], period, scaled, path.name))
    return records


def _ordinal(period: str) -> int:
    year = int(period[:4])
    return year * 12 + (3 * int(period[-1]) if "Q" in period else 12)


def _status(
    target: dict, series: dict[str, float], ind: Indicator, thresholds: dict, as_of: str
) -> tuple[str, str]:
    """Status by DESIGN.md's progress method, as indicators/progress.py applies it.

    C is the latest value at or before min(as-of, deadline): after its deadline a target is judged on the
    deadline's data. e runs from the baseline to C's own period. `ρ@as-of` shows e measured to the as-of
    period instead (it differs for annual indicators, whose latest value in 2025Q3 is 2024's).
    """
    base_period = "2020Q4" if ind.frequency == "quarterly" else "2020"
    b, t = series[base_period], float(target["value"])
    deadline = target["year"] * 12 + 12
    cutoff = min(_ordinal(as_of), deadline)
    latest = max((p for p in series if _ordinal(p) <= cutoff), key=_ordinal)
    c = series[latest]
    meets = {">=": c >= t, ">": c > t, "<=": c <= t, "<": c < t}[target["comparator"]]
    span = deadline - _ordinal(base_period)

    def ratio(at: int) -> tuple[float, float, float]:
        e = min(max((at - _ordinal(base_period)) / span, 0.0), 1.0)
        expected = b * (t / b) ** e if target.get("trajectory") == "geometric" else b + (t - b) * e
        return e, expected, 1.0 if expected == b else (c - b) / (expected - b)

    e, expected, rho = ratio(_ordinal(latest))
    rho_as_of = ratio(cutoff)[2]
    detail = (
        f"B={b:g} ({base_period}) C={c:g} ({latest}) T={t:g} e={e:.3f} E={expected:.4g} ρ={rho:.3f}"
        f" ρ@as-of={rho_as_of:.3f}"
    )
    if meets:
        return "achieved 已完成", detail
    if _ordinal(as_of) >= deadline:
        return "missed 未完成", detail
    for status, threshold in (
        ("ahead 超前", 1.0),
        ("on_track 正常", thresholds["on_track"]),
        ("behind 滞后", thresholds["behind"]),
    ):
        if rho >= threshold:
            return status, detail
    return "severely_behind 严重滞后", detail


def check() -> bool:
    indicators, regions, targets = load_catalog()
    thresholds = tomllib.loads(PLAN_PATH.read_text(encoding="utf-8"))["thresholds"]
    lookup = Lookup(indicators, regions)
    records = read_back(lookup)
    out: list[str] = []
    ok = True

    def fail(message: str) -> None:
        nonlocal ok
        ok = False
        out.append(f"  FAIL {message}")

    originals = [r for r in records if r[4] != REVISION_FILE]
    revisions = [r for r in records if r[4] == REVISION_FILE]
    counts = Counter((r[0], r[1], r[2]) for r in originals)
    expected = {
        (i.code, reg, p) for i in indicators.values() for reg in allowed_regions(i) for p in periods_of(i)
    }
    duplicates = [k for k, n in counts.items() if n > 1]
    missing_keys, extra_keys = expected - set(counts), set(counts) - expected
    blanks = [r for r in originals if r[3] is None]
    out.append(
        f"files: {len({r[4] for r in records})}, values read: {len(records)} "
        f"({len(originals)} originals + {len(revisions)} revisions)"
    )
    out.append(
        f"coverage: {len(expected)} expected keys (indicator × allowed region × period), "
        f"{len(counts)} found, {len(duplicates)} duplicated, {len(missing_keys)} absent, "
        f"{len(extra_keys)} not allowed; {len(blanks)} deliberately blank/— cells"
    )
    for problem, keys in (("duplicated", duplicates), ("absent", missing_keys), ("not allowed", extra_keys)):
        if keys:
            fail(f"{problem}: {sorted(keys)[:5]}")
    for r in revisions:
        if counts.get((r[0], r[1], r[2])) != 1:
            fail(f"revision of a value never published: {r[:3]}")

    final: dict[Key, float] = {(r[0], r[1], r[2]): r[3] for r in originals if r[3] is not None}
    final.update({(r[0], r[1], r[2]): r[3] for r in revisions if r[3] is not None})
    by_series: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for (code, region, period), value in final.items():
        by_series[(code, region)][period] = value

    ytd_breaks, falls = [], []
    for (code, region), series in by_series.items():
        ind = indicators[code]
        ordered = sorted(series, key=_ordinal)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if ind.measure == "flow" and ind.frequency == "quarterly" and a[:4] == b[:4]:
                if series[b] <= series[a]:
                    ytd_breaks.append((code, region, b))
            if ind.measure == "stock" and series[b] < series[a]:
                falls.append((code, region, b, series[a], series[b]))
    out.append(
        f"flows: year-to-date values rise within every year: {'yes' if not ytd_breaks else ytd_breaks}"
    )
    out.append(f"stocks: {len(falls)} falls (deliberate: {len(DIPS)})")
    for fall in falls:
        out.append(f"    {fall[0]} {fall[1]} {fall[2]}: {fall[3]:,.0f} → {fall[4]:,.0f}")
    if ytd_breaks or len(falls) != len(DIPS):
        fail("flows or stocks do not behave as intended")

    gaps = []
    for ind in indicators.values():
        if ind.aggregation != "sum" or "city" not in ind.levels:
            continue
        for period in periods_of(ind):
            province = final[(ind.code, PROVINCE, period)]
            city_sum = sum(final.get((ind.code, c, period), 0.0) for c in CITIES)
            gaps.append((abs(province - city_sum) / province if province else 0.0, ind.code, period))
    gaps.sort(reverse=True)
    over = [g for g in gaps if g[0] > 0.01]
    out.append(
        f"province vs city sum: {len(over)} over 1 %: "
        + ", ".join(f"{c} {p} {g:.2%}" for g, c, p in over)
        + f"; largest other gap {next((g for g, *_ in gaps if g <= 0.01), 0):.2%}"
    )
    if len(over) != 1:
        fail("exactly one indicator-period should be off by more than 1 %")
    zone_over = [
        (code, p)
        for (code, region), series in by_series.items()
        if region == ZONE
        for p, v in series.items()
        if v > final[(code, TAIYUAN, p)] + final[(code, JINZHONG, p)]
    ]
    out.append(f"zone within 太原 + 晋中: {'yes' if not zone_over else zone_over}")

    warnings = Counter()
    for (code, _region), series in by_series.items():
        ind = indicators[code]
        for period, value in series.items():
            comparisons = [p for p in (_shift(period, -1), _shift(period, -4 if "Q" in period else -1)) if p]
            if ind.measure == "flow":  # year-to-date: only the same period last year compares
                comparisons = [_shift(period, -4) if "Q" in period else _shift(period, -1)]
            for other in set(comparisons):
                prev = series.get(other or "")
                if prev and abs(value / prev - 1) > ind.change_warning:
                    warnings[code] += 1
                    break
    out.append(
        "change warnings to expect (vs previous period or same period last year, per indicator): "
        + ", ".join(f"{c} {n}" for c, n in warnings.most_common())
    )

    for (code, period), value in PUBLISHED.items():
        got = final[(code, PROVINCE, period)]
        if abs(got - value) > 1e-6 * max(1.0, value):
            fail(f"published anchor {code} {period}: {got} != {value}")
    de = {y: final[("digital_economy_scale", PROVINCE, str(y))] for y in DIGITAL_ECONOMY}
    out.append(
        "数字经济规模 share of GDP: "
        + ", ".join(f"{y} {de[y]:,.0f} ({de[y] / GDP[y]:.1%})" for y in GDP)
        + "; growth: "
        + ", ".join(f"{y} {de[y] / de[y - 1] - 1:+.1%}" for y in list(DIGITAL_ECONOMY)[1:])
    )
    centre = ["140100", "140700", "140900", "140300"]
    centre_sum = sum(final[("base_stations_5g", c, "2023Q4")] for c in centre)
    lvliang = final[("base_stations_5g", "141100", "2023Q4")]
    out.append(
        f"5G end 2023, 太原+晋中+忻州+阳泉 {centre_sum:,.0f} "
        f"(+ half of 吕梁 {centre_sum + lvliang / 2:,.0f}) of 93,420; published: 46,000 of 93,000"
    )

    for as_of, intended in ((EARLIER_AS_OF, INTENDED_EARLIER), (AS_OF, INTENDED_LATEST)):
        out.append(f"target statuses as of {as_of}:")
        counts: Counter[str] = Counter()
        for target in targets:
            ind = indicators[target["indicator"]]
            series = by_series[(ind.code, PROVINCE)]
            status, detail = _status(target, series, ind, thresholds, as_of)
            counts[status] += 1
            label = f"{ind.code}:{target['year']}"
            late = _reached_after_deadline(target, series, as_of)
            out.append(
                f"  {ind.code}@{target['region']}:{target['year']} {target['comparator']}{target['value']}: "
                f"{status}  [{detail}]" + (f"  reached later, in {late}" if late else "")
            )
            if status.split()[0] != intended.get(label):
                fail(f"{label} as of {as_of} is {status}, intended {intended.get(label)}")
        out.append("  counts: " + ", ".join(f"{n} {s}" for s, n in counts.most_common()))
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    out.append(f"folder size: {size / 1024:.0f} KiB")
    sys.stdout.write("\n".join(out) + "\n")
    return ok


# The statuses data/sample/README.md promises, by `indicator:year`; the check fails if one differs.
INTENDED_EARLIER = {
    "digital_economy_scale:2022": "missed",
    "digital_economy_scale:2025": "behind",
    "base_stations_5g:2022": "achieved",
    "smart_factories:2022": "achieved",
    "digital_workshops:2022": "missed",
    "data_annotation_firms:2022": "achieved",
    "intl_influential_firms:2022": "achieved",
    "intl_influential_firms:2025": "severely_behind",
    "dc_power_price:2025": "behind",
}
INTENDED_LATEST = INTENDED_EARLIER | {  # the plan's final evaluation: every deadline has passed
    "digital_economy_scale:2025": "missed",
    "intl_influential_firms:2025": "achieved",
    "dc_power_price:2025": "missed",
}


def _reached_after_deadline(target: dict, series: dict[str, float], as_of: str) -> str | None:
    """The first period after the deadline, up to as-of, whose value meets a target missed at it."""
    deadline = target["year"] * 12 + 12
    t = float(target["value"])
    compare = {">=": t.__le__, ">": t.__lt__, "<=": t.__ge__, "<": t.__gt__}[target["comparator"]]
    on_time = [p for p in series if _ordinal(p) <= deadline]
    if not on_time or compare(series[max(on_time, key=_ordinal)]):
        return None
    later = sorted((p for p in series if deadline < _ordinal(p) <= _ordinal(as_of)), key=_ordinal)
    return next((p for p in later if compare(series[p])), None)


def _shift(period: str, steps: int) -> str | None:
    if "Q" not in period:
        return str(int(period) + steps)
    n = int(period[:4]) * 4 + int(period[-1]) - 1 + steps
    return f"{n // 4}Q{n % 4 + 1}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only re-read and check data/sample/")
    args = parser.parse_args()
    if not args.check:
        build()
    return 0 if check() else 1


if __name__ == "__main__":
    raise SystemExit(main())
