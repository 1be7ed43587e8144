"""The appendices: one per section (RAG key, summary table, narrative, one page per
indicator) and the business plan exception report. Layout follows seed 004."""
from __future__ import annotations

from pipeline.cards.compute import Card, CardSet
from pipeline.document import spc as spc_columns
from pipeline.document.common import (
    DIRECTION_SYMBOL,
    Wording,
    anchor_for,
    current_target_header,
    data_period_short,
    direction_text,
    figure_rag_text,
    has_phased_targets,
    indicator_figure,
    outturn_header,
    rating_cell,
)
from pipeline.document.floors import internal_floor_note, shows_floor
from pipeline.document.model import (
    Block,
    Cell,
    Columns,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Part,
    Run,
    Table,
    flowing_rows,
    runs,
)
from pipeline.document.opening import section_opening
from pipeline.document.textblocks import action_blocks, plain_lines, text_blocks
from pipeline.document.unused_columns import drop_unused_columns
from pipeline.input.tables import BusinessPlanItem, Dataset, Narrative
from pipeline.rules.figures import format_figure
from pipeline.rules.rating import Direction, Rag


def _h(text: str, **kw) -> Cell:
    return Cell(runs(text), header=True, scope="col", **kw)


def _rh(text: str, **kw) -> Cell:
    return Cell(runs(text), header=True, scope="row", **kw)


def _c(text: str, **kw) -> Cell:
    return Cell(runs(text), **kw)


# ----------------------------------------------------------------------------- key


def rag_key_table(wording: Wording, activity: bool) -> Table:
    rows = [
        (_c("GREEN", rag=Rag.GREEN, bold=True, align="center"), _c(wording.text("appendix", "key", "green"))),
        (_c("AMBER", rag=Rag.AMBER, bold=True, align="center"), _c(wording.text("appendix", "key", "amber"))),
        (_c("RED", rag=Rag.RED, bold=True, align="center"), _c(wording.text("appendix", "key", "red"))),
    ]
    for d in (Direction.IMPROVED, Direction.WORSENED, Direction.UNCHANGED):
        rows.append((_c(f"{DIRECTION_SYMBOL[d]} {d.value.capitalize()}", align="center"),
                     _c(wording.text("appendix", "key", d.value))))
    if activity:
        for key, label in (("within", "Within expected range"), ("above", "Above expected range"),
                           ("below", "Below expected range")):
            rows.append((_c(label, align="center"), _c(wording.text("appendix", "key", key))))
    return Table(
        columns=(0.22, 0.78),
        header_rows=((_h("Rating"), _h("Meaning")),),
        rows=flowing_rows(rows),
        caption="Key to RAG (Red/Amber/Green) ratings and direction of travel",
        kind="key",
        repeat_header=False,
    )


# ----------------------------------------------------------------------------- summary


def summary_table(section: str, cards: tuple[Card, ...], cardset: CardSet, wording: Wording | None = None,
                  spc: bool = False) -> Table:
    """The section's summary; with ``spc`` (and ``wording``), the variation and assurance
    columns beside RAG (pipeline.document.spc)."""
    header = (
        _h("Indicator Description"), _h("Bold Steps", align="center"), _h("QPR", align="center"),
        _h(outturn_header(cardset), align="right"), _h(current_target_header(cardset), align="right"),
        _h("Current Position", align="right"), _h("Data Period", align="center"), _h("RAG", align="center"),
        *(spc_columns.summary_headers(wording) if spc else ()),
        _h("Direction of Travel", align="center"),
    )
    rows = []
    for n, card in enumerate(cards, start=1):
        ind, cur = card.indicator, card.current
        position = card.fmt(cur.actual) if cur else card.fmt(None)
        if cur and cur.is_forecast:
            position += " (forecast)"
        rows.append((
            Cell((Run(f"{n}. {ind.title}", href=f"#{anchor_for(card)}"),), header=True, scope="row"),
            _c("Y" if ind.bold_steps else "", align="center"),
            _c("Y" if ind.qpr else "", align="center"),
            _c(card.fmt(card.previous_outturn.actual if card.previous_outturn else None), align="right"),
            _c(card.fmt_target(cur.target if cur else None), align="right"),
            _c(position, align="right"),
            _c(data_period_short(card), align="center"),
            rating_cell(card, align="center"),
            *(spc_columns.summary_cells(card, wording) if spc else ()),
            _c(direction_text(card.direction), align="center"),
        ))
    return drop_unused_columns(Table(  # (a section with no Bold Steps indicator shows no Bold Steps column)
        columns=(4.2 - (0.4 if spc else 0), 0.7, 0.6, 1.0, 1.1, 1.0, 1.0, 1.1, *((1.8, 1.8) if spc else ()), 1.2),
        header_rows=(header,),
        rows=flowing_rows(rows),
        caption=f"Summary of performance: {section} indicators, {cardset.period.long_label}",
        kind="data",
    ))


