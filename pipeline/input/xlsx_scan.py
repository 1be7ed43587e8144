"""What openpyxl does not say about a worksheet, read from the sheet's own XML.

openpyxl (read-only, ``data_only``) gives each cell's saved value. Three things it cannot
tell us, and that a public report must not pass over in silence:

- a **formula Excel never calculated**: the cell holds a formula but no saved value (a
  workbook written by another program, or saved with calculation off). openpyxl reads
  it as a blank cell, which would print as "no figure yet";
- **which cell** stopped openpyxl: a number cell holding ``NaN``, ``inf`` or other text
  (written by some tools, never by Excel) makes openpyxl raise ``ValueError`` and lose the
  rest of the sheet; damaged XML makes it raise ``ParseError``;
- where the damage is.

:func:`scan_sheet` answers the first from a byte search of the sheet's XML, and is only
run on a sheet that holds a formula at all (a cheap test first); for a sheet openpyxl
could not read it parses the XML whole (lxml) to name the cells to blame.
"""
from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
         "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships")
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
# the text types a cell's saved value may have; an empty <v> of these is a real (empty) result
_TEXT_TYPES = {"str", "inlineStr", "s"}


@dataclass(frozen=True)
class BadCell:
    row: int
    column: int  # 0-based: A is 0
    ref: str  # "D14"
    saved: str  # the text of its <v>, as saved


@dataclass
class SheetScan:
    uncalculated: list[BadCell] = field(default_factory=list)  # a formula without a saved value
    not_numbers: list[BadCell] = field(default_factory=list)  # a number cell whose value is not a finite number
    damage: str | None = None  # why the XML could not be parsed, with the last cell read before
    last_ref: str | None = None  # the last cell read (where damage begins)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass(frozen=True)
class SheetEntry:
    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    part: str | None  # the zip member holding its XML
    present: bool  # is that member in the file? (openpyxl silently drops a sheet whose part is missing)


def sheet_list(archive: zipfile.ZipFile) -> list[SheetEntry]:
    """The workbook's sheets in tab order, from xl/workbook.xml and its rels."""
    from lxml import etree

    book = etree.fromstring(archive.read("xl/workbook.xml"))
    try:
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        rels = None
    targets = {}
    for rel in rels.iter(f"{{{_PKG_REL}}}Relationship") if rels is not None else ():
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    names = set(archive.namelist())
    out = []
    for element in book.iter(*(f"{{{ns}}}sheet" for ns in _MAIN)):
        rid = next((element.get(f"{{{r}}}id") for r in _REL if element.get(f"{{{r}}}id")), None)
        part = targets.get(rid)
        out.append(SheetEntry(element.get("name", ""), element.get("state") or "visible", part, part in names))
    return out


def has_formulas(data: bytes) -> bool:
    """Could the sheet hold a formula? (``<f>`` or ``<f ...>``, with or without a prefix.)"""
    return b"<f>" in data or b"<f " in data or b":f>" in data or b":f " in data


def scan_sheet(data: bytes, *, full: bool = False) -> SheetScan:
    """Every formula without a saved value, in sheet order. ``full`` (for a sheet openpyxl
    could not read): also every number cell whose value is not a finite number, and where
    the XML is damaged, if it is.

    Formulas are first found by a byte search (a formula is the only ``<f`` element of a
    sheet, and text never holds a raw ``<``), which costs far less than parsing the sheet;
    a sheet written in a way the search does not expect (prefixed tags, cells without
    their ``r`` address) is parsed whole, and the cells picked by XPath."""
    if not full:
        fast = _uncalculated_by_search(data)
        if fast is not None:
            return SheetScan(uncalculated=fast)
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return _scan_damaged(data)
    scan = SheetScan()
    ns = {"m": etree.QName(root).namespace or _MAIN[0]}
    for cell in root.xpath("m:sheetData/m:row/m:c[m:f]", namespaces=ns):
        saved = cell.findtext("m:v", namespaces=ns)
        if saved is None or (not saved and cell.get("t", "n") not in _TEXT_TYPES):
            row, column = _position(cell)
            scan.uncalculated.append(BadCell(row, column, f"{column_letters(column)}{row}", saved or ""))
    if full:
        for cell in root.xpath("m:sheetData/m:row/m:c[not(@t) or @t='n'][m:v]", namespaces=ns):
            saved = cell.findtext("m:v", namespaces=ns)
            if saved and not _finite_number(saved):
                row, column = _position(cell)
                scan.not_numbers.append(BadCell(row, column, f"{column_letters(column)}{row}", saved.strip()))
    return scan


_FORMULA = re.compile(rb"<f[\s>/]")
_R = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_T = re.compile(rb'\st="([^"]*)"')
_V = re.compile(rb"<v>([^<]*)</v>|<v\s*/>|<v\s*>\s*</v>")


def _uncalculated_by_search(data: bytes) -> list[BadCell] | None:
    """The formulas without a saved value, by byte search; None when the sheet is not
    written the way the search expects (then the caller parses it)."""
    if b":f>" in data or b":f " in data or b"<c>" in data:
        return None
    out = []
    for match in _FORMULA.finditer(data):
        start = data.rfind(b"<c ", 0, match.start())
        head_end = data.find(b">", start)
        end = data.find(b"</c>", match.start())
        if start < 0 or head_end < 0 or end < 0 or head_end > match.start():
            return None
        head = data[start:head_end]
        ref = _R.search(head)
        if ref is None:
            return None
        kind = _T.search(head)
        kind = kind.group(1).decode() if kind else "n"
        value = _V.search(data, head_end, end)
        saved = None if value is None else (value.group(1) or b"")
        if saved is None or (not saved and kind not in _TEXT_TYPES):
            row, letters = int(ref.group(2)), ref.group(1).decode()
            out.append(BadCell(row, column_index(letters), f"{letters}{row}", ""))
    return out


def _position(cell) -> tuple[int, int]:
    """(row, 0-based column) of a cell: from its r attribute, or, for a writer that leaves
    r out, by counting from the previous cell that has one (as Excel does)."""
    match = _REF.match(cell.get("r") or "")
    if match:
        return int(match.group(2)), column_index(match.group(1))
    row_element = cell.getparent()
    previous = cell.getprevious()
    if previous is not None:
        _row, column = _position(previous)
        return _row, column + 1
    number = _int(row_element.get("r"), None)
    if number is None:
        before = row_element.getprevious()
        number = (_position_of_row(before) + 1) if before is not None else 1
    return number, 0


def _position_of_row(row_element) -> int:
    number = _int(row_element.get("r"), None)
    if number is not None:
        return number
    before = row_element.getprevious()
    return (_position_of_row(before) + 1) if before is not None else 1


def _scan_damaged(data: bytes) -> SheetScan:
    """Where damaged XML breaks off: the cells read before it, and the parser's reason."""
    from lxml import etree

    scan = SheetScan()
    tags = [f"{{{ns}}}c" for ns in _MAIN]
    try:
        for _event, element in etree.iterparse(io.BytesIO(data), events=("end",), tag=tags,
                                               resolve_entities=False, huge_tree=True):
            ref = element.get("r")
            if ref:
                scan.last_ref = ref
            element.clear()
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (exc.lineno, 0)
        after = f" after cell {scan.last_ref}" if scan.last_ref else " before its first cell"
        where = "" if "line" in (exc.msg or "") else f", line {line} character {col}"
        scan.damage = f"{exc.msg}{where}{after}"
    else:  # the whole document parsed this time: damaged in a way only the first parse saw
        scan.damage = "the XML is not well formed"
    return scan


def _finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default
