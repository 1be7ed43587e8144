"""Reading one cell: numbers, percentages by unit (and by Excel number format), flags, dates."""
import datetime as dt

import pytest

from pipeline.input import cells
from pipeline.input.cells import CellError
from pipeline.rules.periods import Month

# --- percentages: 73, "73%" and a percent-formatted 0.73 all mean 73 ----------------


@pytest.mark.parametrize("value, number_format, expected", [
    (73, "General", 73.0),
    (73.5, None, 73.5),
    ("73", "General", 73.0),
    ("73%", "General", 73.0),
    (" 73.5 % ", None, 73.5),
    (0.73, "0%", 73.0),
    (0.735, "0.0%", 73.5),
    (1, "0%", 100.0),
    (0.001, "0.0%", 0.1),
    (0, "General", 0.0),
    (100, "General", 100.0),
    (1.5, "General", 1.5),           # above 1: a small percentage, not a fraction
])
def test_percentages_are_normalised_to_points(value, number_format, expected):
    assert cells.read_measure(value, number_format, "percent") == pytest.approx(expected)


def test_percent_formatted_cell_is_exact():
    # 0.73 * 100 in binary floats is 73.00000000000001; the reader must not carry that error
    assert cells.read_measure(0.73, "0%", "percent") == 73.0
    assert cells.read_measure(0.292, "0.0%", "percent") == 29.2


@pytest.mark.parametrize("value", [0.73, "0.73", 1, 0.5, -0.2])
def test_unformatted_fraction_is_ambiguous_for_a_percentage(value):
    with pytest.raises(CellError) as exc:
        cells.read_measure(value, "General", "percent")
    assert "ambiguous" in str(exc.value)


def test_ambiguity_message_suggests_what_to_write():
    with pytest.raises(CellError) as exc:
        cells.read_measure(0.73, "General", "percent")
    assert str(exc.value).startswith("0.73 is ambiguous for a percentage: write 73 or 73%")


@pytest.mark.parametrize("fmt, is_percent", [
    ("0%", True), ("0.0%", True), ("#,##0.00%", True),
    ('0"%"', False),     # a literal percent sign: the cell holds 73 shown as "73%"
    ("0\\%", False),     # escaped literal
    ("General", False), ("0.0", False), (None, False), ("", False),
])
def test_is_percent_format(fmt, is_percent):
    assert cells.is_percent_format(fmt) is is_percent


def test_literal_percent_format_holds_points_not_a_fraction():
    assert cells.read_measure(73, '0"%"', "percent") == 73.0
    with pytest.raises(CellError):
        cells.read_measure(0.73, '0"%"', "percent")   # still ambiguous: the format is not a percent format


@pytest.mark.parametrize("value, number_format, unit", [
    ("73%", None, "count"),
    (0.73, "0%", "rate"),
])
def test_percent_on_a_non_percent_indicator_is_refused(value, number_format, unit):
    with pytest.raises(CellError) as exc:
        cells.read_measure(value, number_format, unit)
    assert "percentage" in str(exc.value) and unit in str(exc.value)


@pytest.mark.parametrize("value, unit, expected", [
    (1249, "count", 1249.0), ("1,249", "count", 1249.0), ("£1,250", "currency", 1250.0),
    (5.84, "rate", 5.84), (0.73, "rate", 0.73), (0.5, "count", 0.5),   # fractions only ambiguous for percent
])
def test_other_units_take_plain_numbers(value, unit, expected):
    assert cells.read_measure(value, "General", unit) == expected


@pytest.mark.parametrize("value", ["7o%", "7o", "n/a", "1,24,9", "12.3.4", "-", ".", "£", "1e5x"])
def test_not_a_number_quotes_what_was_typed(value):
    with pytest.raises(CellError) as exc:
        cells.read_measure(value, None, "percent")
    assert str(exc.value) == f'"{value}" is not a number'


def test_blank_cells_are_none():
    assert cells.read_measure(None, None, "percent") is None
    assert cells.read_measure("   ", None, "percent") is None
    assert cells.read_number("") is None


