"""The document model built from the sample and from a small workbook with activity,
annual, Red and business plan cases."""
from __future__ import annotations

import pytest

from pipeline.document.assemble import build_document
from pipeline.document.model import (
    BulletList,
    Columns,
    Figure,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Table,
    figures,
    plain_text,
    walk,
)
from pipeline.document.textblocks import plain_lines, text_blocks
from pipeline.rules.rating import Rag


@pytest.fixture(scope="module")
def sample_doc(sample_dataset, sample_cards):
    return build_document(sample_dataset, sample_cards)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from report_books import report_book_kwargs
    from workbooks import make_workbook

    from pipeline.cards.compute import compute_cards
    from pipeline.input.workbook import read_workbook

    path = make_workbook(tmp_path_factory.mktemp("asm") / "small.xlsx", **report_book_kwargs())
    dataset = read_workbook(path)
    cards = compute_cards(dataset)
    return dataset, cards, build_document(dataset, cards)


def _tables(part, caption_start):
    return [b for b in walk(part.blocks) if isinstance(b, Table) and b.caption.startswith(caption_start)]


def _texts(blocks):
    out = []
    for b in walk(blocks):
        if isinstance(b, Paragraph):
            out.append(plain_text(b.content))
        elif isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, BulletList):
            out += [plain_text(i) for i in b.items]
    return out


def test_parts_cover_portrait_then_one_landscape_appendix_per_section(sample_doc, sample_cards):
    assert sample_doc.parts[0].orientation == "portrait"
    assert [p.orientation for p in sample_doc.parts[1:]] == ["landscape"] * len(sample_cards.sections)
    assert [p.title for p in sample_doc.parts[1:]] == [
        "Appendix A: Adult Social Care", "Appendix B: Specialist Children's Services"]
    assert sample_doc.title and sample_doc.author == "Families and Social Care"
    assert sample_doc.date == "2013-12-05"


def test_every_indicator_has_a_heading_a_figure_and_a_trend_table(sample_doc, sample_cards):
    for card in sample_cards.cards:
        part = next(p for p in sample_doc.parts if p.title.endswith(card.indicator.section))
        headings = [b for b in walk(part.blocks) if isinstance(b, Heading) and b.text.endswith(card.indicator.title)]
        assert len(headings) == 1, card.indicator.id
        assert len(_tables(part, f"Trend data: {card.indicator.title}")) == 1
    assert len(list(figures(sample_doc))) == len(sample_cards.cards)
    assert all(f.alt_text.strip() for f in figures(sample_doc))


def test_summary_rows_carry_the_cards_figures(sample_doc, sample_cards):
    for section in sample_cards.sections:
        part = next(p for p in sample_doc.parts if p.title.endswith(section))
        (summary,) = _tables(part, "Summary of performance")
        cards = sample_cards.section(section)
        header = [c.text for c in summary.header_rows[0]]  # (unused columns are left out: by name)
        target, position, rag = (header.index(h) for h in ("Current 2013-14 Target", "Current Position", "RAG"))
        assert len(summary.rows) == len(cards)
        for row, card in zip(summary.rows, cards):
            assert row[0].text.endswith(card.indicator.title)
            assert row[target].text == card.fmt_target(card.current.target)
            assert row[position].text == card.fmt(card.current.actual)
            if card.indicator.activity:  # (the sample's lead indicators: against a range, never a colour)
                status = card.range_status
                assert row[rag].text == (f"{status.value.capitalize()} expected range" if status
                                         else "No expected range")
                assert row[rag].rag is None
                continue
            assert row[rag].text == (card.rag.value if card.rag else "not rated")
            assert row[rag].rag == card.rag


