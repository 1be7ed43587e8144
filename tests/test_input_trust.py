"""Issue 14, parts 3 and 4: the workbook's sheets are found exactly, and every value a cell of
an .xlsx can hold is either read correctly or refused with a located message (never a
traceback, never a silent blank, never a crash later in `build`)."""
import datetime as dt
import warnings
import zipfile

import pytest
from workbooks import Styled
from xlsx_edit import edit_member, move_sheet_first, set_cell_xml, set_state, sheet_member

from pipeline.errors import InputProblems
from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month

SEP = Month(2013, 9)
VALUES_HEADER = ["indicator_id", "period", "actual", "target", "floor"]


def problems_of(path) -> list[str]:
    with pytest.raises(InputProblems) as exc:
        read_workbook(path)
    return [str(p) for p in exc.value.problems]


def no_traceback(result):
    assert "Traceback" not in result.stderr + result.stdout


# =================================================================================== sheets
# "The wrong sheet is read": a look-alike placed before the real sheet was read instead of it.


def _with_look_alike(make_book, name, state="visible", figure=11):
    """The real values sheet (actual 73) and a look-alike placed before it (actual ``figure``)."""
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}],
                     extra_sheets={name: [VALUES_HEADER, ["I1", "2013-09", figure, 80, None]]})
    move_sheet_first(path, name)
    if state != "visible":
        set_state(path, name, state)
    return path


@pytest.mark.parametrize("name, state, shown", [
    ("Values.", "visible", '"Values."'),
    ("_values", "hidden", '"_values" (hidden)'),
    ("_values", "veryHidden", '"_values" (very hidden)'),
    ("values (2)", "visible", '"values (2)"'),
    ("Copy of values", "visible", '"Copy of values"'),
    ("values - Copy", "hidden", '"values - Copy" (hidden)'),
    ("VALUES 2012", "visible", '"VALUES 2012"'),
])
def test_a_look_alike_sheet_is_never_read_and_is_reported(make_book, name, state, shown):
    path = _with_look_alike(make_book, name, state)
    assert problems_of(path) == [
        f'values: the sheet {shown} looks like values but is not read (only "values" is): '
        "delete it, or rename it so that it no longer looks like values"]


def test_without_the_look_alike_the_real_sheet_is_read(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}],
                     extra_sheets={"old figures": [VALUES_HEADER, ["I1", "2013-09", 11, 80, None]]})
    move_sheet_first(path, "old figures")
    assert read_workbook(path).values["I1"][0].actual == 73


@pytest.mark.parametrize("name", ["Values.", "_values", "values (2)", "Values!"])
def test_a_look_alike_alone_is_not_read_in_place_of_the_missing_sheet(make_book, name):
    path = make_book(omit=("values",), extra_sheets={name: [VALUES_HEADER, ["I1", "2013-09", 73, 80, None]]})
    assert problems_of(path) == [
        f'values: no sheet is named exactly values; the sheet "{name}" is not read: '
        "rename it values if it is the one to read"]


@pytest.mark.parametrize("name", ["values", "Values", " VALUES "])
def test_the_exact_name_ignoring_case_and_surrounding_spaces_is_read(make_book, name):
    path = make_book(omit=("values",), extra_sheets={name: [VALUES_HEADER, ["I1", "2013-09", 73, 80, None]]})
    assert read_workbook(path).values["I1"][0].actual == 73


@pytest.mark.parametrize("name", ["Business Plan", "business_plan", "BUSINESS  PLAN "])
def test_a_space_inside_a_name_is_its_underscore(make_book, name):
    path = make_book(extra_sheets={name: [["section", "priority", "action", "status"], ["S", "P", "A", "delayed"]]})
    assert read_workbook(path).business_plan[0].status == "delayed"


def test_two_candidate_sheets_are_an_error_naming_both(make_book):
    path = make_book(extra_sheets={" Values ": [VALUES_HEADER, ["I1", "2013-09", 11, 80, None]]})
    assert problems_of(path) == [
        'values: 2 sheets could be the values sheet: "values" and " Values "; keep one (delete the others, '
        "or rename them so that their names no longer look like values)"]