# ----------------------------------------------------------------------------- indicator page


def details_table(card: Card) -> Table:
    ind, cur = card.indicator, card.current
    rows: list[tuple[Cell, ...]] = [(
        _rh("Expected range" if ind.activity else "RAG rating"), rating_cell(card),
        _rh("Direction of travel"), _c(direction_text(card.direction)),
    )]
    position = f"{card.fmt(cur.actual)} ({cur.period.label})" if cur else card.fmt(None)
    if cur and cur.is_forecast:
        position += " (forecast)"
    if ind.activity:
        low = cur.lower_threshold if cur else None
        high = cur.upper_threshold if cur else None
        rows.append((_rh("Current position"), _c(position), _rh("Expected range"),
                     _c(f"{card.fmt_target(low)} to {card.fmt_target(high)}")))  # set figures, as in the table
    else:
        rows.append((_rh("Current position"), _c(position), _rh("Current target"),
                     _c(card.fmt_target(cur.target if cur else None))))
    pairs = [(label, value) for label, value in (
        ("Bold Steps Priority/Core Service Area", ind.priority), ("Bold Steps Ambition", ind.ambition),
        ("Cabinet Member", ind.cabinet_member), ("Director", ind.director),
        ("Portfolio", ind.portfolio), ("Division", ind.division)) if value]
    for i in range(0, len(pairs), 2):
        chunk = pairs[i:i + 2]
        if len(chunk) == 2:
            rows.append((_rh(chunk[0][0]), _c(chunk[0][1]), _rh(chunk[1][0]), _c(chunk[1][1])))
        else:
            rows.append((_rh(chunk[0][0]), _c(chunk[0][1], colspan=3)))
    return Table(
        columns=(0.2, 0.3, 0.18, 0.32),
        header_rows=(),
        rows=flowing_rows(rows),
        caption=f"Rating and responsibilities: {ind.title}",
        kind="details",
        repeat_header=False,
    )


def data_notes(card: Card, wording: Wording) -> tuple[Block, ...]:
    ind = card.indicator
    out: list[Block] = [Heading(3, wording.text("appendix", "data_notes_heading"), outline=False)]

    def note(label: str, value: str):
        out.append(Paragraph(runs(Run(f"{label}: ", bold=True), value), style="small"))

    note("Tolerance", ind.tolerance_text)
    if ind.units_of_measure:
        note("Units of Measure", ind.units_of_measure)
    note("Data Period", ind.data_period.long_label)
    if ind.data_source:
        note("Data Source", ind.data_source)
    if card.year_end_target is not None and has_phased_targets(card):
        note("Year-end target", card.fmt_target(card.year_end_target))
    internal = internal_floor_note(card, wording)
    if internal:
        note(wording.text("appendix", "internal_floor", "label"), internal)
    if any(f.is_forecast for f in card.window()):
        note("Forecast", "figures marked (forecast) are forecasts of the year-end outturn")
    out += text_blocks(ind.data_notes, style="small")
    flags = []
    if ind.qpr:
        flags.append("Quarterly Performance Report Indicator")
    if ind.bold_steps:
        flags.append("Bold Steps Indicator")
    out += [Paragraph(runs(flag), style="small") for flag in flags]
    return tuple(out)


def _consecutive(window) -> bool:
    return all(b.period.index - a.period.index == 1 for a, b in zip(window, window[1:]))


