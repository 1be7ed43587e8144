"""Figures revised since they were published: the workbook's cards against the register's
rows (pipeline.register reads them; this module is pure).

A figure, target or minimum standard of a period up to the report period that differs,
as the report prints it, from what the latest earlier meeting was given is a revision.
The report's data notes then say so in the councillors' terms: "The June figure has been
revised from 72% to 74% since it was reported to this committee on 5 September 2013."
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from pipeline.cards.compute import CardSet
from pipeline.input.tables import Dataset
from pipeline.quality.checks import Finding
from pipeline.rules.figures import format_figure, format_target, round_figure
from pipeline.rules.periods import MONTH_NAMES, Month

NOTICE = "notice"  # a finding that never blocks: the report itself says what changed

# the columns compared, and how the note names each
MEASURES = (("actual", "figure"), ("target", "target"), ("floor", "minimum standard"))
SET_COLUMNS = frozenset({"target", "floor"})  # printed as set figures (format_target)


@dataclass(frozen=True)
class PublishedFigure:
    """One period of one indicator as a published pack printed it (a row of the register)."""

    indicator_id: str
    period: Month
    unit: str
    decimals: int
    actual: Decimal | None
    target: Decimal | None
    floor: Decimal | None
    rating: str | None
    is_forecast: bool
    committee: str
    meeting_date: _dt.date
    published_at: str = ""  # when it was recorded (ISO, UTC)
    kind: str = "agenda"  # agenda or supplement
    access: str = "public"  # public or exempt
    workbook: str = ""
    report_period: Month | None = None

    def shown(self, column: str) -> str:
        """The column's value as the report printed it: a target or minimum standard as a
        set figure ("80%"), the figure to its places ("80.0%")."""
        value = getattr(self, column)
        if column in SET_COLUMNS:
            return format_target(value, self.unit, self.decimals)
        return format_figure(value, self.unit, self.decimals)


@dataclass(frozen=True)
class Revision:
    indicator_id: str
    period: Month
    what: str  # figure, target or minimum standard
    column: str
    old: str  # as it was printed
    new: str  # as the report prints it now
    published: PublishedFigure
    same_committee: bool
    row: int | None = None  # the values row it comes from

    def note(self, report_period: Month) -> str:
        """The data note, in the councillors' terms."""
        month = MONTH_NAMES[self.period.month - 1]
        if self.period.year != report_period.year:
            month += f" {self.period.year}"
        to = "this committee" if self.same_committee else f"the {self.published.committee}"
        return (f"The {month} {self.what} has been revised from {self.old} to {self.new} since it was "
                f"reported to {to} on {long_date(self.published.meeting_date)}.")

    def finding(self, report_period: Month) -> Finding:
        return Finding(NOTICE, "revised", self.indicator_id, self.period, "values", self.row, self.column,
                       f"{self.note(report_period)} The report's data notes say so.")


def long_date(day: _dt.date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def same_committee(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return re.sub(r"\s+", " ", (text or "").strip().casefold())

    return bool(key(a)) and key(a) == key(b)


def published_figures(cardset: CardSet) -> list[dict]:
    """What a report for ``cardset`` prints of each indicator: every period of its trend
    window (the table and chart), as the register records it (plain values)."""
    out = []
    for card in cardset.cards:
        ind = card.indicator
        for f in card.window():
            out.append({
                "indicator_id": ind.id, "period": f.period.iso, "unit": ind.unit, "decimals": ind.decimals,
                "actual": _text(f.actual), "target": _text(f.target), "floor": _text(f.floor),
                "rating": f.rag.value if f.rag else None, "is_forecast": int(bool(f.is_forecast)),
                "actual_shown": card.fmt(f.actual), "target_shown": card.fmt_target(f.target),
                "floor_shown": card.fmt_target(f.floor),
            })
    return out


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def revisions(dataset: Dataset, cardset: CardSet, published: list[PublishedFigure]) -> list[Revision]:
    """Each figure, target and floor of the cards (periods up to the report period) that
    differs from the latest publication of it to a meeting held before this report's
    meeting (its ``meeting_date``, else its ``date``): a pack rebuilt for the same meeting
    compares with what earlier meetings were told, never with itself. Only public
    publications count: an exempt report's figures are never quoted. Compared on the
    figures as printed, at the indicator's decimal places now; a figure that was blank
    when published and is in now is late, not revised."""
    report = dataset.report
    meeting = report.meeting_date or report.date
    committee = report.committee or report.to
    latest: dict[tuple[str, Month], PublishedFigure] = {}
    for row in published:
        if meeting is not None and row.meeting_date >= meeting:
            continue
        if row.access != "public":
            continue  # what only members were given must not be quoted in a public paper's note
        key = (row.indicator_id, row.period)
        best = latest.get(key)
        if best is None or (row.meeting_date, row.published_at) > (best.meeting_date, best.published_at):
            latest[key] = row
    rows = {(ident, r.period): r for ident, series in dataset.values.items() for r in series}
    out = []
    for card in cardset.cards:
        ind = card.indicator
        for f in card.history:
            if f.period > cardset.period:
                continue
            was = latest.get((ind.id, f.period))
            if was is None:
                continue
            for column, what in MEASURES:
                old, new = getattr(was, column), getattr(f, column)
                if old is None or new is None or round_figure(old, ind.decimals) == new:
                    continue
                row = rows.get((ind.id, f.period))
                shown = card.fmt_target(new) if column in SET_COLUMNS else card.fmt(new)
                out.append(Revision(ind.id, f.period, what, column, was.shown(column), shown, was,
                                    same_committee(was.committee, committee), row.row if row else None))
    return out


def with_revision_notes(dataset: Dataset, found: list[Revision], report_period: Month) -> Dataset:
    """``dataset`` with each revision's note added to its indicator's data notes (each
    note its own paragraph, after the officer's notes)."""
    if not found:
        return dataset
    notes: dict[str, list[str]] = {}
    for rev in found:
        notes.setdefault(rev.indicator_id, []).append(rev.note(report_period))
    indicators = tuple(
        replace(ind, data_notes="\n".join(([ind.data_notes] if ind.data_notes else []) + notes[ind.id]))
        if ind.id in notes else ind
        for ind in dataset.indicators)
    return replace(dataset, indicators=indicators)