@pytest.mark.parametrize("state, how", [
    ("hidden", "is hidden, and a hidden sheet is never read: unhide it (right-click any sheet tab, Unhide)"),
    ("veryHidden", "is very hidden, and a hidden sheet is never read: make it visible (Excel's VBA editor"),
])
def test_a_hidden_sheet_is_never_read_silently(make_book, state, how):
    path = set_state(make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73}]), "values", state)
    (problem,) = problems_of(path)
    assert problem.startswith(f'values: the sheet "values" {how}')


def test_a_look_alike_of_an_optional_sheet_is_reported_too(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73}],
                     extra_sheets={"Commentary.": [["indicator_id", "period", "text"], ["I1", "2013-09", "Why."]]})
    assert problems_of(path) == [
        'commentary: no sheet is named exactly commentary; the sheet "Commentary." is not read: '
        "rename it commentary if it is the one to read"]


def test_a_hidden_sheet_of_another_name_is_ignored(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73}],
                     extra_sheets={"lookups": [["a"], [1]]})
    set_state(path, "lookups", "hidden")
    assert read_workbook(path).values["I1"][0].actual == 73


def test_sheet_problems_of_a_sheet_that_is_read_do_not_stop_the_row_checks(make_book):
    path = _with_look_alike(make_book, "Values.")
    set_cell_xml(path, "values", "C2", '<c r="C2" t="inlineStr"><is><t>7o%</t></is></c>')
    problems = problems_of(path)
    assert len(problems) == 2
    assert 'values row 2, column actual: "7o%" is not a number' in problems


# =================================================================================== cells

def _book_with_actual(make_book, actual=0, unit="percent", **indicator):
    return make_book(indicators=[{"id": "I1", "unit": unit, **indicator}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": actual, "target": 80}])


# --- NaN and infinity ------------------------------------------------------------------------

@pytest.mark.parametrize("saved", ["NaN", "nan", "inf", "-inf", "INF", "Infinity", "1,5", "abc"])
def test_a_number_cell_holding_text_is_located_not_a_crash(make_book, saved):
    path = _book_with_actual(make_book)
    set_cell_xml(path, "values", "C2", f'<c r="C2" t="n"><v>{saved}</v></c>')
    assert problems_of(path) == [
        f'values row 2, column actual: the number cell C2 holds "{saved}", which is not a number (it was '
        "written by a program other than Excel): type the figure, or clear the cell"]


def test_every_bad_number_cell_of_the_sheet_is_reported_at_once(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": p, "actual": 70, "target": 80}
                             for p in ("2013-07", "2013-08", "2013-09")])
    set_cell_xml(path, "values", "C2", '<c r="C2"><v>nan</v></c>')
    set_cell_xml(path, "values", "D4", '<c r="D4"><v>inf</v></c>')
    problems = problems_of(path)
    assert [p.split(":")[0] for p in problems] == ["values row 2, column actual", "values row 4, column target"]


@pytest.mark.parametrize("saved", ["1e309", "-1.5E+400"])
def test_a_number_too_large_for_a_double_is_refused(make_book, saved):
    path = _book_with_actual(make_book)
    set_cell_xml(path, "values", "C2", f'<c r="C2"><v>{saved}</v></c>')
    assert problems_of(path) == [
        "values row 2, column actual: holds an infinite number (a figure too large for Excel), not a figure"]


# --- magnitudes the report cannot show ---------------------------------------------------

@pytest.mark.parametrize("value, shown", [
    (1e28, "1e+28"), (1e308, "1e+308"), (-1e28, "-1e+28"), (10**15, "1000000000000000"),
    (-(10**15), "-1000000000000000"), (1e15, "1000000000000000"),
    ("1,000,000,000,000,000", '"1,000,000,000,000,000"'),
])
def test_figures_of_ten_to_the_fifteen_or_more_are_refused(make_book, value, shown):
    path = _book_with_actual(make_book, value, unit="count")
    assert problems_of(path) == [
        f"values row 2, column actual: {shown} is too large: the report shows figures below "
        "1,000,000,000,000,000 (10^15)"]


@pytest.mark.parametrize("value, decimals, shown", [
    (10**15 - 1, 0, "999,999,999,999,999"),
    (10**15 - 1, 4, "999,999,999,999,999.0000"),
    (-(10**15 - 1), 4, "-999,999,999,999,999.0000"),
    (999_999_999_999.9999, 4, "999,999,999,999.9999"),
    (999_999_999_999.9999, 0, "1,000,000,000,000"),
])
def test_the_largest_figure_is_read_rated_and_shown(make_book, value, decimals, shown):
    from pipeline.cards.compute import compute_cards

    path = make_book(indicators=[{"id": "I1", "unit": "count", "decimals": decimals, "polarity": "higher"}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": value, "target": value,
                              "floor": value}])
    card = compute_cards(read_workbook(path), SEP).cards[0]
    assert [card.fmt(card.current.actual), card.fmt(card.current.floor)] == [shown, shown]
    assert card.rag.value == "GREEN"


