"""The Word report, reopened with python-docx and read as XML."""
from __future__ import annotations

import zipfile

import pytest

from pipeline.document.model import Table as ModelTable
from pipeline.document.model import walk

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_path):
    from pipeline.build import build_report

    out = tmp_path_factory.mktemp("docx")
    result = build_report(sample_path, out, formats=("docx",))
    return result, result.paths["docx"]


@pytest.fixture(scope="module")
def word(built):
    import docx

    return docx.Document(str(built[1]))


def _body_items(word):
    """(kind, object) in document order: ('p', Paragraph) or ('t', Table)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for el in word.element.body:
        if el.tag == f"{W}p":
            yield "p", Paragraph(el, word)
        elif el.tag == f"{W}tbl":
            yield "t", Table(el, word)


def _caption(table) -> str:
    el = table._tbl.tblPr.find(f"{W}tblCaption")
    return el.get(f"{W}val") if el is not None else ""


def _rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def _rated(cardset):
    """The cards with a page of their own (the lead indicators: tests/test_lead_indicators.py)."""
    return [c for c in cardset.cards if not c.indicator.activity]


def _heading_2s(items) -> list[int]:
    """Where each Heading 2 is: an indicator page, or the heading of the lead indicators."""
    return [i for i, (kind, obj) in enumerate(items) if kind == "p" and obj.style.name == "Heading 2"]


def test_every_indicator_has_heading_trend_rows_and_one_picture_with_alt_text(word, sample_cards, built):
    document = built[0].document
    items = list(_body_items(word))
    heading_at = {}
    for i, (kind, obj) in enumerate(items):
        if kind == "p" and obj.style.name == "Heading 2":
            for card in _rated(sample_cards):
                if obj.text.endswith(f". {card.indicator.title}"):
                    heading_at[card.indicator.id] = i
    assert set(heading_at) == {c.indicator.id for c in _rated(sample_cards)}
    order = _heading_2s(items) + [len(items)]
    for card in _rated(sample_cards):
        start = heading_at[card.indicator.id]
        end = next(o for o in order if o > start)
        # the chart sits in the layout table beside the data notes, so look inside tables too
        pictures = [d for kind, obj in items[start:end]
                    for d in (obj._p if kind == "p" else obj._tbl).iter(f"{WP}docPr")]
        assert len(pictures) == 1, card.indicator.id
        assert pictures[0].get("descr").strip() and pictures[0].get("title")
        trend = [obj for kind, obj in items[start:end]
                 if kind == "t" and _caption(obj) == f"Trend data: {card.indicator.title}"]
        assert len(trend) == 1, card.indicator.id
        model = next(b for p in document.parts for b in walk(p.blocks)
                     if isinstance(b, ModelTable) and b.caption == f"Trend data: {card.indicator.title}")
        assert _rows(trend[0])[len(model.header_rows):] == [[c.text for c in r] for r in model.rows]


def test_chart_and_data_notes_side_by_side_in_one_layout_table_row(word, sample_cards):
    """Each indicator's chart (left cell) and data notes (right cell) share the one row of a
    layout table: no borders, no header row, no caption or description, no header
    formatting in w:tblLook, the row kept on one page."""
    from docx.text.paragraph import Paragraph

    items = list(_body_items(word))
    headings = [i for i, (kind, obj) in enumerate(items) if kind == "p" and obj.style.name == "Heading 2"
                and any(obj.text.endswith(f". {c.indicator.title}") for c in sample_cards.cards)]
    assert len(headings) == len(_rated(sample_cards)) == 17
    boundaries = _heading_2s(items) + [len(items)]
    for start in headings:
        end = next(b for b in boundaries if b > start)
        layout = [obj for kind, obj in items[start:end] if kind == "t" and obj._tbl.find(f".//{WP}docPr") is not None]
        assert len(layout) == 1, items[start][1].text
        table = layout[0]
        assert len(table.rows) == 1 and len(table.columns) == 2
        tblpr = table._tbl.tblPr
        assert tblpr.find(f"{W}tblCaption") is None and tblpr.find(f"{W}tblDescription") is None
        look = tblpr.find(f"{W}tblLook")
        assert look is not None and look.get(f"{W}firstRow") == "0" and look.get(f"{W}firstColumn") == "0"
        borders = tblpr.find(f"{W}tblBorders")
        assert borders is not None and {e.get(f"{W}val") for e in borders} == {"nil"}
        trpr = table.rows[0]._tr.trPr
        assert trpr.find(f"{W}tblHeader") is None and trpr.find(f"{W}cantSplit") is not None
        chart_cell, notes_cell = table.rows[0].cells
        assert len(list(chart_cell._tc.iter(f"{WP}docPr"))) == 1
        assert not list(notes_cell._tc.iter(f"{WP}docPr"))
        notes = [Paragraph(p, notes_cell) for p in notes_cell._tc.findall(f"{W}p")]
        assert (notes[0].style.name, notes[0].text) == ("Heading 3", "Data Notes")
        assert notes[1].text.startswith("Tolerance: ") and notes[1].runs[0].bold
        # the trend table follows the row, the commentary after it
        after = [(kind, obj) for kind, obj in items[start:end]]
        position = next(i for i, (k, o) in enumerate(after) if k == "t" and o._tbl is table._tbl)
        assert after[position + 1][0] == "t" and _caption(after[position + 1][1]).startswith("Trend data: ")
        assert isinstance(after[position + 2][1], Paragraph) and after[position + 2][1].text == "Commentary"


def test_summary_table_one_row_per_indicator_with_the_cards_figures(word, sample_cards):
    summaries = [t for t in word.tables if _caption(t).startswith("Summary of performance")]
    assert len(summaries) == len(sample_cards.sections)
    for table, section in zip(summaries, sample_cards.sections):
        header, *rows = _rows(table)
        column = {name: header.index(name) for name in ("Current 2013-14 Target", "Current Position", "RAG")}
        cards = sample_cards.section(section)
        assert len(rows) == len(cards)
        for row, card in zip(rows, cards):
            assert row[0] == f"{cards.index(card) + 1}. {card.indicator.title}"
            assert row[column["Current 2013-14 Target"]] == card.fmt_target(card.current.target)
            assert row[column["Current Position"]] == card.fmt(card.current.actual)
            if card.indicator.activity:
                status = card.range_status
                assert row[column["RAG"]] == (f"{status.value.capitalize()} expected range" if status
                                              else "No expected range")
                continue
            assert row[column["RAG"]] == (card.rag.value if card.rag else "not rated")


def test_rag_cells_are_shaded_and_carry_the_word(word):
    """Each RAG cell is shaded with the house fill and its word printed in the house text
    colour and weight (report_templates/house_style.toml)."""
    from pipeline.style.house import house_style

    looks = {name: house_style().rag_look(name) for name in ("GREEN", "AMBER", "RED")}
    fills = {name: look.fill.lstrip("#") for name, look in looks.items()}
    assert len(set(fills.values())) == 3
    seen = set()
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                shd = cell._tc.tcPr.find(f"{W}shd") if cell._tc.tcPr is not None else None
                fill = shd.get(f"{W}fill") if shd is not None else None
                if fill in fills.values():
                    word_for = {v: k for k, v in fills.items()}[fill]
                    assert cell.text == word_for
                    for run in cell.paragraphs[0].runs:
                        assert str(run.font.color.rgb) == looks[word_for].text.lstrip("#")
                        assert run.font.bold is True
                    seen.add(word_for)
    assert seen == {"GREEN", "AMBER", "RED"}


def test_sections_headers_and_repeat_rows(word, sample_cards):
    from docx.enum.section import WD_ORIENT

    orientations = [s.orientation for s in word.sections]
    assert orientations[0] == WD_ORIENT.PORTRAIT
    assert orientations[1:] == [WD_ORIENT.LANDSCAPE] * len(sample_cards.sections)
    assert all(s.page_width > s.page_height for s in word.sections[1:])
    data = [t for t in word.tables if _caption(t).startswith(("Summary of performance", "Trend data"))]
    assert data
    for table in data:
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(f"{W}tblHeader") is not None
    footer_xml = word.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "Social Care and Public Health Cabinet Committee" in footer_xml


def test_styles_are_real_and_arial(word):
    names = {p.style.name for p in word.paragraphs}
    assert {"Heading 1", "Heading 2", "Heading 3", "Normal", "List Bullet", "Quote"} <= names
    assert word.styles["Normal"].font.name == "Arial"
    assert word.styles["Heading 1"].font.name == "Arial"
    assert word.tables[1].style.name == "Report Table"
    assert 'w:lang w:val="en-GB"' in word.styles.element.xml


def test_properties_set_and_no_python_docx_leftovers(word, built):
    cp = word.core_properties
    assert cp.title == "Families and Social Care Performance Dashboard for September 2013"
    assert cp.author == "Families and Social Care" and cp.language == "en-GB"
    assert cp.created.date().isoformat() == "2013-12-05" and cp.modified == cp.created
    with zipfile.ZipFile(built[1]) as z:
        names = z.namelist()
        everything = b"".join(z.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert "docProps/thumbnail.jpeg" not in names
    assert b"python-docx" not in everything.lower() and b"Macintosh" not in everything


def test_two_builds_are_identical_and_atomic(built, sample_path, tmp_path):
    from pipeline.build import build_report

    again = build_report(sample_path, tmp_path, formats=("docx",)).paths["docx"]
    assert again.read_bytes() == built[1].read_bytes()
    assert not list(tmp_path.glob(".*.part"))


def test_failed_write_leaves_the_previous_file(built, tmp_path):
    from pipeline.docx.render import render_docx
    from pipeline.errors import PipelineError

    target = tmp_path / "report.docx"
    target.write_bytes(b"previous")
    with pytest.raises(PipelineError, match="no picture"):
        render_docx(built[0].document, target, images={})
    assert target.read_bytes() == b"previous"
    assert not list(tmp_path.glob(".*.part"))


def test_text_with_markup_characters_and_breaks_comes_back_as_written():
    """Paragraphs and tables are written as XML text and parsed: markup characters, tabs,
    line breaks and carriage returns in text, captions, anchors and links come back as
    the model has them, and text XML cannot hold is refused as before."""
    import io

    import docx

    from pipeline.document.model import (
        Cell,
        Document,
        Heading,
        Paragraph,
        Part,
        Run,
        Table,
        runs,
    )
    from pipeline.docx.render import docx_bytes

    tricky = ' a & b <c> "d" \'e\'\tf\r\ng ]]> '
    caption = 'Caption & <tag> "q"\nnext\tline'
    table = Table(columns=(1, 1), header_rows=((Cell(runs("Head & <1>"), header=True), Cell(runs("2"), header=True)),),
                  rows=((Cell(runs(tricky)), Cell((Run("x < y", bold=True), Run(" & z", href='#a"b&c')))),),
                  caption=caption)
    blocks = (Heading(1, "Title & <more>\ttab", anchor='odd "anchor" & <x>'),
              Paragraph((Run(tricky, italic=True), Run("link", href="https://example.org/?a=1&b=<2>"))), table)
    document = Document(title="T & <t>", subject="S", author="A", parts=(Part("P", "portrait", blocks),))
    word = docx.Document(io.BytesIO(docx_bytes(document, {})))
    heading, paragraph = word.paragraphs[:2]
    assert heading.text == "Title & <more>\ttab"
    assert paragraph.text == tricky + "link" and paragraph.runs[0].italic
    assert _caption(word.tables[0]) == caption
    assert _rows(word.tables[0]) == [["Head & <1>", "2"], [tricky, "x < y & z"]]
    assert word.core_properties.title == "T & <t>"
    bad = Document(title="T", subject="S", author="A", parts=(Part("P", "portrait", (Paragraph(runs("a\x0bb")),)),))
    with pytest.raises(ValueError, match="XML compatible"):
        docx_bytes(bad, {})


def test_table_properties_follow_the_schema_order_once_each(built):
    """Each w:tblPr child at most once, in CT_TblPr's order (Word refuses a file otherwise)."""
    from lxml import etree

    with zipfile.ZipFile(built[1]) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    order = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
             "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
             "tblCaption", "tblDescription"]
    properties = root.findall(".//{*}tblPr")
    assert properties
    for tbl_pr in properties:
        names = [etree.QName(child).localname for child in tbl_pr]
        assert len(names) == len(set(names)), names
        assert names == sorted(names, key=order.index), names
