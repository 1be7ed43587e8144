"""A report read from several workbooks: the report definition (TOML; docs/report-definition.md).

A committee report whose indicators are kept in more than one workbook is described by a
small TOML file: the report's own workbook (its ``report`` sheet, commentary, narrative,
business plan, contacts) and, in order, the source workbooks its indicators come from, each
with the sections the report takes from it::

    workbook = "fsc_report.xlsx"

    [[sources]]
    path = "adults.xlsx"
    sections = ["Adult Social Care"]

    [[sources]]
    path = "children.xlsx"
    sections = ["Specialist Children's Services"]
    commentary = true        # this source keeps its own indicators' commentary

:func:`read_input` reads either a workbook or a definition into the one validated
:class:`~pipeline.input.tables.Dataset` the rest of the pipeline works on, so a report built
from a definition is the report its workbooks would make as one. Every problem of every file
is listed at once, each naming its file (:class:`~pipeline.errors.InputProblems` groups them
by file); across the files it checks what no single file can: an indicator defined in two
sources, a section a source is said to give but has no indicator in, the same section given
by two sources, a source that is missing, or whose latest figure is older than the report's
month, and a sheet a file holds that the definition says belongs elsewhere (its words would
otherwise be silently left out).

Each source file is read by :func:`_read_source`, the one place that knows how a source's
indicators and figures are read (today: the workbook reader's ``indicators`` and ``values``
sheets).

Nothing in this module writes anything.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputProblems, Problem
from pipeline.infra.toml_file import Collector, read_toml, unknown_keys
from pipeline.input.tables import Dataset
from pipeline.rules.periods import Month

TOP_KEYS = ("workbook", "sources")
SOURCE_KEYS = ("path", "sections", "commentary", "lag_months")
MAX_LAG = 24

SOURCE_SHEETS = ("indicators", "values")
REPORT_SHEETS = ("report", "commentary", "narrative", "business_plan", "contacts")
_ALL_SHEETS = SOURCE_SHEETS + REPORT_SHEETS


@dataclass(frozen=True)
class Source:
    """One source workbook of a report: where it is, which sections the report takes from
    it (None: every section it has, in its own order), whether it keeps its indicators'
    commentary, and how many months its latest figure may be behind the report's month."""

    path: Path
    given: str  # the path as the definition writes it (for messages)
    where: str  # "sources[2]"
    sections: tuple[str, ...] | None = None
    commentary: bool = False
    lag_months: int = 0


@dataclass(frozen=True)
class Definition:
    path: Path
    workbook: Path
    sources: tuple[Source, ...]
    digest: str = ""  # sha256 of the definition's bytes


@dataclass(frozen=True)
class ReportInput:
    """A definition's validated input: the dataset, and for each indicator the file its
    figures come from (``origins``) and the file its commentary is kept in (``homes``)."""

    dataset: Dataset
    definition: Definition | None
    origins: dict[str, Path]
    homes: dict[str, Path]

    @property
    def commentary_files(self) -> tuple[Path, ...]:
        """Every file that may hold this report's commentary, the report workbook first."""
        first = [self.definition.workbook] if self.definition else []
        return tuple(dict.fromkeys(first + list(self.homes.values())))