def test_a_percent_formatted_cell_is_bounded_after_it_is_made_points(make_book):
    path = _book_with_actual(make_book, Styled(1e13, "0%"))  # 1e13 shown as 1e15 %
    (problem,) = problems_of(path)
    assert problem.startswith("values row 2, column actual: ") and "is too large" in problem


@pytest.mark.parametrize("column", ["numerator", "denominator", "forecast", "stat_neighbours", "target", "floor"])
def test_every_figure_column_is_bounded(make_book, column):
    row = {"indicator_id": "I1", "period": "2013-09", "actual": 5, "target": 80, "numerator": 1, "denominator": 2}
    row[column] = 1e28
    path = make_book(indicators=[{"id": "I1", "unit": "count", "polarity": "higher"}], values=[row])
    assert any(p.startswith(f"values row 2, column {column}: 1e+28 is too large") for p in problems_of(path))


def test_a_ratio_the_report_cannot_show_is_refused(make_book):
    path = make_book(indicators=[{"id": "I1", "unit": "percent"}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 50, "target": 80,
                              "numerator": 1e14, "denominator": 0.001}])
    assert problems_of(path) == [
        "values row 2, column numerator: numerator / denominator gives 1.000e+19, too large: the report "
        "shows figures below 1,000,000,000,000,000 (10^15)"]


def test_a_floor_from_tolerance_percent_the_report_cannot_show_is_refused(make_book):
    path = make_book(indicators=[{"id": "I1", "unit": "count", "polarity": "lower", "tolerance_percent": 1e12}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 5, "target": 1e12}])
    (problem,) = problems_of(path)
    assert problem.startswith("values row 2, column target: the floor worked out from the indicator's tolerance")


@pytest.mark.parametrize("value", [1e28, float("inf")])
def test_build_refuses_what_validate_refuses_instead_of_crashing(run_cli, make_book, tmp_path, value):
    path = _book_with_actual(make_book, 0, unit="count")
    if value == float("inf"):
        set_cell_xml(path, "values", "C2", '<c r="C2"><v>1e400</v></c>')
    else:
        set_cell_xml(path, "values", "C2", f'<c r="C2"><v>{value!r}</v></c>')
    result = run_cli("build", path, "--out", tmp_path / "out")
    no_traceback(result)
    assert result.exit_code == 1
    assert "values row 2, column actual:" in result.stderr
    out = tmp_path / "out"
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix in (".pdf", ".docx")]


# --- Excel's error values and formulas never calculated ----------------------------------

@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"])
@pytest.mark.parametrize("sheet, ref, where", [
    ("values", "C2", "values row 2, column actual"),
    ("commentary", "C2", "commentary row 2, column text"),
])
def test_an_excel_error_is_located_in_any_column(make_book, error, sheet, ref, where):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}],
                     commentary=[{"indicator_id": "I1", "period": "2013-09", "text": "Why."}])
    set_cell_xml(path, sheet, ref, f'<c r="{ref}" t="e"><f>A1/0</f><v>{error}</v></c>')
    assert problems_of(path) == [f"{where}: holds the Excel error {error}: correct the formula "
                                 "(or the cells it uses) and save the workbook in Excel"]


