"""Cell values → floats, vectorised: clean numbers in one pass, the rest interpreted once per distinct text.

Accepted: thousands separators (`12,345`), full-width digits and punctuation (`１２，３４５．６`),
surrounding spaces, a trailing `%` or `‰` (which then is the value's unit). Missing, not an error:
blank, `—`, `-`, `--`, `…` and their variants. Everything else is `non-numeric-value`, except the
cells a workbook saved as something other than a value (`etl.readers.BadCell`: an Excel error, a
formula without its result, a boolean), which keep their own kind in `problem`. Infinity and NaN,
however written, are not numbers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from etl.readers import BadCell
from etl.text import map_unique_many

#: What bureaus put in a cell that has no value (after NFKC: `…` becomes `...`, `－` becomes `-`).
MISSING_MARKERS: frozenset[str] = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "――", "...", "......", "/", "n/a", "na", "null", "none"}
)
PERCENT_SUFFIXES = ("%", "‰")
_MINUS_SIGNS = str.maketrans({"−": "-", "－": "-", "‒": "-"})
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_SPACES = re.compile(r"\s+")

_MISSING = "missing"
_INVALID = "invalid"
_NUMERIC = "numeric"
#: `BadCell.kind`s, each reported under its own code (etl.validation)
BAD_CELL_KINDS = ("excel-error", "formula-without-value", "boolean")


@dataclass(frozen=True, slots=True)
class ParsedNumbers:
    """Column-wise result: `number` is NaN where `missing`, `invalid` or a `problem`; `suffix` is `%`/`‰`/''.

    `problem` is a `BAD_CELL_KINDS` entry for a cell that held no value (None elsewhere).
    """

    number: np.ndarray
    missing: np.ndarray
    invalid: np.ndarray
    suffix: np.ndarray
    problem: np.ndarray


def parse_numbers(values: pd.Series) -> ParsedNumbers:
    """Parse a column of cells (strings from CSV, floats or strings from XLSX)."""
    size = len(values)
    suffix = np.full(size, "", dtype=object)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        number = values.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(number)
        problem = np.full(size, None, dtype=object)
        return ParsedNumbers(number, missing, np.zeros(size, dtype=bool), suffix, problem)
    fast = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    number = np.where(np.isfinite(fast), fast, np.nan)
    missing = np.zeros(size, dtype=bool)
    invalid = np.zeros(size, dtype=bool)
    problem = np.full(size, None, dtype=object)
    slow = np.flatnonzero(np.isnan(number))
    if len(slow):
        kinds, numbers, suffixes = map_unique_many(values.iloc[slow], _classify, 3)
        number[slow] = numbers.astype("float64")
        missing[slow] = kinds == _MISSING
        invalid[slow] = kinds == _INVALID
        suffix[slow] = suffixes
        bad = np.isin(kinds, BAD_CELL_KINDS)
        problem[slow[bad]] = kinds[bad]
    return ParsedNumbers(number, missing, invalid, suffix, problem)


def _classify(value: Any) -> tuple[str, float, str]:
    """One distinct cell → (kind, number, percent suffix)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (_MISSING, math.nan, "")
    if isinstance(value, BadCell):
        return (value.kind, math.nan, "")
    if isinstance(value, bool):  # TRUE is not 1
        return ("boolean", math.nan, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return (_NUMERIC, number, "") if math.isfinite(number) else (_INVALID, math.nan, "")
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)).translate(_MINUS_SIGNS))
    if text.casefold() in MISSING_MARKERS:
        return (_MISSING, math.nan, "")
    suffix = ""
    if text.endswith(PERCENT_SUFFIXES):
        suffix, text = text[-1], text[:-1]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return (_INVALID, math.nan, "")
    number = float(text)
    return (_NUMERIC, number, suffix) if math.isfinite(number) else (_INVALID, math.nan, "")
