"""Reading and validating the input workbook: every input format, every kind of bad input,
each problem located by sheet, row and column, all reported at once."""
import datetime as dt
import zipfile

import pytest
from workbooks import Styled, series

from pipeline.errors import InputProblems
from pipeline.input.tables import DataPeriod
from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month
from pipeline.rules.rating import Polarity

SEP = Month(2013, 9)


def problems_of(path) -> list[str]:
    """Every problem read_workbook reports, as the user sees them."""
    with pytest.raises(InputProblems) as exc:
        read_workbook(path)
    return [str(p) for p in exc.value.problems]


def one_value(make_book, value, unit="percent", **indicator_columns):
    path = make_book(indicators=[{"id": "I1", "unit": unit, **indicator_columns}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": value, "target": 80}])
    return path


# --- a clean workbook -------------------------------------------------------------------


def test_a_minimal_workbook_reads(make_book):
    path = make_book(
        indicators=[{"id": "I1", "title": "Clients with a personal budget", "section": "Adult Social Care",
                     "polarity": "Higher", "unit": "Percent", "data_period": "Rolling 12 months"}],
        values=series("I1", ["2013-08", "2013-09"], actual=[76, 73], target=[78, 80]),
        commentary=[{"indicator_id": "I1", "period": "2013-09", "text": "First line.\nSecond line."}],
    )
    ds = read_workbook(path)
    (ind,) = ds.indicators
    assert (ind.id, ind.title, ind.section) == ("I1", "Clients with a personal budget", "Adult Social Care")
    assert (ind.polarity, ind.unit, ind.data_period) == (Polarity.HIGHER, "percent", DataPeriod.ROLLING_12)
    assert ind.decimals == 1  # the percent default
    assert [(v.period, v.actual, v.target, v.floor) for v in ds.values["I1"]] == [
        (Month(2013, 8), 76, 78, None), (SEP, 73, 80, None)]
    assert ds.commentary[0].text == "First line.\nSecond line."
    assert ds.latest_period == SEP
    assert ds.sections == ("Adult Social Care",)
    assert ds.report.subject == "Test performance dashboard"


def test_values_are_sorted_by_period_whatever_the_row_order(make_book):
    path = make_book(values=series("I1", ["2013-09", "2013-07", "2013-08"], actual=[73, 71, 72]))
    assert [v.actual for v in read_workbook(path).values["I1"]] == [71, 72, 73]


# --- every input format -------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    Styled(dt.datetime(2013, 9, 1), "mmm-yy"),   # an Excel date
    Styled(dt.datetime(2013, 9, 30), "dd/mm/yyyy"),
    "2013-09", "Sep-13", "Sep 2013", "September 2013",
])
def test_period_formats(make_book, written):
    path = make_book(values=[{"indicator_id": "I1", "period": written, "actual": 73, "target": 80}])
    assert read_workbook(path).values["I1"][0].period == SEP


@pytest.mark.parametrize("written", [
    73, "73%", "73 %", Styled(0.73, "0%"), Styled(0.73, "0.0%"), Styled(73, '0"%"'), Styled(73, "0.0"),
])
def test_percentage_formats_all_mean_73(make_book, written):
    assert read_workbook(one_value(make_book, written)).values["I1"][0].actual == 73


def test_percent_formatted_targets_and_floors_are_read_too(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": Styled(0.476, "0.0%"),
                              "target": Styled(0.46, "0%"), "floor": "40%"}],
                     indicators=[{"id": "I1", "year_end_target": Styled(0.6, "0%")}])
    ds = read_workbook(path)
    row = ds.values["I1"][0]
    assert (row.actual, row.target, row.floor) == (47.6, 46, 40)
    assert ds.indicators[0].year_end_target == 60


@pytest.mark.parametrize("written", [0.73, Styled(0.73, '0"%"'), Styled(0.73, "0\\%"), "0.73"])
def test_unformatted_fraction_is_refused_as_ambiguous(make_book, written):
    (problem,) = problems_of(one_value(make_book, written))
    assert problem.startswith("values row 2, column actual: 0.73 is ambiguous for a percentage") or \
        problem.startswith('values row 2, column actual: "0.73" is ambiguous for a percentage')


def test_percent_sign_on_a_count_is_refused(make_book):
    (problem,) = problems_of(one_value(make_book, "12%", unit="count"))
    assert problem == 'values row 2, column actual: "12%" is a percentage, but the indicator is measured as count'


def test_counts_with_thousands_separators(make_book):
    assert read_workbook(one_value(make_book, "1,249", unit="count")).values["I1"][0].actual == 1249