@pytest.mark.parametrize("xml", [
    '<c r="{ref}"><f>D2*0.9</f></c>',               # no value saved at all
    '<c r="{ref}"><f>D2*0.9</f><v></v></c>',         # an empty value (openpyxl writes this)
    '<c r="{ref}" t="n"><f>D2*0.9</f><v/></c>',
])
@pytest.mark.parametrize("sheet, ref, where", [
    ("values", "C2", "values row 2, column actual"),
    ("values", "E2", "values row 2, column floor"),
    ("commentary", "C2", "commentary row 2, column text"),
])
def test_a_formula_never_calculated_is_not_a_silent_blank(make_book, xml, sheet, ref, where):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80, "floor": 70}],
                     commentary=[{"indicator_id": "I1", "period": "2013-09", "text": "Why."}])
    set_cell_xml(path, sheet, ref, xml.format(ref=ref))
    assert problems_of(path) == [
        f"{where}: the formula in {ref} has never been calculated (no value was saved with it): "
        "open the workbook in Excel and save it"]


def test_a_formula_uses_the_value_excel_saved(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 0, "target": 80}])
    set_cell_xml(path, "values", "C2", '<c r="C2"><f>D2*0.9</f><v>72</v></c>')
    assert read_workbook(path).values["I1"][0].actual == 72


def test_a_formula_that_calculated_an_empty_text_is_a_blank_cell(make_book):
    # =IF(B2="","",B2) saves t="str" and an empty value: calculated, and blank
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80, "floor": 70}])
    set_cell_xml(path, "values", "E2", '<c r="E2" t="str"><f>IF(A2="","","")</f><v></v></c>')
    assert read_workbook(path).values["I1"][0].floor is None


def test_an_uncalculated_formula_in_an_ignored_column_is_not_reported(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80,
                              "# check": "x"}])
    set_cell_xml(path, "values", "F2", '<c r="F2"><f>C2-D2</f></c>')
    assert read_workbook(path).values["I1"][0].actual == 73


# --- damaged files -------------------------------------------------------------------------

def test_damaged_sheet_xml_is_located_not_a_parse_error(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": p, "actual": 70, "target": 80}
                             for p in ("2013-07", "2013-08", "2013-09")])
    member = sheet_member(path, "values")
    edit_member(path, member, lambda data: data.replace(b'<c r="C3"', b'<c r="C3" <<', 1))
    (problem,) = problems_of(path)
    assert problem.startswith("values row 3: the sheet's XML is damaged (")
    assert "after cell B3" in problem and problem.endswith(
        "open the workbook in Excel, which offers to repair it, and save it; or use an earlier copy")


def test_a_sheet_cut_short_is_located(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 70, "target": 80}])
    member = sheet_member(path, "values")
    edit_member(path, member, lambda data: data[: data.index(b'<c r="D2"') + 5])
    (problem,) = problems_of(path)
    assert problem.startswith("values row 2: the sheet's XML is damaged")


def test_a_missing_sheet_part_is_a_problem_not_a_crash(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 70, "target": 80}])
    edit_member(path, sheet_member(path, "values"), None, drop=True)
    (problem,) = problems_of(path)
    assert "damaged" in problem


def _truncated(make_book, tmp_path):
    good = make_book().read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) * 2 // 3])
    return path


def _not_a_zip(make_book, tmp_path):
    path = tmp_path / "figures.xlsx"
    path.write_bytes(b"indicator_id,period,actual\nI1,2013-09,73\n")
    return path


