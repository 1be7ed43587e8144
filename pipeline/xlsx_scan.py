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

:func:`scan_sheet` walks the sheet's XML once (lxml, in C) and answers all three. It is
only run on a sheet that holds a formula at all (a cheap byte search first) or that
openpyxl could not read, so a plain workbook pays for one decompression per sheet.
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


def scan_sheet(data: bytes) -> SheetScan:
    """Every uncalculated formula and every number cell that is not a finite number, in
    sheet order; or where the XML is damaged (what was found before the damage is kept)."""
    from lxml import etree

    scan = SheetScan()
    tags = [f"{{{ns}}}{name}" for ns in _MAIN for name in ("row", "c")]
    row_number = 0
    column = -1
    try:
        for event, element in etree.iterparse(io.BytesIO(data), events=("start", "end"), tag=tags,
                                              resolve_entities=False, huge_tree=True):
            local = element.tag.rsplit("}", 1)[1]
            if local == "row":
                if event == "start":
                    row_number = _int(element.get("r"), row_number + 1)
                    column = -1
                else:
                    element.clear()
                continue
            if event == "start":
                continue
            ref = element.get("r")
            match = _REF.match(ref or "")
            if match:
                column, row_number = column_index(match.group(1)), int(match.group(2))
            else:
                column += 1
            ref = f"{column_letters(column)}{row_number}"
            scan.last_ref = ref
            kind = element.get("t", "n")
            formula = value = None
            for child in element:
                name = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child
            saved = value.text if value is not None else None
            if formula is not None and (value is None or (not saved and kind not in _TEXT_TYPES)):
                scan.uncalculated.append(BadCell(row_number, column, ref, saved or ""))
            elif kind == "n" and saved and not _finite_number(saved):
                scan.not_numbers.append(BadCell(row_number, column, ref, saved.strip()))
            element.clear()
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (exc.lineno, 0)
        after = f" after cell {scan.last_ref}" if scan.last_ref else " before its first cell"
        where = "" if "line" in (exc.msg or "") else f", line {line} character {col}"
        scan.damage = f"{exc.msg}{where}{after}"
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
