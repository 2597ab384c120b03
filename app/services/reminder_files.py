"""The 催报单: a short notice to a department, as Word (to forward) or Excel (the list to fill).

One page: title, addressee, what is missing for which period and by when, and the list of missing
values (indicator and region in Chinese). The text is what the e-mail says too.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl.styles import Font

from indicators.model import Plan

TITLE = "数据催报单"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
MAX_LISTED = 500  # a notice lists at most this many values; the count is always exact


def notice_text(reminder: dict[str, Any], plan: Plan) -> tuple[str, str]:
    """Subject and body of the notice, in Chinese (the e-mail and the documents share them)."""
    department = plan.department(reminder["department"])
    due: dt.date = reminder["due_date"]
    offset = int(reminder["offset_days"])
    when = (
        f"报送截止日期为{due:%Y年%-m月%-d日}（还有 {-offset} 天）"
        if offset < 0
        else f"报送截止日期{due:%Y年%-m月%-d日}" + ("即为今日" if offset == 0 else f"已过 {offset} 天")
    )
    short = department.short_name or department.name
    n = reminder["n_missing"]
    subject = f"【催报】{short} {reminder['period']} 数据尚有 {n} 项未报送"
    body = (
        f"{department.name}：\n"
        f"　　{reminder['period']} 数字经济监测数据中，贵单位负责报送的 {n} 项数值尚未报送，"
        f"{when}。请尽快通过数据上报页面或数据收件箱报送。\n"
        "　　未报送数值清单见附表。"
    )
    return subject, body


def missing_rows(reminder: dict[str, Any], plan: Plan) -> list[tuple[str, str, str]]:
    """(indicator name, region name, period) of each missing value, as the notice lists them."""
    return [
        (plan.indicator(m["indicator"]).name, plan.region(m["region"]).name, str(m["period"]))
        for m in list(reminder["missing"])[:MAX_LISTED]
    ]


def notice_docx(reminder: dict[str, Any], plan: Plan) -> bytes:
    """The 催报单 as a Word document."""
    subject, body = notice_text(reminder, plan)
    document = Document()
    title = document.add_paragraph()
    _run(title.add_run(TITLE), TITLE_FONT, 22)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in body.split("\n"):
        _run(document.add_paragraph().add_run(line), BODY_FONT, 14)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("指标", "地区", "时期"), strict=True):
        _run(cell.paragraphs[0].add_run(text), BODY_FONT, 12)
    for row in missing_rows(reminder, plan):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _run(cell.paragraphs[0].add_run(text), BODY_FONT, 12)
    _run(
        document.add_paragraph().add_run(f"{subject}（{reminder['created_at']:%Y年%-m月%-d日}）"),
        BODY_FONT,
        10,
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def notice_xlsx(reminder: dict[str, Any], plan: Plan) -> bytes:
    """The 催报单 as a workbook: the notice on top, then the missing values."""
    subject, body = notice_text(reminder, plan)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "催报单"
    sheet.append([TITLE])
    sheet["A1"].font = Font(bold=True, size=16)
    sheet.append([subject])
    for line in body.split("\n"):
        sheet.append([line.strip()])
    sheet.append([])
    sheet.append(["指标", "地区", "时期"])
    for row in missing_rows(reminder, plan):
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _run(run: Any, font: str, size: float) -> None:
    run.font.name = font
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)  # CJK needs it set
