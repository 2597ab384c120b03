"""Sentence templates over progress records: numbers as a brief writes them, statuses with a fallback.

Records are shaped like the progress service's rows. Worked example: 数字经济规模 C = 6230 亿元,
T = 8000 (2025), completion 6230 / 8000 = 0.77875 → 77.9%; 序时差 −5.3 pp → 慢于序时进度5.3个百分点.
"""

from __future__ import annotations

import pytest

from app.briefs import wording as w

SCALE = {
    "indicator": "digital_economy_scale", "name": "数字经济规模", "unit": "亿元", "year": 2025,
    "comparator": ">=", "target": 8000.0, "current": 6230.0, "current_period": "2025Q3", "as_of": "2025Q3",
    "completion": 6230 / 8000, "schedule_gap_pp": -5.3, "yoy": 0.103, "status": "behind", "status_zh": "滞后",
}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(125400, "个", "12.54万个"), (30000, "个", "3万个"), (6230, "亿元", "6230亿元"),
     (0.3055, "元/千瓦时", "0.3055元/千瓦时"), (3177.25, "亿元", "3177.25亿元"), (None, "个", "—")],
)  # fmt: skip
def test_quantity(value: float | None, unit: str, text: str) -> None:
    assert w.quantity(value, unit) == text


def test_a_target_in_progress_reads_completion_schedule_and_status() -> None:
    assert w.target_sentence(SCALE) == (
        "数字经济规模达到6230亿元，同比增长10.3%，完成2025年8000亿元目标的77.9%，慢于序时进度5.3个百分点，进度滞后"
    )


def test_an_achieved_target_before_its_deadline_is_completed_early() -> None:
    record = SCALE | {"target": 30000.0, "current": 125400.0, "unit": "个", "name": "5G基站数", "year": 2025}
    assert (
        w.target_sentence(record | {"status": "achieved", "yoy": None})
        == "5G基站数达到12.54万个，提前完成2025年3万个的目标"
    )


def test_a_status_the_templates_do_not_know_is_named_by_the_engines_label() -> None:
    """A later engine may add e.g. `awaiting_final` (past the deadline, no final value yet)."""
    record = SCALE | {"status": "awaiting_final", "status_zh": "待终值数据"}
    assert w.target_sentence(record).endswith("状态为“待终值数据”")
    counts = w.status_counts_sentence(
        [SCALE, record, SCALE | {"status": "achieved", "status_zh": "已完成"}], subject="全省"
    )
    assert counts == "全省3项量化目标中，已完成1项、滞后1项、待终值数据1项"


@pytest.mark.parametrize(
    ("gap", "text"),
    [
        (2.04, "快于序时进度2.0个百分点"),
        (-5.3, "慢于序时进度5.3个百分点"),
        (0.01, "与序时进度持平"),
        (None, ""),
    ],
)
def test_schedule_words(gap: float | None, text: str) -> None:
    assert w.schedule_words(gap) == text


def test_a_value_from_an_earlier_period_is_dated() -> None:
    record = SCALE | {"current_period": "2024", "current": 7350.0}
    assert w.target_sentence(record).startswith("数字经济规模2024年底达到7350亿元")
