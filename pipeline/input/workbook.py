"""Reading and validating the input workbook (one .xlsx per report).

``read_workbook`` returns a :class:`~pipeline.input.tables.Dataset` or raises
:class:`~pipeline.errors.InputProblems` listing *every* problem at once, each located by
sheet, row and column. No Python exception from openpyxl reaches the caller for bad input.

The workbook's layout is documented in docs/workbook.md.
"""
from __future__ import annotations

import difflib
import os
import re
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.errors import InputProblems, PipelineError, Problem
from pipeline.input import cells
from pipeline.input.cells import CellError
from pipeline.input.tables import (
    DATA_PERIOD_ALIASES,
    SECTION_FIELDS,
    BusinessPlanItem,
    Commentary,
    Contact,
    Dataset,
    Indicator,
    Narrative,
    ReportFields,
    SectionDetails,
    ValueRow,
)
from pipeline.input.xlsx_scan import SheetEntry, column_letters, has_formulas, scan_sheet, sheet_list
from pipeline.rules.figures import DEFAULT_DECIMALS, UNIT_ALIASES, to_decimal
from pipeline.rules.periods import Month
from pipeline.rules.rating import POLARITY_ALIASES, Polarity
from pipeline.rules.spc import MINIMUM_POINTS, RUN_LENGTHS


@dataclass(frozen=True)
class SheetSchema:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    mandatory: bool = True  # must the sheet exist?

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


INDICATOR_TEXT_COLUMNS = (
    "short_title", "priority", "ambition", "cabinet_member", "director", "portfolio", "division",
    "owner", "units_of_measure", "data_source", "data_notes", "chart_title", "actual_label",
    "target_label", "numerator_label", "denominator_label", "stat_neighbours_label",
    "england_label", "supplementary_label",
)

SPC_COLUMNS = ("spc", "spc_recalculate", "spc_baseline", "spc_chart")  # docs/spc.md

INDICATORS = SheetSchema(
    "indicators",
    required=("id", "title", "section", "polarity", "unit", "data_period"),
    optional=(
        "decimals", "tolerance", "tolerance_percent", "band_width", "year_end_target", "rate_per",
        "activity", "bold_steps", "qpr", "trend_periods", "may_exceed_100", "floor_published",
    ) + INDICATOR_TEXT_COLUMNS + SPC_COLUMNS,
    aliases={
        "indicator_id": "id", "ref": "id", "name": "title", "indicator": "title",
        "decimal_places": "decimals", "dp": "decimals", "bold_step": "bold_steps",
        "quarterly_performance_report": "qpr", "unit_of_measure": "units_of_measure",
        "stat_n_label": "stat_neighbours_label", "statistical_neighbours_label": "stat_neighbours_label",
        "lead_indicator": "activity", "activity_indicator": "activity", "per": "rate_per",
        "bold_steps_priority": "priority", "bold_steps_ambition": "ambition", "notes": "data_notes",
        "data_period_label": "data_period", "period_type": "data_period",
        "minimum_standard_published": "floor_published", "published_floor": "floor_published",
    },
)

MEASURE_COLUMNS = (
    "actual", "target", "floor", "forecast", "stat_neighbours", "england", "supplementary",
    "lower_threshold", "upper_threshold",
)

VALUES = SheetSchema(
    "values",
    required=("indicator_id", "period", "actual", "target", "floor"),
    optional=("numerator", "denominator", "forecast", "stat_neighbours", "england", "supplementary",
              "lower_threshold", "upper_threshold", "confirmed"),
    aliases={
        "id": "indicator_id", "indicator": "indicator_id", "month": "period",
        "minimum_standard": "floor", "minimum": "floor", "stat_n": "stat_neighbours",
        "statistical_neighbours": "stat_neighbours", "lower": "lower_threshold",
        "upper": "upper_threshold", "value": "actual",
    },
)

COMMENTARY = SheetSchema(
    "commentary",
    required=("indicator_id", "period", "text"),
    optional=("actions", "author", "updated"),
    aliases={"id": "indicator_id", "commentary": "text", "comment": "text", "month": "period",
             "last_changed": "updated", "changed": "updated", "actions_being_taken": "actions",
             "actions_taken": "actions"},
    mandatory=False,
)

NARRATIVE = SheetSchema(
    "narrative",
    required=("section", "period", "text"),
    optional=("heading", "placement"),
    aliases={"month": "period", "commentary": "text", "title": "heading"},
    mandatory=False,
)

BUSINESS_PLAN = SheetSchema(
    "business_plan",
    required=("section", "priority", "action", "status"),
    optional=("commentary", "owner", "due"),
    aliases={"due_date": "due", "comments": "commentary"},
    mandatory=False,
)

CONTACTS = SheetSchema(
    "contacts",
    required=("name",),
    optional=("title", "team", "tel", "email"),
    aliases={"tel_no": "tel", "telephone": "tel", "phone": "tel", "e_mail": "email", "job_title": "title"},
    mandatory=False,
)

REPORT = SheetSchema("report", required=("key", "value"), aliases={"field": "key"})

SECTIONS = SheetSchema(
    "sections",
    required=("section",),
    optional=SECTION_FIELDS,
    aliases={"bold_steps_priority": "priority", "bold_steps_ambition": "ambition"},
    mandatory=False,
)

SCHEMAS = (INDICATORS, VALUES, COMMENTARY, NARRATIVE, BUSINESS_PLAN, CONTACTS, REPORT, SECTIONS)

# report sheet keys: name -> repeatable?
REPORT_KEYS = {
    "from": True,
    "to": False,
    "date": False,
    "subject": False,
    "classification": False,
    "committee": False,
    "meeting_date": False,
    "summary": False,
    "recommendation": False,
    "recommendations": True,
    "background_documents": True,
    "directorate": False,
    "report_title": False,
    "agenda_item": False,
    "period": False,
    "introduction": True,
    "spc": False,
    "spc_run_length": False,
    "spc_screen_moving_ranges": False,
    "spc_chart": False,
}
REPORT_REQUIRED = ("from", "to", "date", "subject")
REPORT_KEY_ALIASES = {"by": "from", "background_document": "background_documents",
                      "reporting_period": "period", "item": "agenda_item", "title": "report_title"}


