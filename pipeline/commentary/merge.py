"""Merging returned commentary forms into the master workbook without losing a word.

``plan_import`` reads the master and every returned form and decides, all at once:

- which forms are refused (not a form, another workbook, another period, an indicator
  the master does not have, a cell edited outside the commentary cells, figures that
  changed since the form was exported): :class:`FormsRefused`, nothing written;
- which commentaries conflict: two forms changing the same indicator's commentary
  differently, or a form changing a commentary that was changed in the master since
  the form was exported: :class:`~pipeline.errors.ConflictError` with both texts,
  nothing written;
- otherwise the changes: a commentary the officer changed (its text differs from the
  text the form was exported with) and the master does not hold yet. Re-importing a
  form changes nothing.

A form has two cells an officer writes in per indicator, the commentary and the "actions
being taken" (the master's ``text`` and ``actions`` columns); each is merged, and each
conflicts, on its own, by exactly the rules above.

``apply_import`` then writes a timestamped backup of the master next to it and rewrites
the master atomically, changing only the commentary sheet's rows for those commentaries
(text or actions, author, updated, and the ``# figures`` fingerprint the build checks against).

``import_forms`` does both while holding the master's lock (:mod:`pipeline.infra.locks`): two
imports into one master at the same moment run one after the other, and the second plans
against what the first wrote, never against a copy read before it. A dry run plans without
the lock (it writes nothing). How the master file itself is protected (read-only, open in
Excel, full disk, Ctrl-C) is in :mod:`pipeline.commentary.master_file`.

The master may also be a report definition (``.toml``, :mod:`pipeline.input.report_definition`):
each indicator's commentary is then kept in one file (the report workbook, or a source that
keeps its own), and each change is written to that file only, with the same backup, under
that file's lock; the locks of every such file are held from planning to writing, taken in
the order of their paths so that two imports never wait for each other.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.commentary.checks import FINGERPRINT_HEADER, figures_fingerprint
from pipeline.commentary.forms import FIELDS, Form, FormProblems, master_identity, quote_short, read_form, set_text
from pipeline.commentary.master_file import backup_and_replace, check_writable, not_writable_reason
from pipeline.errors import EXIT_PROBLEMS, ConflictError, PipelineError, Problem
from pipeline.input import cells
from pipeline.rules.periods import Month

MASTER_SOURCE = "the master workbook"


class FormsRefused(PipelineError):
    """One or more returned forms cannot be imported; nothing was written."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        files = sorted({p.file for p in problems})
        lines = [f"refused {len(files)} {'file' if len(files) == 1 else 'files'}; nothing was imported "
                 "(leave out or replace the refused files and run the import again):"]
        for file in files:
            lines.append(f"  {file}:")
            lines += [f"    {p}" for p in problems if p.file == file]
        super().__init__("\n".join(lines))


# how a change or conflict names the field: the commentary says nothing (as before), actions say so
_FIELD_LABEL = {"text": "", "actions": " actions"}
_FIELD_NOUN = {"text": "the commentary", "actions": "the actions being taken"}


@dataclass(frozen=True)
class Change:
    indicator_id: str
    period: Month
    old: str
    new: str
    author: str
    sources: tuple[str, ...]
    fingerprint: str
    field: str = "text"  # the master's commentary column: "text" or "actions"
    home: Path | None = None  # the file the commentary is kept in (None: the master itself)

    def describe(self) -> str:
        old = f'"{quote_short(self.old)}"' if self.old else "(none)"
        new = f'"{quote_short(self.new)}"' if self.new else "(cleared)"
        return (f"{self.indicator_id} ({self.period.label}){_FIELD_LABEL[self.field]}, by {self.author or 'unknown'} "
                f"from {', '.join(self.sources)}: {old} -> {new}")


@dataclass(frozen=True)
class Conflict:
    indicator_id: str
    period: Month
    texts: tuple[tuple[str, str], ...]  # (where, text)
    field: str = "text"

    def describe(self) -> str:
        lines = [f"{self.indicator_id} ({self.period.label}): {_FIELD_NOUN[self.field]} was changed differently in"]
        for where, text in self.texts:
            lines.append(f"  {where}:")
            lines += [f"    | {line}" for line in (text or "(empty)").split("\n")]
        return "\n".join(lines)


class CommentaryConflict(ConflictError):
    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        lines = [f"{len(conflicts)} commentary {'conflict' if len(conflicts) == 1 else 'conflicts'}; "
                 "nothing was imported. Agree one text with the officers, put it in one form "
                 "(or in the master) and import again:"]
        lines += [c.describe() for c in conflicts]
        super().__init__("\n".join(lines))


