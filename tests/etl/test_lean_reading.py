"""The memory-lean reading steps give what their former versions gave, on real upload data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.consistency import _Keys
from etl.layouts import Extract, detect
from etl.lookup import Lexicon
from etl.normalise import key_of, normalise
from etl.readers import read_file
from etl.text import cell_text, frame_of, map_unique
from etl.upload import _values
from indicators.model import Plan

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
FILES = ["2020-2023_统计局_数字经济核心产业.csv", "2024Q3_统计局_数字经济主要指标.xlsx"]


def _normalised(name: str, plan: Plan) -> tuple[pd.DataFrame, tuple[Extract, ...]]:
    path = SAMPLE / name
    raw = read_file(path, path.read_bytes())
    lexicon = Lexicon.from_plan(plan)
    extracts = tuple(e for s in raw.sheets if isinstance(e := detect(s, lexicon), Extract))
    return normalise(extracts, lexicon).frame, extracts


@pytest.mark.parametrize("name", FILES)
def test_key_positions_agree_with_the_hash_index(name: str, plan: Plan) -> None:
    frame, _ = _normalised(name, plan)
    resolved = frame.loc[
        (frame["indicator_no"] >= 0) & (frame["region_no"] >= 0) & (frame["period_ordinal"] >= 0)
    ]
    ind, reg = resolved["indicator_no"].to_numpy(), resolved["region_no"].to_numpy()
    ordinal = resolved["period_ordinal"].to_numpy()
    keys = pd.unique(key_of(ind, reg, ordinal, len(plan.regions)))
    assert len(keys) > 100
    for back in (0, 1, 3, 12, 1000):  # found, partly found, and never found
        wanted = key_of(ind, reg, ordinal - back, len(plan.regions))
        expected = pd.Index(keys).get_indexer(wanted)
        np.testing.assert_array_equal(_Keys(keys).positions(wanted), expected)
    assert (_Keys(keys[:0]).positions(keys) == -1).all()


@pytest.mark.parametrize("name", FILES)
def test_values_order_agrees_with_the_former_sort(name: str, plan: Plan) -> None:
    frame, extracts = _normalised(name, plan)
    shuffled = frame.sample(frac=1.0, random_state=7)  # an order that the sort must undo
    former = _values_former(shuffled, extracts)
    pd.testing.assert_frame_equal(_values(shuffled, extracts), former)
    assert len(former) > 100


def _values_former(valid: pd.DataFrame, extracts: tuple[Extract, ...]) -> pd.DataFrame:
    """`etl.upload._values` as it was: the whole frame sorted, then its columns taken."""
    ordered = valid.sort_values(["sheet_no", "row"], kind="stable")
    note = map_unique(ordered["note"], lambda v: cell_text(v) or None)
    sheets = np.array([e.sheet for e in extracts], dtype=object)
    return frame_of(
        {
            "indicator": pd.Series(ordered["indicator"].to_numpy(object), dtype=object),
            "region": pd.Series(ordered["region"].to_numpy(object), dtype=object),
            "period": pd.Series(ordered["period"].to_numpy(object), dtype=object),
            "period_ordinal": ordered["period_ordinal"].to_numpy(np.int64),
            "value": ordered["value"].to_numpy(np.float64),
            "note": pd.Series(note, dtype=object),
            "sheet": pd.Series(sheets[ordered["sheet_no"].to_numpy(np.int64)], dtype=object),
            "row": ordered["row"].to_numpy(np.int64),
        }
    )