@dataclass
class RawRow:
    number: int  # the Excel row number
    cells: dict[str, tuple[object, str | None]]  # column -> (value, number_format)

    def value(self, column: str):
        return self.cells.get(column, (None, None))[0]

    def fmt(self, column: str) -> str | None:
        return self.cells.get(column, (None, None))[1]


class _Collector:
    """Collects problems for one file and reads cells, recording each failure once."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.fatal = False  # a required sheet or column cannot be read: stop after reading the sheets
        self.settled: set[tuple] = set()  # cells whose own content was reported (an Excel error...)

    def add(self, sheet, row, column, message, *, cell: bool = False):
        """Record a problem. ``cell``: it is about what the cell holds as saved (an Excel error,
        a formula never calculated), so what later checks would say of the missing value
        ("is blank") is not said as well."""
        key = (sheet, row, column)
        if not cell and key in self.settled:
            return
        if cell:
            self.settled.add(key)
        self.problems.append(Problem(self.file, sheet, row, column, message))

    def read(self, sheet: str, raw: RawRow, column: str, reader, *args, **kwargs):
        try:
            return reader(raw.value(column), *args, **kwargs)
        except CellError as exc:
            self.add(sheet, raw.number, column, str(exc))
            return None


# Columns whose text is not printed as it is (figures, periods, choices, flags, dates): their
# readers refuse what they cannot read. Every other column's text goes into the report and is
# checked for characters the documents cannot hold. Ids are checked on their own (see _id_problem).
_NOT_TEXT = frozenset({
    "period", "updated", "decimals", "tolerance", "tolerance_percent", "band_width", "year_end_target",
    "rate_per", "activity", "bold_steps", "qpr", "trend_periods", "may_exceed_100", "floor_published",
    "polarity", "unit",
    "data_period", "numerator", "denominator", "key", "author", "id", "indicator_id", "confirmed",
    *MEASURE_COLUMNS, *SPC_COLUMNS,
})


# ---------------------------------------------------------------------------------
# opening the file


def open_workbook(path: str | os.PathLike):
    """Open an .xlsx read-only, turning every way it can fail into an InputProblems."""
    path = Path(path)
    name = str(path)

    def fail(message):
        raise InputProblems(name, [Problem(name, None, None, None, message)])

    if not path.exists():
        fail("file not found")
    if path.is_dir():
        fail("is a folder, not an Excel workbook")
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        fail(f"cannot be read: {exc.strerror}")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data:
            fail("is password protected: remove the password in Excel (File > Info > Protect Workbook) and save again")
        fail("is an old Excel 97-2003 (.xls) file: open it in Excel and save it as .xlsx")
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK"):
            fail("is damaged (an incomplete zip archive, perhaps a download or copy that did not finish): "
                 "use a complete copy of the workbook")
        fail("is not an Excel .xlsx workbook")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        fail("is damaged (its zip archive cannot be read): use a complete copy of the workbook")
    if "xl/workbook.xml" not in names:
        fail("is damaged or not an Excel .xlsx workbook (a zip archive without xl/workbook.xml)")
    from openpyxl import load_workbook  # heavy: imported only when a workbook is read

    try:
        with warnings.catch_warnings():  # openpyxl warns about features it drops; they are not ours to report
            warnings.simplefilter("ignore")
            return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        _unless_interrupted(exc)
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        fail(f"is damaged or not an Excel .xlsx workbook ({type(exc).__name__}{': ' + detail if detail else ''})")


def _unless_interrupted(exc: Exception) -> None:
    """Raise the interrupt ``exc`` hides, if it hides one: a library that catches everything
    turns a Ctrl-C into its own error, which must not be reported as a damaged workbook."""
    from pipeline.infra.interrupts import within

    interrupt = within(exc)
    if interrupt is not None:
        raise interrupt


def sheet_key(name: str) -> str:
    """How a sheet's name must match a schema's: ignoring case and surrounding spaces, and
    taking a space inside the name as an underscore ("Business Plan" is business_plan)."""
    return re.sub(r"[\s_]+", "_", name.strip().casefold())


def _look_alike_key(name: str) -> str:
    """A sheet name stripped to its letters, without "Copy of" / "copy": two names that
    agree here look like the same sheet to a reader ("Values.", "_values", "values (2)",
    "Copy of values", "values - Copy")."""
    letters = re.sub(r"[^a-z]", "", name.casefold())
    return letters.removeprefix("copyof").removesuffix("copy")


_HIDDEN = {"hidden": "hidden", "veryHidden": "very hidden"}
_UNHIDE = {
    "hidden": "unhide it (right-click any sheet tab, Unhide)",
    "veryHidden": "make it visible (Excel's VBA editor: set the sheet's Visible property to -1, xlSheetVisible)",
}


class _Book:
    """The open workbook, its sheets (name, visibility, where the XML is) and, when needed,
    a sheet's XML as saved."""

    def __init__(self, path, wb, col: _Collector):
        self.path = Path(path)
        self.wb = wb
        self.col = col
        try:
            with zipfile.ZipFile(self.path) as archive:
                entries = sheet_list(archive)
        except Exception:  # openpyxl read the list, so this cannot fail on a file it opened; be safe
            entries = []
        if not entries:
            entries = [SheetEntry(ws.title, ws.sheet_state or "visible", None, True) for ws in wb.worksheets]
        self.entries = {e.name: e for e in entries}
        self.sheets = [(e.name, e.state) for e in entries]

    def find(self, schema: SheetSchema) -> str | None:
        """The one sheet to read for ``schema``, or None (with the reason among the problems).

        A sheet is read only if its name matches exactly (see :func:`sheet_key`), it is the
        only one that does, and it is visible. A sheet whose name merely looks like it
        ("Values.", a hidden "_values", "values (2)") is never read, and is reported: an
        officer may have typed this month's figures into it.
        """
        exact = [(n, s) for n, s in self.sheets if sheet_key(n) == schema.name]
        alike = [(n, s) for n, s in self.sheets if (n, s) not in exact
                 and _look_alike_key(n) == _look_alike_key(schema.name)]
        add = lambda message: self.col.add(schema.name, None, None, message)  # noqa: E731
        if len(exact) > 1:
            add(f"{len(exact)} sheets could be the {schema.name} sheet: {_names(exact)}; keep one "
                "(delete the others, or rename them so that their names no longer look like "
                f"{schema.name})")
            return self._unread(schema)
        if exact:
            name, state = exact[0]
            for other, other_state in alike:
                add(f'the sheet {_name(other, other_state)} looks like {schema.name} but is not read '
                    f'(only "{name}" is): delete it, or rename it so that it no longer looks like {schema.name}')
            if state != "visible":
                add(f'the sheet "{name}" is {_HIDDEN.get(state, state)}, and a hidden sheet is never read: '
                    f"{_UNHIDE.get(state, 'make it visible')} if it holds what the report should say, "
                    "or else delete it")
                return self._unread(schema)
            if not self.entries[name].present or name not in self.wb.sheetnames:
                add(f'the sheet "{name}" is damaged: the file lists it but its cells are missing; open the '
                    "workbook in Excel, which offers to repair it, and save it, or use an earlier copy")
                return self._unread(schema)
            return name
        if alike:
            for other, other_state in alike:
                add(f"no sheet is named exactly {schema.name}; the sheet {_name(other, other_state)} is not read: "
                    f"rename it {schema.name} if it is the one to read")
            return self._unread(schema)
        if schema.mandatory:
            add(f"sheet is missing (the workbook has: {', '.join(cells.shown(n) for n, _ in self.sheets)})")
            self.col.fatal = True
        return None

    def _unread(self, schema: SheetSchema) -> None:
        if schema.mandatory:
            self.col.fatal = True
        return None

    def xml(self, name: str) -> bytes | None:
        """The sheet's XML as saved, or None when the file does not give it."""
        entry = self.entries.get(name)
        if entry is None or not entry.part or not entry.present:
            return None
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(entry.part)
        except Exception:  # a damaged archive: openpyxl's own failure is reported instead
            return None


