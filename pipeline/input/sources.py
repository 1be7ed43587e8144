"""Where a report's tables come from: one workbook, or a folder of files.

- :func:`read_dataset` reads what the command line names: a workbook (``.xlsx``/``.xlsm``),
  or a **folder** holding one report workbook and the ``indicators`` and/or ``values``
  tables as files of their own (``indicators.csv``, ``values.csv``); the workbook then
  leaves those sheets out.
- :func:`read_indicators_source` and :func:`read_values_source` read one table from a
  file (``.csv``, ``.xlsx`` or ``.xlsm``: the workbook's sheet of that name), validated
  exactly as a sheet of the report workbook is; a report definition naming several
  files calls them.

A values table may be long (one row per indicator and month) or wide (months across,
:mod:`pipeline.input.wide`), in a workbook or a CSV; the layout is recognised from its
header, or declared (``layout``). docs/workbook.md describes every form.
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from pipeline.errors import InputProblems, Problem
from pipeline.input.tables import Dataset, Indicator, ValueRow

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
TABLES = ("indicators", "values")  # the tables that may be files of their own


def read_dataset(path: str | os.PathLike) -> Dataset:
    """The validated dataset of a report workbook, or of a folder (see the module's doc)."""
    from pipeline.input.workbook import read_workbook

    path = Path(path)
    if path.is_dir():
        book, tables = folder_sources(path)
        try:
            return read_workbook(book, tables=tables)
        except InputProblems as exc:  # named after the folder: its problems may be in any of its files
            raise InputProblems(str(path), exc.problems) from None
    if path.suffix.lower() == ".csv":
        _fail(path, "a CSV file holds one table: put it in a folder with the report workbook and give the folder "
                    "(docs/workbook.md, \"A folder of files\")")
    return read_workbook(path)


def folder_sources(folder: Path) -> tuple[Path, dict[str, str | os.PathLike]]:
    """The folder's report workbook, and its tables given as files (name -> path)."""
    from pipeline.input.workbook import look_alike_key

    entries = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
    books = [p for p in entries if p.suffix.lower() in WORKBOOK_SUFFIXES]
    tables: dict[str, str | os.PathLike] = {}
    problems = []
    for p in entries:
        if p.suffix.lower() != ".csv":
            continue
        stem = p.stem.strip().casefold()
        if stem in TABLES:
            tables[stem] = p
            continue
        alike = [t for t in TABLES if look_alike_key(p.stem) == look_alike_key(t)]
        if alike:
            problems.append(f'the file "{p.name}" looks like {alike[0]}.csv but is not read: delete it, or rename '
                            f"it {alike[0]}.csv if it is the one to read")
    if len(books) != 1:
        found = ", ".join(p.name for p in books) or "none"
        problems.append(f"a report folder holds exactly one workbook (.xlsx) with the report sheet; it has: {found}")
    if problems:
        name = str(folder)
        raise InputProblems(name, [Problem(name, None, None, None, m) for m in problems])
    return books[0], tables


def read_indicators_source(path: str | os.PathLike) -> tuple[Indicator, ...]:
    """The validated indicators table of a CSV file or a workbook's ``indicators`` sheet."""
    from pipeline.input.workbook import Collector

    col = Collector(str(path))
    indicators = indicators_into(path, col, set())
    if col.problems:
        raise InputProblems(str(path), col.problems)
    return tuple(indicators)


def read_values_source(path: str | os.PathLike, indicators, *, layout: str | None = None
                       ) -> dict[str, tuple[ValueRow, ...]]:
    """The validated values table (long: one row per indicator and month, sorted by month)
    of a CSV file or a workbook's ``values`` sheet, long or months across (``layout``:
    ``"long"`` or ``"wide"`` to insist on one; None: recognised from the header). The
    figures are judged against ``indicators`` (their units), as the report workbook's are."""
    from pipeline.input.workbook import Collector

    col = Collector(str(path))
    by_id = {ind.id: ind for ind in indicators}
    values = values_into(path, by_id, set(by_id), col, layout=layout)
    if col.problems:
        raise InputProblems(str(path), col.problems)
    return values


def not_also_a_sheet(book, table: str, source, col) -> None:
    """A table given as a file must not be a sheet of the workbook as well: which one is right?"""
    from pipeline.input import workbook as wb

    schema = dataclasses.replace(next(s for s in wb.SCHEMAS if s.name == table), mandatory=False)
    sheet = book.find(schema)
    if sheet is not None:
        col.add(table, None, None, f'is given twice: as the sheet "{sheet}" and as the file {Path(source).name}; '
                "delete one")


# ---------------------------------------------------------------------------------------
# one table from one file, into the report's collector


def indicators_into(path, col, declared: set[str]) -> list[Indicator]:
    from pipeline.input import workbook as wb

    rows = _rows(path, wb.INDICATORS, col, None)
    if rows is None:
        return []
    rows_, relabel = rows
    start = len(col.problems)
    out = wb.validate_indicators(rows_, col, declared)
    relabel(start)
    return out


def values_into(path, by_id: dict[str, Indicator], declared: set[str], col, *, layout: str | None = None
                ) -> dict[str, tuple[ValueRow, ...]]:
    from pipeline.input import wide
    from pipeline.input import workbook as wb

    if layout is not None and layout not in wide.LAYOUTS:
        raise ValueError(f"layout must be one of {wide.LAYOUTS}")
    header = wide.ValuesHeader(declared=layout)
    rows = _rows(path, wb.VALUES, col, header)
    if rows is None:
        return {ident: () for ident in by_id}
    rows_, relabel = rows
    start = len(col.problems)
    if header.layout == wide.WIDE:
        values = wide.wide_values(rows_, header, by_id, declared, col)
    else:
        values = wb.validate_values(rows_, by_id, declared, col)
    relabel(start)
    return values


def _rows(path, schema, col, header):
    """The table's rows (keyed by column, as a sheet's are) and a function that renames its
    problems after the file; None when it cannot be read (the reason is among the problems)."""
    from pipeline.input import workbook as wb

    path = Path(path)
    start = len(col.problems)
    if path.suffix.lower() == ".csv":
        return _csv_rows(path, schema, col, header, start)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        col.problems.append(Problem(col.file, None, None, None,
                                    f"{path}: a table is read from a .csv, .xlsx or .xlsm file"))
        col.fatal = True
        return None
    try:
        book_wb = wb.open_workbook(path)
    except InputProblems as exc:
        col.problems.extend(dataclasses.replace(p, sheet=f"[{path.name}]{schema.name}") for p in exc.problems)
        col.fatal = True
        return None
    try:
        book = wb.Book(path, book_wb, col)
        rows = wb.read_sheet(book, schema, col, header=header)
    finally:
        book_wb.close()
    sheet = f"[{path.name}]{schema.name}"  # Excel's name for a sheet of another workbook

    def relabel(since: int, _from: int = start) -> None:
        _rename(col, min(_from, since), schema.name, sheet, {})

    if rows is None:
        if header is not None and header.layout == "wide":
            header.name_cells(col, schema.name)
        relabel(start)
        return None
    return rows, relabel


def _csv_rows(path: Path, schema, col, header, start: int):
    from pipeline.input import cells, csv_source
    from pipeline.input import workbook as wb
    from pipeline.input.xlsx_scan import column_letters

    try:
        table = csv_source.read_csv(path)
    except InputProblems as exc:
        col.problems.extend(exc.problems)
        col.fatal = True
        return None
    positions: dict[int, str] = {}
    fatal = col.fatal
    col.fatal = False
    (header or wb.read_header)(table.header, schema, col, positions)
    columns: dict[str, str] = {}
    for idx, cell in enumerate(table.header):
        written = cells.shown(cells.read_text(cell.value))
        label = f"{column_letters(idx)} ({written})" if written else column_letters(idx)
        columns[written] = label
        if idx in positions and not positions[idx][:1].isdigit():
            columns[positions[idx]] = label

    def relabel(since: int, _from: int = start) -> None:
        _rename(col, min(_from, since), schema.name, table.name, columns)

    if col.fatal:
        relabel(start)
        return None
    col.fatal = fatal
    rows = []
    for line, fields in table.records:
        values = wb.read_row(fields, line, positions, schema.name, col)
        if table.delimiter == ";":
            _no_decimal_commas(values, line, schema.name, col)
        if values:
            rows.append(wb.RawRow(line, values))
    return rows, relabel


# figures of the tables a CSV may hold (and each month's column, months across)
FIGURE_COLUMNS = frozenset({
    "actual", "target", "floor", "numerator", "denominator", "forecast", "stat_neighbours", "england",
    "supplementary", "lower_threshold", "upper_threshold", "tolerance", "tolerance_percent", "band_width",
    "year_end_target", "rate_per",
})
_COMMA_FIGURE = re.compile(r"^[\s£+-]*\d[\d\s.,]*%?\s*$")


def _no_decimal_commas(values: dict, line: int, sheet: str, col) -> None:
    """A semicolon-separated file is what Excel writes where a comma is the decimal separator,
    so a comma in its figures could be a decimal comma (73,5) or separate thousands (1,250):
    refused, rather than read as either (docs/workbook.md)."""
    for column, (value, _fmt) in list(values.items()):
        if (column in FIGURE_COLUMNS or column[:1].isdigit()) and isinstance(value, str) and "," in value \
                and _COMMA_FIGURE.match(value):
            col.add(sheet, line, column, f'"{value}" has a comma: in a file separated by semicolons it could be '
                    "a decimal comma (73,5 for 73.5) or separate thousands (1,250): write the figure with a "
                    "decimal point and no thousands separator", cell=True)
            del values[column]


def _rename(col, since: int, sheet: str, new_sheet: str, columns: dict[str, str]) -> None:
    col.problems[since:] = [dataclasses.replace(p, sheet=new_sheet, column=columns.get(p.column, p.column))
                            if p.sheet == sheet else p for p in col.problems[since:]]


def _fail(path: Path, message: str):
    raise InputProblems(str(path), [Problem(str(path), None, None, None, message)])
