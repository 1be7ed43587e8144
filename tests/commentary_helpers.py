"""Helpers shared by the tests/test_commentary_*.py modules: fill in a form the way an officer's
Excel would, and look at a master workbook with openpyxl."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

EXPORTED = dt.datetime(2013, 11, 1, 9, 0)
IMPORTED = dt.datetime(2013, 11, 20, 10, 15, 30)


def copy_sample(sample_path: Path, tmp_path: Path, name: str = "fsc.xlsx") -> Path:
    dest = tmp_path / name
    shutil.copyfile(sample_path, dest)
    return dest


def form_row(form: Path, indicator_id: str) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(form)
    ws = wb["Commentary"]
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == indicator_id:
            return row
    raise AssertionError(f"{indicator_id} is not on {form}")


def fill(form: Path, texts: dict[str, str], author: str | None = None, formula: bool = False,
         save_as: Path | None = None, column: int = 10) -> Path:
    """Type commentary into a form's commentary cells (column J; ``column=11``: the actions
    being taken, column K), as Excel saves typed text. formula=True stores the cells as
    formulas, as Excel would without the text format."""
    from openpyxl import load_workbook

    wb = load_workbook(form)
    ws = wb["Commentary"]
    rows = {ws.cell(r, 1).value: r for r in range(8, ws.max_row + 1)}
    for ident, text in texts.items():
        cell = ws.cell(rows[ident], column)
        cell.value = text
        cell.data_type = "f" if formula else "s"
    if author is not None:
        ws["B5"].value = author
    out = save_as or form
    wb.save(out)
    return out


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def set_value(path: Path, indicator_id: str, period: str, column: str, value) -> None:
    """Change one figure on the master's values sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["values"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == indicator_id and str(row[1].value) == period:
            row[header.index(column)].value = value
            wb.save(path)
            return
    raise AssertionError(f"no values row for {indicator_id} {period}")


def set_commentary(path: Path, indicator_id: str, text: str) -> None:
    """Replace an indicator's (first) commentary on the master's commentary sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["commentary"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("indicator_id")].value == indicator_id:
            row[header.index("text")].value = text
            wb.save(path)
            return
    raise AssertionError(f"no commentary row for {indicator_id}")


def commentary_rows(path: Path) -> dict[str, dict]:
    """The master's commentary sheet by indicator id: {column: cell}."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["commentary"]
    header = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2):
        if row[0].value:
            out[row[0].value] = {h: c for h, c in zip(header, row)}
    return out