def is_definition(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a report definition (``.toml``) rather than a workbook."""
    return Path(path).suffix.lower() == ".toml"


def read_input(path: str | os.PathLike, period: Month | None = None) -> Dataset:
    """The validated dataset of a workbook or of a report definition (``period``: the month
    the report is built for, against which a definition's sources are checked for age)."""
    return read_report_input(path, period).dataset


def read_report_input(path: str | os.PathLike, period: Month | None = None) -> ReportInput:
    """As :func:`read_input`, with where each indicator's figures and commentary are kept."""
    if not is_definition(path):
        from pipeline.input.sources import read_dataset

        dataset = read_dataset(path)  # a workbook, or a folder of a workbook and CSV files
        home = _own_workbook(path)
        where = {ind.id: home for ind in dataset.indicators}
        return ReportInput(dataset, None, where, dict(where))
    return _read_definition_input(load_definition(path), period)


def _own_workbook(path: str | os.PathLike) -> Path:
    """The workbook that keeps a report's commentary when it is not a definition: the file
    itself, or the report workbook of a folder (its CSV files hold figures only)."""
    path = Path(path)
    if path.is_dir():
        from pipeline.input.sources import folder_sources

        return folder_sources(path)[0]
    return path


def commentary_homes(path: str | os.PathLike) -> tuple[Path, ...]:
    """The files a report's commentary may be kept in: the workbook itself, or a definition's
    report workbook and the sources that keep their own (read from the definition only)."""
    if not is_definition(path):
        return (_own_workbook(path),)
    definition = load_definition(path)
    return tuple(dict.fromkeys([definition.workbook] + [s.path for s in definition.sources if s.commentary]))


# ---------------------------------------------------------------------------------
# the definition file


def _path(raw, folder: Path, where, key, col: Collector) -> Path | None:
    """A file named relative to the definition's folder (or absolute); it must exist."""
    if not isinstance(raw, str) or not raw.strip():
        col.add(where, key, "must be a file path in quotes, relative to the definition's folder")
        return None
    path = Path(raw.strip())
    resolved = (path if path.is_absolute() else folder / path).resolve()
    if not resolved.exists():
        col.add(where, key, f"{raw}: file not found")
        return None
    if resolved.is_dir():
        col.add(where, key, f"{raw}: is a folder, not a workbook")
        return None
    if resolved.suffix.lower() == ".toml":
        col.add(where, key, f"{raw}: is a report definition; name a workbook (.xlsx)")
        return None
    return resolved


def load_definition(path: str | os.PathLike) -> Definition:
    """Read and check the definition's own TOML (not the files it names): every problem at
    once, located by table and key (``sources[2]``, column ``sections``)."""
    path = Path(path)
    name = str(path)
    col = Collector(name)

    data, digest = read_toml(path, "a report definition")
    folder = path.resolve().parent

    unknown_keys(data, TOP_KEYS, None, col)
    workbook = None
    if "workbook" not in data:
        col.add(None, "workbook",
                'missing: the report\'s own workbook (its report sheet), e.g. workbook = "report.xlsx"')
    else:
        workbook = _path(data["workbook"], folder, None, "workbook", col)
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        col.add("sources", None, 'no sources: add [[sources]] tables, each with path = "file.xlsx"')
        raw_sources = []
    sources: list[Source] = []
    seen: dict[Path, str] = {}
    for i, table in enumerate(raw_sources, start=1):
        where = f"sources[{i}]"
        if not isinstance(table, dict):
            col.add(where, None, "must be a table ([[sources]])")
            continue
        unknown_keys(table, SOURCE_KEYS, where, col)
        given = table.get("path")
        if given is None:
            col.add(where, "path", 'missing: the source workbook, e.g. path = "adults.xlsx"')
            continue
        source_path = _path(given, folder, where, "path", col)
        sections = _sections(table, where, col)
        commentary = table.get("commentary", False)
        if not isinstance(commentary, bool):
            col.add(where, "commentary", f"must be true or false, not {commentary!r}")
            commentary = False
        lag = table.get("lag_months", 0)
        if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= MAX_LAG:
            col.add(where, "lag_months", f"must be a whole number of months from 0 to {MAX_LAG}, not {lag!r}")
            lag = 0
        if source_path is None:
            continue
        if source_path in seen:
            col.add(where, "path", f"{given}: is also {seen[source_path]}; list each source once")
            continue
        seen[source_path] = where
        sources.append(Source(source_path, str(given).strip(), where, sections, commentary, lag))
    if col.problems:
        raise InputProblems(name, col.problems)
    assert workbook is not None
    return Definition(path=path, workbook=workbook, sources=tuple(sources), digest=digest)


def _sections(table: dict, where: str, col: Collector) -> tuple[str, ...] | None:
    if "sections" not in table:
        return None
    raw = table["sections"]
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) and s.strip() for s in raw):
        col.add(where, "sections", 'must be a list of section names in quotes: sections = ["Adult Social Care"]')
        return None
    names = [" ".join(s.split()) for s in raw]
    for dup in sorted({s for s in names if names.count(s) > 1}):
        col.add(where, "sections", f'"{dup}" is listed more than once')
    return tuple(dict.fromkeys(names))


# ---------------------------------------------------------------------------------
# reading the files


def _read_source(path: Path, commentary: bool):
    """A source's indicators and figures (and, when it keeps them, its commentary), checked
    on their own, with its problems (:class:`pipeline.input.workbook.WorkbookParts`). The one
    place that decides how a source file is read."""
    from pipeline.input.workbook import read_parts

    # a source's sections sheet states the responsibilities of the sections it gives
    sheets = SOURCE_SHEETS + ("sections",) + (("commentary",) if commentary else ())
    stray = tuple(s for s in REPORT_SHEETS if s not in sheets)
    return read_parts(path, sheets, required=SOURCE_SHEETS, stray=stray)