def _name(name: str, state: str) -> str:
    hidden = _HIDDEN.get(state)
    return f'"{cells.shown(name)}"' + (f" ({hidden})" if hidden else "")


def _names(found) -> str:
    shown = [_name(n, s) for n, s in found]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def read_sheet(book: _Book, schema: SheetSchema, collector: _Collector, *, header=None) -> list[RawRow] | None:
    """Rows of one sheet keyed by canonical column names; None when the sheet is absent or
    cannot be read (the reason is among the collector's problems). ``header`` reads row 1
    in place of the schema's own reader (the values sheet's months across: pipeline.input.wide)."""
    sheet_name = book.find(schema)
    if sheet_name is None:
        return None
    data = book.xml(sheet_name)
    scan = scan_sheet(data) if data is not None and has_formulas(data) else None
    positions: dict[int, str] = {}
    out: list[RawRow] = []
    last_row = 0
    try:
        with warnings.catch_warnings():  # e.g. "date outside the limits": the cell reads as #VALUE!, reported below
            warnings.simplefilter("ignore")
            ws = book.wb[sheet_name]
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # trust the cells, not a stale dimension record
            rows = ws.iter_rows(min_row=1)
            header_cells = next(rows, None)
            if header_cells is None:
                collector.add(schema.name, 1, None, "sheet is empty: the first row must name the columns")
                return []
            last_row = 1
            (header or _read_header)(header_cells, schema, collector, positions)
            for number, row in enumerate(rows, start=2):
                values = _read_row(row, number, positions, schema.name, collector)
                last_row = number
                if values:
                    out.append(RawRow(number, values))
    except PipelineError:  # ours, not damage in the sheet: e.g. a house style the glyph check cannot load
        raise
    except Exception as exc:  # openpyxl stopped on this sheet: say where, and why if we can tell
        _unless_interrupted(exc)
        _unreadable(book, schema, sheet_name, data, positions, last_row, exc, collector)
        return None
    if scan is not None:
        for bad in scan.uncalculated:
            if bad.row == 1 or bad.column in positions:
                collector.add(schema.name, bad.row, positions.get(bad.column) or column_letters(bad.column),
                              f"the formula in {bad.ref} has never been calculated (no value was saved with it): "
                              "open the workbook in Excel and save it", cell=True)
    return out


def _read_header(header_cells, schema: SheetSchema, collector: _Collector, positions: dict[int, str]) -> None:
    seen: dict[str, int] = {}
    for idx, cell in enumerate(header_cells):
        value = cell.value
        if isinstance(value, str):
            value = cells.decode_escapes(value)
        header = cells.normalise_header(value)
        if not header or header.startswith("_") or str(value).strip().startswith("#"):
            continue
        column = schema.aliases.get(header, header)
        if column not in schema.columns:
            hint = difflib.get_close_matches(column, schema.columns, n=1)
            suggestion = f" (did you mean {hint[0]}?)" if hint else ""
            collector.add(schema.name, 1, cells.shown(cells.read_text(value)),
                          f"unknown column{suggestion}; columns whose name starts with # are ignored")
            continue
        if column in seen:
            collector.add(schema.name, 1, column, "column appears twice")
            continue
        seen[column] = idx
        positions[idx] = column
    for column in schema.required:
        if column not in seen:
            collector.add(schema.name, 1, column, "required column is missing")
            collector.fatal = True


