"""The ``values`` table with months across (docs/workbook.md, "Months across").

Officers often keep one row per indicator and measure (actual, target, floor...) and one
column per month. This module turns such a sheet (or CSV) into the long rows the long
layout has, one per indicator and month, and validates them with the long layout's own
code (:func:`pipeline.input.workbook._values`): every cell goes through the same judgement
(:mod:`pipeline.input.cells`), so every trust rule of the long layout holds here, and the
validated table is the same one. Only where a problem is reported differs: each is moved
back to the cell the officer typed, named by its row, its column letter and its month
(``values row 7, column H (Sep-12): "7o%" is not a number``).
"""
from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field

from pipeline.errors import Problem
from pipeline.input import cells
from pipeline.input.cells import CellError
from pipeline.input.xlsx_scan import column_letters
from pipeline.rules.periods import Month

LONG = "long"
WIDE = "wide"
LAYOUTS = (LONG, WIDE)

# Row numbers of the long rows made from a wide sheet: far above any real row (Excel has
# 1,048,576), so a problem about a made row can never be taken for one about a real row.
_MADE = 10_000_000


def _values_schema():
    from pipeline.input.workbook import VALUES

    return VALUES


def measures() -> dict[str, str]:
    """What a ``measure`` cell may say -> the long layout's column it fills. One table: the
    long layout's own columns and aliases (so a new long column is a new measure), and
    the plurals an officer may write."""
    schema = _values_schema()
    columns = [c for c in schema.columns if c not in ("indicator_id", "period")]
    table = {c: c for c in columns}
    table.update({alias: c for alias, c in schema.aliases.items() if c in columns})
    table.update({"actuals": "actual", "targets": "target", "floors": "floor", "forecasts": "forecast",
                  "stat_neighbour": "stat_neighbours", "statistical_neighbour": "stat_neighbours",
                  "lower_thresholds": "lower_threshold", "upper_thresholds": "upper_threshold"})
    return table


ID_ALIASES = {"indicator_id": "indicator_id", "id": "indicator_id", "indicator": "indicator_id",
              "measure": "measure", "series": "measure"}