def trend_table(card: Card, wording: Wording) -> Table:
    ind = card.indicator
    window = card.window()
    cols = len(window)
    header_rows: list[tuple[Cell, ...]] = []
    if window and not _consecutive(window):
        fy = card.report_period.fy_start
        before = sum(1 for f in window if f.period < fy)
        if 0 < before < cols:
            header_rows.append((
                _h(""),
                _h("Previous Years" if before > 1 else "Previous Year", colspan=before, align="center"),
                _h("Current Year", colspan=cols - before, align="center"),
            ))
    label = wording.text("appendix", "trend_heading")
    if not _consecutive(window):
        label += f" – {ind.data_period.long_label.lower()}"
    header_rows.append((_h(label),) + tuple(_h(f.period.label, align="center") for f in window))

    def value_row(name: str, values, fmt=card.fmt):
        return (_rh(name),) + tuple(_c(fmt(v), align="center") for v in values)

    rows = []
    rows.append((_rh(ind.actual_label or "Actual"),) + tuple(
        _c(card.fmt(f.actual) + (" (forecast)" if f.is_forecast else ""), align="center") for f in window))
    if any(f.target is not None for f in window):
        rows.append(value_row(ind.target_label or "Target", [f.target for f in window], fmt=card.fmt_target))
    if shows_floor(card):  # a published minimum standard; an internal one is in the data notes
        rows.append(value_row("Minimum standard", [f.floor for f in window], fmt=card.fmt_target))
    if ind.activity:
        if any(f.lower_threshold is not None for f in window):
            rows.append(value_row("Lower threshold", [f.lower_threshold for f in window], fmt=card.fmt_target))
        if any(f.upper_threshold is not None for f in window):
            rows.append(value_row("Upper threshold", [f.upper_threshold for f in window], fmt=card.fmt_target))
        if any(f.lower_threshold is not None or f.upper_threshold is not None for f in window):
            rows.append((_rh("Expected range"),) + tuple(
                _c(figure_rag_text(f, True), align="center") for f in window))
    elif ind.rated:
        rows.append((_rh("RAG Rating"),) + tuple(
            _c(figure_rag_text(f, False), rag=f.rag if f.actual is not None else None, align="center")
            for f in window))
    if any(f.stat_neighbours is not None for f in window):
        rows.append(value_row(ind.stat_neighbours_label or "Statistical neighbours",
                              [f.stat_neighbours for f in window]))
    if any(f.england is not None for f in window):
        rows.append(value_row(ind.england_label or "England", [f.england for f in window]))
    if any(f.supplementary is not None for f in window):
        supplementary = [f.supplementary for f in window]
        rows.append(value_row(ind.supplementary_label or "Supplementary", supplementary,
                              fmt=_supplementary_format(card, supplementary)))
    if ind.numerator_label and any(f.numerator is not None for f in window):
        rows.append(value_row(ind.numerator_label, [f.numerator for f in window],
                              fmt=lambda v: format_figure(v, "count", 0)))
    if ind.denominator_label and any(f.denominator is not None for f in window):
        rows.append(value_row(ind.denominator_label, [f.denominator for f in window],
                              fmt=lambda v: format_figure(v, "count", 0)))
    return Table(
        columns=(2.0,) + (1.0,) * cols,
        header_rows=tuple(header_rows),
        rows=flowing_rows(rows),
        caption=f"Trend data: {ind.title}",
        kind="data",
        font_size="small",
    )


def _supplementary_format(card: Card, values):
    """A supplementary series is in the indicator's unit (seed 004: agency posts, 12.9%),
    except beside a percentage it cannot be one when a value exceeds 100: then it is a
    count (seed 004: client numbers, 12402)."""
    if card.indicator.unit == "percent" and any(v is not None and abs(v) > 100 for v in values):
        return lambda v: format_figure(v, "count", 0)
    return card.fmt


# the chart's share of the row it shares with the data notes (seed 004: about 60%)
CHART_COLUMN, NOTES_COLUMN = 0.6, 0.4


def indicator_page(n: int, card: Card, wording: Wording, spc_chart: bool = False) -> tuple[Block, ...]:
    """One landscape page per indicator, in seed 004's order for every section: heading,
    details, the chart with its data notes beside it, the trend table, the commentary.
    Heading to trend table stay on one page; a long commentary runs on to the next."""
    ind = card.indicator
    top = KeepTogether((
        Heading(2, f"{n}. {ind.title}", anchor=anchor_for(card)),
        details_table(card),
        Columns(((indicator_figure(card, spc_chart),), data_notes(card, wording)),
                widths=(CHART_COLUMN, NOTES_COLUMN)),
        trend_table(card, wording),  # its first header cell reads "Trend Data", as in seed 004
    ))
    commentary: list[Block] = [Heading(3, wording.text("appendix", "commentary_heading"), outline=False)]
    text = card.commentary.text if card.commentary else ""
    # the officer's "actions being taken", when there are any, under the commentary
    actions = card.commentary.actions if card.commentary else ""
    after = action_blocks(actions, wording.text("appendix", "actions_intro")) if actions.strip() else ()
    no_commentary = (Paragraph(runs(wording.text("appendix", "no_commentary"))),)
    commentary += text_blocks(text) or (() if after else no_commentary)
    return (PageBreak(), top, *commentary, *after)


# ----------------------------------------------------------------------------- parts


