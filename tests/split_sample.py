"""The sample workbook split into a report definition: the report's own workbook and source
workbooks, each a copy of the sample keeping only some of its sheets and rows (so every
cell keeps its number format, as an officer's copy would)."""
from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

# Three sources: the adults' section in two files (their indicators in the sample's order),
# the children's in a third, which keeps its own indicators' commentary.
ADULTS_A = ("ASC01", "ASC02", "ASC03", "ASC04", "ASC05")


def _header(ws) -> dict[str, int]:
    return {str(c.value).strip().lower(): c.column for c in ws[1] if c.value is not None}


def _keep_rows(ws, column: str, keep) -> None:
    col = _header(ws)[column]
    for row in range(ws.max_row, 1, -1):
        value = ws.cell(row, col).value
        if value is not None and not keep(str(value).strip()):
            ws.delete_rows(row)


def write_copy(sample: Path, path: Path, sheets, keep_ids=None) -> Path:
    """A copy of ``sample`` at ``path`` with only ``sheets``, and (``keep_ids``) only the
    indicator, values and commentary rows of those ids."""
    shutil.copyfile(sample, path)
    wb = load_workbook(path)
    for name in list(wb.sheetnames):
        if name not in sheets:
            del wb[name]
    if keep_ids is not None:
        for name, column in (("indicators", "id"), ("values", "indicator_id"), ("commentary", "indicator_id")):
            if name in wb.sheetnames:
                _keep_rows(wb[name], column, lambda ident: ident in keep_ids)
    wb.save(path)
    return path


def split_sample(sample: Path, folder: Path, name: str = "fsc_2013-09.toml") -> dict[str, Path]:
    """report.xlsx (report, commentary of the adults' indicators, narrative, contacts),
    adults_a.xlsx, adults_b.xlsx, children.xlsx (with its commentary) and the definition."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = load_workbook(sample, read_only=True)
    ws = wb["indicators"]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    head = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
    ids = [(str(r[head.index("id")]).strip(), str(r[head.index("section")]).strip()) for r in rows[1:] if r[0]]
    adults = [i for i, s in ids if s == "Adult Social Care"]
    children = {i for i, s in ids if s != "Adult Social Care"}
    adults_b = {i for i in adults if i not in ADULTS_A}
    paths = {
        "report": write_copy(sample, folder / "report.xlsx", ("report", "commentary", "narrative", "contacts"),
                             keep_ids=set(adults)),
        "adults_a": write_copy(sample, folder / "adults_a.xlsx", ("indicators", "values"), keep_ids=set(ADULTS_A)),
        "adults_b": write_copy(sample, folder / "adults_b.xlsx", ("indicators", "values"), keep_ids=adults_b),
        "children": write_copy(sample, folder / "children.xlsx", ("indicators", "values", "commentary", "sections"),
                               keep_ids=children),
    }
    definition = folder / name
    definition.write_text(
        'workbook = "report.xlsx"\n\n'
        '[[sources]]\npath = "adults_a.xlsx"\nsections = ["Adult Social Care"]\n\n'
        '[[sources]]\npath = "adults_b.xlsx"\nsections = ["Adult Social Care"]\n\n'
        '[[sources]]\npath = "children.xlsx"\nsections = ["Specialist Children\'s Services"]\ncommentary = true\n',
        encoding="utf-8")
    paths["definition"] = definition
    return paths