@dataclass
class ImportPlan:
    master: Path
    period: Month
    master_bytes: bytes
    changes: list[Change] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)  # (file, indicator) already in the master
    unchanged_forms: list[str] = field(default_factory=list)  # files in which nothing was changed
    forms: list[Form] = field(default_factory=list)
    files: dict[Path, bytes] = field(default_factory=dict)  # each file commentary is kept in, as read
    written: list[tuple[Path, Path]] = field(default_factory=list)  # (file, its backup), once written

    def home(self, change: Change) -> Path:
        return change.home or self.master

    def report(self) -> str:
        lines = []
        if self.changes:
            noun = "commentary" if len(self.changes) == 1 else "commentaries"
            lines.append(f"{len(self.changes)} {noun} to change in {self.master} ({self.period.long_label}):")
            for home in dict.fromkeys(self.home(c) for c in self.changes):
                if home != self.master:  # a report definition: each file its own changes
                    lines.append(f"  in {home}:")
                lines += [f"  {'  ' if home != self.master else ''}{c.describe()}"
                          for c in self.changes if self.home(c) == home]
        else:
            lines.append(f"Nothing to change in {self.master}: "
                         + ("every change in these files is already in the master." if self.already
                            else "no commentary was changed in these files."))
        if self.already:
            lines.append("Already in the master (re-imported, unchanged): "
                         + ", ".join(f"{ident} ({Path(f).name})" for f, ident in self.already))
        if self.unchanged_forms:
            lines.append("No commentary changed in: " + ", ".join(Path(f).name for f in self.unchanged_forms))
        return "\n".join(lines)


def plan_import(master: str | os.PathLike, files: list, period: Month | None = None) -> ImportPlan:
    from pipeline.cards.compute import compute_cards
    from pipeline.input.report_definition import read_report_input

    master = Path(master)
    report_input = read_report_input(master, period)  # an invalid master: InputProblems
    dataset = report_input.dataset
    kept: dict[Path, bytes] = {}  # the master, and each file that keeps commentary, as read
    for file in (master,) + tuple(f for f in report_input.commentary_files if f != master):
        try:
            kept[file] = file.read_bytes()
        except OSError as exc:
            raise PipelineError(f"cannot read {file}: {exc.strerror}") from None
    master_bytes = kept[master]
    homes = report_input.homes if report_input.definition is not None else {}
    cardset = compute_cards(dataset, period)
    period = cardset.period
    cards = {c.indicator.id: c for c in cardset.cards}
    current = {(c.indicator_id, c.period, name): getattr(c, name) for c in dataset.commentary for name in FIELDS}
    identity = master_identity(dataset)
    subject = dataset.report.subject if dataset.report else ""

    problems: list[Problem] = []
    forms: list[Form] = []
    for file in files:
        try:
            form = read_form(file)
        except FormProblems as exc:
            problems += exc.problems
            continue
        name = form.path
        if form.master_id != identity:
            problems.append(Problem(name, None, None, None,
                                    f'was exported from another workbook ("{form.meta.get("report_subject", "")}"), '
                                    f'not from {master.name} ("{subject}")'))
            continue
        if form.period != period:
            problems.append(Problem(name, None, None, None,
                                    f"was exported for {form.period.long_label}, but {master.name} is being merged "
                                    f"for {period.long_label}: export a new form for {period.long_label}"))
            continue
        bad = False
        for row in form.rows:
            if row.indicator_id not in cards:
                problems.append(Problem(name, None, None, row.cell,
                                        f"indicator {row.indicator_id} is not in {master.name}"))
                bad = True
            elif row.changed and row.fingerprint != figures_fingerprint(cards[row.indicator_id]):
                problems.append(Problem(name, None, None, row.cell, (
                    f"the figures for {row.indicator_id} have changed since this form was exported "
                    f"({form.meta.get('exported_at', '?')}): its commentary may no longer describe them. "
                    "Export a new form, check the commentary against the new figures and send that back")))
                bad = True
        if not bad:
            forms.append(form)
    if problems:
        raise FormsRefused(problems)

    plan = ImportPlan(master, period, master_bytes, forms=forms, files=kept)
    # (id, field) -> new text -> [(form, original)]
    proposals: dict[tuple[str, str], dict[str, list[tuple[Form, str]]]] = {}
    for form in forms:
        changed = [r for r in form.rows if r.changed]
        if not changed:
            plan.unchanged_forms.append(form.path)
        for row in changed:
            for name, _cell, original, now in row.fields():
                if now != original:
                    proposals.setdefault((row.indicator_id, name), {}).setdefault(now, []).append((form, original))

    conflicts: list[Conflict] = []
    for ident in cards:
        for name in FIELDS:
            if (ident, name) not in proposals:
                continue
            texts = proposals[(ident, name)]
            in_master = current.get((ident, period, name), "")
            if len(texts) > 1:
                conflicts.append(Conflict(ident, period, tuple(
                    (", ".join(Path(f.path).name for f, _ in sources), text) for text, sources in texts.items()),
                    name))
                continue
            (text, sources), = texts.items()
            if text == in_master:
                plan.already += [(f.path, ident) for f, _ in sources if (f.path, ident) not in plan.already]
                continue
            stale = [f for f, original in sources if original != in_master]
            if stale:
                conflicts.append(Conflict(ident, period, (
                    (f"{MASTER_SOURCE} (changed since {Path(stale[0].path).name} was exported)", in_master),
                    (", ".join(Path(f.path).name for f in stale), text)), name))
                continue
            card = cards[ident]
            author = next((f.author for f, _ in sources if f.author), "") or card.indicator.owner
            plan.changes.append(Change(ident, period, in_master, text, author,
                                       tuple(Path(f.path).name for f, _ in sources), figures_fingerprint(card), name,
                                       home=homes.get(ident)))
    if conflicts:
        raise CommentaryConflict(conflicts)
    return plan