def test_asc01_matches_seed_004(sample_doc):
    part = sample_doc.parts[1]
    (summary,) = _tables(part, "Summary of performance")
    assert [c.text for c in summary.header_rows[0]][3:5] == ["2012-13 Outturn", "Current 2013-14 Target"]
    row = summary.rows[0]
    # (variation and assurance beside RAG: no SPC for a rolling 12 months figure, docs/spc.md)
    assert [c.text for c in row[1:]] == ["Y", "Y", "76%", "80%", "73%", "12M", "AMBER", "–", "–", "▼ Worsened"]
    (trend,) = _tables(part, "Trend data: Percentage of adult social care clients")
    assert [c.text for c in trend.header_rows[-1]][1:] == [
        "Sep-12", "Oct-12", "Nov-12", "Dec-12", "Jan-13", "Feb-13", "Mar-13", "Apr-13", "May-13", "Jun-13",
        "Jul-13", "Aug-13", "Sep-13"]
    rows = {r[0].text: [c.text for c in r[1:]] for r in trend.rows}
    assert rows["Percentage"][-1] == "73%" and rows["Target"][-1] == "80%"
    assert rows["RAG Rating"][-2:] == ["AMBER", "AMBER"]
    assert rows["Client Numbers"][0] == "10,612"
    fig = next(figures(sample_doc))
    assert fig.alt_text == ("Line chart of Percentage of People receiving Self Directed Support, Sep-12 to Sep-13, "
                            "against target (dashed). Sep-12: 65% (target 61%). Sep-13: 73% (target 80%), "
                            "rated AMBER.")


def test_asc04_targets_written_as_the_council_writes_them(sample_doc):
    """Seed 004, ASC04: "45.5% 46% 47.6%" in the summary, "Target 40% 40% ... 46%" under
    the actuals "46.2% 45.2% ...", "an end year target of 60%": a whole percentage target
    drops the place its actuals carry, in the summary, the page, the trend table and the notes."""
    part = sample_doc.parts[1]
    (summary,) = _tables(part, "Summary of performance")
    assert [c.text for c in summary.rows[3][3:6]] == ["45.5%", "46%", "47.6%"]
    (trend,) = _tables(part, "Trend data: Percentage of people with short term intervention")
    rows = {r[0].text: [c.text for c in r[1:]] for r in trend.rows}
    assert rows["Target"][-4:] == ["40%", "42%", "44%", "46%"]
    assert rows["Percentage"][-1] == "47.6%"
    text = " ".join(_texts(part.blocks))
    assert "Year-end target: 60%" in text and "60.0%" not in text and "46.0%" not in text


def test_childrens_trend_table_groups_previous_and_current_years(sample_doc):
    part = sample_doc.parts[2]
    (trend,) = _tables(part, "Trend data: Percentage of initial assessments")
    top = trend.header_rows[0]
    assert [(c.text, c.colspan) for c in top[1:]] == [("Previous Years", 3), ("Current Year", 4)]
    assert [c.text for c in trend.header_rows[1]][1:] == [
        "Mar-11", "Mar-12", "Mar-13", "Jun-13", "Sep-13", "Dec-13", "Mar-14"]
    rows = {r[0].text: [c.text for c in r[1:]] for r in trend.rows}
    assert rows["Actual"] == ["67.1%", "90.1%", "93.5%", "88.0%", "85.2%", "–", "–"]
    assert rows["Stat. N."][:3] == ["68.0%", "69.5%", "66.2%"]


def test_narrative_before_the_indicator_pages_keeps_bullets(sample_doc):
    part = sample_doc.parts[2]
    headings = [b.text for b in walk(part.blocks) if isinstance(b, Heading) and b.level == 2]
    assert headings.index("Improvement Programme Update") < headings.index(
        "1. Percentage of initial assessments completed within 10 days")
    # the lead indicators follow the indicator pages (seed 004), then their trend data
    assert headings[-2:] == ["Specialist Children's Services - Lead indicators",
                             "Specialist Children's Services - Lead indicators: trend data"]
    lists = [b for b in walk(part.blocks) if isinstance(b, BulletList)]
    assert any("Improve the timeliness of care proceedings." in plain_text(i) for b in lists for i in b.items)


