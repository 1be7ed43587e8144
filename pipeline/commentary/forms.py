"""Commentary forms: the .xlsx each officer (or division) fills in, written and read back.

``export_forms`` writes one form per officer (``indicators.owner``) or per division for a
report period. A form has one visible, protected sheet listing the officer's indicators
(latest figure, target, RAG word, direction, previous commentary: all locked) with one
unlocked cell per indicator for this period's commentary, one for its "actions being taken"
(one per line) and one for the officer's name,
and a very hidden sheet recording where the form came from: the master workbook's
identity, the period, a fingerprint of each indicator's figures, the export time and
tool version, the original text of each commentary cell and every locked cell's text.

``read_form`` reads a returned form and lists every way it is unfit to import (not a
form, a cell edited outside the unlocked ones ...). Whether it fits the master (right
workbook, period, figures) is decided by :mod:`pipeline.commentary.merge`.

The form's layout is described for officers in docs/commentary.md.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.cards.compute import Card, CardSet
from pipeline.commentary.checks import figures_fingerprint
from pipeline.errors import Problem
from pipeline.input import cells
from pipeline.rules.periods import Month, parse_month
from pipeline.rules.rating import Rag

KIND = "committee-pipeline commentary form"
FORM_VERSION = "2"  # 2: the actions column (K); a form of version 1 (no actions) is still read
READABLE_VERSIONS = ("1", "2")
FORM_SHEET = "Commentary"
META_SHEET = "_form"
AUTHOR_CELL = "B5"
HEADER_ROW = 7
FIRST_ROW = HEADER_ROW + 1
TEXT_COLUMN = 10  # J: this period's commentary
ACTIONS_COLUMN = 11  # K: this period's actions being taken, one per line
REQUIRED_WORD = "Commentary required"
OPTIONAL_WORD = "Optional"
GROUPINGS = ("owner", "division")

_HEADERS = (  # (header, width)
    ("Ref", 8), ("Indicator", 42), ("Figure for", 10), ("Latest figure", 12), ("Target", 10),
    ("RAG", 10), ("Direction", 11), ("Commentary", 13), ("Previous commentary", 45), (None, 80), (None, 50),
)
_RAG_FILL = {Rag.RED: "F4CCCC", Rag.AMBER: "FCE5CD", Rag.GREEN: "D9EAD3"}
_EDIT_FILL = "FFF2CC"


def master_identity(dataset) -> str:
    """Which master workbook a form belongs to: its indicator ids and report subject,
    not its path (the master may be moved or renamed between export and import)."""
    ids = "\n".join(sorted(ind.id for ind in dataset.indicators))
    subject = dataset.report.subject if dataset.report else ""
    return hashlib.sha256(f"{subject}\n{ids}".encode()).hexdigest()[:32]


def set_text(cell, value: str | None) -> None:
    """Put text in a cell as text: never a formula, even when it starts with '='."""
    if value is None or value == "":
        cell.value = None
        return
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.data_type = "s"


def normalise_text(value) -> str:
    """A commentary cell's text as compared and stored: line breaks kept (CRLF folded),
    trailing spaces trimmed. Formulas are never evaluated: their text is the text."""
    return cells.read_multiline(value)


# ---------------------------------------------------------------------------------
# export


def group_cards(cardset: CardSet, by: str = "owner") -> dict[str, list[Card]]:
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}")
    groups: dict[str, list[Card]] = {}
    for card in cardset.cards:
        key = getattr(card.indicator, by).strip() or f"(no {by})"
        groups.setdefault(key, []).append(card)
    return groups


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "unassigned"


def export_forms(workbook: str | os.PathLike, out_dir: str | os.PathLike, *, period: Month | None = None,
                 by: str = "owner", now: _dt.datetime | None = None) -> list[Path]:
    """Write one form per officer or division; return the paths written."""
    from pipeline.cards.compute import compute_cards
    from pipeline.input.report_definition import read_input

    dataset = read_input(workbook, period)  # a workbook, or a report definition (.toml)
    cardset = compute_cards(dataset, period)
    now = (now or _dt.datetime.now()).replace(microsecond=0)
    out = Path(out_dir)
    written: list[Path] = []
    used: set[str] = set()
    for group, cards_ in group_cards(cardset, by).items():
        name = f"commentary-{cardset.period.iso}-{_slug(group)}"
        candidate, n = name, 2
        while candidate in used:
            candidate, n = f"{name}-{n}", n + 1
        used.add(candidate)
        path = out / f"{candidate}.xlsx"
        write_form(path, dataset, cardset.period, cards_, by=by, group=group, now=now)
        written.append(path)
    return written


def _rag_word(card: Card) -> str:
    if card.indicator.activity:
        return f"{card.range_status.value.capitalize()} range" if card.range_status else "Activity"
    return card.rag.value if card.rag else "Not rated"


def _figure(card: Card) -> str:
    cur = card.current
    if cur is None:
        return "–"
    return card.fmt(cur.actual) + (" (forecast)" if cur.is_forecast else "")


def _rows_needed(texts: list[tuple[str, int]]) -> int:
    lines = 1
    for text, width in texts:
        if text:
            lines = max(lines, sum(max(1, math.ceil(len(part) / max(width - 2, 1))) for part in text.split("\n")))
    return lines


def write_form(path, dataset, period: Month, cards_: list[Card], *, by: str, group: str,
               now: _dt.datetime) -> Path:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.protection import SheetProtection

    from pipeline.commentary.xlsx_out import new_workbook, save

    wb = new_workbook()
    ws = wb.create_sheet(FORM_SHEET)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    editable = PatternFill("solid", fgColor=_EDIT_FILL)
    unlocked = Protection(locked=False)

    subject = dataset.report.subject if dataset.report else ""
    set_text(ws["A1"], f"Performance commentary for {period.long_label}")
    ws["A1"].font = Font(bold=True, size=14)
    set_text(ws["A2"], f"{'Officer' if by == 'owner' else 'Division'}: {group}")
    set_text(ws["A3"], f"Report: {subject}")
    set_text(ws["A4"], (
        f"Type this period's commentary in the yellow cells of column {get_column_letter(TEXT_COLUMN)}; "
        f"nothing else can be changed. Indicators rated RED say '{REQUIRED_WORD}'. "
        "Start a new paragraph on a new line; start a bullet point with '- ' or '• '. "
        f"List any actions being taken in column {get_column_letter(ACTIONS_COLUMN)}, one per line (a first "
        "line ending in ':' introduces them). "
        "Put your name in the yellow cell below. Save the file and send it back as it is."))
    ws["A4"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=ACTIONS_COLUMN)
    ws.row_dimensions[4].height = 44
    set_text(ws["A5"], "Your name:")
    ws["A5"].font = bold
    author = ws[AUTHOR_CELL]
    author.protection = unlocked
    author.fill = editable
    author.border = box
    author.number_format = "@"

    headers = [h for h, _ in _HEADERS[:-2]] + [f"Commentary for {period.label} (type here)",
                                               f"Actions being taken for {period.label} (type here)"]
    for col, (header, (_, width)) in enumerate(zip(headers, _HEADERS), start=1):
        cell = ws.cell(HEADER_ROW, col)
        set_text(cell, header)
        cell.font = bold
        cell.alignment = wrap
        cell.border = box
        ws.column_dimensions[get_column_letter(col)].width = width

    indicator_rows = []
    for offset, card in enumerate(cards_):
        row = FIRST_ROW + offset
        ind = card.indicator
        required = card.rag == Rag.RED
        previous = card.previous_commentary
        prev_text = f"{previous.period.label}: {previous.text}" if previous else ""
        if previous and previous.actions:
            prev_text += f"\nActions being taken:\n{previous.actions}"
        current = card.commentary.text if card.commentary else ""
        current_actions = card.commentary.actions if card.commentary else ""
        values = [
            ind.id, ind.title, card.current.period.label if card.current else "–", _figure(card),
            card.fmt_target(card.current.target) if card.current else "–", _rag_word(card),
            card.direction.value.capitalize() if card.direction else "–",
            REQUIRED_WORD if required else OPTIONAL_WORD, prev_text,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col)
            set_text(cell, value)
            cell.alignment = wrap
            cell.border = box
        if card.rag in _RAG_FILL and not ind.activity:
            ws.cell(row, 6).fill = PatternFill("solid", fgColor=_RAG_FILL[card.rag])
        if required:
            ws.cell(row, 8).font = bold
        for column, text in ((TEXT_COLUMN, current), (ACTIONS_COLUMN, current_actions)):
            text_cell = ws.cell(row, column)
            set_text(text_cell, text)
            text_cell.protection = unlocked
            text_cell.fill = editable
            text_cell.alignment = wrap
            text_cell.border = box
            text_cell.number_format = "@"  # Excel keeps what is typed as text, '=' included
        lines = _rows_needed([(ind.title, _HEADERS[1][1]), (prev_text, _HEADERS[8][1]),
                              (current, _HEADERS[9][1]), (current_actions, _HEADERS[10][1])])
        ws.row_dimensions[row].height = min(409, max(30, 15 * (lines + 1)))
        indicator_rows.append((ind.id, row, figures_fingerprint(card), current, current_actions))

    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # protection without a password: it guards against slips, the import checks the rest
    ws.protection = SheetProtection(sheet=True, formatRows=False, formatColumns=False,
                                    selectLockedCells=False, selectUnlockedCells=False)
    ws.sheet_view.selection[0].activeCell = ws.cell(FIRST_ROW, TEXT_COLUMN).coordinate
    ws.sheet_view.selection[0].sqref = ws.cell(FIRST_ROW, TEXT_COLUMN).coordinate

    editable_cells = [AUTHOR_CELL] + [ws.cell(r, c).coordinate for _, r, *_ in indicator_rows
                                      for c in (TEXT_COLUMN, ACTIONS_COLUMN)]
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    rows = [("meta", "kind", KIND), ("meta", "form_version", FORM_VERSION),
            ("meta", "tool_version", __version__), ("meta", "master_id", master_identity(dataset)),
            ("meta", "report_subject", subject), ("meta", "period", period.iso),
            ("meta", "exported_at", now.isoformat(timespec="seconds")), ("meta", "group_by", by),
            ("meta", "group", group), ("meta", "sheet", FORM_SHEET),
            ("meta", "author_cell", AUTHOR_CELL), ("meta", "editable", " ".join(editable_cells))]
    rows += [("indicator", ident, ws.cell(row, TEXT_COLUMN).coordinate, fp, original,
              ws.cell(row, ACTIONS_COLUMN).coordinate, actions)
             for ident, row, fp, original, actions in indicator_rows]
    editable_set = set(editable_cells)
    for line in ws.iter_rows():
        for cell in line:
            if cell.coordinate not in editable_set and cell.value is not None:
                rows.append(("cell", cell.coordinate, str(cell.value)))
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            set_text(meta.cell(r, c), value)
    meta.protection = SheetProtection(sheet=True)
    wb.active = wb.sheetnames.index(FORM_SHEET)
    save(wb, path)
    return Path(path)


# ---------------------------------------------------------------------------------
# reading a returned form


FIELDS = ("text", "actions")  # what an officer writes on a form: the master's commentary columns


@dataclass(frozen=True)
class FormRow:
    indicator_id: str
    cell: str  # e.g. "J8"
    fingerprint: str  # of the figures at export
    original: str  # the commentary cell's text at export
    text: str  # the commentary cell's text now
    actions_cell: str = ""  # e.g. "K8"; "" on a form of version 1, which has no actions
    actions_original: str = ""
    actions: str = ""

    @property
    def changed(self) -> bool:
        """Anything the officer changed (commentary or actions)."""
        return any(original != now for _, _, original, now in self.fields())

    def fields(self) -> list[tuple[str, str, str, str]]:
        """(field, cell, text at export, text now) of each cell the officer could change."""
        out = [("text", self.cell, self.original, self.text)]
        if self.actions_cell:
            out.append(("actions", self.actions_cell, self.actions_original, self.actions))
        return out


@dataclass
class Form:
    path: str
    meta: dict[str, str]
    period: Month
    author: str
    rows: list[FormRow] = field(default_factory=list)

    @property
    def master_id(self) -> str:
        return self.meta.get("master_id", "")

    @property
    def label(self) -> str:
        return Path(self.path).name


class FormProblems(Exception):
    """A returned file cannot be read as a form; ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _compare(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").rstrip()


def read_form(path: str | os.PathLike) -> Form:
    """Read a returned form; raise FormProblems listing everything that makes it unfit."""
    name = str(path)

    def fail(message, sheet=None, cell=None):
        raise FormProblems([Problem(name, sheet, None, cell, message)])

    p = Path(path)
    if not p.is_file():
        fail("file not found" if not p.exists() else "is a folder, not a commentary form")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, data_only=False)  # formulas come back as their text, never evaluated
    except Exception as exc:  # openpyxl raises many types for files it cannot read
        fail(f"is not an Excel .xlsx workbook, or is damaged ({type(exc).__name__})")
    not_form = "is not a commentary form exported by committee-pipeline (export forms with `commentary export`)"
    if META_SHEET not in wb.sheetnames:
        fail(not_form)
    meta: dict[str, str] = {}
    indicator_rows: list[tuple[str, str, str, str, str, str]] = []
    snapshot: dict[str, str] = {}
    for values in wb[META_SHEET].iter_rows(values_only=True):
        kind, *rest = list(values) + [None] * 7
        text = ["" if v is None else str(v) for v in rest[:6]]
        if kind == "meta":
            meta[text[0]] = text[1]
        elif kind == "indicator":
            indicator_rows.append((text[0], text[1], text[2], normalise_text(text[3]), text[4],
                                   normalise_text(text[5])))
        elif kind == "cell":
            snapshot[text[0]] = _compare(text[1])
    if meta.get("kind") != KIND:
        fail(not_form)
    if meta.get("form_version") not in READABLE_VERSIONS:
        fail(f"is a form of version {meta.get('form_version')!r}; this tool reads versions "
             f"{' and '.join(READABLE_VERSIONS)}: "
             "export the forms again")
    try:
        period = parse_month(meta.get("period"))
    except ValueError:
        fail(not_form + ": its record of the period is damaged")
    sheet = meta.get("sheet", FORM_SHEET)
    if sheet not in wb.sheetnames:
        fail(f"the sheet {sheet!r} is missing: send back the form as it was exported, with its sheet's name unchanged")
    ws = wb[sheet]
    editable = set(meta.get("editable", "").split())
    problems: list[Problem] = []
    seen = set()
    for line in ws.iter_rows(min_row=1, max_row=max(ws.max_row, 1), max_col=max(ws.max_column, 1)):
        for cell in line:
            coord = cell.coordinate
            if coord in editable:
                continue
            seen.add(coord)
            now_text = _compare(cell.value)
            if now_text != snapshot.get(coord, ""):
                was = snapshot.get(coord, "")
                what = (f'was "{quote_short(was)}", now "{quote_short(now_text)}"' if was and now_text
                        else f'was "{quote_short(was)}", now empty' if was else f'now "{quote_short(now_text)}"')
                problems.append(Problem(name, sheet, None, coord,
                                        f"changed outside the commentary cells ({what}): only the yellow "
                                        "cells may be edited"))
    for coord, was in snapshot.items():
        if coord not in seen and was:
            problems.append(Problem(name, sheet, None, coord,
                                    f'"{quote_short(was)}" was removed: only the yellow cells may be edited'))
    rows = []
    for ident, coord, fingerprint, original, actions_coord, actions_original in indicator_rows:
        actions = normalise_text(ws[actions_coord].value) if actions_coord else ""
        rows.append(FormRow(ident, coord, fingerprint, original, normalise_text(ws[coord].value),
                            actions_coord, actions_original, actions))
    if problems:
        raise FormProblems(problems)
    author = cells.read_text(ws[meta.get("author_cell", AUTHOR_CELL)].value)
    return Form(name, meta, period, author, rows)


def quote_short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