def master_lock_name(master: Path) -> str:
    return f"the master workbook {Path(master).name}"


def apply_import(plan: ImportPlan, now: _dt.datetime) -> Path | None:
    """Back up the master and write the changes into it atomically; return the backup's path
    (None when there was nothing to change). Call it with the master's lock held (as
    :func:`import_forms` does), right after planning.

    A report definition's changes go to the files their commentary is kept in (``plan.written``
    lists each with its backup; the first backup is returned). Every file is checked first
    (writable, unchanged since it was read), so one that cannot be written stops the import
    before anything is; the writes then run one file after another with Ctrl-C held back until
    the last is done, and a failure part way names what was already written (importing the
    same forms again completes it: what is there already is not changed again)."""
    if not plan.changes:
        return None
    homes = list(dict.fromkeys(plan.home(c) for c in plan.changes))
    if homes == [plan.master] and not plan.files.get(plan.master):
        plan.files[plan.master] = plan.master_bytes
    for home in homes:
        check_writable(home, _what(plan, home))
    for home in homes:
        try:
            current = home.read_bytes()
        except OSError as exc:
            raise PipelineError(f"cannot read {home}: {exc.strerror}") from None
        if current != plan.files[home]:  # changed by hand (or by a run that took no lock)
            raise PipelineError(f"{home} changed while the forms were being read: nothing was written; "
                                "run the import again")
    if len(homes) == 1:
        backup = _write_changes(plan, homes[0], now)
        plan.written.append((homes[0], backup))
        return backup
    from pipeline.infra.interrupts import deferred

    with deferred():
        for home in homes:
            try:
                backup = _write_changes(plan, home, now)
            except PipelineError as exc:
                if not plan.written:
                    raise
                done = ", ".join(f"{f} (backup {b.name})" for f, b in plan.written)
                raise type(exc)(f"{exc}. Already written: {done}; import the same forms again to write the "
                                "rest") from None
            plan.written.append((home, backup))
    return plan.written[0][1]


def _what(plan: ImportPlan, home: Path) -> str:
    return "the master workbook" if home == plan.master else "the commentary workbook"


def _write_changes(plan: ImportPlan, home: Path, now: _dt.datetime) -> Path:
    """One file's changes: backed up and replaced (pipeline.commentary.master_file)."""
    from openpyxl import load_workbook

    # the file as read and backed up, not the file again: what is written is exactly the
    # backup plus these changes
    wb = load_workbook(io.BytesIO(plan.files[home]))  # not read-only: everything else is kept
    ws = _commentary_sheet(wb)
    columns = _columns(ws, actions=any(c.field == "actions" for c in plan.changes if plan.home(c) == home))
    rows = _rows_by_key(ws, columns)
    now = now.replace(microsecond=0)
    next_row = _last_row(ws) + 1
    for change in plan.changes:
        if plan.home(change) != home:
            continue
        row = rows.get((change.indicator_id, change.period))
        if row is None:
            row, next_row = next_row, next_row + 1
            set_text(ws.cell(row, columns["indicator_id"]), change.indicator_id)
            set_text(ws.cell(row, columns["period"]), change.period.iso)
        set_text(ws.cell(row, columns[change.field]), change.new)
        set_text(ws.cell(row, columns["author"]), change.author)
        updated = ws.cell(row, columns["updated"])
        updated.value = now
        updated.number_format = "yyyy-mm-dd hh:mm"
        set_text(ws.cell(row, columns["fingerprint"]), change.fingerprint)
    return backup_and_replace(home, plan.files[home], wb.save, now)