def _damaged_xml(make_book, tmp_path):
    path = make_book()
    return edit_member(path, sheet_member(path, "indicators"), lambda data: data[: len(data) // 2])


def _bad_crc(make_book, tmp_path):
    path = make_book()
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(sheet_member(path, "indicators"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 20] ^= 0xFF  # flip a byte of the compressed sheet
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("make, message", [
    (_truncated, "is damaged (an incomplete zip archive"),
    (_not_a_zip, "is not an Excel .xlsx workbook"),
    (_damaged_xml, "indicators row"),
    (_bad_crc, "damaged"),
])
def test_damaged_files_exit_1_with_a_message(run_cli, make_book, tmp_path, make, message):
    path = make(make_book, tmp_path)
    result = run_cli("validate", path)
    no_traceback(result)
    assert result.exit_code == 1
    assert message in result.stderr


# --- Excel's _xHHHH_ escapes and control characters ---------------------------------------

def _text_cell(path, sheet, ref, text):
    return set_cell_xml(path, sheet, ref, f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')


def _commentary_book(make_book):
    return make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}],
                     commentary=[{"indicator_id": "I1", "period": "2013-09", "text": "placeholder"}])


@pytest.mark.parametrize("saved, read", [
    ("Caf_x00E9_ open", "Café open"),
    ("First_x000D_\nSecond", "First\nSecond"),    # Excel's CR before a line break
    ("a_x005F_x000B_b", "a_x000B_b"),            # an escaped underscore: the text _x000B_ itself
    ("no escape _x00G1_ here", "no escape _x00G1_ here"),
])
def test_excel_escapes_are_decoded(make_book, saved, read):
    path = _text_cell(_commentary_book(make_book), "commentary", "C2", saved)
    assert read_workbook(path).commentary[0].text == read


@pytest.mark.parametrize("saved, code", [
    ("Better_x000B_than planned", "U+000B LINE TABULATION"),
    ("Bell_x0007_", "U+0007 CONTROL CHARACTER"),
    ("Unit separator _x001F_ here", "U+001F CONTROL CHARACTER"),
    ("_x001B_[31mred", "U+001B ESCAPE"),
])
def test_control_characters_are_located_and_shown(make_book, saved, code):
    path = _text_cell(_commentary_book(make_book), "commentary", "C2", saved)
    (problem,) = problems_of(path)
    assert problem.startswith(f"commentary row 2, column text: holds a control character ({code}) ")
    assert problem.endswith(": delete it (no document can show it)")


def test_a_control_character_in_a_title_is_located(make_book):
    path = make_book(indicators=[{"id": "I1", "title": "placeholder"}],
                     values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73}])
    _text_cell(path, "indicators", "B2", "Clients_x000B_reviewed")
    assert problems_of(path) == ['indicators row 2, column title: holds a control character '
                                 '(U+000B LINE TABULATION) after "Clients": delete it (no document can show it)']


# --- invisible characters are shown in messages -------------------------------------------

@pytest.mark.parametrize("ident, escaped, name, where", [
    ("P01\u200b", "P01\\u200b", "U+200B ZERO WIDTH SPACE", 'after "P01"'),
    ("\ufeffP01", "\\ufeffP01", "U+FEFF ZERO WIDTH NO-BREAK SPACE", "at the start"),
    ("P\u00a001", "P\\u00a001", "U+00A0 NO-BREAK SPACE", 'after "P"'),
    ("P0\u00ad1", "P0\\u00ad1", "U+00AD SOFT HYPHEN", 'after "P0"'),
    ("P01\u200f", "P01\\u200f", "U+200F RIGHT-TO-LEFT MARK", 'after "P01"'),
])
def test_an_id_with_an_invisible_character_shows_it(make_book, ident, escaped, name, where):
    path = make_book(indicators=[{"id": "P01"}],
                     values=[{"indicator_id": ident, "period": "2013-09", "actual": 73, "target": 80}])
    assert problems_of(path) == [
        f'values row 2, column indicator_id: "{escaped}" is not an indicator on the indicators sheet: '
        f"it holds an invisible character, {name}, {where} (retype it)"]


def test_an_invisible_character_in_an_indicators_id_is_reported_once(make_book):
    path = make_book(indicators=[{"id": "P01\u200b"}],
                     values=[{"indicator_id": "P01", "period": "2013-09", "actual": 73, "target": 80},
                             {"indicator_id": "P01\u200b", "period": "2013-08", "actual": 73, "target": 80}])
    assert problems_of(path) == [
        'indicators row 2, column id: "P01\\u200b" holds an invisible character, U+200B ZERO WIDTH SPACE, '
        'after "P01": retype the id']


def test_commentary_ids_show_invisible_characters_too(make_book):
    path = make_book(indicators=[{"id": "P01"}],
                     values=[{"indicator_id": "P01", "period": "2013-09", "actual": 73, "target": 80}],
                     commentary=[{"indicator_id": "P01\u2060", "period": "2013-09", "text": "Why."}])
    (problem,) = problems_of(path)
    assert problem.startswith('commentary row 2, column indicator_id: "P01\\u2060" is not an indicator')
    assert "U+2060 WORD JOINER" in problem