def _read_row(row, number: int, positions: dict[int, str], sheet: str,
              collector: _Collector) -> dict[str, tuple[object, str | None]]:
    values: dict[str, tuple[object, str | None]] = {}
    for idx, cell in enumerate(row):
        column = positions.get(idx)
        if column is None:
            continue
        value = getattr(cell, "value", None)
        if cells.is_blank(value):
            continue
        if isinstance(value, str):
            error = cells.excel_error(value)
            if error:
                collector.add(sheet, number, column, f"holds the Excel error {error}: correct the formula "
                              "(or the cells it uses) and save the workbook in Excel", cell=True)
                continue
            value = cells.decode_escapes(value)
            if column not in _NOT_TEXT and not column[:1].isdigit():  # (a month's column, months across)
                for message in cells.text_problems(value):
                    collector.add(sheet, number, column, message, cell=True)
        values[column] = (value, getattr(cell, "number_format", None))
    return values


def _unreadable(book: _Book, schema: SheetSchema, sheet_name: str, data: bytes | None,
                positions: dict[int, str], last_row: int, exc: Exception, collector: _Collector) -> None:
    """openpyxl could not read the sheet past ``last_row``: find the cells to blame in the XML."""
    if schema.mandatory:
        collector.fatal = True
    scan = scan_sheet(data, full=True) if data is not None else None
    found = False
    for bad in scan.not_numbers if scan else ():
        found = True
        collector.add(schema.name, bad.row, positions.get(bad.column) or column_letters(bad.column),
                      f'the number cell {bad.ref} holds "{cells.shown(bad.saved)}", which is not a number (it was '
                      "written by a program other than Excel): type the figure, or clear the cell")
    if scan is not None and scan.damage:
        found = True
        row = int(re.sub(r"^[A-Z]+", "", scan.last_ref)) if scan.last_ref else None
        collector.add(schema.name, row, None,
                      f"the sheet's XML is damaged ({scan.damage}): open the workbook in Excel, which offers "
                      "to repair it, and save it; or use an earlier copy")
    if not found:
        collector.add(schema.name, last_row + 1, None,
                      f"the sheet cannot be read from this row on ({type(exc).__name__}: {exc}): the file is damaged; "
                      "open it in Excel and save it again, or use an earlier copy")


# ---------------------------------------------------------------------------------
# the whole workbook


def read_workbook(path: str | os.PathLike, *, tables: dict[str, str | os.PathLike] | None = None) -> Dataset:
    """The validated dataset of the workbook at ``path``. ``tables``: the indicators and/or
    values tables read from files of their own (a CSV, another workbook) instead of sheets
    of this one (pipeline.input.sources; docs/workbook.md, "A folder of files")."""
    from pipeline.input import sources, wide

    tables = tables or {}
    name = str(path)
    wb = open_workbook(path)
    col = _Collector(name)
    values_header = wide.ValuesHeader()  # the values sheet's layout: long, or months across
    try:
        book = _Book(path, wb, col)
        raw = {schema.name: read_sheet(book, schema, col, header=values_header if schema is VALUES else None)
               for schema in SCHEMAS if schema.name not in tables}
        for table in tables:
            sources.not_also_a_sheet(book, table, tables[table], col)
    finally:
        wb.close()
    if values_header.layout == wide.WIDE:
        values_header.name_cells(col)  # (an unreadable cell is named by its letter and month)
    # a required sheet that cannot be read, or a sheet without its required columns, cannot
    # be checked row by row (every id would be "unknown"): stop here
    if col.fatal:
        raise InputProblems(name, col.problems)

    declared: set[str] = set()  # ids on the indicators sheet, valid or not
    if "indicators" in tables:
        indicators = sources.indicators_into(tables["indicators"], col, declared)
        if col.fatal:
            raise InputProblems(name, col.problems)
    else:
        indicators = _indicators(raw["indicators"] or [], col, declared)
    by_id = {ind.id: ind for ind in indicators}
    if "values" in tables:
        values = sources.values_into(tables["values"], by_id, declared, col)
    elif values_header.layout == wide.WIDE:
        values = wide.wide_values(raw["values"] or [], values_header, by_id, declared, col)
    else:
        values = _values(raw["values"] or [], by_id, declared, col)
    commentary = _commentary(raw["commentary"] or [], by_id, declared, col)
    narrative = _narrative(raw["narrative"] or [], col)
    business_plan = _business_plan(raw["business_plan"] or [], col)
    contacts = _contacts(raw["contacts"] or [], col)
    report = _report(raw["report"] or [], col)
    known_sections = (list(dict.fromkeys(ind.section for ind in indicators)) if "indicators" in tables
                      else _row_sections(raw["indicators"] or []))
    section_details = _sections(raw["sections"] or [], known_sections, col)
    _check_spc_recalculate(indicators, values, col)
    _check_floor_published(indicators, values, col)
    if col.problems:
        raise InputProblems(name, col.problems)
    sections = tuple(dict.fromkeys(ind.section for ind in indicators))
    return Dataset(
        source=name,
        report=report,
        indicators=tuple(indicators),
        values=values,
        commentary=tuple(commentary),
        narrative=tuple(narrative),
        business_plan=tuple(business_plan),
        contacts=tuple(contacts),
        sections=sections,
        section_details=tuple(section_details),
    )