@dataclass
class ValuesHeader:
    """Reads row 1 of a values table and decides its layout.

    Long when a column is ``period``; wide when a column is ``measure``, or else when a
    column heading is a month; long otherwise (whose reader says what is missing).
    ``declared`` (a report definition may say which layout a source has) must agree.
    Used as :func:`pipeline.input.workbook.read_sheet`'s ``header`` reader."""

    declared: str | None = None
    layout: str = LONG
    months: dict[int, Month] = field(default_factory=dict)  # column index -> its month
    headings: dict[int, str] = field(default_factory=dict)  # column index -> as written

    def __call__(self, header_cells, schema, collector, positions: dict[int, str]) -> None:
        from pipeline.input.workbook import read_header

        texts = {}
        for idx, cell in enumerate(header_cells):
            value = getattr(cell, "value", None)
            if isinstance(value, str):
                value = cells.decode_escapes(value)
            texts[idx] = value
        names = {cells.normalise_header(v) for v in texts.values()}
        names = {schema.aliases.get(n, ID_ALIASES.get(n, n)) for n in names}
        if "period" in names:
            found = LONG
        elif "measure" in names or any(_month_heading(v) for v in texts.values()):
            found = WIDE
        else:
            found = LONG
        if self.declared is not None and self.declared != found:
            collector.add(schema.name, 1, None, f"is declared {self.declared} but row 1 has the {found} layout's "
                          "columns (long: indicator_id, period, actual...; wide: indicator_id, measure, then one "
                          "column per month)")
            collector.fatal = True
            return
        self.layout = found
        if found == LONG:
            read_header(header_cells, schema, collector, positions)
            return
        self._read_wide(texts, schema.name, collector, positions)

    def _read_wide(self, texts: dict, sheet: str, collector, positions: dict[int, str]) -> None:
        seen: dict[str, int] = {}
        month_at: dict[Month, int] = {}
        for idx, value in texts.items():
            if cells.is_blank(value) or str(value).strip().startswith("#"):
                continue
            letter = column_letters(idx)
            self.headings[idx] = cells.shown(cells.read_text(value))
            name = ID_ALIASES.get(cells.normalise_header(value))
            if name is not None:
                if name in seen:
                    collector.add(sheet, 1, name, "column appears twice")
                    continue
                seen[name] = idx
                positions[idx] = name
                continue
            try:
                month = cells.read_month(value)
            except CellError as exc:
                collector.add(sheet, 1, letter, _not_a_heading(value, str(exc)))
                collector.fatal = True  # its cells cannot be given a month
                continue
            if month in month_at:
                other = month_at[month]
                collector.add(sheet, 1, letter,
                              f"{cells.quoted(value)} is {month.label}, which column {column_letters(other)} "
                              f"({cells.quoted(texts[other])}) is already: each month may have one column")
                collector.fatal = True
                continue
            month_at[month] = idx
            self.months[idx] = month
            positions[idx] = month.iso  # (a key starting with a digit: never a text column)
        for name in ("indicator_id", "measure"):
            if name not in seen:
                collector.add(sheet, 1, name, "required column is missing (months across: indicator_id, measure, "
                              "then one column per month)")
                collector.fatal = True
        if not self.months and not collector.fatal:
            collector.add(sheet, 1, None, "has no month columns: with a measure column, each further column is "
                          "headed by a month (an Excel date, Sep-12, Sep 2012 or 2012-09)")
            collector.fatal = True

    def name_cells(self, col, sheet: str = "values") -> None:
        """Name the month columns of the problems read from the cells themselves (an Excel
        error, a damaged number cell) by letter and month: ``H (Sep-12)``."""
        _relocate(col, sheet, {}, self, self.label)

    def label(self, idx: int) -> str:
        """'H (Sep-12)': the column's letter and its month."""
        return f"{column_letters(idx)} ({self.months[idx].label})"


def _month_heading(value) -> bool:
    try:
        cells.read_month(value)
    except CellError:
        return False
    return not cells.is_blank(value)


def _not_a_heading(value, why: str) -> str:
    text = cells.normalise_header(value)
    hint = difflib.get_close_matches(text, list(ID_ALIASES), n=1) if text else []
    if hint:
        return (f"{cells.quoted(value)}: unknown column (did you mean {hint[0]}?); columns whose name starts "
                "with # are ignored")
    return (f"{why.replace(repr(str(value).strip()), cells.quoted(value))}: with months across, every column but "
            "indicator_id and measure is headed by a month (an Excel date, Sep-12, Sep 2012 or 2012-09); "
            "columns whose name starts with # are ignored")


@dataclass
class _Made:
    """Where the cells of one long row made from the wide lines really are."""

    month_idx: int
    first_row: int  # the indicator's first line: where its id is
    lines: dict[str, int]  # measure column -> its line's row


