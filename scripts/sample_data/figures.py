"""The sample's numbers: published anchors, province paths, city weights and the deliberate anomalies.

Illustrative, not official statistics: province paths pass through the published figures in
../shared/reference/shanxi-figures.md (PUBLISHED below); data/sample/README.md says which number is
which. One seed; a generator per purpose (`_rng`), so adding a series does not shift the others.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PLAN_PATH = ROOT / "indicators" / "plans" / "shanxi_2021.toml"
OUT = ROOT / "data" / "sample"  # the default folder; `--out` writes elsewhere
BROKEN_FOLDER = "broken"  # inside the sample folder: the malformed uploads

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
