"""Writers of the hostile corpus: the small files in tests/corpus/files/, the big ones made at test time.

`python -m tests.corpus.hostile` rewrites tests/corpus/files/ (the same content every time; the
workbooks openpyxl writes differ only in their timestamps). The big files (a zip bomb, 100,000
columns, five million lines, a 5 MB cell) are written by `GENERATED` into a temporary folder when
the corpus test runs, so the repository stays small.
Each file's expected error code is in tests/corpus/manifest.toml.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

FILES = Path(__file__).resolve().parent / "files"
HEADER = ["指标", "地区", "时期", "数值"]
GOOD = ["5G基站数", "太原", "2025Q1", "20000"]
SEED = 20261201

# ----------------------------------------------------------------------------- raw XLSX parts

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main">'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return (
        '<row r="1">' + "".join(_inline(f"{c}1", t) for c, t in zip("ABCD", HEADER, strict=True)) + "</row>"
    )


def raw_xlsx(path: Path, sheet_data: str, *, before: str = "", prolog: str = "") -> Path:
    """A minimal workbook whose one sheet's XML is written by hand (what no library would write)."""
    xml = prolog or '<?xml version="1.0" encoding="UTF-8"?>'
    sheet = xml + _SHEET_HEAD[len('<?xml version="1.0" encoding="UTF-8"?>') :] + before
    sheet += f"<sheetData>{sheet_data}</sheetData></worksheet>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def _data_row(row: int, cells: str) -> str:
    return (
        f'<row r="{row}">{_inline(f"A{row}", "5G基站数")}{_inline(f"B{row}", "太原")}'
        f"{_inline(f'C{row}', '2025Q1')}{cells}</row>"
    )


def workbook(path: Path, rows: list[list[object]], *, title: str = "数据") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def csv_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _long(*rows: list[str]) -> str:
    return "\n".join(",".join(r) for r in (HEADER, *rows)) + "\n"


# ----------------------------------------------------------------------------- the small files


