"""Writing simple, officer-friendly workbooks (header row in bold, frozen, sensible
widths), atomically and reproducibly. Used for the sample inputs, the benchmark's large
input and the commentary forms."""
from __future__ import annotations

import datetime as _dt
import os

from pipeline.infra.atomic import write_bytes

FIXED_TIME = _dt.datetime(2000, 1, 1)


def new_workbook():
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "committee-pipeline"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def add_table_sheet(wb, name: str, headers: list[str], rows: list[list], widths: dict[str, int] | None = None):
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    widths = widths or {}
    for idx, header in enumerate(headers, start=1):
        sample = [len(str(r[idx - 1])) for r in rows[:200] if idx - 1 < len(r) and r[idx - 1] is not None]
        width = widths.get(header) or min(60, max([len(header) + 2] + [min(s, 60) for s in sample]))
        ws.column_dimensions[get_column_letter(idx)].width = width
        if width >= 60:
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return ws


def save(wb, path: str | os.PathLike):
    """Save atomically with fixed times, so the same content gives the same file. openpyxl
    stamps ``dcterms:modified`` and every zip entry with the time of saving whatever the
    properties say, so the package is written again with FIXED_TIME in both places (same
    entries, same order, same compression)."""
    import io
    import re
    import zipfile

    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = entry.compress_type
            fixed.external_attr = entry.external_attr
            target.writestr(fixed, data)
    write_bytes(path, out.getvalue())