def _indicators(rows: list[RawRow], col: _Collector, declared: set[str]) -> list[Indicator]:
    sheet = "indicators"
    out: list[Indicator] = []
    first_row: dict[str, int] = {}
    for order, raw in enumerate(rows):
        ident = cells.read_text(raw.value("id"))
        if not ident:
            col.add(sheet, raw.number, "id", "is blank: every indicator needs an id")
            continue
        if ident in first_row:
            col.add(sheet, raw.number, "id", f'duplicate id {cells.quoted(ident)} (also on row {first_row[ident]})')
            continue
        first_row[ident] = raw.number
        declared.add(ident)
        trouble = _id_problem(ident)
        if trouble:
            col.add(sheet, raw.number, "id", trouble)
            declared.add(_visible(ident))  # rows naming the id as it looks are not reported again
            continue
        title = cells.read_text(raw.value("title"))
        section = cells.read_text(raw.value("section"))
        for column, text in (("title", title), ("section", section)):
            if not text:
                col.add(sheet, raw.number, column, "is blank")
        polarity = col.read(sheet, raw, "polarity", cells.lookup, POLARITY_ALIASES, "polarity")
        unit = col.read(sheet, raw, "unit", cells.lookup, UNIT_ALIASES, "unit")
        data_period = col.read(sheet, raw, "data_period", cells.lookup, DATA_PERIOD_ALIASES, "data period")
        decimals = col.read(sheet, raw, "decimals", cells.read_int, low=0, high=4)
        if decimals is None and unit is not None:
            decimals = DEFAULT_DECIMALS[unit]
        tolerance = col.read(sheet, raw, "tolerance", _read_distance)
        tolerance_percent = col.read(sheet, raw, "tolerance_percent", _read_percent_number)
        band_width = col.read(sheet, raw, "band_width", _read_distance)
        year_end_target = col.read(sheet, raw, "year_end_target", cells.read_measure,
                                   raw.fmt("year_end_target"), unit)
        rate_per = col.read(sheet, raw, "rate_per", cells.read_number)
        trend_periods = col.read(sheet, raw, "trend_periods", cells.read_int, low=2, high=60)
        flags = {c: col.read(sheet, raw, c, cells.read_flag) or False
                 for c in ("activity", "bold_steps", "qpr", "may_exceed_100", "floor_published")}
        spc = {"spc": col.read(sheet, raw, "spc", cells.read_flag) if raw.value("spc") is not None else None,
               "spc_recalculate": col.read(sheet, raw, "spc_recalculate", _read_months) or (),
               "spc_baseline": col.read(sheet, raw, "spc_baseline", cells.read_int, low=MINIMUM_POINTS, high=240),
               "spc_chart": (col.read(sheet, raw, "spc_chart", cells.read_flag)
                             if raw.value("spc_chart") is not None else None)}
        for column, number in (("tolerance", tolerance), ("tolerance_percent", tolerance_percent),
                               ("band_width", band_width)):
            if number is not None and number < 0:
                col.add(sheet, raw.number, column, f"{cells.quoted(raw.value(column))} must not be negative")
        if tolerance is not None and tolerance_percent is not None:
            col.add(sheet, raw.number, "tolerance_percent",
                    "give either tolerance (in the indicator's units) or tolerance_percent (of target), not both")
        if band_width is not None and polarity is not None and polarity != Polarity.BAND:
            col.add(sheet, raw.number, "band_width", "applies only to indicators with polarity band")
        if unit == "rate" and rate_per is None and "denominator" in raw.cells:
            pass  # rates computed from numerator/denominator need rate_per: checked with the values
        if rate_per is not None and rate_per <= 0:
            col.add(sheet, raw.number, "rate_per", "must be a positive number such as 1000 or 100000")
        if None in (polarity, unit, data_period) or not title or not section:
            continue
        texts = {c: cells.read_text(raw.value(c)) for c in INDICATOR_TEXT_COLUMNS}
        texts["data_notes"] = cells.read_multiline(raw.value("data_notes"))
        out.append(Indicator(
            id=ident, title=title, section=section, polarity=polarity, unit=unit,
            data_period=data_period, decimals=decimals, row=raw.number, order=order,
            tolerance=tolerance, tolerance_percent=tolerance_percent, band_width=band_width,
            year_end_target=year_end_target, rate_per=rate_per, trend_periods=trend_periods,
            **flags, **texts, **spc,
        ))
    if not out and not col.problems:
        col.add(sheet, None, None, "has no indicators")
    return out


def _read_months(value) -> tuple[Month, ...]:
    """spc_recalculate: one month (an Excel date, 2013-09, Sep-13) or several separated by
    commas, semicolons or line breaks; in order, each once."""
    if value is None:
        return ()
    if not isinstance(value, str):
        return (cells.read_month(value),)
    parts = [p.strip() for p in re.split(r"[,;\n]", value) if p.strip()]
    return tuple(sorted({cells.read_month(p) for p in parts}))


def _check_spc_recalculate(indicators, values, col: _Collector) -> None:
    """A recalculation month must be a month the indicator has on the values sheet: the
    limits restart at that figure, and a month without one is most likely a typing slip."""
    for ind in indicators:
        months = {v.period for v in values.get(ind.id, ())}
        missing = [m.label for m in ind.spc_recalculate if m not in months]
        if missing:
            col.add("indicators", ind.row, "spc_recalculate",
                    f"{', '.join(missing)}: indicator {ind.id} has no row on the values sheet for "
                    f"{'this month' if len(missing) == 1 else 'these months'} (the limits are recalculated "
                    "from a month with a figure)")


def _check_floor_published(indicators, values, col: _Collector) -> None:
    """``floor_published`` Y on an indicator that has no minimum standard to show is a
    slip (the report would show nothing and say nothing): refused, naming the cell."""
    for ind in indicators:
        if not ind.floor_published:
            continue
        if not ind.rated:
            why = "an activity indicator" if ind.activity else "not rated (polarity none)"
            col.add("indicators", ind.row, "floor_published",
                    f"is Y, but indicator {ind.id} is {why} and has no minimum standard: leave it blank")
        elif (ind.tolerance is None and ind.tolerance_percent is None
              and not any(v.floor is not None for v in values.get(ind.id, ()))):
            col.add("indicators", ind.row, "floor_published",
                    f"is Y, but indicator {ind.id} has no minimum standard: give a floor on the values sheet "
                    "or a tolerance on this row, or leave floor_published blank")


def _id_problem(ident: str) -> str:
    """Why an id cannot be used as it is: an invisible character (ids must match exactly on
    every sheet, and a zero-width space pasted from an e-mail would make two ids that look
    the same differ), or a character the report cannot print. Empty when it can."""
    invisible = cells.describe_invisible(ident)
    if invisible:
        return f"{cells.quoted(ident)} holds {invisible}: retype the id"
    problems = cells.text_problems(ident)
    return problems[0] if problems else ""


def _visible(ident: str) -> str:
    return "".join(ch for ch in ident if not cells.is_invisible(ch))


