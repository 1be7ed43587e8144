"""Small input workbooks for tests, written with openpyxl exactly as an officer's Excel would hold them.

    from workbooks import make_workbook, Styled   # tests/ is on sys.path under pytest

    path = make_workbook(
        tmp_path / "book.xlsx",
        indicators=[{"id": "A1", "polarity": "lower", "unit": "count"}],
        values=[{"indicator_id": "A1", "period": "2013-09", "actual": 12, "target": 10}],
        commentary=[{"indicator_id": "A1", "period": "2013-09", "text": "Why."}],
    )

Rules:

- ``indicators`` rows are merged over :data:`INDICATOR_DEFAULTS` (title, section, polarity,
  unit, data_period), so a test names only what it is about. ``values``, ``commentary`` and
  the other sheets are written as given.
- Every sheet's header row holds its required columns (from ``pipeline.input.workbook``'s schemas)
  followed by every other key the rows use, in order of first appearance. ``drop_columns``
  removes a column from a sheet's header (``{"values": ["floor"]}``) to test a missing column.
- A cell value may be :class:`Styled` to give it an Excel number format
  (``Styled(0.73, "0%")`` is a cell holding 0.73 shown as 73%).
- ``report`` is a list of (key, value) pairs or a dict; it defaults to :data:`REPORT_DEFAULTS`
  (the four required keys). ``report=None`` leaves the report sheet out; ``omit`` leaves out
  any sheet by name.
- ``extra_sheets`` adds sheets as {name: [header, row, row...]} (lists of cell values).
- ``raw_cells`` overwrites single cells last, addressed ``"values!D14"`` (sheet!A1 address).

Returns the path written.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

INDICATOR_DEFAULTS = {
    "title": None,  # filled as "Indicator <id>"
    "section": "Test Section",
    "polarity": "higher",
    "unit": "percent",
    "data_period": "Month",
}

REPORT_DEFAULTS = [
    ("from", "A. Officer, Corporate Director"),
    ("to", "Test Cabinet Committee"),
    ("date", dt.date(2013, 12, 5)),
    ("subject", "Test performance dashboard"),
]

REQUIRED = {
    "indicators": ["id", "title", "section", "polarity", "unit", "data_period"],
    "values": ["indicator_id", "period", "actual", "target", "floor"],
    "commentary": ["indicator_id", "period", "text"],
    "narrative": ["section", "period", "text"],
    "business_plan": ["section", "priority", "action", "status"],
    "contacts": ["name"],
    "report": ["key", "value"],
}

SHEET_ORDER = ("indicators", "values", "commentary", "narrative", "business_plan", "contacts", "report")


@dataclass(frozen=True)
class Styled:
    """A cell value with an Excel number format, e.g. Styled(0.73, "0%")."""

    value: object
    number_format: str


def indicator(ident: str = "I1", **columns) -> dict:
    """One indicators-sheet row with the defaults filled in."""
    row = {"id": ident, **INDICATOR_DEFAULTS, **columns}
    if row["title"] is None:
        row["title"] = f"Indicator {ident}"
    return row


def series(ident: str, periods, actual=None, target=None, floor=None, **more) -> list[dict]:
    """values-sheet rows for one indicator: lists aligned with ``periods`` (None = blank cell).

    A scalar instead of a list repeats it for every period."""
    columns = {"actual": actual, "target": target, "floor": floor, **more}
    rows = []
    for i, period in enumerate(periods):
        row = {"indicator_id": ident, "period": period}
        for name, data in columns.items():
            row[name] = data[i] if isinstance(data, (list, tuple)) else data
        rows.append(row)
    return rows


def make_workbook(
    path,
    indicators=None,
    values=None,
    commentary=None,
    report=REPORT_DEFAULTS,
    *,
    narrative=None,
    business_plan=None,
    contacts=None,
    extra_sheets=None,
    raw_cells=None,
    drop_columns=None,
    omit=(),
) -> Path:
    from openpyxl import Workbook

    path = Path(path)
    indicators = [indicator(**_rename_id(row)) for row in (indicators if indicators is not None else [{}])]
    if report is not None and isinstance(report, dict):
        report = list(report.items())
    sheets = {
        "indicators": indicators,
        "values": values or [],
        "commentary": commentary,
        "narrative": narrative,
        "business_plan": business_plan,
        "contacts": contacts,
    }
    drop = {k: set(v) for k, v in (drop_columns or {}).items()}
    wb = Workbook()
    wb.remove(wb.active)
    for name in SHEET_ORDER:
        if name in omit:
            continue
        if name == "report":
            if report is None:
                continue
            rows = [{"key": k, "value": v} for k, v in report]
        else:
            rows = sheets[name]
            if rows is None:
                continue
        header = [c for c in REQUIRED[name] if c not in drop.get(name, ())]
        for row in rows:
            header += [c for c in row if c not in header and c not in drop.get(name, ())]
        ws = wb.create_sheet(name)
        ws.append(header)
        for r, row in enumerate(rows, start=2):
            for c, column in enumerate(header, start=1):
                _put(ws.cell(row=r, column=c), row.get(column))
    for name, table in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(table, start=1):
            for c, value in enumerate(row, start=1):
                _put(ws.cell(row=r, column=c), value)
    for address, value in (raw_cells or {}).items():
        sheet, cell = address.split("!")
        _put(wb[sheet][cell], value)
    wb.save(path)
    return path


def _rename_id(row: dict) -> dict:
    row = dict(row)
    if "id" in row:
        row["ident"] = row.pop("id")
    return row


def _put(cell, value):
    if isinstance(value, Styled):
        cell.value = value.value
        cell.number_format = value.number_format
    else:
        cell.value = value
