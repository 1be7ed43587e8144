"""Write the sample from tools/sample_data.py (seed 004's data), in each layout the
pipeline reads (docs/workbook.md), all from the same data:

- inputs/fsc_performance_2013-09.xlsx: one workbook, values sheet long (one row per
  indicator and month);
- inputs/wide/fsc_performance_2013-09.xlsx: the same workbook, values sheet with months
  across (one row per indicator and measure, one column per month);
- inputs/csv/fsc_performance_2013-09/: a folder holding report.xlsx (the report, commentary,
  narrative and contacts sheets) and indicators.csv and values.csv (CSV UTF-8, long);
- inputs/definition/: the same report as a report definition (docs/report-definition.md),
  fsc_2013-09.toml naming report.xlsx (report, commentary of the adults' indicators, narrative,
  contacts) and two sources split by section, adults.xlsx and children.xlsx (the children's
  source keeps its own indicators' commentary and its sections sheet).

    python tools/make_sample_workbook.py [OUTPUT]   (the long workbook only, at OUTPUT)
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import sample_data as data  # noqa: E402

from pipeline.commentary.xlsx_out import add_table_sheet, new_workbook, save  # noqa: E402
from pipeline.input.workbook import INDICATORS, SECTIONS, VALUES  # noqa: E402

SERIES = ("actual", "target", "floor", "stat_neighbours", "supplementary", "lower_threshold", "upper_threshold")


SHEETS = ("indicators", "values", "commentary", "narrative", "sections", "report", "contacts")
# the report definition's files: (file, its sheets, the section whose indicators it holds)
DEFINITION = (
    ("report.xlsx", ("commentary", "narrative", "report", "contacts"), data.ADULT),
    ("adults.xlsx", ("indicators", "values"), data.ADULT),
    ("children.xlsx", ("indicators", "values", "commentary", "sections"), data.CHILDREN),
)
DEFINITION_TOML = f'''workbook = "report.xlsx"

[[sources]]
path = "adults.xlsx"
sections = ["{data.ADULT}"]

[[sources]]
path = "children.xlsx"
sections = ["{data.CHILDREN}"]
commentary = true
'''


def _indicators(section: str | None = None) -> list[dict]:
    """The sample's indicators (``section``: only that section's), in its order."""
    return [ind for ind in data.INDICATORS if section is None or ind["section"] == section]


def indicator_table(section: str | None = None) -> tuple[list[str], list[list]]:
    ind_cols = [c for c in INDICATORS.columns if any(c in ind for ind in data.INDICATORS)]
    return ind_cols, [[ind.get(c) for c in ind_cols] for ind in _indicators(section)]


def long_values(section: str | None = None) -> tuple[list[str], list[list]]:
    """One row per indicator and month that has any figure."""
    val_cols = list(VALUES.required) + ["stat_neighbours", "supplementary", "lower_threshold", "upper_threshold"]
    rows = []
    for ind in _indicators(section):
        for i, period in enumerate(ind["periods"]):
            series = {name: (ind.get(name) or [None] * len(ind["periods"]))[i] for name in SERIES}
            if all(v is None for v in series.values()):
                continue
            rows.append([ind["id"], period] + [series[c] for c in val_cols[2:]])
    return val_cols, rows


def wide_values() -> tuple[list[str], list[dt.date], list[list]]:
    """One row per indicator and measure that has any figure, one column per month (every
    month any indicator has, in order: an indicator's months without figures stay blank)."""
    months = sorted({p for ind in data.INDICATORS for p in ind["periods"]})
    rows = []
    for ind in data.INDICATORS:
        for name in SERIES:
            series = dict(zip(ind["periods"], ind.get(name) or []))
            if any(v is not None for v in series.values()):
                rows.append([ind["id"], name] + [series.get(m) for m in months])
    return ["indicator_id", "measure"], [dt.date(int(m[:4]), int(m[5:]), 1) for m in months], rows


def build(path: Path, values: str = "long", sheets: tuple[str, ...] = SHEETS, section: str | None = None) -> None:
    """The report workbook; ``values``: the layout of its values sheet; ``sheets``: which
    sheets it holds (the CSV folder's workbook holds neither indicators nor values);
    ``section``: only that section's indicators, values and commentary (a definition's file)."""
    wb = new_workbook()
    kept = {ind["id"] for ind in _indicators(section)}
    if "indicators" in sheets:
        ind_cols, ind_rows = indicator_table(section)
        add_table_sheet(wb, "indicators", ind_cols, ind_rows,
                        widths={"title": 60, "data_notes": 60, "units_of_measure": 40})
    if "values" in sheets and values == "long":
        add_table_sheet(wb, "values", *long_values(section))
    elif "values" in sheets:
        ids, months, rows = wide_values()
        ws = add_table_sheet(wb, "values", ids + [m.strftime("%b-%y") for m in months], rows)
        for cell, month in zip(ws[1][len(ids):], months):  # the headings are Excel dates, shown Sep-12
            cell.value = month
            cell.number_format = "mmm-yy"
    if "commentary" in sheets:
        add_table_sheet(wb, "commentary", ["indicator_id", "period", "text", "actions", "author", "updated"],
                        [[ident, "2013-09", text, data.ACTIONS.get(ident, ""), "", None]
                         for ident, text in data.COMMENTARY.items() if ident in kept],
                        widths={"text": 100, "actions": 60})
    if "narrative" in sheets:
        add_table_sheet(wb, "narrative", ["section", "period", "heading", "placement", "text"],
                        [[n["section"], "2013-09", n["heading"], n["placement"], n["text"]] for n in data.NARRATIVE],
                        widths={"text": 100})
    if "sections" in sheets:
        add_table_sheet(wb, "sections", list(SECTIONS.columns),
                        [[s.get(c) for c in SECTIONS.columns] for s in data.SECTIONS
                         if section is None or s["section"] == section],
                        widths={"priority": 60, "portfolio": 40, "division": 40})
    if "report" in sheets:
        add_table_sheet(wb, "report", ["key", "value"], [list(kv) for kv in data.REPORT], widths={"value": 100})
    if "contacts" in sheets:
        add_table_sheet(wb, "contacts", ["name", "title", "team", "tel", "email"],
                        [[c.get(k, "") for k in ("name", "title", "team", "tel", "email")] for c in data.CONTACTS])
    save(wb, path)


def csv_text(header: list[str], rows: list[list]) -> str:
    """CSV as Excel's "CSV UTF-8" writes it (a byte order mark is added on writing)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else _csv_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _csv_cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_csv(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    build(folder / "report.xlsx", sheets=tuple(s for s in SHEETS if s not in ("indicators", "values")))
    for name, (header, rows) in (("indicators", indicator_table()), ("values", long_values())):
        (folder / f"{name}.csv").write_bytes(b"\xef\xbb\xbf" + csv_text(header, rows).encode("utf-8"))


def build_definition(folder: Path) -> Path:
    """The report definition and its three workbooks; the report workbook keeps the
    commentary of the adults' indicators, the children's source its own."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, sheets, section in DEFINITION:
        build(folder / name, sheets=sheets, section=section)
    definition = folder / "fsc_2013-09.toml"
    definition.write_text(DEFINITION_TOML, encoding="utf-8", newline="\n")
    return definition


def build_all(inputs: Path) -> list[Path]:
    stem = "fsc_performance_2013-09"
    build(inputs / f"{stem}.xlsx")
    (inputs / "wide").mkdir(parents=True, exist_ok=True)
    build(inputs / "wide" / f"{stem}.xlsx", values="wide")
    build_csv(inputs / "csv" / stem)
    return [inputs / f"{stem}.xlsx", inputs / "wide" / f"{stem}.xlsx", inputs / "csv" / stem,
            build_definition(inputs / "definition")]


if __name__ == "__main__":
    if len(sys.argv) > 1:
        build(Path(sys.argv[1]))
        print(f"wrote {sys.argv[1]}")
    else:
        for written in build_all(HERE.parent / "inputs"):
            print(f"wrote {written}")