def test_a_number_with_an_invisible_character_shows_it(make_book):
    path = _book_with_actual(make_book, "73\u200b", unit="count")
    assert problems_of(path) == ['values row 2, column actual: "73\\u200b" is not a number']


# --- two-digit years ------------------------------------------------------------------------

@pytest.mark.parametrize("written, month", [
    ("Sep-99", Month(1999, 9)), ("Sep-12", Month(2012, 9)), ("Sep-13", SEP), ("Mar 00", Month(2000, 3)),
])
def test_two_digit_years_are_read_sensibly(make_book, written, month):
    path = make_book(values=[{"indicator_id": "I1", "period": written, "actual": 73, "target": 80}])
    assert read_workbook(path).values["I1"][0].period == month


# --- characters the report's fonts cannot draw ----------------------------------------------

@pytest.mark.parametrize("sheet_args, where", [
    ({"commentary": [{"indicator_id": "I1", "period": "2013-09", "text": "Great news \U0001F600 all round"}]},
     "commentary row 2, column text"),
    ({"indicators": [{"id": "I1", "title": "Clients \U0001F465 reviewed"}]}, "indicators row 2, column title"),
    ({"narrative": [{"section": "Test Section", "period": "2013-09", "text": "Done \u2714"}]},
     "narrative row 2, column text"),
    ({"contacts": [{"name": "A. Officer \u260e"}]}, "contacts row 2, column name"),
    ({"report": [("from", "A. Officer"), ("to", "Committee"), ("date", dt.date(2013, 12, 5)),
                 ("subject", "Dashboard \u2b50")]}, "report row 5, column value"),
])
def test_characters_the_fonts_cannot_draw_are_refused_by_validate(make_book, sheet_args, where):
    kwargs = {"values": [{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}], **sheet_args}
    (problem,) = problems_of(make_book(**kwargs))
    assert problem.startswith(f"{where}: holds a character ")
    assert problem.endswith("which the report's font (Liberation Sans) cannot draw: remove it or write it in words")


def test_text_the_fonts_can_draw_passes(make_book):
    text = "Café – £1,250 “up” 5 ≥ 4 • done… €5 × 2 ½ naïve\u00a0space \u200bzero-width"
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}],
                     commentary=[{"indicator_id": "I1", "period": "2013-09", "text": text}])
    assert read_workbook(path).commentary[0].text == text


def test_build_refuses_an_emoji_with_the_located_message_and_writes_nothing(run_cli, make_book, tmp_path):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80}],
                     commentary=[{"indicator_id": "I1", "period": "2013-09", "text": "Great news \U0001F600"}])
    validate = run_cli("validate", path)
    build = run_cli("build", path, "--out", tmp_path / "out")
    for result in (validate, build):
        no_traceback(result)
        assert result.exit_code == 1
        assert "commentary row 2, column text: holds a character \"\U0001F600\" (U+1F600 GRINNING FACE)" \
            in result.stderr
    out = tmp_path / "out"
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix in (".pdf", ".docx")]


# --- no warnings leak ------------------------------------------------------------------------

def test_openpyxl_warnings_do_not_reach_the_user(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": Styled(1e10, "yyyy-mm-dd"), "actual": 73}])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = problems_of(path)
    assert not [w for w in caught if "openpyxl" in (w.filename or "")]
    assert problems == ["values row 2, column period: holds the Excel error #VALUE!: correct the formula "
                        "(or the cells it uses) and save the workbook in Excel"]


def test_an_uncalculated_formula_in_the_header_row_is_named_by_its_column_letter(make_book):
    path = make_book(values=[{"indicator_id": "I1", "period": "2013-09", "actual": 73, "target": 80,
                              "forecast": 1}])
    set_cell_xml(path, "values", "F1", '<c r="F1" t="str"><f>"fore"&amp;"cast"</f></c>')
    assert problems_of(path) == [
        "values row 1, column F: the formula in F1 has never been calculated (no value was saved with it): "
        "open the workbook in Excel and save it"]