def wide_values(rows, header: ValuesHeader, by_id, declared: set[str], col, *,
                sheet: str = "values", label=None) -> dict:
    """The validated long values table of a wide sheet's ``rows`` (RawRows keyed by
    ``indicator_id``, ``measure`` and each month's ISO key). ``label(idx)`` names a month
    column in messages (default: ``H (Sep-12)``)."""
    from pipeline.input.workbook import RawRow, unknown_id, validate_values

    label = label or header.label
    table = measures()
    lines: dict[str, dict[str, RawRow]] = {}  # id -> measure column -> its line
    for raw in rows:
        ident = cells.read_text(raw.value("indicator_id"))
        written = raw.value("measure")
        measure = table.get(cells.normalise_header(written)) if not cells.is_blank(written) else None
        figures = any(k[:1].isdigit() for k in raw.cells)
        if not ident:
            col.add(sheet, raw.number, "indicator_id", "is blank")
        elif ident not in declared:
            col.add(sheet, raw.number, "indicator_id", unknown_id(ident, declared))
        if cells.is_blank(written):
            if figures or ident:
                col.add(sheet, raw.number, "measure", f"is blank: say which figures the row holds ({_choices()})")
            continue
        if measure is None:
            hint = difflib.get_close_matches(cells.normalise_header(written), list(table), n=1)
            col.add(sheet, raw.number, "measure", f"{cells.quoted(written)} is not a measure"
                    + (f" (did you mean {hint[0]}?)" if hint else f": use one of {_choices()}"))
            continue
        if ident not in by_id:
            continue
        mine = lines.setdefault(ident, {})
        if measure in mine:
            col.add(sheet, raw.number, "measure",
                    f"{measure} of indicator {ident} is also on row {mine[measure].number}")
            continue
        mine[measure] = raw
    made: list[RawRow] = []
    where: dict[int, _Made] = {}
    for ident, by_measure in lines.items():
        first_row = min(r.number for r in by_measure.values())
        for idx, month in sorted(header.months.items(), key=lambda kv: kv[1]):
            key = month.iso
            cells_ = {c: line.cells[key] for c, line in by_measure.items() if key in line.cells}
            settled = [c for c, line in by_measure.items() if (sheet, line.number, key) in col.settled]
            if not cells_ and not settled:
                continue
            number = _MADE + len(made)
            for c in settled:  # an Excel error in the cell: not "is blank" as well (as in the long layout)
                col.settled.add((sheet, number, c))
            made.append(RawRow(number, {"indicator_id": (ident, None), "period": (month, None), **cells_}))
            where[number] = _Made(idx, first_row, {c: line.number for c, line in by_measure.items()})
    values = validate_values(made, by_id, declared, col)
    _relocate(col, sheet, where, header, label)
    return {ident: tuple(dataclasses.replace(v, row=_row_of(where[v.row])) for v in rows_)
            for ident, rows_ in values.items()}


def _row_of(made: _Made) -> int:
    """The row a value row is known by (findings name it): its actual line, else its first."""
    return made.lines.get("actual", made.first_row)


def _choices() -> str:
    return ", ".join(c for c in _values_schema().columns if c not in ("indicator_id", "period"))


def _relocate(col, sheet: str, where: dict[int, _Made], header: ValuesHeader, label) -> None:
    """Move every problem of the values sheet to the cell it is about."""
    by_key = {month.iso: idx for idx, month in header.months.items()}
    out = []
    for p in col.problems:
        if p.sheet == sheet and p.row is not None and p.row in where:
            made = where[p.row]
            if p.column in made.lines:
                p = dataclasses.replace(p, row=made.lines[p.column], column=label(made.month_idx))
            elif p.column == "indicator_id":
                p = dataclasses.replace(p, row=made.first_row)
            else:  # a measure the indicator has no row for ("give both numerator and denominator"):
                # named, in the row of its partner when there is one
                month = header.months[made.month_idx].label
                partner = {"numerator": "denominator", "denominator": "numerator"}.get(p.column or "", "")
                p = dataclasses.replace(p, row=made.lines.get(partner, made.first_row), column=f"{p.column} ({month})")
        elif p.sheet == sheet and p.column in by_key:  # read from the cell itself (an Excel error...)
            p = dataclasses.replace(p, column=label(by_key[p.column]))
        out.append(p)
    col.problems[:] = out


def relabel(problems: list[Problem], sheet: str, new_sheet: str, columns: dict[str, str]) -> list[Problem]:
    """``problems`` with ``sheet`` called ``new_sheet`` and its columns named by ``columns``."""
    return [dataclasses.replace(p, sheet=new_sheet, column=columns.get(p.column, p.column) if p.column else None)
            if p.sheet == sheet else p for p in problems]