def _unknown_id(ident: str, declared: set[str]) -> str:
    message = f"{cells.quoted(ident)} is not an indicator on the indicators sheet"
    invisible = cells.describe_invisible(ident)
    if invisible:
        return f"{message}: it holds {invisible} (retype it)"
    hint = difflib.get_close_matches(ident, sorted(declared), n=1)
    return message + (f" (did you mean {cells.shown(hint[0])}?)" if hint else "")


def _read_period(sheet: str, raw: RawRow, col: _Collector) -> Month | None:
    """A row's period, with one problem for a blank cell (not "is blank" and "is not a month")."""
    if raw.value("period") is None:
        col.add(sheet, raw.number, "period", "is blank")
        return None
    return col.read(sheet, raw, "period", cells.read_month)


def _read_distance(value):
    """tolerance and band_width: a distance in the indicator's own units (percentage points
    for percentages), so 0.5 means half a point and "2%" means two points."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return cells.read_number(value.strip()[:-1])
    return cells.read_number(value)


def _read_percent_number(value):
    """tolerance_percent: 10 or "10%" both mean ten per cent of the target."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return cells.read_number(value.strip()[:-1])
    return cells.read_number(value)


def _values(rows: list[RawRow], by_id: dict[str, Indicator], declared: set[str],
            col: _Collector) -> dict[str, tuple[ValueRow, ...]]:
    sheet = "values"
    seen: dict[tuple[str, Month], int] = {}
    collected: dict[str, list[ValueRow]] = {ident: [] for ident in by_id}
    for raw in rows:
        ident = cells.read_text(raw.value("indicator_id"))
        indicator = by_id.get(ident)
        if not ident:
            col.add(sheet, raw.number, "indicator_id", "is blank")
        elif ident not in declared:
            col.add(sheet, raw.number, "indicator_id", _unknown_id(ident, declared))
        unit = indicator.unit if indicator else None
        period = _read_period(sheet, raw, col)
        measures = {c: col.read(sheet, raw, c, cells.read_measure, raw.fmt(c), unit) for c in MEASURE_COLUMNS}
        numerator = col.read(sheet, raw, "numerator", cells.read_number)
        denominator = col.read(sheet, raw, "denominator", cells.read_number)
        confirmed = col.read(sheet, raw, "confirmed", cells.read_flag) or False  # (pipeline.quality)
        if indicator is None or period is None:
            continue
        key = (ident, period)
        if key in seen:
            col.add(sheet, raw.number, "period", f"{period.label} for indicator {ident} is also on row {seen[key]}")
            continue
        seen[key] = raw.number
        _check_value_row(raw, indicator, measures, numerator, denominator, col)
        collected[ident].append(ValueRow(ident, period, raw.number, numerator=numerator,
                                         denominator=denominator, confirmed=confirmed, **measures))
    return {ident: tuple(sorted(rows_, key=lambda v: v.period)) for ident, rows_ in collected.items()}


def _check_value_row(raw, indicator: Indicator, m: dict, numerator, denominator, col: _Collector):
    sheet = "values"
    target, floor = m["target"], m["floor"]
    if target is not None and floor is not None:
        if indicator.polarity == Polarity.HIGHER and floor > target:
            col.add(sheet, raw.number, "floor",
                    f"{_fmt(floor)} is above the target {_fmt(target)}, but higher values are better")
        if indicator.polarity == Polarity.LOWER and floor < target:
            col.add(sheet, raw.number, "floor",
                    f"{_fmt(floor)} is below the target {_fmt(target)}, but lower values are better")
    if floor is not None and indicator.polarity == Polarity.NONE:
        col.add(sheet, raw.number, "floor",
                f"indicator {indicator.id} is not rated (polarity none), so it has no floor")
    lo, hi = m["lower_threshold"], m["upper_threshold"]
    if lo is not None and hi is not None and lo > hi:
        col.add(sheet, raw.number, "lower_threshold", f"{_fmt(lo)} is above the upper threshold {_fmt(hi)}")
    if (numerator is None) != (denominator is None) and indicator.unit in ("percent", "rate"):
        missing = "denominator" if denominator is None else "numerator"
        col.add(sheet, raw.number, missing, "is blank: give both numerator and denominator, or neither")
    if denominator is not None and denominator <= 0:
        col.add(sheet, raw.number, "denominator", f"{_fmt(denominator)} must be greater than zero")
    if indicator.unit == "rate" and denominator is not None and indicator.rate_per is None:
        col.add(sheet, raw.number, "denominator",
                f"indicator {indicator.id} is a rate: give rate_per (e.g. 10000) on the indicators sheet")
    _check_derived_figures(raw, indicator, m, numerator, denominator, col)


def _check_derived_figures(raw, indicator: Indicator, m: dict, numerator, denominator, col: _Collector):
    """The figures the cards work out from a row must be showable too (see cells.MAX_FIGURE).

    A window's figure (sum of numerators / sum of denominators) is a weighted average of
    its months' own ratios, so checking each row's ratio bounds every window's; a floor
    from tolerance_percent is a product that can grow past what its parts could."""
    from pipeline.rules.rating import resolve_floor

    sheet = "values"
    if numerator is not None and denominator is not None and denominator > 0:
        scale = 100 if indicator.unit == "percent" else (indicator.rate_per or 1) if indicator.unit == "rate" else 1
        ratio = abs(to_decimal(numerator) / to_decimal(denominator) * to_decimal(scale))
        if ratio >= cells.MAX_FIGURE:
            col.add(sheet, raw.number, "numerator",
                    f"numerator / denominator gives {ratio:.3e}, too large: the report shows figures below "
                    f"{cells.MAX_FIGURE_TEXT}")
    target = m["target"]
    if m["floor"] is None and target is not None and indicator.polarity is not None:
        floor = resolve_floor(indicator.polarity, target, None, indicator.tolerance, indicator.tolerance_percent)
        if floor is not None and abs(floor) >= cells.MAX_FIGURE:
            col.add(sheet, raw.number, "target",
                    f"the floor worked out from the indicator's tolerance is {floor:.3e}, too large: the report "
                    f"shows figures below {cells.MAX_FIGURE_TEXT}")


