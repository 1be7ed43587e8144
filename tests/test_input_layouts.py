"""Issue 20, parts 1 and 2: the values table with months across, and the indicators and values
tables as CSV files. Each is read into the same validated table as the long sheet, through the
same cell judgement: a bad value is refused with the same words wherever it is typed, located
where it was typed (row and column letter and month; file, line and column)."""
import datetime as dt
from pathlib import Path

import pytest
from workbooks import Styled
from xlsx_edit import set_cell_xml

from pipeline.errors import InputProblems
from pipeline.input.sources import read_dataset, read_indicators_source, read_values_source
from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "fsc_performance_2013-09.xlsx"
WIDE = ROOT / "inputs" / "wide" / "fsc_performance_2013-09.xlsx"
CSV_FOLDER = ROOT / "inputs" / "csv" / "fsc_performance_2013-09"
SEP12 = Month(2012, 9)


def problems(call, *args, **kwargs) -> list[str]:
    with pytest.raises(InputProblems) as exc:
        call(*args, **kwargs)
    return [str(p) for p in exc.value.problems]


def _wide_book(make_book, table, unit="percent", **indicator):
    return make_book(indicators=[{"id": "I1", "unit": unit, **indicator}], omit=("values",),
                     extra_sheets={"values": table})


def _indicators(make_book, unit="percent", **indicator):
    path = make_book(indicators=[{"id": "I1", "unit": unit, **indicator}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 50}])
    return read_workbook(path).indicators


