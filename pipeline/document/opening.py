"""A section's opening, as seed 004 opens its Specialist Children's Services section: the
section's responsibilities stated once (Bold Steps priority, cabinet member, portfolio,
director, division), then the "Performance Indicator Summary": each rated indicator's
previous and current RAG rating and its direction of travel.

Where the responsibilities come from (docs/workbook.md, sheet ``sections``):

- a row of the ``sections`` sheet for the section: exactly its fields (a blank one is not
  printed, so a row with only the section's name prints no block);
- else the section's indicators, when they all share one set of responsibilities (every
  one of the fields the same on every indicator): seed 004's children's indicators do, so
  the paper states them once; its adult indicators have different directors and
  priorities, so their responsibilities stay on each indicator's page and the section
  opens with its summary table alone.

A section has an opening when its block has at least one field; the Performance Indicator
Summary follows the block when the section has a rated indicator. Ratings are the cards'
(``Card.rag``, ``Card.previous_rag``): nothing is rated here.
"""
from __future__ import annotations

from pipeline.cards.compute import Card, CardSet
from pipeline.document.common import NOT_RATED, Wording, anchor_for, direction_text, rating_cell
from pipeline.document.model import Block, Cell, Heading, Run, Table, flowing_rows, runs
from pipeline.document.unused_columns import drop_unused_columns
from pipeline.input.tables import SECTION_FIELDS, Dataset

# the labels seed 004 prints, in its order (SECTION_FIELDS' order)
FIELD_LABELS = {
    "priority": "Bold Steps Priority/Core Service Area",
    "ambition": "Bold Steps Ambition",
    "cabinet_member": "Cabinet Member",
    "portfolio": "Portfolio",
    "director": "Director",
    "division": "Division",
}

NO_PREVIOUS = "–"  # no figure before the current one: nothing to compare with


def section_fields(section: str, cards: tuple[Card, ...], dataset: Dataset) -> tuple[tuple[str, str], ...]:
    """(label, value) of each field of the section's block, in seed 004's order; empty when
    the section has no block (see the module's docstring)."""
    stated = next((s for s in dataset.section_details if s.section == section), None)
    if stated is not None:
        values = tuple(getattr(stated, name) for name in SECTION_FIELDS)
    else:
        shared = {tuple(getattr(card.indicator, name) for name in SECTION_FIELDS) for card in cards}
        if len(shared) != 1:
            return ()
        values = shared.pop()
    return tuple((FIELD_LABELS[name], value) for name, value in zip(SECTION_FIELDS, values) if value)


def header_block(section: str, fields: tuple[tuple[str, str], ...]) -> Table:
    rows = tuple((Cell(runs(label), header=True, scope="row"), Cell(runs(value))) for label, value in fields)
    return Table(
        columns=(0.3, 0.7),
        header_rows=(),
        rows=flowing_rows(rows),
        caption=f"Responsibilities: {section}",
        kind="details",
        repeat_header=False,
    )


def previous_rating_text(card: Card) -> str:
    """The word for the rating of the figure before the card's current one (the figure the
    direction of travel is judged against)."""
    if card.previous is None:
        return NO_PREVIOUS
    return card.previous_rag.value if card.previous_rag else NOT_RATED


def indicator_summary_table(section: str, cards: tuple[Card, ...], cardset: CardSet) -> Table | None:
    """Previous RAG, current RAG and direction of travel of the section's rated indicators
    (seed 004's "Performance Indicator Summary"); None when none is rated."""
    rated = [card for card in cards if card.indicator.rated]
    if not rated:
        return None
    header = (Cell(runs("Indicator"), header=True, scope="col"),) + tuple(
        Cell(runs(text), header=True, scope="col", align="center")
        for text in ("Previous RAG", "Current RAG", "Direction of Travel"))
    rows = []
    for card in rated:
        ind = card.indicator
        rows.append((
            Cell((Run(ind.short_title or ind.title, href=f"#{anchor_for(card)}"),), header=True, scope="row"),
            Cell(runs(previous_rating_text(card)), rag=card.previous_rag, bold=True, align="center"),
            rating_cell(card, align="center"),
            Cell(runs(direction_text(card.direction)), align="center"),
        ))
    return drop_unused_columns(Table(
        columns=(4.2, 1.1, 1.1, 1.3),
        header_rows=(header,),
        rows=flowing_rows(rows),
        caption=f"Performance indicator summary: {section}, previous and current RAG ratings, "
                f"{cardset.period.long_label}",
        kind="data",
    ))


def section_opening(section: str, cards: tuple[Card, ...], cardset: CardSet, dataset: Dataset,
                    wording: Wording) -> tuple[Block, ...]:
    """The section's opening blocks: the responsibilities block, then the Performance
    Indicator Summary under its heading; () when the section has no block."""
    fields = section_fields(section, cards, dataset)
    if not fields:
        return ()
    blocks: list[Block] = [header_block(section, fields)]
    summary = indicator_summary_table(section, cards, cardset)
    if summary is not None:
        blocks += [Heading(2, wording.text("appendix", "indicator_summary_heading")), summary]
    return tuple(blocks)
