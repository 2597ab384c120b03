"""Reading application files: the template round-trips, and every bad cell is located in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from etl.ledger_import import read_applications
from etl.ledger_template import DATA_SHEET, write_ledger_template
from indicators.model import Plan

CODE_A = "91350100M000100Y43"
CODE_B = "91110108551385082Q"


def _xlsx(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "申请"
    sheet.append(["2025年政策兑现申请（示例）"])  # a title row above the header
    sheet.append(
        header
        or [
            "统一社会信用代码",
            "企业名称",
            "所在市",
            "政策条款",
            "奖补事项",
            "年度",
            "项目名称",
            "revenue 年主营业务收入（万元）",
            "previous_revenue",
            "依据",
        ]
    )
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_rows_are_read_with_basis_from_columns_and_pairs(plan: Plan, tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "a.xlsx",
        [
            [CODE_A, "甲电子有限公司", "太原市", "第10条", None, 2025, None, 55000, 12000, None],
            [
                CODE_B,
                "乙软件有限公司",
                "140200",
                15,
                None,
                "2025年",
                None,
                None,
                None,
                "scheme=CMMI；level=5; previous_level=3",
            ],
            [None, None, None, None, None, None, None, None, None, None],
            [CODE_B, "乙软件有限公司", "大同", "14", "exhibition", 2025, "展会", None, None, "booth_fee=15"],
        ],
    )
    result = read_applications(path, path.read_bytes(), plan=plan)
    assert result.report.valid, result.report.flatten(["row", "message_zh"])
    assert [(r.row, r.item, r.award, r.city, r.year) for r in result.rows] == [
        (3, 10, "electronics_revenue", "140100", 2025),
        (4, 15, "maturity_certification", "140200", 2025),
        (6, 14, "exhibition", "140200", 2025),
    ]
    assert result.rows[0].basis == {"revenue": "55000", "previous_revenue": "12000"}
    assert result.rows[1].basis == {"scheme": "CMMI", "level": "5", "previous_level": "3"}


def test_every_bad_cell_is_reported_with_row_and_column(plan: Plan, tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "bad.xlsx",
        [
            [CODE_A[:-1] + "4", "甲", "太原", "10", None, 2025, None, 55000, 12000, None],
            [CODE_A, "甲", "北京", "10", None, 2025, None, 55000, 12000, None],
            [CODE_A, "甲", "太原", "第30条", None, 2025, None, None, None, None],
            [CODE_A, "甲", "太原", "10", None, 1999, None, 55000, 12000, None],
            [CODE_A, "甲", "太原", "10", None, 2025, None, "五万", 12000, None],
            [CODE_A, None, "太原", "10", None, 2025, None, 55000, 12000, None],
            [CODE_A, "甲", "太原", "10", None, 2025, None, 55000, None, None],
            [CODE_A, "甲", "太原", "15", None, 2025, None, None, None, "scheme"],
            [CODE_A, "甲", "太原", "14", None, 2025, None, None, None, None],
            [CODE_B, "乙", "太原", "20", None, 2025, None, None, None, "event_cost=80"],
            [CODE_B, "乙", "太原", "20", None, 2025, None, None, None, "event_cost=80"],
        ],
    )
    result = read_applications(path, path.read_bytes(), plan=plan)
    assert not result.report.valid and result.rows == ()
    assert result.report.flatten(["row", "column", "code"]) == [
        [3, "统一社会信用代码", "invalid-credit-code"],
        [4, "所在市", "unknown-region"],
        [5, "政策条款", "unknown-policy-item"],
        [6, "年度", "invalid-basis"],
        [7, "revenue 年主营业务收入（万元）", "invalid-basis"],
        [8, "企业名称", "missing-value"],
        [9, "previous_revenue", "invalid-basis"],
        [10, "依据", "invalid-basis"],  # "scheme" is no KEY=VALUE pair …
        [10, "依据", "invalid-basis"],  # … so scheme and level are missing
        [11, "奖补事项", "invalid-basis"],
        [13, None, "duplicate-key"],
    ]
    messages = result.report.flatten(["message_zh"])
    assert messages[0] == [
        "工作表“申请”第3行“统一社会信用代码”列：统一社会信用代码校验位错误：91350100M000100Y44，第18位应为3"
    ]
    assert messages[6] == [
        "工作表“申请”第9行“previous_revenue”列：缺少依据：上年主营业务收入（previous_revenue）"
    ]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("x.csv", b"", "empty-file"),
        ("x.csv", "名称,数值\n甲,1\n".encode(), "no-data"),
        ("x.xlsx", b"not a zip", "file-type-mismatch"),
        ("x.pdf", b"%PDF", "unsupported-file-type"),
        ("x.csv", "统一社会信用代码,企业名称,奇怪的列\n".encode(), "unknown-column"),
        ("x.csv", "统一社会信用代码,企业名称\n91350100M000100Y43,甲\n".encode(), "missing-value"),
    ],
)
def test_hostile_files_get_a_report_not_a_crash(
    plan: Plan, tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = read_applications(path, content, plan=plan)
    assert not result.report.valid and code in result.report.codes(), result.report.flatten(
        ["code", "message_zh"]
    )


def test_gbk_csv_with_chinese_headers(plan: Plan, tmp_path: Path) -> None:
    text = (
        "统一社会信用代码,企业名称,所在市,政策条款,年度,项目名称,依据\r\n"
        f"{CODE_A},甲公司,长治,第20条,2025,数字经济大会,event_cost=150\r\n"
    )
    path = tmp_path / "申请.csv"
    path.write_bytes(text.encode("gbk"))
    result = read_applications(path, path.read_bytes(), plan=plan)
    assert result.report.valid and result.rows[0].item == 20 and result.rows[0].city == "140400"


def test_the_template_reads_back(plan: Plan, tmp_path: Path) -> None:
    path = write_ledger_template(tmp_path / "模板.xlsx", plan=plan)
    book = load_workbook(path)
    sheet = book[DATA_SHEET]
    headers = [c.value for c in sheet[1]]
    assert (
        headers[:4] == ["统一社会信用代码", "企业名称", "所在市", "政策条款"]
        and "revenue 年主营业务收入（万元）" in headers
    )
    assert len(list(book["依据说明"].iter_rows())) == 1 + sum(len(i.awards) for i in plan.incentives)
    empty = read_applications(path, path.read_bytes(), plan=plan)
    assert empty.report.codes() == {"no-data"}
    col = headers.index("booth_fee 展位费（万元）") + 1
    row = [CODE_A, "甲公司", "太原", "第14条", "exhibition", 2025, None, None]
    for i, value in enumerate(row, start=1):
        sheet.cell(row=2, column=i, value=value)
    sheet.cell(row=2, column=col, value=15)
    book.save(path)
    filled = read_applications(path, path.read_bytes(), plan=plan)
    assert filled.report.valid and filled.rows[0].basis == {"booth_fee": "15"}
