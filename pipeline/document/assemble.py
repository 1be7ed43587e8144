"""Cards + report fields + commentary -> the one :class:`~pipeline.document.model.Document`.

The cover report (portrait) comes first, then the appendices (landscape): the business
plan exception report when there are delayed or cancelled actions, then one appendix per
section in the workbook's order. Both renderers read only the result, so the DOCX and
the PDF carry the same facts and the same formatted figures.
"""
from __future__ import annotations

import string
from pathlib import Path

from pipeline.cards.compute import CardSet, check_report_agrees, has_figure_for_period
from pipeline.document.appendix import business_plan_part, section_part
from pipeline.document.common import Wording, load_wording, long_date
from pipeline.document.cover import AppendixRef, cover_part
from pipeline.document.model import Document
from pipeline.input.tables import Dataset


def build_document(dataset: Dataset, cardset: CardSet, template: str | Path | None = None) -> Document:
    """The report for ``cardset.period``. Refused (``PeriodRefused``) when the report sheet
    states another month (its period, or the month its subject or title names): every
    date and period the report prints must be the period built."""
    check_report_agrees(dataset, cardset.period)
    wording = load_wording(dataset, cardset, template)
    letters = iter(string.ascii_uppercase)
    appendices: list[AppendixRef] = []
    parts = []
    exceptions = [item for item in dataset.business_plan if item.is_exception]
    if exceptions:
        letter = next(letters)
        appendices.append(AppendixRef(letter, wording.text("business_plan", "bullet", appendix=letter),
                                      f"appendix-{letter.lower()}"))
        parts.append(business_plan_part(exceptions, letter, wording))
    for section in cardset.sections:
        cards = cardset.section(section)
        if not cards:
            continue
        letter = next(letters)
        appendices.append(AppendixRef(letter, wording.text("bullets", "section", appendix=letter, section=section),
                                      f"appendix-{letter.lower()}"))
        parts.append(section_part(section, letter, cards, cardset, dataset, wording))
    cover = cover_part(dataset, cardset, wording, appendices)
    report = dataset.report
    meeting = long_date(report.meeting_date)
    footer = " – ".join(x for x in (report.committee, meeting) if x)
    return Document(
        title=report.report_title or report.subject,
        subject=report.subject,
        author=report.directorate or (report.from_lines[0] if report.from_lines else ""),
        parts=(cover, *parts),
        keywords=tuple(k for k in ("performance dashboard", report.directorate, report.committee,
                                   cardset.period.long_label) if k),
        classification=report.classification,
        footer_text=footer,
        date=report.date.isoformat(),
        meta={"notices": tuple(data_notices(cardset)), "period": cardset.period.iso,
              "period_warning": cardset.period_warning, "wording": wording.source},
    )


def data_notices(cardset: CardSet) -> list[str]:
    """Which cards have no figure for the report period (``has_figure_for_period``: the
    period guard's own rule), led by the guard's warning when there are many.

    Information for the officer, not a fault: the council publishes indicators whose latest
    figure lags (seed 004 reports delayed transfers for August in a September report), so
    these never stop ``build --strict``; the commentary rules (pipeline.commentary.checks) do.
    """
    out = [cardset.period_warning] if cardset.period_warning else []
    for card in cardset.cards:
        ind = card.indicator
        if card.current is None:
            out.append(f"{ind.id}: no figure at or before {cardset.period.label}")
        elif not has_figure_for_period(card):
            out.append(f"{ind.id}: latest figure is for {card.current.period.label}, not {cardset.period.label}")
    return out


__all__ = ["build_document", "Wording"]
