"""Unit conversion: a unit written in a workbook → the factor to the catalog unit, or a clear refusal."""

from __future__ import annotations

import pytest

from indicators.units import conversion, is_known_unit, parse_unit


@pytest.mark.parametrize(
    ("written", "catalog", "factor"),
    [
        ("万元", "亿元", 1e-4),
        ("元", "亿元", 1e-8),
        ("亿元", "亿元", 1.0),
        ("千元", "亿元", 1e-5),
        ("万亿元", "亿元", 1e4),
        ("万个", "个", 1e4),
        ("万户", "户", 1e4),
        ("千户", "户", 1e3),
        ("万家", "家", 1e4),
        ("万架", "架", 1e4),
        ("%", "%", 1.0),
        ("％", "%", 1.0),  # full-width percent sign
        ("‰", "%", 0.1),
        ("元/千瓦时", "元/千瓦时", 1.0),
        ("元/kWh", "元/千瓦时", 1.0),
        ("元/度", "元/千瓦时", 1.0),
        ("分/千瓦时", "元/千瓦时", 0.01),
        ("元/兆瓦时", "元/千瓦时", 0.001),
        ("PFLOPS", "EFLOPS", 1e-3),
        ("eflops", "EFLOPS", 1.0),
        ("万 元", "亿元", 1e-4),  # spaces inside
        ("", "个", 1.0),  # no unit written: the catalog unit
    ],
)
def test_convertible_units_give_the_factor_to_the_catalog_unit(
    written: str, catalog: str, factor: float
) -> None:
    result = conversion(written, catalog)
    assert result.ok
    assert result.factor == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize(
    ("written", "catalog"),
    [
        ("个", "家"),  # count nouns are not interchangeable: a different noun may count something else
        ("家", "户"),
        ("户", "个"),
        ("万元", "个"),
        ("%", "亿元"),
        ("吨", "个"),  # not a unit we know
        ("含综改区", "个"),
        ("元", "元/千瓦时"),
    ],
)
def test_units_that_cannot_convert_say_why(written: str, catalog: str) -> None:
    result = conversion(written, catalog)
    assert not result.ok
    assert result.factor is None
    assert written in result.reason


@pytest.mark.parametrize(
    ("text", "known"),
    [
        ("万元", True),
        ("个", True),
        ("%", True),
        ("元/kWh", True),
        ("累计", False),
        ("含综改区", False),
        ("", False),
    ],
)
def test_is_known_unit_tells_a_unit_from_a_remark(text: str, known: bool) -> None:
    assert is_known_unit(text) is known


def test_parse_unit_gives_dimension_and_scale() -> None:
    assert parse_unit("亿元") is not None
    unit = parse_unit("亿元")
    assert unit is not None and (unit.dimension, unit.scale) == ("money", 1e8)
    counted = parse_unit("万户")
    assert counted is not None and (counted.dimension, counted.scale) == ("count:户", 1e4)
