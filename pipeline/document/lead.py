"""The lead (activity) indicators of a section, laid out as seed 004 publishes them.

Seed 004 ends the Specialist Children's Services appendix with "Specialist Children's
Services - Lead indicators": for each indicator a short commentary, sometimes "Actions being
taken which will impact on ... include:" and a bulleted list, then its chart (the actual,
with the upper and lower thresholds where it has an expected range); several indicators to
a page, not a page each.

Here each indicator is one kept-together block, never split across pages: its heading
(numbered as in the summary table, which links to it), then side by side the officer's
words (commentary, then actions) and the chart, with the latest figure against its range
and the indicator's data notes under the chart. Two such blocks share a landscape page
when their commentaries run to a paragraph or two, as the seed's do. Only a text too long
to stand beside its chart on one page (LEAD_TEXT_LIMIT) makes an exception: that
indicator is laid out as a rated one, on a page of its own with its text running on.

The trend tables follow the section's lead indicators, under "<section> - Lead indicators:
trend data", one per indicator (the appendix's trend table, as on the rated pages). The
seed prints only the charts; the figures stay in the report because a chart gives a reader
in a public meeting no figure to quote, and its alt text only the first and the latest.
Under each chart they would cost a fifth of the page's height and leave one indicator to a
page; beside it a table of thirteen quarters does not fit.
"""
from __future__ import annotations

from pipeline.cards.compute import Card
from pipeline.document.appendix import trend_table
from pipeline.document.common import Wording, anchor_for, indicator_figure, rating_text
from pipeline.document.model import LINE_COST, Block, Columns, Heading, KeepTogether, PageBreak, Paragraph, Run, runs
from pipeline.document.textblocks import action_blocks, text_blocks

# the text's share of the row it shares with the chart: the chart's column keeps the
# chart's own width (pipeline.document.model.CHART_WIDTH_MM) on a landscape page
TEXT_COLUMN, CHART_COLUMN = 0.42, 0.58

# The most officer text (commentary and actions, a line costing at least LINE_COST
# characters, as pipeline.document.model counts them) that stands beside the chart. Beside
# the chart, a text column of 1,200 such characters is at most about 470 pt tall (a page of
# bullets of 80 characters, each on two lines): the block still fits a landscape page. A
# longer text could not be kept on one page with its chart, so that indicator is laid out
# as a rated one is: a page of its own, the chart first, the text running on to pages
# headed "<heading> (continued)" (docs/build.md, "Pages").
LEAD_TEXT_LIMIT = 1200


def text_cost(*texts: str) -> int:
    """The length of officer text as the layout feels it: each non-blank line at least LINE_COST."""
    return sum(max(len(line.strip()), LINE_COST) for text in texts for line in text.split("\n") if line.strip())


def actions(card: Card, wording: Wording) -> tuple[Block, ...]:
    """The card's "actions being taken" for the period (pipeline.document.textblocks)."""
    text = card.commentary.actions if card.commentary else ""
    return action_blocks(text, wording.text("appendix", "actions_intro")) if text.strip() else ()


def _data_notes(card: Card) -> tuple[Block, ...]:
    """The indicator's own notes and data source, small, under its commentary (a lead
    indicator has no details table or data-notes column: it is not rated)."""
    ind = card.indicator
    out: list[Block] = list(text_blocks(ind.data_notes, style="small"))
    if ind.data_source:
        out.append(Paragraph(runs(Run("Data Source: ", bold=True), ind.data_source), style="small"))
    return tuple(out)


def latest_position(card: Card) -> Paragraph:
    """'Sep-13: 4,851, within expected range (4,600 to 6,400).' under the chart: the figure
    a reader quotes, in the words of the appendix's key and summary table."""
    cur = card.current
    if cur is None:
        return Paragraph(runs(f"No figure at or before {card.report_period.label}."), style="small")
    low, high = cur.lower_threshold, cur.upper_threshold
    where = rating_text(card)
    if low is not None and high is not None:
        where += f" ({card.fmt_target(low)} to {card.fmt_target(high)})"
    elif high is not None:
        where += f" (up to {card.fmt_target(high)})"
    elif low is not None:
        where += f" ({card.fmt_target(low)} or more)"
    figure = card.fmt(cur.actual) + (" (forecast)" if cur.is_forecast else "")
    return Paragraph(runs(Run(f"{cur.period.label}: {figure}", bold=True), f", {where[0].lower()}{where[1:]}."),
                     style="small")


def lead_indicator(n: int, card: Card, wording: Wording, spc_chart: bool = False) -> tuple[Block, ...]:
    """One lead indicator: its heading, then its commentary and actions beside its chart,
    the latest figure and its data notes; kept together on one page, read in that order.
    An indicator whose text is longer than LEAD_TEXT_LIMIT gets a page of its own."""
    ind = card.indicator
    commentary = card.commentary.text if card.commentary else ""
    text = (*text_blocks(commentary), *actions(card, wording))
    if not text:
        text = (Paragraph(runs(wording.text("appendix", "no_commentary"))),)
    heading = Heading(3, f"{n}. {ind.title}", anchor=anchor_for(card))
    chart = (indicator_figure(card, spc_chart), latest_position(card), *_data_notes(card))
    if text_cost(commentary, card.commentary.actions if card.commentary else "") <= LEAD_TEXT_LIMIT:
        return (KeepTogether((heading, Columns((text, chart), widths=(TEXT_COLUMN, CHART_COLUMN)))),)
    return (PageBreak(), KeepTogether((heading, Columns((chart[:1], chart[1:]), widths=(CHART_COLUMN, TEXT_COLUMN)))),
            *text, PageBreak())


def lead_trend_data(numbered: list[tuple[int, Card]], section: str, wording: Wording) -> tuple[Block, ...]:
    """The lead indicators' trend tables, each under its indicator's number and title."""
    out: list[Block] = [Heading(2, wording.text("appendix", "lead_trend_heading", section=section))]
    for n, card in numbered:
        out.append(KeepTogether((Heading(3, f"{n}. {card.indicator.title}: trend data", outline=False),
                                 trend_table(card, wording))))
    return tuple(out)


def lead_section(section: str, numbered: list[tuple[int, Card]], wording: Wording,
                 spc_charts: frozenset[str] = frozenset()) -> tuple[Block, ...]:
    """The section's lead indicators after its indicator pages, from a new page under
    "<section> - Lead indicators", then their trend data; nothing when it has none.
    ``spc_charts``: the ids of those whose chart shows the SPC mean and limits."""
    if not numbered:
        return ()
    title = Heading(2, wording.text("appendix", "lead_heading", section=section))
    blocks = [block for n, card in numbered
              for block in lead_indicator(n, card, wording, card.indicator.id in spc_charts)]
    if isinstance(blocks[0], PageBreak):  # the first has a page of its own: the title opens it
        first = blocks[1]
        assert isinstance(first, KeepTogether)
        blocks[:2] = [KeepTogether((title, *first.blocks))]
    else:
        blocks.insert(0, title)
    return (PageBreak(), *blocks, *lead_trend_data(numbered, section, wording))
