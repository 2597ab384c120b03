"""Periods: canonical parsing, ordering and the month arithmetic progress relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.periods import MONTHS_PER_YEAR, Frequency, Period


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
def test_ordinals_subtract_to_the_months_between_period_ends(start: str, end: str, months: int) -> None:
    """2020Q4 ends in December 2020 and 2022 in December 2022: 24 months apart."""
    assert Period.parse(end).ordinal - Period.parse(start).ordinal == months


@pytest.mark.parametrize(
    ("text", "ordinal"), [("2020", 24252), ("2020Q4", 24252), ("2025Q3", 24309), ("2024M02", 24290)]
)
def test_the_ordinal_counts_months_since_year_zero(text: str, ordinal: int) -> None:
    """2025Q3 ends in month 9 of 2025: 2025·12 + 9 = 24309; 2024M02: 2024·12 + 2 = 24290."""
    assert Period.parse(text).ordinal == ordinal
    assert MONTHS_PER_YEAR == 12


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2024Q1", dt.date(2024, 3, 31)),
        ("2024M02", dt.date(2024, 2, 29)),  # a leap year
        ("2023M02", dt.date(2023, 2, 28)),
        ("2025Q3", dt.date(2025, 9, 30)),
        ("2024", dt.date(2024, 12, 31)),
    ],
)
def test_end_date_is_the_last_day_of_the_period(text: str, end: dt.date) -> None:
    assert Period.parse(text).end_date == end


@pytest.mark.parametrize(
    ("day", "frequency", "period"),
    [
        (dt.date(2026, 12, 1), Frequency.QUARTERLY, "2026Q4"),
        (dt.date(2026, 3, 31), Frequency.QUARTERLY, "2026Q1"),
        (dt.date(2026, 4, 1), Frequency.QUARTERLY, "2026Q2"),
        (dt.date(2026, 8, 15), Frequency.MONTHLY, "2026M08"),
        (dt.date(2026, 8, 15), Frequency.ANNUAL, "2026"),
    ],
)
def test_containing_finds_the_period_a_day_falls_in(day: dt.date, frequency: Frequency, period: str) -> None:
    assert str(Period.containing(day, frequency)) == period


def test_of_takes_a_period_or_its_text() -> None:
    period = Period.quarter(2025, 3)
    assert Period.of(period) is period and Period.of("2025Q3") == period


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