def test_cover_report_wording_and_red_commentary(sample_doc, sample_cards):
    cover = sample_doc.parts[0]
    texts = _texts(cover.blocks)
    assert any("Cabinet Committees shall review the performance" in t for t in texts)
    assert "Green: Current target achieved or exceeded" in texts
    assert "Amber: Performance is below current target but above minimum standard." in texts
    assert any(t.startswith("The Adult Social Care dashboard report, at Appendix A") for t in texts)
    numbers = [b.number for b in walk(cover.blocks) if isinstance(b, Paragraph) and b.number]
    assert numbers == [f"{i}." for i in range(1, len(numbers) + 1)]
    (red,) = _tables(cover, "Commentary for the indicators rated Red")
    reds = [c for c in sample_cards.cards if c.rag == Rag.RED]
    assert [r[0].text for r in red.rows] == [c.indicator.title for c in reds]
    memo = next(b for b in walk(cover.blocks) if isinstance(b, Table) and b.kind == "memo")
    assert [r[0].text for r in memo.rows] == ["From:", "To:", "Date:", "Subject:", "Classification:"]
    assert memo.rows[2][1].text == "5 December 2013"


def test_activity_annual_and_business_plan(small):
    dataset, cards, doc = small
    titles = [p.title for p in doc.parts]
    assert titles[1] == "Appendix A: Business Plan exception report"
    bp_rows = [r for t in _tables(doc.parts[1], "Business plan") for r in t.rows]
    assert [r[1].text for r in bp_rows] == ["Launch web chat", "Self-service kiosks"]  # on-track left out
    summary = _tables(doc.parts[2], "Summary of performance")[0]
    activity = next(r for r in summary.rows if "Number of contacts" in r[0].text)
    rag = [c.text for c in summary.header_rows[0]].index("RAG")  # (no Bold Steps column: none is one)
    assert activity[rag].text == "Within expected range" and activity[rag].rag is None
    fig = next(f for f in figures(doc) if f.chart.title == "Number of contacts received")
    assert fig.chart.band_lower is not None and "within the expected range" in fig.alt_text
    libraries = _tables(doc.parts[3], "Summary of performance")[0]
    position = [c.text for c in libraries.header_rows[0]].index("Current Position")  # (no QPR column)
    assert libraries.rows[0][position].text == "5,200 (forecast)"
    cover_texts = _texts(doc.parts[0].blocks)
    assert any(t.startswith("Where data is only available annually") for t in cover_texts)
    assert any(t.startswith("Activity indicators generally relate") for t in cover_texts)
    assert any(t.startswith("It should be noted that for some indicators") for t in cover_texts)


def test_red_commentary_keeps_paragraphs_and_bullets(small):
    _, cards, doc = small
    (red,) = _tables(doc.parts[0], "Commentary for the indicators rated Red")
    # paragraphs apart (an empty line between), a list's items on lines of their own
    assert red.rows[0][1].text == "Call volumes rose.\n\nActions:\n\n• more advisers\n• new phone menu"
    part = doc.parts[2]
    texts = _texts(part.blocks)
    assert "more advisers" in texts and "Call volumes rose." in texts


def test_no_red_paragraph_when_nothing_is_red(sample_dataset, sample_cards):
    import dataclasses

    from pipeline.cards.compute import CardSet

    calm = CardSet(sample_cards.period, tuple(c for c in sample_cards.cards if c.rag != Rag.RED))
    doc = build_document(sample_dataset, calm)
    assert "Performance Indicators Commentary" not in _texts(doc.parts[0].blocks)
    assert not _tables(doc.parts[0], "Commentary for the indicators rated Red")
    assert dataclasses.is_dataclass(doc)


def test_indicator_page_starts_a_page_and_keeps_heading_with_chart(sample_doc):
    blocks = sample_doc.parts[1].blocks
    keeps = [b for b in blocks if isinstance(b, KeepTogether)]
    first = next(k for k in keeps if isinstance(k.blocks[0], Heading))
    assert any(isinstance(b, Figure) for b in walk(first.blocks))
    assert blocks[blocks.index(first) - 1] == PageBreak()


