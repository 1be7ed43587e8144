"""pipeline.input.xlsx_scan: formulas without a saved value, number cells that are not numbers,
damaged XML; the byte search and the parsed-XML path must agree."""
import pytest

from pipeline.input import xlsx_scan
from pipeline.input.xlsx_scan import column_index, column_letters, scan_sheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(rows: str, prefix: str = "") -> bytes:
    if prefix:
        rows = rows.replace("<", f"<{prefix}:").replace(f"<{prefix}:/", f"</{prefix}:")
        return (f'<{prefix}:worksheet xmlns:{prefix}="{MAIN}"><{prefix}:sheetData>{rows}'
                f"</{prefix}:sheetData></{prefix}:worksheet>").encode()
    return f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()


ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a &lt;f&gt; in text</t></is></c><c r="B1"><v>1</v></c></row>'
    '<row r="2"><c r="A2"><f>B1*2</f></c>'                              # never calculated
    '<c r="B2"><f>B1*2</f><v></v></c>'                                 # empty value (openpyxl)
    '<c r="C2" t="n"><f>B1*2</f><v/></c>'                              # empty element
    '<c r="D2"><f>B1*2</f><v>2</v></c>'                                # calculated
    '<c r="E2" t="str"><f>IF(1,"","")</f><v></v></c>'                  # calculated, empty text
    '<c r="F2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'                     # calculated, an error
    '<c r="G2"><f t="shared" ref="G2:G3" si="0">B1</f><v>1</v></c></row>'
    '<row r="14"><c r="G14"><f t="shared" si="0"/></c>'               # shared, never calculated
    '<c r="AA14" s="3"><f aca="false">1+1</f></c></row>'
)
EXPECTED = ["A2", "B2", "C2", "G14", "AA14"]


def test_the_byte_search_finds_every_formula_without_a_value():
    assert [c.ref for c in scan_sheet(sheet(ROWS)).uncalculated] == EXPECTED
    assert xlsx_scan._uncalculated_by_search(sheet(ROWS)) is not None  # the fast path was taken


@pytest.mark.parametrize("data", [
    sheet(ROWS, prefix="x"),                                     # prefixed tags
    sheet(ROWS.replace(' r="A2"', "").replace(' r="B2"', "")),   # cells without their address
])
def test_sheets_the_search_does_not_expect_are_parsed_with_the_same_answer(data):
    assert xlsx_scan._uncalculated_by_search(data) is None
    assert [(c.ref, c.row, c.column) for c in scan_sheet(data).uncalculated] == [
        (ref, int("".join(ch for ch in ref if ch.isdigit())), column_index(ref.rstrip("0123456789")))
        for ref in EXPECTED]


def test_positions_are_counted_when_rows_and_cells_leave_out_their_address():
    data = sheet('<row><c><v>1</v></c></row><row><c><v>1</v></c><c><f>A1</f></c></row>')
    assert [c.ref for c in scan_sheet(data).uncalculated] == ["B2"]


def test_number_cells_that_are_not_numbers():
    data = sheet('<row r="2"><c r="A2"><v>NaN</v></c><c r="B2" t="n"><v>inf</v></c><c r="C2"><v>1e309</v></c>'
                 '<c r="D2"><v>12.5</v></c><c r="E2" t="s"><v>0</v></c><c r="F2" t="e"><v>#N/A</v></c>'
                 '<c r="G2"><v> 1,5 </v></c></row>')
    assert [(c.ref, c.saved) for c in scan_sheet(data, full=True).not_numbers] == [
        ("A2", "NaN"), ("B2", "inf"), ("C2", "1e309"), ("G2", "1,5")]


def test_damaged_xml_says_after_which_cell():
    data = sheet('<row r="3"><c r="A3"><v>1</v></c><c r="B3" <<><v>2</v></c></row>')
    scan = scan_sheet(data, full=True)
    assert scan.damage.endswith("after cell A3") and scan.last_ref == "A3"
    assert scan_sheet(b"<worksheet", full=True).damage.endswith("before its first cell")


@pytest.mark.parametrize("index, letters", [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA"),
                                            (16383, "XFD")])
def test_column_letters(index, letters):
    assert column_letters(index) == letters
    assert column_index(letters) == index