def test_not_a_number_message_names_sheet_row_and_column(make_book):
    rows = series("I1", [f"2012-{m:02d}" for m in range(1, 13)], actual=70, target=80)
    rows.append({"indicator_id": "I1", "period": "2013-01", "actual": "7o%", "target": 80})
    problems = problems_of(make_book(values=rows))
    assert problems == ['values row 14, column actual: "7o%" is not a number']


def test_decimals_default_by_unit_and_can_be_given(make_book):
    path = make_book(indicators=[
        {"id": "P", "unit": "percent"}, {"id": "C", "unit": "count"}, {"id": "R", "unit": "rate"},
        {"id": "D", "unit": "percent", "decimals": 0}])
    assert [i.decimals for i in read_workbook(path).indicators] == [1, 0, 2, 0]


def test_header_aliases_and_ignored_columns(make_book):
    path = make_book(
        indicators=[{"id": "I1", "Decimal places": 2, "# officer's note": "ignore me", "Bold Steps": "Y"}],
        extra_sheets={},
        values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}],
    )
    ind = read_workbook(path).indicators[0]
    assert ind.decimals == 2 and ind.bold_steps is True


def test_header_aliases_on_values_sheet(make_book):
    path = make_book(
        values=[{"Indicator ID": "I1", "Month": "2013-09", "Actual": 70, "Target": 80, "Minimum standard": 75}],
        drop_columns={"values": ["indicator_id", "period", "actual", "target", "floor"]},
    )
    row = read_workbook(path).values["I1"][0]
    assert (row.period, row.actual, row.target, row.floor) == (SEP, 70, 80, 75)


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-08", "actual": 70},
                             {},
                             {"indicator_id": "I1", "period": "2013-09", "actual": "x"}])
    assert problems_of(path) == ['values row 4, column actual: "x" is not a number']


def test_optional_sheets_may_be_absent(make_book):
    ds = read_workbook(make_book(commentary=None))
    assert ds.commentary == () and ds.narrative == () and ds.contacts == ()


# --- unreadable files --------------------------------------------------------------------


def _problem(path) -> str:
    (p,) = problems_of(path)
    return p


def test_missing_file(tmp_path):
    assert _problem(tmp_path / "nope.xlsx") == "file not found"


def test_folder(tmp_path):
    assert "is a folder" in _problem(tmp_path)


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("id,title\nI1,Something\n")
    assert _problem(path) == "is not an Excel .xlsx workbook"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert _problem(path) == "is not an Excel .xlsx workbook"


def test_truncated_xlsx(make_book, tmp_path):
    good = make_book().read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good[: len(good) // 2])
    assert _problem(path).startswith("is damaged (an incomplete zip archive")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert _problem(path) == "is damaged or not an Excel .xlsx workbook (a zip archive without xl/workbook.xml)"


def test_corrupt_part_inside_the_zip(make_book, tmp_path):
    good = make_book()
    path = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]   # broken XML
            dst.writestr(item, data)
    assert _problem(path).startswith("is damaged or not an Excel .xlsx workbook")


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_password_protected(tmp_path):
    # Excel saves an encrypted .xlsx as an OLE compound file holding an "EncryptedPackage" stream
    path = tmp_path / "protected.xlsx"
    path.write_bytes(OLE + bytes(504) + "EncryptedInfo".encode("utf-16-le") + bytes(16)
                     + "EncryptedPackage".encode("utf-16-le") + bytes(64))
    assert _problem(path).startswith("is password protected")


def test_old_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(OLE + bytes(504) + "Workbook".encode("utf-16-le") + bytes(64))
    assert _problem(path).startswith("is an old Excel 97-2003 (.xls) file")


# --- sheets and columns --------------------------------------------------------------------


def test_missing_sheets_are_all_named(make_book):
    problems = problems_of(make_book(omit=("values",), report=None))
    assert "values: sheet is missing (the workbook has: indicators)" in problems
    assert "report: sheet is missing (the workbook has: indicators)" in problems
    assert len(problems) == 2


def test_sheet_names_match_loosely(make_book):
    path = make_book(extra_sheets={"Commentary ": [["indicator_id", "period", "text"], ["I1", "2013-09", "Why."]]},
                     commentary=None, values=[{"indicator_id": "I1", "period": "2013-09", "actual": 51}])
    assert read_workbook(path).commentary[0].text == "Why."


def test_missing_required_columns(make_book):
    problems = problems_of(make_book(drop_columns={"values": ["floor", "target"], "indicators": ["unit"]},
                                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 51}]))
    assert problems == [
        "indicators row 1, column unit: required column is missing",
        "values row 1, column floor: required column is missing",
        "values row 1, column target: required column is missing",
    ]