def import_forms(master: str | os.PathLike, files: list, *, now: _dt.datetime, dry_run: bool = False,
                 period: Month | None = None, on_plan=None) -> tuple[ImportPlan, Path | None]:
    """Plan and (unless ``dry_run``) apply an import. The real import holds the master's lock
    from reading the master to writing it; a second import waits for it (see
    :func:`pipeline.infra.locks.hold`), then merges against the master the first one wrote.
    ``on_plan(plan)`` is called before anything is written (the command line prints the plan)."""
    from pipeline.infra.locks import hold

    master = Path(master)
    on_plan = on_plan or (lambda plan: None)
    if dry_run or not master.is_file():  # a missing master: planning says so; lock nothing
        plan = plan_import(master, files, period)
        on_plan(plan)
        return plan, None
    with contextlib.ExitStack() as locks:
        for file in _lock_order(master):
            locks.enter_context(hold(file, master_lock_name(file)))
        plan = plan_import(master, files, period)
        if plan.changes:  # refused before the plan is shown as if it were about to happen
            for home in dict.fromkeys(plan.home(c) for c in plan.changes):
                check_writable(home, _what(plan, home))
        on_plan(plan)
        return plan, apply_import(plan, now)


def _lock_order(master: Path) -> list[Path]:
    """The files whose locks an import holds: the master workbook, or a report definition's
    files that keep commentary (by path, so two imports take them in the same order)."""
    from pipeline.input.report_definition import commentary_homes, is_definition

    if not is_definition(master):
        return [master]
    return sorted(commentary_homes(master), key=str)


def preview_warning(master: str | os.PathLike) -> str | None:
    """Why a real import into ``master`` would be refused now (for a dry run to say so)."""
    from pipeline.input.report_definition import commentary_homes

    master = Path(master)
    if not master.is_file():
        return None
    try:
        files = commentary_homes(master)
    except PipelineError:
        return None  # (the plan said what is wrong with it)
    reasons = [not_writable_reason(f, "the master workbook" if f == master else "the commentary workbook")
               for f in files if f.is_file()]
    return next((r for r in reasons if r), None)


# ---------------------------------------------------------------------------------
# the master's commentary sheet


def _commentary_sheet(wb):
    for name in wb.sheetnames:
        if cells.normalise_header(name) == "commentary":
            return wb[name]
    ws = wb.create_sheet("commentary")
    for col, header in enumerate(("indicator_id", "period", "text", "author", "updated"), start=1):
        ws.cell(1, col, header)
    return ws


def _columns(ws, actions: bool = False) -> dict[str, int]:
    """Where each commentary column is, adding any missing (the ``actions`` column only when
    ``actions``: a master whose officers write none keeps its sheet as it was)."""
    from pipeline.input.workbook import COMMENTARY

    columns: dict[str, int] = {}
    last = 0
    for cell in ws[1]:
        if cell.value is None:
            continue
        last = cell.column
        if cells.read_text(cell.value).lower() == FINGERPRINT_HEADER:
            columns.setdefault("fingerprint", cell.column)
            continue
        key = cells.normalise_header(cell.value)
        key = COMMENTARY.aliases.get(key, key)
        if key in COMMENTARY.columns and not str(cell.value).strip().startswith("#"):
            columns.setdefault(key, cell.column)
    for key, header in (("indicator_id", "indicator_id"), ("period", "period"), ("text", "text"),
                        ("author", "author"), ("updated", "updated"), ("fingerprint", FINGERPRINT_HEADER),
                        ("actions", "actions")):
        if key not in columns and (key != "actions" or actions):
            last += 1
            columns[key] = last
            set_text(ws.cell(1, last), header)
    return columns


def _rows_by_key(ws, columns) -> dict[tuple[str, Month], int]:
    out = {}
    for row in range(2, ws.max_row + 1):
        ident = cells.read_text(ws.cell(row, columns["indicator_id"]).value)
        try:
            period = cells.read_month(ws.cell(row, columns["period"]).value)
        except cells.CellError:
            continue
        if ident:
            out.setdefault((ident, period), row)
    return out


def _last_row(ws) -> int:
    for row in range(ws.max_row, 1, -1):
        if any(c.value is not None for c in ws[row]):
            return row
    return 1
