"""Properties of the readers and parsers for any input (hypothesis draws it): bounded time, domain errors.

Each example must finish within `DEADLINE_MS` (hypothesis fails an example that takes longer) and
may raise nothing but `etl.UnreadableFile` where a file is read; the parsers raise nothing at all.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import etl
from etl.limits import ReadLimits
from etl.numbers import parse_numbers
from etl.periods import find_period, parse_period
from etl.readers import read_file
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.corpus.hostile import raw_xlsx

DEADLINE_MS = 3000
EXAMPLES = 80
SMALL = ReadLimits(max_rows=2000, max_columns=50, max_cells=20_000, max_part_bytes=1 << 20)
PLAN: Plan = load_plan(DEFAULT_PLAN)
TODAY = dt.date(2026, 12, 1)

#: Pieces a bureau's CSV is made of, and the characters that break CSVs.
CELLS = st.one_of(
    st.sampled_from(
        [
            "指标",
            "地区",
            "时期",
            "数值",
            "5G基站数",
            "太原",
            "大同市",
            "2025Q1",
            "2024年第三季度",
            "1,200",
            "—",
            "",
            "1e308",
            "NaN",
            "inf",
            "TRUE",
            "#DIV/0!",
            "2099Q1",
            "1900年",
            "-5",
            "１２３",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.text(alphabet='",;\t\n\r|"\\', max_size=6),
)
FAST = settings(max_examples=EXAMPLES, deadline=DEADLINE_MS, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=60))
def test_any_text_parses_to_a_period_or_none(text: str) -> None:
    for parsed in (parse_period(text), find_period(text)):
        assert parsed is None or (1 <= parsed.end_month <= 12 and 1900 <= parsed.year <= 2199)


@FAST
@given(st.lists(st.one_of(st.none(), st.floats(), st.integers(-(10**20), 10**20), CELLS), max_size=40))
def test_any_cells_parse_to_a_number_a_blank_or_a_flag(cells: list[object]) -> None:
    parsed = parse_numbers(pd.Series(cells, dtype=object))
    assert len(parsed.number) == len(parsed.missing) == len(parsed.invalid) == len(cells)
    good = ~parsed.missing & ~parsed.invalid & np.array([p is None for p in parsed.problem], dtype=bool)
    assert np.isfinite(parsed.number[good]).all()  # no NaN or infinity ever passes as a number
    assert np.isnan(parsed.number[~good]).all()


def _read(name: str, data: bytes) -> None:
    """Read the bytes as a file called `name`: a RawFile or the domain's refusal, nothing else."""
    try:
        raw = read_file(Path(name), data, SMALL)
    except etl.UnreadableFile as refusal:
        assert refusal.code in set(etl.ErrorCode) and refusal.message_zh
        return
    for sheet in raw.sheets:
        assert sheet.grid.shape[0] <= SMALL.max_rows and sheet.grid.shape[1] <= SMALL.max_columns


@FAST
@given(st.binary(max_size=4096))
def test_any_bytes_named_csv_read_or_are_refused(data: bytes) -> None:
    _read("x.csv", data)


@FAST
@given(st.binary(max_size=4096), st.sampled_from(["x.xlsx", "x.xls", "x.xlsm"]))
def test_any_bytes_named_as_a_workbook_read_or_are_refused(data: bytes, name: str) -> None:
    _read(name, data)
    _read(name, b"PK\x03\x04" + data)
    _read(name, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data)


@FAST
@given(st.lists(st.lists(CELLS, max_size=8), max_size=30), st.sampled_from([",", "\t", ";"]))
def test_any_csv_of_bureau_like_cells_gives_a_report(rows: list[list[str]], delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(text.encode("utf-8"))
        result = etl.read_upload(path, plan=PLAN, limits=SMALL, today=TODAY)
    assert result.report.valid == (not result.report.errors)
    assert all(e.message_zh for e in result.report.errors)


#: Fragments of sheet XML, well-formed or not: cells far away, without references, typed oddly.
XML_PIECES = st.sampled_from(
    [
        '<row r="1">',
        '<row r="1048576">',
        "<row>",
        "</row>",
        '<c r="A1">',
        '<c r="XFD1048576">',
        '<c r="ZZ9">',
        '<c t="e">',
        '<c t="b">',
        '<c t="s">',
        '<c t="inlineStr">',
        "<c>",
        "</c>",
        "<v>1</v>",
        "<v>#N/A</v>",
        "<v></v>",
        "<f>1+1</f>",
        "<is><t>太原</t></is>",
        "<x>",
        "</x>",
        "&amp;",
        "&lol;",
        "<![CDATA[x]]>",
        "<!-- c -->",
        '<c r="A0">',
        '<c r="$B$2">',
    ]
)


@settings(max_examples=EXAMPLES, deadline=DEADLINE_MS, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(XML_PIECES, max_size=40))
def test_any_sheet_xml_reads_or_is_refused(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = raw_xlsx(Path(folder) / "x.xlsx", "".join(pieces))
        _read("x.xlsx", path.read_bytes())


@FAST
@given(st.binary(min_size=1, max_size=2048))
def test_a_zip_holding_any_bytes_as_its_sheet_reads_or_is_refused(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = raw_xlsx(Path(folder) / "x.xlsx", "")
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("xl/sharedStrings.xml", content)
        data = path.read_bytes().replace(b"xl/worksheets/sheet1.xml", b"xl/worksheets/sheet1.xml", 1)
        _read("x.xlsx", data)
