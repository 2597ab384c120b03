"""The frame and pair helpers give what their former versions gave, on real upload columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from etl.text import frame_of, map_pairs
from etl.upload import read_upload
from indicators.model import Plan

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
FILES = ["2020-2023_统计局_数字经济核心产业.csv", "2024Q3_统计局_数字经济主要指标.xlsx"]


def _former_map_pairs(left: Any, right: Any, func: Any, width: int) -> list[np.ndarray]:
    """map_pairs as it was: the distinct pairs found by sorting (np.unique)."""
    left_codes, left_uniques = pd.factorize(left, use_na_sentinel=True)
    right_codes, right_uniques = pd.factorize(right, use_na_sentinel=True)
    span = len(right_uniques) + 1
    combined = (left_codes.astype(np.int64) + 1) * span + (right_codes.astype(np.int64) + 1)
    pairs, inverse = np.unique(combined, return_inverse=True)
    results = []
    for pair in pairs.tolist():
        li, ri = divmod(pair, span)
        results.append(func(left_uniques[li - 1] if li else None, right_uniques[ri - 1] if ri else None))
    inverse = inverse.reshape(-1)
    return [np.array([r[i] for r in results], dtype=object)[inverse] for i in range(width)]


@pytest.mark.parametrize("name", FILES)
def test_map_pairs_and_frame_of_agree_with_the_former_versions(name: str, plan: Plan) -> None:
    values = read_upload(SAMPLE / name, plan=plan).values
    assert len(values) > 100

    def pair(indicator: Any, period: Any) -> tuple[Any, ...]:
        return (f"{indicator}@{period}", len(str(period)), indicator is None)

    new = map_pairs(values["indicator"], values["period"], pair, 3)
    old = _former_map_pairs(values["indicator"], values["period"], pair, 3)
    for a, b in zip(new, old, strict=True):
        assert a.tolist() == b.tolist()
    columns = {name: values[name] for name in values.columns} | {
        "as_array": values["row"].to_numpy(),
        "objects": values["note"].to_numpy(object),
    }
    pd.testing.assert_frame_equal(frame_of(columns), pd.DataFrame(columns), check_exact=True)
