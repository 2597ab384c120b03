"""The files a bureau would upload: long CSVs, quarterly and annual workbooks, a revision and broken files.

Workbooks are normalised after saving (fixed zip timestamps and document times), so two runs give
byte-identical files and the same sha256, which `dem ingest` uses to recognise a file it has loaded.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.styles import Alignment, Font

from sample_data.figures import (
    BROKEN_FOLDER,
    BROKEN_QUARTER,
    CITIES,
    DOC_TIME,
    HISTORY,
    HISTORY_YEARS,
    OUT,
    PROVINCE,
    REVISION_FILE,
    REVISIONS,
    SHUOZHOU,
    WORKBOOK_QUARTERS,
    XINZHOU,
    YEARS,
    ZIP_TIME,
    ZONE,
    Key,
    _rng,
)
from sample_data.values import Indicator, Region, allowed_regions, build_values, load_catalog

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


def write_long(
    folder: Path, spec: LongFile, values: dict[Key, float], indicators: dict[str, Indicator], regions
) -> int:
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
    (folder / spec.name).write_bytes(buffer.getvalue().encode(spec.encoding))
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
    folder: Path, quarter: str, values: dict[Key, float], regions: dict[str, Region], index: int
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
    path = folder / f"{quarter}_统计局_数字经济主要指标.xlsx"
    write_workbook(path, sheets, creator="山西省统计局")
    return path


ANNUAL_ROWS = [
    ("intl_influential_firms", "具有国际影响力的数字经济企业"),
    ("cybersecurity_firms_500m", "年产值超5亿元的网络安全骨干企业"),
    ("big_data_firms_100m", "主营业务收入超亿元大数据企业"),
    ("nc_rate_key_processes", "关键工序数控化率(%)"),
]


def annual_workbook(
    folder: Path, values: dict[Key, float], indicators: dict[str, Indicator], regions
) -> Path:
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
    path = folder / "2020-2024_工信厅_年度指标.xlsx"
    write_workbook(path, [sheet], creator="山西省工业和信息化厅")
    return path


def revision_file(folder: Path, values: dict[Key, float], regions: dict[str, Region]) -> dict[Key, float]:
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
    (folder / REVISION_FILE).write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return revised


def broken_files(folder: Path, values: dict[Key, float]) -> None:
    """Two malformed uploads for tests and demos (README lists the expected findings)."""
    broken = folder / BROKEN_FOLDER
    broken.mkdir(parents=True, exist_ok=True)
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
    write_workbook(broken / "2025Q3_工信厅_错误示例.xlsx", [sheet], creator="山西省工业和信息化厅")

    text = "指标,地区,时期,数值,单位,备注\n" + "".join(
        f"5G基站数,{r},2025年第三季度,{int(values[('base_stations_5g', r, quarter)])},个,\n"
        for r in [PROVINCE] + CITIES
    )
    (broken / "2025Q3_通信管理局_实为CSV.xlsx").write_bytes(text.encode("utf-8"))


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


def build(folder: Path = OUT) -> None:
    """Write every sample file into `folder` (data/sample/ by default), replacing the old ones."""
    indicators, regions, _ = load_catalog()
    values = build_values(indicators)
    broken = folder / BROKEN_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.csv"), *folder.glob("*.xlsx"), *broken.glob("*.csv"), *broken.glob("*.xlsx")]:
        old.unlink()
    for spec in long_files():
        write_long(folder, spec, values, indicators, regions)
    for index, quarter in enumerate(WORKBOOK_QUARTERS):
        quarterly_workbook(folder, quarter, values, regions, index)
    annual_workbook(folder, values, indicators, regions)
    revision_file(folder, values, regions)
    broken_files(folder, values)