def test_unknown_column_with_suggestion(make_book):
    problems = problems_of(make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 51, "targt": 52}]))
    assert problems == ["values row 1, column targt: unknown column (did you mean target?); "
                        "columns whose name starts with # are ignored"]


def test_column_twice(make_book):
    path = make_book(extra_sheets={}, raw_cells={"values!F1": "Target"},
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 51}])
    assert problems_of(path) == ["values row 1, column target: column appears twice"]


def test_empty_sheet(make_book):
    path = make_book(omit=("values",), extra_sheets={"values": []})
    assert "values row 1: sheet is empty: the first row must name the columns" in problems_of(path)


# --- rows --------------------------------------------------------------------------------------


def test_duplicate_ids(make_book):
    problems = problems_of(make_book(indicators=[{"id": "I1"}, {"id": "I2"}, {"id": "I1"}]))
    assert problems == ['indicators row 4, column id: duplicate id "I1" (also on row 2)']


def test_values_for_unknown_indicators_with_suggestion(make_book):
    problems = problems_of(make_book(indicators=[{"id": "ASC01"}],
                                     values=[{"indicator_id": "ASC1", "period": "2013-09", "actual": 5}]))
    assert problems == ['values row 2, column indicator_id: "ASC1" is not an indicator on the indicators sheet '
                        "(did you mean ASC01?)"]


def test_duplicate_indicator_period_rows_even_written_differently(make_book):
    problems = problems_of(make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 5},
                                             {"indicator_id": "I1", "period": "Sep-13", "actual": 6}]))
    assert problems == ["values row 3, column period: Sep-13 for indicator I1 is also on row 2"]


@pytest.mark.parametrize("polarity, target, floor, message", [
    ("higher", 80, 85, "85 is above the target 80, but higher values are better"),
    ("lower", 10, 8, "8 is below the target 10, but lower values are better"),
])
def test_floor_on_the_wrong_side(make_book, polarity, target, floor, message):
    path = make_book(indicators=[{"id": "I1", "polarity": polarity}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 5, "target": target,
                              "floor": floor}])
    assert problems_of(path) == [f"values row 2, column floor: {message}"]


def test_floor_equal_to_target_is_allowed(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 5, "target": 90, "floor": 90}])
    assert read_workbook(path).values["I1"][0].floor == 90


def test_floor_on_a_not_rated_indicator(make_book):
    path = make_book(indicators=[{"id": "I1", "polarity": "none"}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 5, "target": 9, "floor": 8}])
    assert problems_of(path) == [
        "values row 2, column floor: indicator I1 is not rated (polarity none), so it has no floor"]


@pytest.mark.parametrize("column, written, message", [
    ("polarity", "upwards", '"upwards" is not a polarity: use one of band, higher, lower, none'),
    ("polarity", None, "is blank: polarity must be one of band, higher, lower, none"),
    ("unit", "furlongs", '"furlongs" is not a unit: use one of count, currency, days, number, percent, rate'),
    ("data_period", "fortnightly", '"fortnightly" is not a data period: use one of annual, cumulative, month, '
                                   "quarter, rolling_12_months, snapshot, year_to_date"),
    ("decimals", 7, "7 is not a whole number from 0 to 4"),
    ("bold_steps", "maybe", '"maybe" is not Y or N'),
    ("tolerance", -2, "-2 must not be negative"),
    ("band_width", 1, "applies only to indicators with polarity band"),
])
def test_indicator_column_problems(make_book, column, written, message):
    problems = problems_of(make_book(indicators=[{"id": "I1", column: written}]))
    assert problems == [f"indicators row 2, column {column}: {message}"]


def test_tolerance_and_tolerance_percent_are_exclusive(make_book):
    problems = problems_of(make_book(indicators=[{"id": "I1", "tolerance": 2, "tolerance_percent": 10}]))
    assert problems == ["indicators row 2, column tolerance_percent: give either tolerance (in the indicator's "
                        "units) or tolerance_percent (of target), not both"]


def test_tolerance_may_be_written_with_a_percent_sign(make_book):
    ind = read_workbook(make_book(indicators=[{"id": "I1", "tolerance": "2%"}])).indicators[0]
    assert ind.tolerance == 2


def test_numerator_needs_a_denominator(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "numerator": 5}])
    assert problems_of(path) == [
        "values row 2, column denominator: is blank: give both numerator and denominator, or neither"]


def test_denominator_must_be_positive(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "numerator": 5, "denominator": 0}])
    assert problems_of(path) == ["values row 2, column denominator: 0 must be greater than zero"]


def test_rate_from_denominator_needs_rate_per(make_book):
    path = make_book(indicators=[{"id": "I1", "unit": "rate"}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "numerator": 5, "denominator": 1000}])
    assert problems_of(path) == ["values row 2, column denominator: indicator I1 is a rate: give rate_per "
                                 "(e.g. 10000) on the indicators sheet"]


