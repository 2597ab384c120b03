"""Periods: canonical parsing, ordering and the month arithmetic progress relies on."""

from __future__ import annotations

import pytest

from indicators.periods import Frequency, Period, months_between, time_in_years


@pytest.mark.parametrize(
    ("text", "year", "frequency", "index", "end_month"),
    [
        ("2024", 2024, Frequency.ANNUAL, 1, 12),
        ("2024Q1", 2024, Frequency.QUARTERLY, 1, 3),
        ("2024Q3", 2024, Frequency.QUARTERLY, 3, 9),
        ("2024M09", 2024, Frequency.MONTHLY, 9, 9),
    ],
)
def test_canonical_periods_parse_and_print_back(
    text: str, year: int, frequency: Frequency, index: int, end_month: int
) -> None:
    period = Period.parse(text)
    assert (period.year, period.frequency, period.index, period.end_month) == (
        year,
        frequency,
        index,
        end_month,
    )
    assert str(period) == text


@pytest.mark.parametrize("text", ["2024Q5", "2024M13", "24Q1", "2024-09", ""])
def test_non_canonical_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [("2020Q4", "2022", 24), ("2020", "2021Q1", 3), ("2020Q4", "2025Q3", 57), ("2022", "2020Q4", -24)],
)
def test_months_between_period_ends(start: str, end: str, months: int) -> None:
    assert months_between(Period.parse(start), Period.parse(end)) == months


def test_ordering_puts_a_quarter_before_its_year_and_shift_crosses_years() -> None:
    assert sorted(map(Period.parse, ["2021", "2021Q4", "2021Q1", "2020"])) == list(
        map(Period.parse, ["2020", "2021Q1", "2021Q4", "2021"])
    )
    assert Period.parse("2021Q1").previous() == Period.parse("2020Q4")
    assert Period.parse("2021M01").shift(-2) == Period.parse("2020M11")
    assert Period.parse("2024M08").to_quarter() == Period.parse("2024Q3")
    assert Period.parse("2024Q3").same_period_last_year() == Period.parse("2023Q3")


@pytest.mark.parametrize(
    ("text", "fraction"), [("2024Q1", 0.25), ("2024Q2", 0.5), ("2024Q3", 0.75), ("2024", 1.0)]
)
def test_year_fraction_is_the_ytd_schedule(text: str, fraction: float) -> None:
    assert Period.parse(text).year_fraction == fraction


def test_time_in_years_is_the_period_end() -> None:
    assert time_in_years(Period.parse("2020Q4")) == 2021.0
    assert time_in_years(Period.parse("2021Q2")) == 2021.5


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2025Q3", "2025年第三季度"),
        ("2025Q1", "2025年第一季度"),
        ("2025M09", "2025年9月"),
        ("2024", "2024年"),
    ],
)
def test_a_period_names_itself_in_chinese(text: str, label: str) -> None:
    assert Period.parse(text).label_zh == label