def narrative_blocks(items: list[Narrative]) -> tuple[Block, ...]:
    out: list[Block] = []
    for item in items:
        if item.heading:
            out.append(Heading(2, item.heading))
        out += text_blocks(item.text)
    return tuple(out)


def section_part(section: str, letter: str, cards: tuple[Card, ...], cardset: CardSet, dataset: Dataset,
                 wording: Wording) -> Part:
    title = wording.text("appendix", "title", appendix=letter, section=section)
    narrative = [n for n in dataset.narrative if n.section == section and n.period == cardset.period]
    before = [n for n in narrative if n.placement != "after"]
    after = [n for n in narrative if n.placement == "after"]
    blocks: list[Block] = [Heading(1, title, anchor=f"appendix-{letter.lower()}")]
    opening = section_opening(section, cards, cardset, dataset, wording)
    if opening:  # seed 004: the opening's table is followed by the narrative written under it
        blocks += opening
        blocks += narrative_blocks([n for n in before if not n.heading])
        before = [n for n in before if n.heading]
    blocks.append(Heading(2, wording.text("appendix", "key_heading")))
    rag_key = rag_key_table(wording, activity=any(c.indicator.activity for c in cards))
    spc = spc_columns.section_shows_spc(dataset, cards)
    if spc:  # the SPC key beside the RAG key, so that both and the summary's start share a page
        blocks.append(Columns(((rag_key,), spc_columns.key_blocks(cards, wording)), widths=(0.4, 0.6)))
    else:
        blocks.append(rag_key)
    qpr, bold = any(c.indicator.qpr for c in cards), any(c.indicator.bold_steps for c in cards)
    feeds = wording.text("appendix", "feeds_both" if qpr and bold else "feeds_qpr" if qpr else "feeds_bold_steps") \
        if qpr or bold else ""  # (a column no indicator uses is not printed: the intro does not point to it)
    blocks += [Paragraph(runs(wording.fill(t, section=section, appendix=letter, feeds=feeds)))
               for t in wording.get("appendix", "intro")]
    blocks.append(Heading(2, wording.text("appendix", "summary_heading")))
    blocks.append(summary_table(section, cards, cardset, wording, spc=spc))
    if before:
        blocks.append(PageBreak())
        blocks += narrative_blocks(before)
    # numbered as the summary table numbers them; the lead (activity) indicators together
    # after the others, several to a page (pipeline.document.lead)
    from pipeline.document.lead import lead_section  # (it builds on this module's trend table)

    numbered = list(enumerate(cards, start=1))
    for n, card in numbered:
        if not card.indicator.activity:
            blocks += indicator_page(n, card, wording, spc_chart=spc_columns.chart_shows_limits(dataset, card))
    lead = [(n, card) for n, card in numbered if card.indicator.activity]
    blocks += lead_section(section, lead, wording, frozenset(
        card.indicator.id for _, card in lead if spc_columns.chart_shows_limits(dataset, card)))
    if after:
        blocks.append(PageBreak())
        blocks += narrative_blocks(after)
    return Part(title=title, orientation="landscape", blocks=tuple(blocks), running_header=title,
                anchor=f"appendix-{letter.lower()}")


def business_plan_part(items: list[BusinessPlanItem], letter: str, wording: Wording) -> Part:
    title = wording.text("business_plan", "title", appendix=letter)
    blocks: list[Block] = [Heading(1, title, anchor=f"appendix-{letter.lower()}"),
                           Paragraph(runs(wording.text("business_plan", "intro", appendix=letter)))]
    with_owner = any(i.owner or i.due for i in items)
    for section in dict.fromkeys(i.section for i in items):
        rows = []
        for item in (i for i in items if i.section == section):
            row = [_rh(item.priority), _c(item.action), _c(item.status.strip().capitalize(), bold=True),
                   _c(plain_lines(item.commentary) or "–")]
            if with_owner:
                row.insert(3, _c(" / ".join(x for x in (item.owner, item.due) if x) or "–"))
            rows.append(tuple(row))
        header = [_h("Priority"), _h("Action"), _h("Status")]
        if with_owner:
            header.append(_h("Owner / Due"))
        header.append(_h("Commentary"))
        columns = (1.6, 2.0, 0.8) + ((1.0,) if with_owner else ()) + (3.6,)
        blocks.append(Heading(2, section))
        blocks.append(Table(columns=columns, header_rows=(tuple(header),), rows=flowing_rows(rows),
                            caption=f"Business plan actions delayed or cancelled: {section}", kind="data"))
    return Part(title=title, orientation="landscape", blocks=tuple(blocks), running_header=title,
                anchor=f"appendix-{letter.lower()}")
