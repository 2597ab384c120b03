"""Numbers, periods and labels read as a reader expects, on every page alike."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from dashboard import formats
from dashboard.i18n import LABELS, lang_of, t
from dashboard.urls import encode, href, query_of, with_query


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (4962.0, "亿元", None, "4,962 亿元"),
        (67300, "个", None, "67,300 个"),
        (1234567.891, "户", None, "1,234,568 户"),
        (0.33, "元/千瓦时", None, "0.33 元/千瓦时"),
        (0.365, "元/千瓦时", None, "0.365 元/千瓦时"),
        (602.7, "亿元", None, "602.7 亿元"),
        (544.0, "亿元", 1, "544.0 亿元"),
        (68.3, "%", None, "68.3%"),
        (-12.25, None, None, "−12.25"),
        (-0.00001, None, None, "0"),
        (None, "个", None, "—"),
        (math.nan, "亿元", None, "—"),
    ],
)
def test_number(value: float | None, unit: str | None, decimals: int | None, expected: str) -> None:
    assert formats.number(value, unit, decimals=decimals) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1910.77, 602.7, 544.0, 204.3], 1),
        ([30500.0, 12659.0], 0),
        ([65.27, 4.1, 12.0], 2),
        ([1000.5, 2000.1, 3000.2], 0),
        ([None, math.nan], 0),
    ],
)
def test_shared_decimals(values: list[float | None], expected: int) -> None:
    assert formats.shared_decimals(values) == expected


@pytest.mark.parametrize(
    ("fraction", "signed", "expected"),
    [(0.9924, False, "99.2%"), (2.243333, False, "224.3%"), (0.225, True, "+22.5%"), (-0.0379, True, "−3.8%"),
     (-0.00001, True, "0.0%"), (None, False, "—")],
)  # fmt: skip
def test_percent(fraction: float | None, signed: bool, expected: str) -> None:
    assert formats.percent(fraction, signed=signed) == expected


@pytest.mark.parametrize(
    ("pp", "lang", "expected"),
    [
        (-0.76, "zh", "慢于序时进度 0.8 个百分点"),
        (124.333, "zh", "快于序时进度 124.3 个百分点"),
        (0.01, "zh", "与序时进度持平"),
        (-5.26, "en", "5.3 pp behind schedule"),
        (None, "zh", "—"),
    ],
)
def test_schedule_gap(pp: float | None, lang: str, expected: str) -> None:
    assert formats.schedule_gap(pp, lang_of(lang)) == expected


@pytest.mark.parametrize(
    ("period", "lang", "expected"),
    [("2025Q3", "zh", "2025年第三季度"), ("2025Q3", "en", "2025 Q3"), ("2024", "zh", "2024年"),
     ("2024", "en", "2024"), ("2024M09", "zh", "2024年9月"), (None, "zh", "—"), ("bad", "zh", "bad")],
)  # fmt: skip
def test_period_label(period: str | None, lang: str, expected: str) -> None:
    assert formats.period_label(period, lang_of(lang)) == expected


def test_times_are_shown_in_beijing_time() -> None:
    stored = dt.datetime(2025, 10, 20, 4, 25)  # naive UTC, as the store keeps it
    assert formats.beijing_time(stored, "zh") == "2025-10-20 12:25（北京时间）"
    assert formats.beijing_time("2025-10-20T20:00:00", "en") == "2025-10-21 04:00 (Beijing time)"
    assert formats.beijing_time(None, "zh") == "—"


def test_every_label_has_both_languages() -> None:
    assert all(zh and en for zh, en in LABELS.values())
    assert t("target_year", "zh", year=2022) == "2022年目标"
    assert t("target_year", "en", year=2022) == "2022 target"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "zh"), ("", "zh"), ("zh", "zh"), ("en", "en"), ("EN-us", "en")]
)
def test_language_from_the_query(value: str | None, expected: str) -> None:
    assert lang_of(value) == expected


def test_query_strings_carry_the_state() -> None:
    assert query_of("?as_of=2025Q3&lang=en") == {"as_of": "2025Q3", "lang": "en"}
    assert with_query("?lang=en&as_of=2025Q2", as_of="2025Q3") == "?as_of=2025Q3&lang=en"
    assert with_query("?as_of=2025Q2", as_of=None) == ""
    assert encode({"lang": "zh", "indicator": "base_stations_5g"}) == "?indicator=base_stations_5g"
    assert href("/regions/140100", "en", as_of="2025Q3") == "/regions/140100?as_of=2025Q3&lang=en"
    assert href("/", "zh") == "/"
