"""The fast CSV paths give what the former ones gave, on the sample files and their variants.

`_plain_grid` (Arrow, for plain rectangular files) must build the grid pandas' C parser builds,
and `_line_field_counts` (numpy over the UTF-8 bytes) the counts of `str.count` per line; the
former implementations are kept here as the reference. The variants are the sample files with
what bureau exports do to them: BOM, GBK, CRLF, tabs, full-width digits, blank, short and long
lines, control characters, a missing final line break.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl import readers
from etl.limits import ReadLimits

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
PLAIN = (SAMPLE / "2020-2023_能源局_智能化煤矿.csv").read_bytes().decode("utf-8-sig")
QUOTED = (SAMPLE / "2020-2023_统计局_数字经济核心产业.csv").read_bytes().decode("utf-8-sig")
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _each_line(text: str, change: object, every: int) -> str:
    lines = text.split("\n")
    return "\n".join(change(line) if n % every == 2 else line for n, line in enumerate(lines))  # type: ignore[operator]


def _in_value_column(line: str, table: dict[int, int]) -> str:
    cells = line.split(",")
    return ",".join(c.translate(table) if n == 3 else c for n, c in enumerate(cells))


VARIANTS: dict[str, bytes] = {
    "plain": PLAIN.encode(),
    "bom": codecs.BOM_UTF8 + PLAIN.encode(),
    "two boms": codecs.BOM_UTF8 * 2 + PLAIN.encode(),
    "gbk": PLAIN.encode("gbk"),
    "crlf": PLAIN.replace("\n", "\r\n").encode(),
    "crlf and one lone cr": PLAIN.replace("\n", "\r\n").replace("\r\n", "\r", 1).encode(),
    "lone cr": PLAIN.replace("\n", "\r").encode(),
    "no final line break": PLAIN.rstrip("\n").encode(),
    "two final line breaks": (PLAIN + "\n").encode(),
    "tabs": PLAIN.replace(",", "\t").encode(),
    "pipes": PLAIN.replace(",", "|").encode(),
    "spaces after commas": _each_line(PLAIN, lambda line: ", ".join(line.split(",")), 3).encode(),
    "full-width digits": _each_line(PLAIN, lambda line: _in_value_column(line, FULL_WIDTH), 4).encode(),
    "control characters": PLAIN.replace("太原", "太\x0c原").replace("晋中", "晋\x0b\x1a中").encode(),
    "line separators": PLAIN.replace("太原", "太\u2028原").replace("晋中", "晋\x85中").encode(),
    "blank line": _each_line(PLAIN, lambda line: line + "\n", 40).encode(),
    "short line": _each_line(PLAIN, lambda line: line.rsplit(",", 1)[0], 17).encode(),
    "long line": _each_line(PLAIN, lambda line: line + ",9", 23).encode(),
    "title rows": ("2024年第三季度全省数字经济主要指标,,,,\n单位：万元,,,,\n" + PLAIN).encode(),
    "quoted": QUOTED.encode(),
    "quoted, crlf": QUOTED.replace("\n", "\r\n").encode(),
    **{path.name: path.read_bytes() for path in sorted(SAMPLE.glob("*.csv"))},
}


def _former_grid(text: str, delimiter: str, width: int) -> pd.DataFrame:
    grid = pd.read_csv(
        io.BytesIO(text.encode("utf-8")),
        encoding="utf-8",
        sep=delimiter,
        header=None,
        names=list(range(width)),
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        engine="c",
    )
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid


def _former_counts(text: str, delimiter: str) -> np.ndarray:
    lines = pd.Series(text.split("\n"), dtype=object)
    return lines.str.count(re.escape(delimiter)).to_numpy(np.int64) + 1


@pytest.mark.parametrize("name", list(VARIANTS))
def test_the_fast_paths_agree_with_the_former_ones(name: str) -> None:
    text, _ = readers._decode(VARIANTS[name])
    grid, delimiter, fields = readers._csv_grid(text, ReadLimits())
    width = grid.shape[1]
    decoded = text.utf8.decode("utf-8")
    counts = readers._line_field_counts(text.utf8, delimiter)
    assert np.array_equal(counts, _former_counts(decoded, delimiter))
    plain = readers._plain_grid(text, delimiter, width, len(grid))
    if plain is not None:
        pd.testing.assert_frame_equal(plain, _former_grid(decoded, delimiter, width), check_exact=True)
        assert (fields == width).all()


def test_plain_files_take_the_fast_path_and_the_others_do_not() -> None:
    def plain(name: str) -> bool:
        text, _ = readers._decode(VARIANTS[name])
        grid, delimiter, _ = readers._csv_grid(text, ReadLimits())
        return readers._plain_grid(text, delimiter, grid.shape[1], len(grid)) is not None

    fast = ["plain", "bom", "gbk", "crlf", "tabs", "full-width digits", "control characters"]
    assert all(plain(name) for name in fast)
    slow = ["two boms", "crlf and one lone cr", "lone cr", "blank line", "short line", "long line", "quoted"]
    assert not any(plain(name) for name in slow)


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_field_counts_do_not_depend_on_the_block_size(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "COUNT_BLOCK_BYTES", block)
    data = VARIANTS["short line"] + b"\n,,\n\n,"
    assert np.array_equal(readers._line_field_counts(data, ","), _former_counts(data.decode(), ","))