def write_small(folder: Path) -> None:  # noqa: PLR0915 - one line per file reads best as a list
    """Every committed file of the corpus (each under 10 KB)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    f = folder
    # --- bounds: cells far away
    raw_xlsx(f / "xfd1048576.xlsx", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    raw_xlsx(
        f / "a1_and_xfd1048576.xlsx",
        _header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
    raw_xlsx(f / "z1048576.xlsx", _header_row() + '<row r="1048576"><c r="Z1048576"><v>1</v></c></row>')
    raw_xlsx(
        f / "far_cell_no_references.xlsx",
        _header_row() + '<row r="1048576">' + "<c><v>1</v></c>" * 1200 + "</row>",
    )
    raw_xlsx(
        f / "lying_dimension.xlsx",
        _header_row() + _data_row(2, '<c r="D2"><v>1</v></c>').replace("太原", "太源"),
        before='<dimension ref="A1:XFD1048576"/>',
    )
    raw_xlsx(f / "styled_far_cell.xlsx", _header_row() + '<row r="1048576"><c r="XFD1048576" s="1"/></row>')
    # --- cells that are not values
    errors = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]
    raw_xlsx(
        f / "error_cells.xlsx",
        _header_row()
        + "".join(_data_row(i + 2, f'<c r="D{i + 2}" t="e"><v>{e}</v></c>') for i, e in enumerate(errors)),
    )
    raw_xlsx(
        f / "error_cell_with_formula.xlsx",
        _header_row() + _data_row(2, '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
    )
    raw_xlsx(
        f / "formula_without_value.xlsx", _header_row() + _data_row(2, '<c r="D2"><f>SUM(E1:E9)</f></c>')
    )
    workbook(f / "formula_openpyxl.xlsx", [HEADER, ["5G基站数", "太原", "2025Q1", "=1000*20"]])
    workbook(
        f / "booleans.xlsx",
        [HEADER, ["5G基站数", "太原", "2025Q1", True], ["5G基站数", "大同", "2025Q1", False]],
    )
    # --- implausible periods and values
    csv_file(f / "period_1900q1.csv", _long(["5G基站数", "太原", "1900Q1", "20000"]))
    csv_file(f / "period_2099q1.csv", _long(["5G基站数", "太原", "2099Q1", "20000"]))
    csv_file(f / "period_1900_annual.csv", _long(["数字经济规模", "山西", "1900年", "5000"]))
    workbook(f / "period_2099q1.xlsx", [HEADER, ["5G基站数", "太原", "2099Q1", 20000]])
    workbook(
        f / "period_in_title_2099.xlsx",
        [["2099年第一季度全省数字经济主要指标"], ["地区", "5G基站数"], ["太原", 100]],
    )
    workbook(f / "period_in_sheet_name.xlsx", [["地区", "5G基站数"], ["太原", 100]], title="2099Q1")
    csv_file(f / "value_1e308.csv", _long(["5G基站数", "太原", "2025Q1", "1e308"]))
    workbook(f / "value_1e308.xlsx", [HEADER, ["软件业务收入", "太原", "2025Q1", 1e308]])
    csv_file(f / "value_beyond_money.csv", _long(["软件业务收入", "太原", "2025Q1", "1e12"]))
    csv_file(
        f / "nan_inf.csv",
        _long(
            *(
                ["5G基站数", city, "2025Q1", v]
                for city, v in zip(
                    ["太原", "大同", "朔州", "忻州"], ["NaN", "inf", "-inf", "Infinity"], strict=True
                )
            )
        ),
    )
    csv_file(f / "negative_count.csv", _long(["5G基站数", "太原", "2025Q1", "-5"]))
    # --- empty and not what the name says
    (f / "empty.csv").write_bytes(b"")
    (f / "empty.xlsx").write_bytes(b"")
    (f / "empty.xls").write_bytes(b"")
    workbook(f / "empty_workbook.xlsx", [])
    csv_file(f / "blank_lines.csv", "\n\n\n")
    csv_file(f / "header_only.csv", "指标,地区,时期,数值\n")
    csv_file(f / "only_dashes.csv", _long(["5G基站数", "太原", "2025Q1", "—"]))
    (f / "garbage.xlsx").write_bytes(rng.randbytes(2048))
    (f / "garbage.csv").write_bytes(b"\x00\x01" + rng.randbytes(2048))
    (f / "garbage.xls").write_bytes(rng.randbytes(2048))
    (f / "zip_magic_garbage.xlsx").write_bytes(b"PK\x03\x04" + rng.randbytes(2048))
    (f / "ole_magic_garbage.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(2048))
    good = io.BytesIO()
    workbook(f / "_good.xlsx", [HEADER, GOOD])
    good.write((f / "_good.xlsx").read_bytes())
    (f / "_good.xlsx").unlink()
    (f / "truncated.xlsx").write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    (f / "xlsx_named_csv.csv").write_bytes(good.getvalue())
    (f / "xlsx_named_xls.xls").write_bytes(good.getvalue())
    csv_file(f / "csv_named_xlsx.xlsx", _long(GOOD))
    (f / "ole_named_xlsx.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    # --- encodings
    csv_file(f / "big5.csv", "指標,地區,時期,數值\n5G基站數,太原,2025Q1,20000\n", encoding="big5")
    csv_file(f / "utf16le_no_bom.csv", _long(GOOD), encoding="utf-16-le")
    (f / "invalid_bytes.csv").write_bytes(_long(GOOD).encode() + b"\xff\xfe\xfa\x80\x81" * 50)
    csv_file(f / "shift_jis.csv", "指標,地域,期間,数値\n基地局,太原,2025Q1,1\n", encoding="shift_jis")
    # --- CSV structure
    csv_file(
        f / "unbalanced_quote.csv", _long(GOOD) + '5G基站数,大同,2025Q1,"9,000\n5G基站数,朔州,2025Q1,3000\n'
    )
    csv_file(f / "unquoted_thousands.csv", _long(["5G基站数", "太原", "2025Q1", "20", "000"]))
    csv_file(f / "short_row.csv", _long(["5G基站数", "太原", "2025Q1"]))
    csv_file(
        f / "wide_line_past_sniff.csv", _long(*(GOOD[:3] + [str(i)] for i in range(60))) + "1," * 1999 + "1\n"
    )
    csv_file(f / "unknown_layout.csv", "甲,乙,丙\n1,2,3\n")
    csv_file(f / "formula_injection.csv", _long(["5G基站数", "太原", "2025Q1", "=cmd|' /C calc'!A0"]))
    csv_file(f / "unknown_region.csv", _long(["5G基站数", "太源", "2025Q1", "1"]))
    csv_file(f / "duplicate_key.csv", _long(GOOD, GOOD))
    csv_file(f / "control_characters.csv", _long(["5G基站数\x07", "太原\x1b", "2025Q1", "1\x0b"]))
    # --- workbook structure
    raw_xlsx(f / "malformed_xml.xlsx", _header_row() + '<row r="2"><c r="A2"><v>1</v></row>')
    billion = (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
        )
        + "]>"
    )
    raw_xlsx(
        f / "billion_laughs.xlsx",
        _header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
        prolog=billion,
    )
    raw_xlsx(
        f / "deeply_nested.xlsx", _header_row() + '<row r="2">' + "<x>" * 20000 + "</x>" * 20000 + "</row>"
    )
    raw_xlsx(
        f / "missing_shared_string.xlsx", _header_row() + _data_row(2, '<c r="D2" t="s"><v>99999</v></c>')
    )
    merged = workbook(
        f / "merged_cells.xlsx",
        [
            ["地区", "指标", "时期", "数值"],
            ["太原", "5G基站数", "2025Q1", 1],
            [None, "5G基站数", "2025Q2", 2],
        ],
    )
    book = openpyxl.load_workbook(merged)
    assert book.active is not None
    book.active.merge_cells("A2:A3")
    book.save(merged)
    book = openpyxl.Workbook()
    visible = book.active
    assert visible is not None
    visible.title = "说明"
    visible.append(["本文件数据在隐藏工作表中"])
    secret = book.create_sheet("数据")
    for row in (HEADER, GOOD):
        secret.append(row)
    secret.sheet_state = "hidden"
    book.save(f / "hidden_sheet_only.xlsx")
    secret.sheet_state = "veryHidden"
    book.save(f / "very_hidden_sheet_only.xlsx")


# ----------------------------------------------------------------------------- the big files


def zip_bomb(path: Path) -> Path:
    """A 300 MB sheet XML of identical rows, a few hundred KB compressed: over the part limit."""
    row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode() + b"<sheetData>")
            block = row.encode()
            for _ in range(300 * (1 << 20) // len(block) + 1):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def lying_zip(path: Path) -> Path:
    """A workbook whose sheet inflates to far more than its header declares (the sizes are forged)."""
    raw_xlsx(path, _header_row() + _data_row(2, '<c r="D2"><v>1</v></c>') * 200)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = (100).to_bytes(4, "little")
            start = at + 4
    path.write_bytes(bytes(data))
    return path


def many_columns(path: Path) -> Path:
    """A 1.2 MB CSV of 100,000 columns (it took 45 s of CPU before the width was bounded)."""
    header = ",".join(HEADER + [f"c{i}" for i in range(100_000)])
    return csv_file(path, header + "\n" + ",".join(GOOD) + "\n")


def many_columns_late(path: Path) -> Path:
    """100,000 fields on line 80, past the lines sniffed for the width."""
    lines = [",".join(HEADER)] + [",".join(GOOD[:3] + [str(i)]) for i in range(78)]
    lines.append(",".join(["1"] * 100_000))
    return csv_file(path, "\n".join(lines) + "\n")


def many_lines(path: Path) -> Path:
    """Five million and one lines: over the row limit."""
    return csv_file(path, ",".join(HEADER) + "\n" + "1\n" * 5_000_001)


def huge_cell(path: Path) -> Path:
    """One 5 MB value: refused like any text, and the message quotes only its start."""
    return csv_file(
        path, ",".join(HEADER) + "\n" + ",".join(GOOD[:3]) + "," + "9" * 3 + "x" * (5 << 20) + "\n"
    )


GENERATED: dict[str, Callable[[Path], Path]] = {
    "zip_bomb.xlsx": zip_bomb,
    "lying_zip.xlsx": lying_zip,
    "100k_columns.csv": many_columns,
    "100k_columns_late.csv": many_columns_late,
    "5m_lines.csv": many_lines,
    "huge_cell.csv": huge_cell,
}


if __name__ == "__main__":
    write_small(FILES)