def test_thresholds_in_order(make_book):
    path = make_book(indicators=[{"id": "I1", "unit": "count", "activity": "Y", "polarity": "none"}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 5,
                              "lower_threshold": 20, "upper_threshold": 10}])
    assert problems_of(path) == ["values row 2, column lower_threshold: 20 is above the upper threshold 10"]


def test_blank_and_bad_periods(make_book):
    problems = problems_of(make_book(values=[{"indicator_id": "I1", "period": "Sept 13th", "actual": 5},
                                             {"indicator_id": "I1", "actual": 6}]))
    assert problems == [
        "values row 2, column period: 'Sept 13th' is not a month (write an Excel date, 2013-09 or Sep-13)",
        "values row 3, column period: is blank",
    ]


@pytest.mark.parametrize("sheet, row", [
    ("commentary", {"indicator_id": "I1", "text": "Why."}),
    ("narrative", {"section": "Test Section", "text": "Overview."}),
])
def test_blank_period_is_reported_once_as_blank(make_book, sheet, row):
    assert problems_of(make_book(**{sheet: [row]})) == [f"{sheet} row 2, column period: is blank"]


def test_commentary_problems(make_book):
    problems = problems_of(make_book(commentary=[
        {"indicator_id": "I9", "period": "2013-09", "text": "x"},
        {"indicator_id": "I1", "period": "2013-09", "text": "x"},
        {"indicator_id": "I1", "period": "Sep-13", "text": "y"},
    ]))
    assert problems == [
        'commentary row 2, column indicator_id: "I9" is not an indicator on the indicators sheet',
        "commentary row 4, column period: commentary for indicator I1, Sep-13 is also on row 3",
    ]


# --- report sheet ------------------------------------------------------------------------------


def test_report_fields(make_book):
    path = make_book(report=[
        ("From", "Cabinet Member"), ("From", "Corporate Director"), ("To", "Committee"),
        ("Date", "5 December 2013"), ("Subject", "Dashboard"), ("Meeting date", dt.datetime(2013, 12, 5)),
        ("Background documents", "None"), ("Period", "Sep-13"), ("Recommendation", "NOTE the report."),
    ])
    r = read_workbook(path).report
    assert r.from_lines == ("Cabinet Member", "Corporate Director")
    assert (r.to, r.date, r.subject, r.meeting_date) == ("Committee", dt.date(2013, 12, 5), "Dashboard",
                                                         dt.date(2013, 12, 5))
    assert r.classification == "Unrestricted"      # the default
    assert r.period == SEP and r.background_documents == ("None",)
    assert r.recommendation == "NOTE the report."


def test_report_problems(make_book):
    problems = problems_of(make_book(report=[
        ("from", "A"), ("to", "B"), ("to", "C"), ("subjct", "D"), ("date", "soon"),
    ]))
    assert problems == [
        "report, column key: the report field 'subject' is missing",
        "report row 4, column key: to is also on row 3",
        'report row 5, column key: "subjct" is not a report field (did you mean subject?)',
        'report row 6, column value: date: "soon" is not a date (write 2013-12-05 or 5 December 2013)',
    ]


def test_contact_email_checked(make_book):
    path = make_book(contacts=[{"name": "A. Officer", "email": "a.officer at kent"}])
    assert problems_of(path) == ['contacts row 2, column email: "a.officer at kent" is not an email address']


# --- all problems at once --------------------------------------------------------------------


def test_every_problem_is_reported_at_once(make_book):
    path = make_book(
        indicators=[{"id": "I1"}, {"id": "I1"}, {"id": "I2", "unit": "furlongs"}],
        values=[{"indicator_id": "I1", "period": "2013-09", "actual": "7o%", "target": 80},
                {"indicator_id": "I1", "period": "2013-13", "actual": 0.5},
                {"indicator_id": "X9", "period": "2013-09", "actual": 51}],
        report=[("from", "A"), ("to", "B"), ("date", "2013-12-05")],
    )
    problems = problems_of(path)
    expected_fragments = [
        'indicators row 3, column id: duplicate id "I1"',
        'indicators row 4, column unit: "furlongs" is not a unit',
        'values row 2, column actual: "7o%" is not a number',
        "values row 3, column period: '2013-13' is not a month",
        "values row 3, column actual: 0.5 is ambiguous",
        'values row 4, column indicator_id: "X9" is not an indicator',
        "report, column key: the report field 'subject' is missing",
    ]
    for fragment in expected_fragments:
        assert any(p.startswith(fragment) for p in problems), (fragment, problems)
    assert len(problems) == len(expected_fragments)