def _csv(tmp_path, text: str, name="values.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(dataset):
    return {k: [(v.period, v.actual, v.target, v.floor, v.numerator, v.denominator, v.forecast, v.stat_neighbours,
                 v.england, v.supplementary, v.lower_threshold, v.upper_threshold, v.confirmed) for v in rows]
            for k, rows in dataset.values.items()}


# ============================================================================ the sample

def test_the_sample_reads_the_same_from_each_layout():
    long, wide, csv = (read_dataset(p) for p in (SAMPLE, WIDE, CSV_FOLDER))
    assert _rows(long) == _rows(wide) == _rows(csv)
    assert sum(len(v) for v in long.values.values()) == 242  # (the sample: 17 rated indicators and 6 lead ones)
    assert [i.title for i in long.indicators] == [i.title for i in csv.indicators]
    assert (long.report, long.commentary, long.narrative, long.contacts) == \
        (csv.report, csv.commentary, csv.narrative, csv.contacts)
    assert csv.source == str(CSV_FOLDER / "report.xlsx")  # where its commentary is kept


def test_the_shipped_samples_are_what_the_tool_writes(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import make_sample_workbook as tool

    written = tool.build_all(tmp_path)
    assert (tmp_path / "csv" / CSV_FOLDER.name / "values.csv").read_bytes() == (CSV_FOLDER / "values.csv").read_bytes()
    assert (tmp_path / "csv" / CSV_FOLDER.name / "indicators.csv").read_bytes() == \
        (CSV_FOLDER / "indicators.csv").read_bytes()
    assert (tmp_path / "wide" / WIDE.name).read_bytes() == WIDE.read_bytes()
    # the report definition (docs/report-definition.md): its TOML and its three workbooks
    shipped = ROOT / "inputs" / "definition"
    assert sorted(p.name for p in shipped.iterdir()) == \
        ["adults.xlsx", "children.xlsx", "fsc_2013-09.toml", "report.xlsx"]
    for path in shipped.iterdir():
        assert (tmp_path / "definition" / path.name).read_bytes() == path.read_bytes(), path.name
    assert len(written) == 4


def test_the_sample_builds_to_the_same_bytes_from_long_wide_and_csv(run_cli, tmp_path):
    """The documents do not name the file they were read from, so they are identical."""
    built = {}
    for name, source in (("long", SAMPLE), ("wide", WIDE), ("csv", CSV_FOLDER)):
        result = run_cli("build", source, "--out", tmp_path / name, "--no-cache", "--jobs", "1")
        assert result.exit_code == 0, result.stderr
        built[name] = {fmt: (tmp_path / name / f"fsc_performance_2013-09.{fmt}").read_bytes()
                       for fmt in ("pdf", "docx")}
    assert built["long"]["pdf"][:5] == b"%PDF-"
    assert built["long"] == built["wide"] == built["csv"]


# ============================================================================ the same judgement

# values typed into a cell: (value, unit) -> refused by the long reader, so by every reader
BAD = [
    ("7o%", "percent"), ("n/a", "count"), ("0.73", "percent"), ("73%", "count"), ("NaN", "count"),
    ("1,000,000,000,000,000", "count"), ("73\u200b", "count"), ("#DIV/0!", "count"), ("1e5", "count"),
    ("£", "count"), ("-", "count"), ("12,34", "count"),
]
TYPED = BAD + [(0.73, "percent"), (1e28, "count"), (float(10**15), "count"), (Styled(1e13, "0%"), "percent"),
               (Styled(0.73, "0%"), "count"), (dt.datetime(2013, 9, 1), "count"), (True, "count")]


def _long_message(make_book, value, unit):
    path = make_book(indicators=[{"id": "I1", "unit": unit}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": value, "target": 80}])
    (problem,) = problems(read_workbook, path)
    head = "values row 2, column actual: "
    assert problem.startswith(head)
    return problem[len(head):]


@pytest.mark.parametrize("value, unit", TYPED)
def test_a_bad_value_in_a_wide_cell_gets_the_long_judgement(make_book, value, unit):
    message = _long_message(make_book, value, unit)
    path = _wide_book(make_book, [["indicator_id", "measure", "Aug-13", "Sep-13"], ["I1", "actual", None, value],
                                  ["I1", "target", 80, 80]], unit=unit)
    assert problems(read_workbook, path) == [f"values row 2, column D (Sep-13): {message}"]


@pytest.mark.parametrize("value, unit", BAD)
def test_a_bad_value_in_a_csv_cell_gets_the_long_judgement(make_book, tmp_path, value, unit):
    message = _long_message(make_book, value, unit)
    indicators = _indicators(make_book, unit)
    cell = '"' + value.replace('"', '""') + '"'
    long = _csv(tmp_path, f"indicator_id,period,actual,target,floor\nI1,2013-09,{cell},80,\n")
    assert problems(read_values_source, long, indicators) == [f"values.csv line 2, column C (actual): {message}"]
    wide = _csv(tmp_path, f"indicator_id,measure,Sep-13\nI1,actual,{cell}\nI1,target,80\n", name="wide.csv")
    assert problems(read_values_source, wide, indicators) == [f"wide.csv line 2, column C (Sep-13): {message}"]


@pytest.mark.parametrize("saved", ["NaN", "inf", "abc"])
def test_a_number_cell_holding_text_in_a_wide_sheet_is_located(make_book, saved):
    path = _wide_book(make_book, [["indicator_id", "measure", "Sep-13"], ["I1", "actual", 73]], unit="count")
    set_cell_xml(path, "values", "C2", f'<c r="C2" t="n"><v>{saved}</v></c>')
    assert problems(read_workbook, path) == [
        f'values row 2, column C (Sep-13): the number cell C2 holds "{saved}", which is not a number (it was '
        "written by a program other than Excel): type the figure, or clear the cell"]


def test_an_excel_error_and_an_uncalculated_formula_in_a_wide_sheet(make_book):
    path = _wide_book(make_book, [["indicator_id", "measure", "Aug-13", "Sep-13"], ["I1", "actual", 70, 73],
                                  ["I1", "numerator", 7, 8], ["I1", "denominator", 10, 10]])
    set_cell_xml(path, "values", "D3", '<c r="D3" t="e"><f>A1/0</f><v>#DIV/0!</v></c>')
    set_cell_xml(path, "values", "C2", '<c r="C2"><f>D2*0.9</f></c>')
    assert problems(read_workbook, path) == [
        "values row 2, column C (Aug-13): the formula in C2 has never been calculated (no value was saved with "
        "it): open the workbook in Excel and save it",
        "values row 3, column D (Sep-13): holds the Excel error #DIV/0!: correct the formula (or the cells it "
        "uses) and save the workbook in Excel"]  # (and not "is blank: give both numerator and denominator")


def test_row_checks_across_measure_rows_are_located_at_the_cell(make_book):
    path = _wide_book(make_book, [["indicator_id", "measure", "Aug-13", "Sep-13"],
                                  ["I1", "target", 80, 80], ["I1", "floor", 70, 85], ["I1", "numerator", 5, None]],
                      polarity="higher")
    assert problems(read_workbook, path) == [
        "values row 3, column D (Sep-13): 85 is above the target 80, but higher values are better",
        "values row 4, column denominator (Aug-13): is blank: give both numerator and denominator, or neither"]


def test_a_percent_formatted_wide_cell_is_read_as_the_long_one(make_book):
    path = _wide_book(make_book, [["indicator_id", "measure", "Sep-13"], ["I1", "actual", Styled(0.7495, "0.00%")]])
    assert read_workbook(path).values["I1"][0].actual == pytest.approx(74.95)


# ============================================================================ months across

@pytest.mark.parametrize("heading", [
    dt.datetime(2012, 9, 1), dt.datetime(2012, 9, 30), dt.date(2012, 9, 15), "Sep-12", "Sep 12", "Sep 2012",
    "September 2012", "2012-09", "Sept-12", "09/2012", " sep-12 ",
])
def test_month_headings(make_book, heading):
    path = _wide_book(make_book, [["indicator_id", "measure", heading], ["I1", "actual", 73]])
    (row,) = read_workbook(path).values["I1"]
    assert (row.period, row.actual) == (SEP12, 73)


@pytest.mark.parametrize("heading, why", [
    ("Sept 2O12", '"Sept 2O12" is not a month'), ("2012", "2012"), ("Q2 2012", "is not a month"),
    (41153, "41153 is not a month"), ("Month 1", "is not a month"),
])
def test_a_heading_that_is_not_a_month_is_located(make_book, heading, why):
    path = _wide_book(make_book, [["indicator_id", "measure", "Aug-12", heading], ["I1", "actual", 70, 73]])
    (problem,) = problems(read_workbook, path)
    assert problem.startswith("values row 1, column D: ") and why in problem and "columns whose name starts" in problem


def test_the_same_month_twice_is_refused_naming_both_columns(make_book):
    path = _wide_book(make_book, [["indicator_id", "measure", "Sep-12", "Oct-12", "2012-09"],
                                  ["I1", "actual", 1, 2, 3]])
    assert problems(read_workbook, path) == [
        'values row 1, column E: "2012-09" is Sep-12, which column C ("Sep-12") is already: each month may have '
        "one column"]


def test_gaps_and_any_order_of_months_are_fine(make_book):
    path = _wide_book(make_book, [["indicator_id", "measure", "# note", "Dec-12", "Sep-12"],
                                  ["I1", "actual", "mine", 75, 73]])
    assert [(v.period.label, v.actual) for v in read_workbook(path).values["I1"]] == [("Sep-12", 73), ("Dec-12", 75)]


def test_measure_names_follow_the_long_columns_and_their_aliases(make_book):
    path = _wide_book(make_book, [["ID", "Measure", "Sep-12"], ["I1", "Actual", 73], ["I1", "Minimum Standard", 60],
                                  ["I1", "targets", 80], ["I1", "Stat N", 70], ["I1", "England", 71],
                                  ["I1", "confirmed", "Y"]], polarity="higher")
    (row,) = read_workbook(path).values["I1"]
    assert (row.actual, row.floor, row.target, row.stat_neighbours, row.england, row.confirmed) == \
        (73, 60, 80, 70, 71, True)


def test_measure_problems(make_book):
    path = _wide_book(make_book, [["indicator_id", "measure", "Sep-12"], ["I1", "actual", 73], ["I1", "actual", 74],
                                  ["I1", "targt", 80], ["I1", None, 80], ["I2", "actual", 1]])
    assert problems(read_workbook, path) == [
        "values row 3, column measure: actual of indicator I1 is also on row 2",
        'values row 4, column measure: "targt" is not a measure (did you mean target?)',
        "values row 5, column measure: is blank: say which figures the row holds (actual, target, floor, numerator, "
        "denominator, forecast, stat_neighbours, england, supplementary, lower_threshold, upper_threshold, confirmed)",
        'values row 6, column indicator_id: "I2" is not an indicator on the indicators sheet']


def test_a_wide_sheet_needs_its_identifying_columns(make_book):
    path = _wide_book(make_book, [["indicator_id", "Sep-12"], ["I1", 73]])
    assert problems(read_workbook, path) == [
        "values row 1, column measure: required column is missing (months across: indicator_id, measure, then one "
        "column per month)"]


def test_a_declared_layout_must_match_the_header(make_book, tmp_path):
    indicators = _indicators(make_book, "count")
    wide = _csv(tmp_path, "indicator_id,measure,Sep-12\nI1,actual,73\n")
    assert read_values_source(wide, indicators, layout="wide")["I1"][0].actual == 73
    (problem,) = problems(read_values_source, wide, indicators, layout="long")
    assert problem.startswith("values.csv line 1: is declared long but row 1 has the wide layout's columns")


def test_confirming_one_month_does_not_confirm_the_others(tmp_path):
    """Months across, an indicator's months share rows: a confirmation is the month's."""
    from openpyxl import load_workbook

    from pipeline.quality.checks import check_dataset

    def jump_confirmed(month):
        wb = load_workbook(WIDE)
        ws = wb["values"]
        months = [c.value for c in ws[1]]
        ws.append(["ASC02", "confirmed"] + [("Y" if isinstance(m, dt.datetime) and (m.year, m.month) == month
                                             else None) for m in months[2:]])
        path = tmp_path / f"w{month}.xlsx"
        wb.save(path)
        (jump,) = [f for f in check_dataset(read_workbook(path)) if f.check == "jump"]
        return jump.confirmed

    assert jump_confirmed((2013, 4)) is True
    assert jump_confirmed((2013, 5)) is False


# ============================================================================ CSV

def test_utf8_with_and_without_bom_and_cp1252_read_the_same(make_book, tmp_path):
    text = "id,title,section,polarity,unit,data_period\nI1,Spend £5 – per client,Adults,higher,currency,Month\n"
    titles = set()
    for name, data in (("a.csv", text.encode("utf-8")), ("b.csv", b"\xef\xbb\xbf" + text.encode("utf-8")),
                       ("c.csv", text.encode("cp1252"))):
        (tmp_path / name).write_bytes(data)
        (ind,) = read_indicators_source(tmp_path / name)
        titles.add((ind.id, ind.title))
    assert titles == {("I1", "Spend £5 – per client")}


def test_bytes_neither_utf8_nor_cp1252_are_located(tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes(b"indicator_id,period,actual,target,floor\nI1,2013-09,7\x81,80,\n")
    assert problems(read_values_source, path, ()) == [
        "values.csv line 2: holds the byte 0x81, which is neither UTF-8 nor Windows-1252 text: save it from Excel "
        "as CSV UTF-8"]


def test_a_file_mixing_utf8_and_cp1252_is_refused(tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes("id,title\nI1,£5\n".encode() + b"I2,\xa35\n")
    (problem,) = problems(read_indicators_source, path)
    assert problem.startswith("values.csv line 3: mixes two encodings")


def test_semicolons_are_read_and_a_comma_in_their_figures_is_refused(make_book, tmp_path):
    indicators = _indicators(make_book, "count")
    good = _csv(tmp_path, "indicator_id;period;actual;target;floor\nI1;2013-09;73.5;80;\n")
    assert read_values_source(good, indicators)["I1"][0].actual == 73.5
    bad = _csv(tmp_path, "indicator_id;period;actual;target;floor\nI1;2013-08;73,5;1,250;\nI1;2013-09;1.5;2;\n",
               name="bad.csv")
    assert problems(read_values_source, bad, indicators) == [
        f'bad.csv line 2, column {c}: "{v}" has a comma: in a file separated by semicolons it could be a decimal '
        "comma (73,5 for 73.5) or separate thousands (1,250): write the figure with a decimal point and no "
        "thousands separator" for c, v in (("C (actual)", "73,5"), ("D (target)", "1,250"))]


def test_a_comma_file_keeps_thousands_separators(make_book, tmp_path):
    indicators = _indicators(make_book, "count")
    path = _csv(tmp_path, 'indicator_id,period,actual,target,floor\nI1,2013-09,"1,250",£80,\n')
    row = read_values_source(path, indicators)["I1"][0]
    assert (row.actual, row.target) == (1250, 80)


def test_quoted_fields_with_line_breaks_keep_the_line_numbers(tmp_path):
    path = _csv(tmp_path, 'id,title,section,polarity,unit,data_period,data_notes\r\n'
                          'I1,One,S,higher,count,Month,"first\r\nsecond\r\nthird"\r\n'
                          'I2,Two,S,upwards,count,Month,\r\n', name="indicators.csv")
    (problem,) = problems(read_indicators_source, path)
    assert problem.startswith('indicators.csv line 5, column D (polarity): "upwards" is not a polarity')


def test_a_row_with_too_many_fields_is_located(tmp_path):
    path = _csv(tmp_path, 'id,title\nI1,"One, two"\nI2,Three, four\n', name="indicators.csv")
    assert problems(read_indicators_source, path) == [
        "indicators.csv line 3: has 3 fields, but the header line has 2: a cell holding a comma must be in double "
        "quotes (Excel quotes them)"]


def test_a_short_row_has_blank_cells_as_excel_writes_them(make_book, tmp_path):
    indicators = _indicators(make_book, "count")
    path = _csv(tmp_path, "indicator_id,period,actual,target,floor\nI1,2013-09,73\n")
    row = read_values_source(path, indicators)["I1"][0]
    assert (row.actual, row.target, row.floor) == (73, None, None)


@pytest.mark.parametrize("data, message", [
    (b"", "is empty: the first line must name the columns"),
    (b"\xef\xbb\xbf\r\n  \r\n", "is empty: the first line must name the columns"),
    (b"PK\x03\x04binary", "is an Excel workbook (or another archive), not a CSV file"),
    (b"\xd0\xcf\x11\xe0old", "is an Excel workbook (or another archive), not a CSV file"),
    ("id,title\n".encode("utf-16"), "is UTF-16 text"),
    (b"id,title\nI1,\x00\x01\x02", "values.csv line 2: holds binary data (a NUL byte)"),
    (b"id\ttitle\nI1\tOne\n", "values.csv line 1: is separated by tabs"),
])
def test_files_that_are_not_csv_text(tmp_path, data, message):
    path = tmp_path / "values.csv"
    path.write_bytes(data)
    (problem,) = problems(read_values_source, path, ())
    assert problem.startswith(message)


def test_a_header_problem_names_the_column_by_letter_and_name(make_book, tmp_path):
    path = _csv(tmp_path, "indicator_id,period,actual,targt\nI1,2013-09,73,80\n")
    assert problems(read_values_source, path, _indicators(make_book)) == [
        "values.csv line 1, column D (targt): unknown column (did you mean target?); columns whose name starts "
        "with # are ignored",
        "values.csv line 1, column floor: required column is missing",
        "values.csv line 1, column target: required column is missing"]


def test_nothing_is_converted_silently(make_book, tmp_path):
    """pandas would read NA, null and 1e5 as missing or numbers: they are text, judged as cells."""
    path = _csv(tmp_path, "id,title,section,polarity,unit,data_period\nNA,null,None,higher,count,Month\n",
                name="indicators.csv")
    (ind,) = read_indicators_source(path)
    assert (ind.id, ind.title, ind.section) == ("NA", "null", "None")


# ============================================================================ a folder of files

def _folder(make_book, tmp_path, **files):
    folder = tmp_path / "report"
    folder.mkdir()
    make_book(str(folder / "report.xlsx"), omit=("indicators", "values"))
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return folder


INDICATORS_CSV = "id,title,section,polarity,unit,data_period\nI1,One,Test Section,higher,count,Month\n"
VALUES_CSV = "indicator_id,period,actual,target,floor\nI1,2013-09,73,80,\n"


def test_a_folder_is_read_with_its_csv_tables(make_book, tmp_path):
    folder = _folder(make_book, tmp_path, indicators_csv=INDICATORS_CSV, values_csv=VALUES_CSV)
    assert read_dataset(folder).values["I1"][0].actual == 73


def test_a_table_given_twice_is_refused(make_book, tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    make_book(str(folder / "report.xlsx"), values=[{"indicator_id": "I1", "period": "2013-09", "actual": 5}])
    (folder / "values.csv").write_text(VALUES_CSV)
    assert problems(read_dataset, folder) == [
        'values: is given twice: as the sheet "values" and as the file values.csv; delete one']


def test_a_folder_problem_names_the_csv_file(make_book, tmp_path):
    folder = _folder(make_book, tmp_path, indicators_csv=INDICATORS_CSV,
                     values_csv=VALUES_CSV.replace("73", "7o"))
    assert problems(read_dataset, folder) == ['values.csv line 2, column C (actual): "7o" is not a number']


def test_a_look_alike_csv_and_two_workbooks_are_reported(make_book, tmp_path):
    folder = _folder(make_book, tmp_path, indicators_csv=INDICATORS_CSV, values_csv=VALUES_CSV)
    (folder / "Values (2).csv").write_text(VALUES_CSV)
    make_book(str(folder / "other.xlsx"))
    assert problems(read_dataset, folder) == [
        "a report folder holds exactly one workbook (.xlsx) with the report sheet; it has: other.xlsx, report.xlsx",
        'the file "Values (2).csv" looks like values.csv but is not read: delete it, or rename it values.csv if it '
        "is the one to read"]


def test_validate_and_build_take_a_folder_and_refuse_a_lone_csv(run_cli, make_book, tmp_path):
    folder = _folder(make_book, tmp_path, indicators_csv=INDICATORS_CSV, values_csv=VALUES_CSV)
    result = run_cli("validate", folder)
    assert result.exit_code == 0, result.stderr
    result = run_cli("validate", folder / "values.csv")
    assert result.exit_code == 1 and "a CSV file holds one table" in result.stderr
    assert "Traceback" not in result.stderr