def test_booleans_and_dates_are_not_numbers():
    with pytest.raises(CellError, match="is not a number"):
        cells.read_measure(True, None, "count")
    with pytest.raises(CellError, match="is a date, not a number"):
        cells.read_measure(dt.datetime(2013, 9, 1), None, "count")
    with pytest.raises(CellError, match="is a date, not a number"):
        cells.read_number(dt.date(2013, 9, 1))


def test_read_number_refuses_percent_signs():
    with pytest.raises(CellError, match="takes a plain number"):
        cells.read_number("10%")


# --- other cell types -------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("Y", True), ("yes", True), ("x", True), (True, True), (1, True),
    ("N", False), ("no", False), ("", False), (None, False), (False, False), (0, False),
])
def test_flags(value, expected):
    assert cells.read_flag(value) is expected


def test_flag_refuses_anything_else():
    with pytest.raises(CellError, match='"maybe" is not Y or N'):
        cells.read_flag("maybe")


def test_read_int_bounds():
    assert cells.read_int(2, low=0, high=4) == 2
    assert cells.read_int(None, low=0, high=4) is None
    for bad in (5, -1, 1.5):
        with pytest.raises(CellError, match="whole number from 0 to 4"):
            cells.read_int(bad, low=0, high=4)


@pytest.mark.parametrize("value", ["2013-12-05", "5 December 2013", "5 Dec 2013", "05/12/2013",
                                   dt.datetime(2013, 12, 5, 10, 0), dt.date(2013, 12, 5)])
def test_dates(value):
    assert cells.read_date(value) == dt.date(2013, 12, 5)


def test_bad_date_is_explained():
    with pytest.raises(CellError, match="is not a date"):
        cells.read_date("next Thursday")


def test_read_month_wraps_errors():
    assert cells.read_month("Sep-13") == Month(2013, 9)
    with pytest.raises(CellError, match="not a month"):
        cells.read_month("Sep-1x")


def test_multiline_text_keeps_paragraphs():
    assert cells.read_multiline("One.  \r\nTwo.\r\n\r\n") == "One.\nTwo."
    assert cells.read_text(12.0) == "12"


def test_lookup_explains_choices():
    from pipeline.rules.rating import POLARITY_ALIASES, Polarity

    assert cells.lookup("  Higher  is  better ", POLARITY_ALIASES, "polarity") == Polarity.HIGHER
    with pytest.raises(CellError) as exc:
        cells.lookup("upwards", POLARITY_ALIASES, "polarity")
    assert str(exc.value) == '"upwards" is not a polarity: use one of band, higher, lower, none'
    with pytest.raises(CellError, match="is blank"):
        cells.lookup(None, POLARITY_ALIASES, "polarity")


@pytest.mark.parametrize("header, expected", [
    ("Indicator ID", "indicator_id"), ("Data Period", "data_period"), (" Stat. N. ", "stat_n"), (None, ""),
])
def test_normalise_header(header, expected):
    assert cells.normalise_header(header) == expected


# --- issue 14: values a cell can hold that the report cannot ----------------------------------


@pytest.mark.parametrize("value, message", [
    (float("nan"), 'holds NaN ("not a number", written by another program), not a figure'),
    (float("inf"), "holds an infinite number (a figure too large for Excel), not a figure"),
    (float("-inf"), "holds an infinite number (a figure too large for Excel), not a figure"),
    (1e28, "1e+28 is too large: the report shows figures below 1,000,000,000,000,000 (10^15)"),
    (10**15, "1000000000000000 is too large: the report shows figures below 1,000,000,000,000,000 (10^15)"),
    ("1,000,000,000,000,000", '"1,000,000,000,000,000" is too large: the report shows figures below '
                              "1,000,000,000,000,000 (10^15)"),
])
@pytest.mark.parametrize("reader", [cells.read_number, lambda v: cells.read_measure(v, None, "count")])
def test_what_the_report_cannot_show_is_refused(reader, value, message):
    with pytest.raises(CellError) as exc:
        reader(value)
    assert str(exc.value) == message