def _fmt(number: float) -> str:
    return f"{number:g}"


def _commentary(rows: list[RawRow], by_id, declared: set[str], col: _Collector) -> list[Commentary]:
    sheet = "commentary"
    out: list[Commentary] = []
    seen: dict[tuple[str, Month], int] = {}
    for raw in rows:
        ident = cells.read_text(raw.value("indicator_id"))
        if ident not in declared:
            col.add(sheet, raw.number, "indicator_id", "is blank" if not ident else _unknown_id(ident, declared))
        period = _read_period(sheet, raw, col)
        text = cells.read_multiline(raw.value("text"))
        actions = cells.read_multiline(raw.value("actions"))
        updated = col.read(sheet, raw, "updated", cells.read_datetime)
        if ident not in by_id or period is None or not (text or actions):
            continue
        if (ident, period) in seen:
            col.add(sheet, raw.number, "period",
                    f"commentary for indicator {ident}, {period.label} is also on row {seen[(ident, period)]}")
            continue
        seen[(ident, period)] = raw.number
        out.append(Commentary(ident, period, text, raw.number, cells.read_text(raw.value("author")), updated,
                              actions))
    return out


def _narrative(rows: list[RawRow], col: _Collector) -> list[Narrative]:
    sheet = "narrative"
    out = []
    for raw in rows:
        section = cells.read_text(raw.value("section"))
        period = _read_period(sheet, raw, col)
        text = cells.read_multiline(raw.value("text"))
        placement = cells.read_text(raw.value("placement")).lower() or "before"
        if placement not in ("before", "after"):
            col.add(sheet, raw.number, "placement", f'"{placement}" must be before or after')
            continue
        if not section:
            col.add(sheet, raw.number, "section", "is blank")
        if not text:
            col.add(sheet, raw.number, "text", "is blank")
        if section and text and period is not None:
            out.append(Narrative(section, period, cells.read_text(raw.value("heading")), text, raw.number, placement))
    return out


def _row_sections(indicator_rows: list[RawRow]) -> list[str]:
    """The sections the indicators sheet's rows name, an indicator with problems of its own
    included, so that one problem is not reported twice."""
    return list(dict.fromkeys(s for s in (cells.read_text(r.value("section")) for r in indicator_rows) if s))


def _sections(rows: list[RawRow], known: list[str], col: _Collector) -> list[SectionDetails]:
    """The sections sheet: one row per section, naming a section of the indicators sheet
    exactly (a row for a section no indicator has would never be printed: a typing slip).
    ``known``: the indicators' sections."""
    sheet = "sections"
    seen: dict[str, int] = {}
    out = []
    for raw in rows:
        section = cells.read_text(raw.value("section"))
        if not section:
            col.add(sheet, raw.number, "section", "is blank")
            continue
        if section in seen:
            col.add(sheet, raw.number, "section", f"{cells.quoted(section)} is also on row {seen[section]}")
            continue
        seen[section] = raw.number
        if section not in known:
            hint = difflib.get_close_matches(section, known, n=1)
            suggestion = f" (did you mean {cells.shown(hint[0])}?)" if hint else ""
            col.add(sheet, raw.number, "section",
                    f"{cells.quoted(section)} is not a section of the indicators sheet{suggestion}")
            continue
        out.append(SectionDetails(section, raw.number, **{c: cells.read_text(raw.value(c)) for c in SECTION_FIELDS}))
    return out


def _business_plan(rows: list[RawRow], col: _Collector) -> list[BusinessPlanItem]:
    sheet = "business_plan"
    out = []
    for raw in rows:
        texts = {c: cells.read_text(raw.value(c)) for c in ("section", "priority", "action", "status", "owner", "due")}
        for column in ("section", "action", "status"):
            if not texts[column]:
                col.add(sheet, raw.number, column, "is blank")
        if all(texts[c] for c in ("section", "action", "status")):
            out.append(BusinessPlanItem(commentary=cells.read_multiline(raw.value("commentary")),
                                        row=raw.number, **texts))
    return out


def _contacts(rows: list[RawRow], col: _Collector) -> list[Contact]:
    out = []
    for raw in rows:
        name = cells.read_text(raw.value("name"))
        email = cells.read_text(raw.value("email"))
        if email and ("@" not in email or " " in email):
            col.add("contacts", raw.number, "email", f'"{email}" is not an email address')
        out.append(Contact(name=name, row=raw.number, title=cells.read_text(raw.value("title")),
                           team=cells.read_text(raw.value("team")), tel=cells.read_text(raw.value("tel")),
                           email=email))
    return out


def _report(rows: list[RawRow], col: _Collector) -> ReportFields | None:
    sheet = "report"
    found: dict[str, list[tuple[int, object]]] = {}
    for raw in rows:
        key = cells.normalise_header(raw.value("key"))
        key = REPORT_KEY_ALIASES.get(key, key)
        if not key:
            col.add(sheet, raw.number, "key", "is blank")
            continue
        if key not in REPORT_KEYS:
            hint = difflib.get_close_matches(key, list(REPORT_KEYS), n=1)
            suggestion = f" (did you mean {hint[0]}?)" if hint else ""
            col.add(sheet, raw.number, "key",
                    f'"{cells.read_text(raw.value("key"))}" is not a report field{suggestion}')
            continue
        if key in found and not REPORT_KEYS[key]:
            col.add(sheet, raw.number, "key", f"{key} is also on row {found[key][0][0]}")
            continue
        found.setdefault(key, []).append((raw.number, raw.value("value")))
    for key in REPORT_REQUIRED:
        if key not in found:
            col.add(sheet, None, "key", f"the report field {key!r} is missing")

    def text(key):
        return cells.read_multiline(found[key][0][1]) if key in found else ""

    def lines(key):
        return tuple(cells.read_multiline(v) for _, v in found.get(key, ()) if not cells.is_blank(v))

    def typed(key, reader):
        if key not in found:
            return None
        number, value = found[key][0]
        try:
            return reader(value)
        except CellError as exc:
            col.add(sheet, number, "value", f"{key}: {exc}")
            return None

    date = typed("date", cells.read_date)
    meeting_date = typed("meeting_date", cells.read_date)
    period = typed("period", cells.read_month)
    spc = {key: typed(key, reader) for key, reader in (
        ("spc", cells.read_flag), ("spc_screen_moving_ranges", cells.read_flag), ("spc_chart", cells.read_flag),
        ("spc_run_length", lambda v: cells.read_int(v, low=RUN_LENGTHS[0], high=RUN_LENGTHS[1])))
        if key in found and not cells.is_blank(found[key][0][1])}
    for key in ("to", "subject"):
        if key in found and not text(key):
            col.add(sheet, found[key][0][0], "value", f"{key} is blank")
    if date is None or not text("to") or not text("subject") or not lines("from"):
        return None
    return ReportFields(
        from_lines=lines("from"), to=text("to"), date=date, subject=text("subject"),
        classification=text("classification") or "Unrestricted", committee=text("committee"),
        meeting_date=meeting_date, summary=text("summary"), recommendation=text("recommendation"),
        recommendations=lines("recommendations"), background_documents=lines("background_documents"),
        directorate=text("directorate"), report_title=text("report_title"), agenda_item=text("agenda_item"),
        period=period, intro_paragraphs=lines("introduction"),
        **{key: value for key, value in spc.items() if value is not None},
    )


