"""Edit a test workbook the way other programs (or damage) leave one: a cell's raw XML, a
sheet's visibility and place, a part removed or cut short.

openpyxl cannot write most of these (it writes NaN as an empty cell and refuses control
characters), so the helpers rewrite the saved file's XML directly.

    from xlsx_edit import set_cell_xml, hide_sheet, move_sheet_first, edit_member
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path


def sheet_member(path, sheet: str) -> str:
    """The zip member holding ``sheet``'s XML (from xl/workbook.xml and its rels)."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    for element in re.findall(r"<sheet\b[^>]*>", book):
        if _attr(element, "name") == sheet:
            rid = _attr(element, "r:id")
            break
    else:
        raise KeyError(sheet)
    for element in re.findall(r"<Relationship\b[^>]*>", rels):
        if _attr(element, "Id") == rid:
            target = _attr(element, "Target")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(rid)


def _attr(element: str, name: str) -> str | None:
    match = re.search(rf'\s{re.escape(name)}="([^"]*)"', element)
    return match.group(1) if match else None


def edit_member(path, member: str, edit, *, drop: bool = False) -> Path:
    """Rewrite one zip member (``edit(bytes) -> bytes``), or leave it out (``drop``)."""
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    found = False
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == member:
                found = True
                if drop:
                    continue
                data = edit(data)
            z.writestr(info, data)
    assert found, member
    return path


def set_cell_xml(path, sheet: str, ref: str, xml: str) -> Path:
    """Replace cell ``ref`` (which must exist) of ``sheet`` by the raw ``xml``."""
    def edit(data: bytes) -> bytes:
        text = data.decode()
        pattern = rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)'
        assert re.search(pattern, text), f"{sheet}!{ref} is not in the file"
        return re.sub(pattern, lambda _m: xml, text, count=1).encode()

    return edit_member(path, sheet_member(path, sheet), edit)


def set_state(path, sheet: str, state: str) -> Path:
    """Make a sheet "hidden", "veryHidden" or "visible" (at least one must stay visible)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb[sheet].sheet_state = state
    if wb.active.sheet_state != "visible":
        wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    wb.save(path)
    return Path(path)


def move_sheet_first(path, sheet: str) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.move_sheet(sheet, offset=-wb.sheetnames.index(sheet))
    wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    wb.save(path)
    return Path(path)