@pytest.mark.parametrize("value", [10**15 - 1, -(10**15 - 1), 999_999_999_999_999.0, 1e-300, 0])
def test_just_below_the_limit_is_read(value):
    assert cells.read_number(value) == value
    assert cells.read_measure(value, None, "count") == value


def test_a_percent_format_is_bounded_after_it_becomes_points():
    assert cells.read_measure(9.99e12, "0%", "percent") == pytest.approx(9.99e14)
    with pytest.raises(CellError):
        cells.read_measure(1e13, "0%", "percent")


@pytest.mark.parametrize("text, shown", [
    ("P01\u200b", "P01\\u200b"), ("\ufeffA", "\\ufeffA"), ("a\u00a0b", "a\\u00a0b"), ("a\x0bb", "a\\u000bb"),
    ("a\nb", "a\\u000ab"), ("café £5 – “x”", "café £5 – “x”"), ("a b", "a b"), ("x\U000e0001", "x\\U000e0001"),
])
def test_invisible_characters_are_shown_escaped(text, shown):
    assert cells.shown(text) == shown
    assert cells.quoted(text) == f'"{shown}"'


def test_describe_invisible_names_the_first_and_counts_the_rest():
    assert cells.describe_invisible("P01") == ""
    assert cells.describe_invisible("P01\u200b") == 'an invisible character, U+200B ZERO WIDTH SPACE, after "P01"'
    assert cells.describe_invisible("\u200eP\u200b") == (
        "an invisible character, U+200E LEFT-TO-RIGHT MARK, at the start (and 1 more)")


@pytest.mark.parametrize("saved, text", [
    ("a_x000B_b", "a\x0bb"), ("_x000D_\n", "\r\n"), ("Caf_x00e9_", "Café"), ("_x005F_", "_"),
    ("_xD83D__xDE00_", "\U0001F600"), ("_x12_", "_x12_"), ("plain", "plain"), ("_x0041__x0042_", "AB"),
])
def test_excel_escapes_are_decoded(saved, text):
    assert cells.decode_escapes(saved) == text


@pytest.mark.parametrize("value, error", [
    ("#DIV/0!", "#DIV/0!"), (" #n/a ", "#N/A"), ("#VALUE!", "#VALUE!"), ("#N/A because", None), (7, None),
])
def test_excel_errors_are_recognised(value, error):
    assert cells.excel_error(value) == error


@pytest.mark.parametrize("text", ["plain", "Café – £1,250 “up” • ≥ € ½ …", "tab\tand\nlines\r\n", "\u200bzero"])
def test_text_the_documents_can_hold_has_no_problems(text):
    assert cells.text_problems(text) == []


@pytest.mark.parametrize("text, start", [
    ("a\x0bb", 'holds a control character (U+000B LINE TABULATION) after "a"'),
    ("\x00", "holds a control character (U+0000 CONTROL CHARACTER) at the start"),
    ("a\u2028b", 'holds a control character (U+2028 LINE SEPARATOR) after "a"'),
    ("ok \U0001F600", 'holds a character "\U0001F600" (U+1F600 GRINNING FACE) after "ok "'),
    ("\ufeffHello", "holds a character (U+FEFF ZERO WIDTH NO-BREAK SPACE) at the start"),
    ("\u2713 \u2714 \u2715 \u2716 \u2717", 'holds a character "\u2713" (U+2713 CHECK MARK) at the start '
                                          "(and 4 others: U+2714 HEAVY CHECK MARK, U+2715 MULTIPLICATION X, "
                                          "U+2716 HEAVY MULTIPLICATION X, ...)"),
])
def test_text_the_documents_cannot_hold_is_described(text, start):
    (problem,) = cells.text_problems(text)
    assert problem.startswith(start)


def test_the_font_check_agrees_with_every_face_of_the_pdf():
    from pipeline.style.fonts import missing_glyphs

    sample = "".join(chr(c) for c in range(0x20, 0x3000))
    refused = {ch for ch in sample if cells.text_problems(ch)}  # (controls for their own reason)
    for bold in (False, True):
        for italic in (False, True):
            assert missing_glyphs(sample, bold, italic) <= refused
