"""Write inputs/fsc_performance_2013-09.xlsx from tools/sample_data.py (seed 004's data).

    python tools/make_sample_workbook.py [OUTPUT]
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import sample_data as data  # noqa: E402

from pipeline.commentary.xlsx_out import add_table_sheet, new_workbook, save  # noqa: E402
from pipeline.input.workbook import INDICATORS, VALUES  # noqa: E402

SERIES = ("actual", "target", "floor", "stat_neighbours", "supplementary", "lower_threshold", "upper_threshold")


def build(path: Path) -> None:
    wb = new_workbook()
    ind_cols = [c for c in INDICATORS.columns if any(c in ind for ind in data.INDICATORS)]
    add_table_sheet(wb, "indicators", ind_cols,
                    [[ind.get(c) for c in ind_cols] for ind in data.INDICATORS],
                    widths={"title": 60, "data_notes": 60, "units_of_measure": 40})
    val_cols = list(VALUES.required) + ["stat_neighbours", "supplementary", "lower_threshold", "upper_threshold"]
    rows = []
    for ind in data.INDICATORS:
        for i, period in enumerate(ind["periods"]):
            series = {name: (ind.get(name) or [None] * len(ind["periods"]))[i] for name in SERIES}
            if all(v is None for v in series.values()):
                continue
            rows.append([ind["id"], period] + [series[c] for c in val_cols[2:]])
    add_table_sheet(wb, "values", val_cols, rows)
    add_table_sheet(wb, "commentary", ["indicator_id", "period", "text", "actions", "author", "updated"],
                    [[ident, "2013-09", text, data.ACTIONS.get(ident, ""), "", None]
                     for ident, text in data.COMMENTARY.items()],
                    widths={"text": 100, "actions": 60})
    add_table_sheet(wb, "narrative", ["section", "period", "heading", "placement", "text"],
                    [[n["section"], "2013-09", n["heading"], n["placement"], n["text"]] for n in data.NARRATIVE],
                    widths={"text": 100})
    add_table_sheet(wb, "report", ["key", "value"], [list(kv) for kv in data.REPORT], widths={"value": 100})
    add_table_sheet(wb, "contacts", ["name", "title", "team", "tel", "email"],
                    [[c.get(k, "") for k in ("name", "title", "team", "tel", "email")] for c in data.CONTACTS])
    save(wb, path)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "inputs" / "fsc_performance_2013-09.xlsx"
    build(out)
    print(f"wrote {out}")