def _read_definition_input(definition: Definition, period: Month | None) -> ReportInput:
    from pipeline.input.workbook import read_parts

    problems: list[Problem] = []
    toml = str(definition.path)
    workbook = definition.workbook
    as_source = next((s for s in definition.sources if s.path == workbook), None)

    # the sources, in order
    parts = {}
    for source in definition.sources:
        try:
            part = _read_source(source.path, source.commentary and source is not as_source)
        except InputProblems as exc:  # cannot be opened: said once, under its own name
            problems += exc.problems
            continue
        parts[source.path] = part
        problems += part.problems
        for sheet, rows in part.stray.items():
            if source is as_source:
                continue
            if sheet == "commentary":
                problems.append(Problem(str(source.path), "commentary", None, None, (
                    f"holds {rows} commentary row{'s' if rows != 1 else ''}, which would not be read: "
                    f"{definition.path.name} does not say commentary = true for this source ({source.where}), "
                    f"so its indicators' commentary is kept in {workbook.name}. Set commentary = true, or move "
                    "the rows there")))
            else:
                problems.append(Problem(str(source.path), sheet, None, None, (
                    f"holds {rows} row{'s' if rows != 1 else ''}, which would not be read: a source gives "
                    f"indicators and figures only; the report's {sheet} sheet is the one in {workbook.name} "
                    "(move the rows there, or delete the sheet)")))

    # which indicators the report takes, from where, in what order
    taken: dict[str, tuple] = {}  # id -> (indicator, source)
    declared: dict[str, tuple[Source, int | None]] = {}  # every id on a source's indicators sheet
    section_sources: dict[str, Source] = {}
    order: list[str] = []  # sections in the report's order
    for source in definition.sources:
        part = parts.get(source.path)
        if part is None or part.fatal:
            continue
        rows = {ind.id: ind.row for ind in part.indicators}
        for ident in sorted(part.declared):
            if ident in declared:
                first, first_row = declared[ident]
                there = f", indicators row {first_row}" if first_row else ""
                problems.append(Problem(str(source.path), "indicators", rows.get(ident), "id", (
                    f"indicator {ident} is also defined in {first.given}{there}: an "
                    "indicator comes from one source; delete one of them, or give them different ids")))
            else:
                declared[ident] = (source, rows.get(ident))
        own_sections = list(dict.fromkeys(ind.section for ind in part.indicators))
        wanted = source.sections if source.sections is not None else tuple(own_sections)
        for section in wanted:
            if section not in own_sections:
                hint = difflib.get_close_matches(section, own_sections, n=1)
                problems.append(Problem(toml, source.where, None, "sections", (
                    f'"{section}": {source.given} has no indicators in this section'
                    + (f' (did you mean "{hint[0]}"?)' if hint else "")
                    + f"; its sections are: {', '.join(own_sections) or 'none'}")))
                continue
            if section not in section_sources:
                section_sources[section] = source
                order.append(section)
        for ind in part.indicators:
            if ind.section in wanted and ind.id not in taken and declared[ind.id][0] is source:
                taken[ind.id] = (ind, source)

    # the report's own workbook
    report_part = None
    known = [ind for ind, _ in taken.values()]
    try:
        report_part = read_parts(workbook, REPORT_SHEETS, required=("report",), indicators=known,
                                 declared=set(declared), stray=() if as_source else SOURCE_SHEETS)
    except InputProblems as exc:
        problems += exc.problems
    if report_part is not None:
        unread = any(s.path not in parts or parts[s.path].fatal for s in definition.sources)
        problems += [_in_report_workbook(p, definition) for p in report_part.problems
                     if not (unread and _unknown_commentary_id(p))]  # (said of the source that failed)
        for sheet, rows in report_part.stray.items():
            problems.append(Problem(str(workbook), sheet, None, None, (
                f"holds {rows} row{'s' if rows != 1 else ''}, which would not be read: {workbook.name} is not "
                f"one of the sources in {definition.path.name}; add it as a source ([[sources]] path = "
                f'"{workbook.name}"), or move the rows to a source')))

    homes = {ident: (src.path if src.commentary else workbook) for ident, (_, src) in taken.items()}
    commentary = []
    if report_part is not None:
        for note in report_part.commentary:
            home = homes.get(note.indicator_id)
            if home is None:
                continue  # an indicator of a section this report does not take
            if home != workbook:
                problems.append(Problem(str(workbook), "commentary", note.row, "indicator_id", (
                    f"the commentary of {note.indicator_id} is kept in {home.name} (commentary = true for it in "
                    f"{definition.path.name}), not here: move this row there")))
                continue
            commentary.append(note)
    for source in definition.sources:
        part = parts.get(source.path)
        if part is None or not source.commentary or source is as_source:
            continue
        commentary += [n for n in part.commentary if homes.get(n.indicator_id) == source.path]

    # indicators in the report's order: by section, then by source and row
    rank = {section: n for n, section in enumerate(order)}
    source_rank = {s.path: n for n, s in enumerate(definition.sources)}
    chosen = sorted((item for item in taken.values() if item[0].section in rank),
                    key=lambda item: (rank[item[0].section], source_rank[item[1].path], item[0].order))
    indicators = tuple(dataclasses.replace(ind, order=n) for n, (ind, _) in enumerate(chosen))
    values = {ind.id: parts[src.path].values.get(ind.id, ()) for ind, src in chosen}
    origins = {ind.id: src.path for ind, src in chosen}
    homes = {ident: home for ident, home in homes.items() if ident in origins}

    report = report_part.report if report_part is not None else None
    if not problems:
        month = period or (report.period if report is not None else None) or _latest(values.values())
        problems += _stale_sources(definition, chosen, values, month)
    if problems:
        raise InputProblems(toml, problems)
    assert report_part is not None and report is not None
    dataset = Dataset(
        source=toml,
        report=report,
        indicators=indicators,
        values=values,
        commentary=tuple(commentary),
        narrative=report_part.narrative,
        business_plan=report_part.business_plan,
        contacts=report_part.contacts,
        sections=tuple(order),
        section_details=_section_details(parts, section_sources, order),
        origins={ident: str(path) for ident, path in origins.items()},
    )
    return ReportInput(dataset, definition, origins, homes)


