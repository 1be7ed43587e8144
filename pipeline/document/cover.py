"""The cover report (portrait): memo header, summary, recommendation, numbered
paragraphs in the standard wording, recommendations, contacts, background documents.
Layout follows seeds 000-003; the wording comes from report_templates/."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.cards.compute import Card, CardSet
from pipeline.document.common import Wording, anchor_for, has_phased_targets, long_date
from pipeline.document.model import (
    Block,
    BulletList,
    Cell,
    Heading,
    Paragraph,
    Part,
    Rule,
    Run,
    Table,
    flowing_rows,
    runs,
)
from pipeline.document.spc import count_signals, cover_blocks
from pipeline.document.textblocks import text_blocks
from pipeline.errors import PipelineError
from pipeline.input.tables import DataPeriod, Dataset
from pipeline.rules.rating import Rag


@dataclass(frozen=True)
class AppendixRef:
    letter: str
    text: str  # the bullet's wording
    anchor: str


def _memo_row(label: str, value: tuple[Run, ...]) -> tuple[Cell, Cell]:
    return (Cell(runs(label), header=True, scope="row", bold=True), Cell(value))


def memo_table(dataset: Dataset, wording: Wording) -> Table:
    report = dataset.report
    rows = [
        _memo_row(wording.text("memo", "from_label"), runs("\n".join(report.from_lines))),
        _memo_row(wording.text("memo", "to_label"), runs(report.to)),
        _memo_row(wording.text("memo", "date_label"), runs(long_date(report.date))),
        _memo_row(wording.text("memo", "subject_label"), (Run(report.subject, bold=True),)),
        _memo_row(wording.text("memo", "classification_label"), runs(report.classification)),
    ]
    return Table(columns=(0.22, 0.78), header_rows=(), rows=flowing_rows(rows),
                 caption="Report details: from, to, date, subject and classification",
                 kind="memo", repeat_header=False)


def conditions(cards: tuple[Card, ...]) -> dict[str, bool]:
    return {
        "phased": any(has_phased_targets(c) for c in cards if not c.indicator.activity),
        "annual": any(c.indicator.data_period == DataPeriod.ANNUAL for c in cards),
        "activity": any(c.indicator.activity for c in cards),
        "red": any(c.rag == Rag.RED and not c.indicator.activity for c in cards),
        # (a report with spc = N has every card's SPC off)
        "spc": bool(count_signals(cards).assessed),
    }


# an officer's commentary that points to "the data notes (below)" means those on the
# indicator's own page, which the cover report does not hold: the officer's words stay as
# they are, and a note after them links to that page
_POINTS_TO_DATA_NOTES = re.compile(r"\bdata\s+notes?\b", re.IGNORECASE)
DATA_NOTES_NOTE = "(The data notes are on this indicator's page in the appendix.)"


def cell_paragraphs(text: str | None) -> str:
    """The commentary for one table cell: its paragraphs apart, with an empty line
    between them (a cell holds lines, not paragraphs); a bullet list's items on lines
    of their own, '• ' kept."""
    out = []
    for block in text_blocks(text):
        if isinstance(block, BulletList):
            out.append("\n".join("• " + "".join(r.text for r in item) for item in block.items))
        else:
            out.append("".join(r.text for r in block.content))
    return "\n\n".join(out)


def red_commentary_table(cards: tuple[Card, ...], wording: Wording) -> Table:
    rows = []
    for card in cards:
        if card.indicator.activity or card.rag != Rag.RED:
            continue
        text = cell_paragraphs(card.commentary.text) if card.commentary else ""
        content = runs(text or wording.text("appendix", "no_commentary"))
        if _POINTS_TO_DATA_NOTES.search(text):
            content += (Run("\n\n"), Run(DATA_NOTES_NOTE, href=f"#{anchor_for(card)}"))
        rows.append((
            Cell(runs(card.indicator.title), header=True, scope="row"),
            Cell(content),
        ))
    return Table(
        columns=(0.35, 0.65),
        header_rows=((Cell(runs("Indicator"), header=True, scope="col"),
                      Cell(runs("Commentary"), header=True, scope="col")),),
        rows=flowing_rows(rows),  # a long commentary runs on in continuation rows
        caption="Commentary for the indicators rated Red",
        kind="data",
    )


class _Numberer:
    def __init__(self):
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"{self.n}."


def cover_part(dataset: Dataset, cardset: CardSet, wording: Wording, appendices: list[AppendixRef]) -> Part:
    report = dataset.report
    cards = cardset.cards
    when = conditions(cards)
    number = _Numberer()
    blocks: list[Block] = [memo_table(dataset, wording), Rule()]
    if report.summary:
        blocks.append(Paragraph(runs(Run(wording.text("memo", "summary_label") + " ", bold=True), report.summary)))
    if report.recommendation:
        blocks.append(Paragraph(runs(Run(wording.text("memo", "recommendation_label") + " ", bold=True),
                                     report.recommendation)))
    blocks.append(Rule())
    for index, section in enumerate(wording.get("cover", "sections")):
        if section.get("when") and not when.get(section["when"], False):
            continue
        blocks.append(Heading(1, wording.fill(section["heading"])))
        for item in section.get("blocks", []):
            if item.get("when") and not when.get(item["when"], False):
                continue
            blocks += _cover_block(item, wording, number, cards, appendices, report)
        if index == 0:  # the report's own introductory paragraphs follow the standard ones
            blocks += [Paragraph(runs(wording.fill(t)), number=number.next()) for t in report.intro_paragraphs]
    blocks.append(Heading(1, wording.text("cover", "contact_heading")))
    for contact in dataset.contacts:
        lines = [("Name", contact.name, None), ("Title", contact.title, None), ("Team", contact.team, None),
                 ("Tel No", contact.tel, None), ("Email", contact.email, f"mailto:{contact.email}")]
        for label, value, href in lines:
            if value:
                blocks.append(Paragraph((Run(f"{label}: ", bold=True), Run(value, href=href))))
    blocks.append(Heading(1, wording.text("cover", "background_heading")))
    documents = [d for d in report.background_documents if d.strip()]
    if not documents or [d.strip().lower() for d in documents] == ["none"]:
        blocks.append(Paragraph(runs(wording.text("cover", "background_none"))))
    else:
        blocks.append(BulletList(tuple(runs(d) for d in documents)))
    return Part(title=report.subject, orientation="portrait", blocks=tuple(blocks),
                running_header=f"Agenda item {report.agenda_item}" if report.agenda_item else "",
                anchor="cover")


def _cover_block(item: dict, wording: Wording, number: _Numberer, cards, appendices, report) -> list[Block]:
    if "p" in item:
        return [Paragraph(runs(wording.fill(item["p"])), number=number.next())]
    if "text" in item:
        return [Paragraph(runs(wording.fill(item["text"])))]
    if "quote" in item:
        return [Paragraph(runs(wording.fill(item["quote"])), style="quote")]
    if "bullets" in item:
        return [BulletList(tuple(runs(wording.fill(b)) for b in item["bullets"]))]
    if item.get("rag_key"):
        return [Paragraph(runs(Run(f"{label}: ", bold=True), wording.text("rag", key)), style="quote")
                for label, key in (("Green", "green"), ("Red", "red"), ("Amber", "amber"))]
    generated = item.get("generated")
    if generated == "appendices":
        return [BulletList(tuple((Run(a.text, href=f"#{a.anchor}"),) for a in appendices))]
    if generated == "red_commentary":
        return [red_commentary_table(cards, wording)]
    if generated == "spc_summary":
        return cover_blocks(cards, wording, number)
    if generated == "recommendations":
        if report.recommendations:
            return [Paragraph(runs(wording.text("cover", "recommendations_lead")), number=number.next()),
                    BulletList(tuple(runs(r) for r in report.recommendations))]
        return [Paragraph(runs(report.recommendation), number=number.next())]
    raise PipelineError(f"{wording.source}: a cover block must be one of p, text, quote, bullets, rag_key, "
                        f"generated (appendices, red_commentary, recommendations, spc_summary); found {sorted(item)}")
