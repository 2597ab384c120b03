"""The template for importing policy-ledger applications: the workbook `read_applications` accepts.

Sheet 申请 has the fixed columns and one column per basis key (`revenue 年主营业务收入（万元）`) with
drop-down lists for 所在市 and 政策条款; sheet 依据说明 lists, per item and award, the basis keys it
needs, their units and choices, and the clause; 填报说明 explains the rules in Chinese.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.model import Plan, RegionLevel

DATA_SHEET = "申请"
BASIS_SHEET = "依据说明"
LISTS_SHEET = "代码"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FIXED = ["统一社会信用代码", "企业名称", "所在市", "政策条款", "奖补事项", "年度", "项目名称", "依据"]
ROWS = 1000


def basis_columns(plan: Plan) -> list[tuple[str, str, str]]:
    """Every basis key once, in plan order: (key, Chinese name, unit)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for incentive in plan.incentives:
        for award in incentive.awards:
            for b in award.basis:
                seen.setdefault(b.key, (b.key, b.name, b.unit))
    return list(seen.values())


def write_ledger_template(path: Path, *, plan: Plan) -> Path:
    """Write the import template for the plan's award rules."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填报说明"
    for line in (
        ["政策兑现申请导入模板（若干政策 奖补）"],
        ["1. 在“申请”表逐行填写，一行一笔申请；金额单位为万元，面积为平方米。"],
        ["2. 统一社会信用代码按 GB 32100-2015 校验（18位，含校验位）；所在市填写设区市名称或代码。"],
        ["3. 政策条款写 10 或 第10条；一条有多个奖补事项时在“奖补事项”填写代码（见“依据说明”）。"],
        ["4. 依据数值填入对应列，或在“依据”列写 revenue=55000; previous_revenue=12000。"],
        ["5. 奖补金额由系统按政策规则计算（含首次、升级差额、封顶与补贴年限），无需填写。"],
        ["6. 任何一行有误则整份文件不导入，错误清单给出工作表、行号和列名。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 100
    sheet = workbook.create_sheet(DATA_SHEET)
    columns = basis_columns(plan)
    headers = FIXED + [f"{key} {name}（{unit}）" if unit else f"{key} {name}" for key, name, unit in columns]
    sheet.append(headers)
    for i, _ in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True)
        sheet.column_dimensions[get_column_letter(i)].width = 22 if i <= len(FIXED) else 16
    sheet.freeze_panes = "A2"
    lists = workbook.create_sheet(LISTS_SHEET)
    cities = [r.short_name for r in plan.regions if r.level is RegionLevel.CITY]
    items = [f"第{i.item}条" for i in plan.incentives]
    for row, city in enumerate(cities, start=1):
        lists.cell(row=row, column=1, value=city)
    for row, item in enumerate(items, start=1):
        lists.cell(row=row, column=2, value=item)
    lists.sheet_state = "hidden"
    ref = quote_sheetname(LISTS_SHEET)
    for column, source in ((3, f"{ref}!$A$1:$A${len(cities)}"), (4, f"{ref}!$B$1:$B${len(items)}")):
        rule = DataValidation(type="list", formula1=source, allow_blank=True)
        rule.error, rule.errorTitle = "请从列表中选择", "输入有误"
        sheet.add_data_validation(rule)
        letter = get_column_letter(column)
        rule.add(f"{letter}2:{letter}{ROWS + 1}")
    guide = workbook.create_sheet(BASIS_SHEET)
    guide.append(
        ["政策条款", "奖补事项代码", "奖补事项", "依据代码（*为必填）", "可选值", "条文", "口径说明"]
    )
    for incentive in plan.incentives:
        for award in incentive.awards:
            basis = "；".join(
                f"{b.key}{'*' if b.required else ''} {b.name}（{b.unit or '等次'}）" for b in award.basis
            )
            choices = "；".join(f"{b.key}: {'/'.join(b.choices)}" for b in award.basis if b.choices)
            guide.append(
                [
                    f"第{incentive.item}条",
                    award.code,
                    award.name,
                    basis or "（无）",
                    choices,
                    award.clause,
                    award.reading,
                ]
            )
    for i, width in enumerate((10, 26, 30, 50, 40, 60, 60), start=1):
        guide.column_dimensions[get_column_letter(i)].width = width
    for cell in guide[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