def test_every_indicator_page_in_seed_order_chart_beside_data_notes(sample_doc, sample_cards):
    """Seed 004's page, the same order in every section: heading, details, chart | data
    notes, trend table (heading to trend table kept together), then the commentary."""
    pages = [(part, k) for part in sample_doc.parts[1:] for k in part.blocks
             if isinstance(k, KeepTogether) and isinstance(k.blocks[0], Heading) and k.blocks[0].anchor
             and k.blocks[0].level == 2]
    # (the six lead indicators have their own layout: tests/test_lead_indicators.py)
    assert len(pages) == len([c for c in sample_cards.cards if not c.indicator.activity]) == 17
    for part, keep in pages:
        heading, details, columns, trend = keep.blocks
        assert heading.level == 2 and details.kind == "details" and trend.caption.startswith("Trend data: ")
        assert isinstance(columns, Columns) and columns.widths[0] > columns.widths[1]
        (chart,), notes = columns.columns
        assert isinstance(chart, Figure)
        assert isinstance(notes[0], Heading) and notes[0].text == "Data Notes"
        assert all(isinstance(b, (Paragraph, BulletList)) for b in notes[1:])
        labelled = [b for b in notes[1:] if isinstance(b, Paragraph) and b.content[0].bold]
        assert [plain_text(b.content[:1]) for b in labelled][:1] == ["Tolerance: "]
        after = part.blocks[part.blocks.index(keep) + 1]
        assert isinstance(after, Heading) and after.text == "Commentary"


@pytest.mark.parametrize("text, expected", [
    ("One.\nTwo.", [("p", "One."), ("p", "Two.")]),
    ("One.\n\n\nTwo.", [("p", "One."), ("p", "Two.")]),
    ("Lead:\n- a\n• b\nAfter.", [("p", "Lead:"), ("ul", ["a", "b"]), ("p", "After.")]),
    ("  \n", []),
    ("-5 is a number", [("p", "-5 is a number")]),
])
def test_text_blocks(text, expected):
    got = []
    for b in text_blocks(text):
        if isinstance(b, BulletList):
            got.append(("ul", [plain_text(i) for i in b.items]))
        else:
            got.append(("p", plain_text(b.content)))
    assert got == expected


def test_plain_lines():
    assert plain_lines("A\n- b\n\nC") == "A\n• b\nC"


def test_unknown_placeholder_in_wording_is_reported(sample_dataset, sample_cards, tmp_path):
    from pipeline.document.common import TEMPLATE_PATH
    from pipeline.errors import PipelineError

    bad = tmp_path / "wording.toml"
    wording = TEMPLATE_PATH.read_text(encoding="utf-8")
    bad.write_text(wording.replace("which are for {period}", "which are for {perod}"), encoding="utf-8")
    with pytest.raises(PipelineError, match="unknown placeholder {perod}"):
        build_document(sample_dataset, sample_cards, bad)


def test_an_earlier_period_reports_as_at_that_month(sample_dataset):
    import dataclasses

    from pipeline.cards.compute import compute_cards
    from pipeline.rules.periods import Month

    # the sample's report sheet is September's: the June report states June
    report = dataclasses.replace(sample_dataset.report, period=Month(2013, 6),
                                 subject="Families and Social Care Performance Dashboard for June 2013")
    june = dataclasses.replace(sample_dataset, report=report)
    cards = compute_cards(june, Month(2013, 6))
    doc = build_document(june, cards)
    assert "All information is as at June 2013 where possible." in _texts(doc.parts[1].blocks)
    (summary,) = _tables(doc.parts[1], "Summary of performance")
    assert summary.rows[0][5].text == "76%"  # ASC01 in June 2013 (seed 004 trend row)


def test_chart_value_axis_names_the_unit(sample_doc):
    labels = {f.chart.title: f.chart.y_label for f in figures(sample_doc)}
    assert labels["Admission to Residential Care"] == "Number"
    assert set(labels.values()) == {"Percentage", "Number", "Rate per 100,000"}


def test_axis_label_of_a_rate_names_its_base_only_when_given():
    from types import SimpleNamespace

    from pipeline.document.common import axis_label

    assert axis_label(SimpleNamespace(unit="rate", units_of_measure="delays as a rate per 100,000 population")) \
        == "Rate per 100,000"
    assert axis_label(SimpleNamespace(unit="rate", units_of_measure="per 1,000.")) == "Rate per 1,000"
    assert axis_label(SimpleNamespace(unit="rate", units_of_measure="")) == "Rate"
    assert axis_label(SimpleNamespace(unit="rate", units_of_measure="per month")) == "Rate"
    assert axis_label(SimpleNamespace(unit="percent", units_of_measure="per 100")) == "Percentage"