def _section_details(parts: dict, section_sources: dict, order: list[str]) -> tuple:
    """Each section's responsibilities as stated on the sections sheet of the source the
    report takes that section from (the first, when several sources give it)."""
    out = []
    for section in order:
        part = parts.get(section_sources[section].path)
        out += [d for d in (part.section_details if part is not None else ()) if d.section == section]
    return tuple(out)


_UNKNOWN_ID = "is not an indicator on the indicators sheet"


def _unknown_commentary_id(problem: Problem) -> bool:
    return problem.sheet == "commentary" and _UNKNOWN_ID in problem.message


def _in_report_workbook(problem: Problem, definition: Definition) -> Problem:
    """The report workbook's commentary is checked against every source's indicators: an
    unknown id is one no source defines (the workbook has no indicators sheet of its own)."""
    if _unknown_commentary_id(problem):
        return dataclasses.replace(problem, message=problem.message.replace(
            _UNKNOWN_ID, f"is not an indicator of any source in {definition.path.name}"))
    return problem


def _latest(rows_by_indicator) -> Month | None:
    """The latest month with a figure received: an actual, or a numerator (a forecast is
    what a service expects, not a figure it has)."""
    months = [v.period for rows in rows_by_indicator for v in rows
              if v.actual is not None or v.numerator is not None]
    return max(months) if months else None


def _stale_sources(definition: Definition, chosen, values, month: Month | None) -> list[Problem]:
    """A source is older than the report when its latest figure (of the indicators the
    report takes from it) is before the report's month by more than its ``lag_months``."""
    if month is None:
        return []
    out = []
    for source in definition.sources:
        latest = _latest(values[ind.id] for ind, src in chosen if src is source)
        if latest is None:
            out.append(Problem(str(source.path), "values", None, None, (
                f"has no figures for the indicators {definition.path.name} takes from it ({source.where}), "
                f"so it cannot be reporting {month.long_label}: is this the right file?")))
        elif latest.index + source.lag_months < month.index:
            allowed = f" (lag_months = {source.lag_months})" if source.lag_months else ""
            out.append(Problem(str(source.path), "values", None, None, (
                f"its latest figure is for {latest.long_label}, older than the report's month, "
                f"{month.long_label}{allowed}: use this month's copy of the file; if its figures always come "
                f"later (a quarterly return), set lag_months for it in {definition.path.name} ({source.where})")))
    return out
