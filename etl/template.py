"""The upload template: a workbook generated from the plan that the readers always accept.

One wide sheet per reporting department (regions down, that department's indicators across, units
in the headers, the period in the title row), annual indicators on their own sheet in the fourth
quarter, a long sheet with drop-down lists, a hidden code list, and instructions in Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from indicators.model import Indicator, Plan, Region, RegionLevel
from indicators.periods import MONTHS_PER_YEAR, Frequency, Period

TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOT_ALLOWED_FILL = PatternFill("solid", fgColor="D9D9D9")
CODES_SHEET = "代码表"
LONG_SHEET = "长表"
ANNUAL_SHEET = "年度指标"
INSTRUCTIONS_SHEET = "填报说明"
_QUARTER_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
MAX_LONG_ROWS = 2000


def period_title(period: Period) -> str:
    """The period as a bureau writes it in a title: 2025年第三季度, 2025年."""
    if period.frequency is Frequency.QUARTERLY:
        return f"{period.year}年{_QUARTER_ZH[period.index]}"
    if period.frequency is Frequency.MONTHLY:
        return f"{period.year}年{period.index}月"
    return f"{period.year}年"


def write_template(path: Path, *, plan: Plan, period: Period, department: str | None = None) -> Path:
    """Write the template workbook for a period (and optionally one reporting department)."""
    indicators = [i for i in plan.indicators if department is None or i.department == department]
    if not indicators:
        raise ValueError(f"no indicator is reported by department {department!r}")
    workbook = Workbook()
    _instructions(workbook.active, plan, period, department)
    codes = _codes_sheet(workbook, plan)
    in_period = [i for i in indicators if i.frequency is not Frequency.ANNUAL]
    for dept_code in dict.fromkeys(i.department for i in in_period):
        dept = plan.department(dept_code)
        _wide_sheet(
            workbook.create_sheet(dept.short_name[:31]),
            plan,
            [i for i in in_period if i.department == dept_code],
            f"{period_title(period)}数字经济监测指标（{dept.short_name}）",
        )
    annual = [i for i in indicators if i.frequency is Frequency.ANNUAL]
    if annual and period.end_month == MONTHS_PER_YEAR:
        _wide_sheet(
            workbook.create_sheet(ANNUAL_SHEET),
            plan,
            annual,
            f"{period.year}年数字经济监测年度指标",
        )
    _long_sheet(workbook.create_sheet(LONG_SHEET), plan, codes)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _allowed_regions(plan: Plan, indicators: Sequence[Indicator]) -> list[Region]:
    levels = {lv for i in indicators for lv in i.levels}
    cities = [r for r in plan.regions if r.level in levels and r.level is not RegionLevel.PROVINCE]
    province = [r for r in plan.regions if r.level is RegionLevel.PROVINCE and RegionLevel.PROVINCE in levels]
    return cities + province  # the province's own value goes last, as the 全省 totals row


def _wide_sheet(sheet: Worksheet, plan: Plan, indicators: Sequence[Indicator], title: str) -> None:
    sheet["A1"] = title
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = "单位见表头；不适用的灰色单元格请留空；缺数请留空或填“—”。"
    headers = ["地区"] + [f"{i.name}（{i.unit}）" for i in indicators]
    for col, text in enumerate(headers, start=1):
        cell = sheet.cell(row=3, column=col, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = 14 if col == 1 else 20
    sheet.row_dimensions[3].height = 45
    for row, region in enumerate(_allowed_regions(plan, indicators), start=4):
        label = "全省" if region.level is RegionLevel.PROVINCE else region.name
        sheet.cell(row=row, column=1, value=label)
        for col, indicator in enumerate(indicators, start=2):
            if region.level not in indicator.levels:
                cell = sheet.cell(row=row, column=col)
                cell.fill = NOT_ALLOWED_FILL
                cell.comment = Comment(f"{indicator.name}不按{label}上报", "dem")
    validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    validation.error = "请填写不小于 0 的数字"
    validation.errorTitle = "数值有误"
    last_row = 3 + len(_allowed_regions(plan, indicators))
    validation.add(f"B4:{get_column_letter(len(headers))}{last_row}")
    sheet.add_data_validation(validation)
    sheet.freeze_panes = "B4"


def _codes_sheet(workbook: Workbook, plan: Plan) -> Worksheet:
    sheet = workbook.create_sheet(CODES_SHEET)
    sheet.append(["地区", "地区代码", "指标", "指标代码", "单位"])
    regions = [r for r in plan.regions if r.level is not RegionLevel.COUNTY]
    for n in range(max(len(regions), len(plan.indicators))):
        region = regions[n] if n < len(regions) else None
        indicator = plan.indicators[n] if n < len(plan.indicators) else None
        sheet.append(
            [
                region.name if region else None,
                region.code if region else None,
                indicator.name if indicator else None,
                indicator.code if indicator else None,
                indicator.unit if indicator else None,
            ]
        )
    sheet.sheet_state = "hidden"
    return sheet


def _long_sheet(sheet: Worksheet, plan: Plan, codes: Worksheet) -> None:
    headers = ["指标", "地区", "时期", "数值", "单位", "备注"]
    sheet.append(headers)
    for col in range(1, len(headers) + 1):
        sheet.cell(row=1, column=col).font = HEADER_FONT
        sheet.cell(row=1, column=col).fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(col)].width = 26 if col == 1 else 14
    n_regions = sum(1 for r in plan.regions if r.level is not RegionLevel.COUNTY)
    ref = quote_sheetname(codes.title)
    indicator_list = DataValidation(type="list", formula1=f"{ref}!$C$2:$C${len(plan.indicators) + 1}")
    region_list = DataValidation(type="list", formula1=f"{ref}!$A$2:$A${n_regions + 1}")
    for validation, column in ((indicator_list, "A"), (region_list, "B")):
        validation.error = "请从下拉列表中选择"
        validation.add(f"{column}2:{column}{MAX_LONG_ROWS}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"


def _instructions(sheet: Worksheet, plan: Plan, period: Period, department: str | None) -> None:
    sheet.title = INSTRUCTIONS_SHEET
    scope = plan.department(department).name if department else "全部上报部门"
    lines = [
        f"{plan.title}（{plan.document}）监测指标上报模板",
        f"报告期：{period_title(period)}（{period}）；填报范围：{scope}",
        "",
        "填报方法：",
        "1. 每个部门一张工作表：地区在左列，指标在表头，单位写在表头括号内，请按表头单位填写。",
        "2. “全省”一行填全省汇总数（统计部门公布数），不是各市相加；山西综改示范区不计入全省合计。",
        "3. 流量指标（营业收入等）填本年 1 月至报告期末的累计值；存量指标填报告期末数。",
        "4. 不适用的单元格为灰色，请留空；缺数请留空或填“—”，不要填 0。",
        "5. 也可在“长表”中逐行填写：指标、地区从下拉列表选择，时期写作 2025Q3 或 2025年第三季度。",
        "6. 年度指标在第四季度模板的“年度指标”表中填报。",
        "7. 上传后系统逐行校验，错误会指出工作表、行号和列名；有错误的文件不会发布。",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = TITLE_FONT
    sheet.column_dimensions["A"].width = 100
