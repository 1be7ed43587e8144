"""Months, the April-March financial year, and every way an officer may write a period."""
import datetime as dt

import pytest

from pipeline.rules.periods import Month, parse_month, two_digit_year


@pytest.mark.parametrize("written", [
    dt.datetime(2013, 9, 1), dt.datetime(2013, 9, 30, 14, 5), dt.date(2013, 9, 15),
    "2013-09", "2013-9", "2013-09-30", "Sep-13", "sep-13", "Sep 13", "Sep 2013", "Sept-13",
    "September 2013", "09/2013", " Sep-13 ", "Sep/13", Month(2013, 9),
])
def test_every_accepted_way_of_writing_september_2013(written):
    assert parse_month(written) == Month(2013, 9)


@pytest.mark.parametrize("written", [
    "2013-13", "2013-00", "Sepp-13", "Foo 2013", "13-Sep", "2013", "", "September", 41518, 2013.0, None, True,
])
def test_what_is_not_a_month_is_refused_with_a_readable_message(written):
    with pytest.raises(ValueError) as exc:
        parse_month(written)
    assert "not a month" in str(exc.value)


def test_labels_as_the_seeds_write_them():
    m = Month(2013, 9)
    assert (m.iso, m.label, m.long_label, str(m)) == ("2013-09", "Sep-13", "September 2013", "2013-09")
    assert Month(2014, 1).label == "Jan-14"


@pytest.mark.parametrize("month, fy, start, end, quarter, quarter_start", [
    (Month(2013, 4), "2013-14", Month(2013, 4), Month(2014, 3), 1, Month(2013, 4)),
    (Month(2013, 6), "2013-14", Month(2013, 4), Month(2014, 3), 1, Month(2013, 4)),
    (Month(2013, 7), "2013-14", Month(2013, 4), Month(2014, 3), 2, Month(2013, 7)),
    (Month(2013, 9), "2013-14", Month(2013, 4), Month(2014, 3), 2, Month(2013, 7)),
    (Month(2013, 12), "2013-14", Month(2013, 4), Month(2014, 3), 3, Month(2013, 10)),
    (Month(2014, 1), "2013-14", Month(2013, 4), Month(2014, 3), 4, Month(2014, 1)),
    (Month(2014, 3), "2013-14", Month(2013, 4), Month(2014, 3), 4, Month(2014, 1)),
    (Month(2013, 3), "2012-13", Month(2012, 4), Month(2013, 3), 4, Month(2013, 1)),
    (Month(1999, 12), "1999-00", Month(1999, 4), Month(2000, 3), 3, Month(1999, 10)),
])
def test_financial_year_runs_april_to_march(month, fy, start, end, quarter, quarter_start):
    assert month.financial_year == fy
    assert (month.fy_start, month.fy_end) == (start, end)
    assert month.fy_quarter == quarter
    assert month.quarter_start == quarter_start


def test_month_arithmetic_and_order_cross_year_ends():
    assert Month(2013, 12) + 1 == Month(2014, 1)
    assert Month(2014, 1) - 1 == Month(2013, 12)
    assert Month(2013, 9) - 11 == Month(2012, 10)
    assert Month(2012, 12) < Month(2013, 1) < Month(2013, 2)
    assert sorted([Month(2013, 1), Month(2012, 12)]) == [Month(2012, 12), Month(2013, 1)]
    assert Month.from_index(Month(2013, 9).index) == Month(2013, 9)


def test_month_rejects_impossible_values():
    with pytest.raises(ValueError):
        Month(2013, 13)
    with pytest.raises(ValueError):
        Month(2013, 0)


# --- two-digit years: a window of a hundred years ending 20 years after today -----------------

@pytest.mark.parametrize("today, yy, year", [
    (dt.date(2026, 6, 1), 99, 1999),   # "Sep-99" was read as September 2099
    (dt.date(2026, 6, 1), 12, 2012),
    (dt.date(2026, 6, 1), 0, 2000),
    (dt.date(2026, 6, 1), 46, 2046),   # the last year of the window: this year + 20
    (dt.date(2026, 6, 1), 47, 1947),   # one more is a century back
    (dt.date(2026, 6, 1), 26, 2026),
    (dt.date(2085, 1, 1), 5, 2105),
    (dt.date(2085, 1, 1), 6, 2006),
    (dt.date(2085, 1, 1), 0, 2100),
    (dt.date(2080, 1, 1), 0, 2100),
    (dt.date(2080, 1, 1), 1, 2001),
])
def test_two_digit_years_read_in_a_window_around_today(today, yy, year):
    assert two_digit_year(yy, today) == year
    assert parse_month(f"Sep-{yy:02d}", today=today) == Month(year, 9)


def test_a_two_digit_year_is_never_more_than_20_years_ahead():
    today = dt.date(2026, 6, 1)
    years = [two_digit_year(yy, today) for yy in range(100)]
    assert sorted(years) == list(range(1947, 2047))


def test_the_default_is_relative_to_the_real_date():
    this_year = dt.date.today().year
    assert parse_month("Sep-99") == Month(two_digit_year(99, dt.date.today()), 9)
    assert this_year - 79 <= parse_month("Sep-99").year <= this_year + 20


def test_four_digit_years_are_never_moved():
    assert parse_month("Sep 2099", today=dt.date(2026, 1, 1)) == Month(2099, 9)
