"""The data-quality listing for officers: every finding, one per row, for the performance
team to send back to data owners. JSON (documented in docs/workbook.md) or an Excel
workbook; never part of the public report."""
from __future__ import annotations

import io

from pipeline.quality.checks import Finding

COLUMNS = ("severity", "confirmed", "indicator", "title", "period", "check", "sheet", "row", "column", "message")
TITLE = "Data-quality findings"


def listing_json(findings: list[Finding], source: str, period, titles: dict[str, str] | None = None) -> dict:
    titles = titles or {}
    rows = []
    for f in findings:
        row = f.to_json()
        row["title"] = titles.get(f.indicator_id) or None
        rows.append(row)
    return {
        "workbook": source,
        "period": period.iso if period else None,
        "errors": sum(1 for f in findings if f.severity == "error"),
        "warnings": sum(1 for f in findings if f.severity == "warning" and not f.confirmed),
        "confirmed": sum(1 for f in findings if f.confirmed),
        "findings": rows,
    }


def listing_xlsx(findings: list[Finding], source: str, period, titles: dict[str, str] | None = None) -> bytes:
    """One sheet, a header row and one row per finding, filterable in Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    data = listing_json(findings, source, period, titles)
    wb = Workbook()
    ws = wb.active
    ws.title = "findings"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in data["findings"]:
        ws.append([
            row["severity"], "Y" if row["confirmed"] else "", row["indicator"] or "", row["title"] or "",
            row["period"] or "", row["check"], row["sheet"] or "", row["row"], row["column"] or "", row["message"],
        ])
    for letter, width in zip("ABCDEFGHIJ", (9, 10, 11, 40, 9, 16, 10, 6, 16, 100)):
        ws.column_dimensions[letter].width = width
    for cells in ws.iter_rows(min_row=2, min_col=10, max_col=10):
        cells[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    about = wb.create_sheet("about")
    for line in ((TITLE,), ("workbook", source), ("report period", data["period"] or ""),
                 ("errors", data["errors"]), ("open warnings", data["warnings"]), ("confirmed", data["confirmed"]),
                 ("", ""), ("For officers: not part of the public report. See docs/workbook.md, "
                            "'Data-quality checks', for each check.",)):
        about.append(list(line))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