# ---------------------------------------------------------------------------------
# part of a workbook: one file of a report read from several (pipeline.input.report_definition)


@dataclass
class WorkbookParts:
    """What :func:`read_parts` read of one file, and the problems found in it (returned, not
    raised: a report read from several files lists every file's problems at once)."""

    file: str
    problems: list[Problem]
    fatal: bool = False  # a sheet asked for could not be read: the rest was not checked
    indicators: tuple[Indicator, ...] = ()
    declared: frozenset[str] = frozenset()  # ids on this file's indicators sheet, valid or not
    values: dict[str, tuple[ValueRow, ...]] = field(default_factory=dict)
    commentary: tuple[Commentary, ...] = ()
    narrative: tuple[Narrative, ...] = ()
    business_plan: tuple[BusinessPlanItem, ...] = ()
    contacts: tuple[Contact, ...] = ()
    report: ReportFields | None = None
    section_details: tuple[SectionDetails, ...] = ()  # its sections sheet (a source's own)
    stray: dict[str, int] = field(default_factory=dict)  # sheets not asked for: name -> rows holding something


def read_parts(path: str | os.PathLike, sheets, *, required=(), indicators=(), declared=(),
               stray=()) -> WorkbookParts:
    """Read only the sheets named in ``sheets`` (schema names) of the workbook at ``path``,
    each checked exactly as :func:`read_workbook` checks it; those in ``required`` must be
    there. When the file's own indicators sheet is not among ``sheets``, its values and
    commentary are checked against ``indicators`` (and ``declared``: ids declared elsewhere
    but not valid, which are not reported again). ``stray``: sheets that are only looked at,
    to count the rows that hold something. The values sheet may have its months across, as
    in :func:`read_workbook`. A file that cannot be opened raises InputProblems."""
    from pipeline.input import wide

    name = str(path)
    wb = open_workbook(path)
    col = _Collector(name)
    counts: dict[str, int] = {}
    values_header = wide.ValuesHeader()
    try:
        book = _Book(path, wb, col)
        raw = {schema.name: read_sheet(book, replace(schema, mandatory=schema.name in required), col,
                                       header=values_header if schema is VALUES else None)
               for schema in SCHEMAS if schema.name in sheets}
        if stray:
            quiet = _Collector(name)  # what is wrong inside a stray sheet is not this file's problem
            book.col = quiet
            for schema in SCHEMAS:
                if schema.name in stray and schema.name not in sheets:
                    rows = read_sheet(book, replace(schema, mandatory=False), quiet)
                    if rows:
                        counts[schema.name] = len(rows)
    finally:
        wb.close()
    if values_header.layout == wide.WIDE:
        values_header.name_cells(col)
    parts = WorkbookParts(name, col.problems, fatal=col.fatal, stray=counts)
    if col.fatal:
        return parts
    if "indicators" in raw:
        seen: set[str] = set()
        own = _indicators(raw["indicators"] or [], col, seen)
        parts.indicators, parts.declared = tuple(own), frozenset(seen)
        by_id = {ind.id: ind for ind in own}
        known = set(seen)
    else:
        by_id = {ind.id: ind for ind in indicators}
        known = set(by_id) | set(declared)
    if "values" in raw:
        if values_header.layout == wide.WIDE:
            parts.values = wide.wide_values(raw["values"] or [], values_header, by_id, known, col)
        else:
            parts.values = _values(raw["values"] or [], by_id, known, col)
        if parts.indicators:
            _check_spc_recalculate(parts.indicators, parts.values, col)
            _check_floor_published(parts.indicators, parts.values, col)
    if "sections" in raw and "indicators" in raw:
        parts.section_details = tuple(_sections(raw["sections"] or [], _row_sections(raw["indicators"] or []), col))
    if "commentary" in raw:
        parts.commentary = tuple(_commentary(raw["commentary"] or [], by_id, known, col))
    if "narrative" in raw:
        parts.narrative = tuple(_narrative(raw["narrative"] or [], col))
    if "business_plan" in raw:
        parts.business_plan = tuple(_business_plan(raw["business_plan"] or [], col))
    if "contacts" in raw:
        parts.contacts = tuple(_contacts(raw["contacts"] or [], col))
    if "report" in raw:
        parts.report = _report(raw["report"] or [], col)
    return parts


# The long layout's readers, for the other forms of the same tables (months across:
# pipeline.input.wide; CSV files and folders: pipeline.input.sources). One validation
# and one cell judgement, whatever the layout or the file type.

Collector = _Collector
Book = _Book
read_header = _read_header
read_row = _read_row
validate_indicators = _indicators
validate_values = _values
unknown_id = _unknown_id
look_alike_key = _look_alike_key
