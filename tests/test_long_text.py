"""Long officer text in any table flows across pages (issue 14): the cover report's Red
commentary table, the business plan exceptions, the summary's titles, the details block,
the data notes and narrative; both documents are built, reopened, and every word (every
character, for a paragraph without spaces) is found in order where it belongs."""
from __future__ import annotations

import hashlib
import re

import pytest

from pipeline.document.model import (
    CONTINUED,
    LINE_COST,
    ROW_TEXT_LIMIT,
    Cell,
    Document,
    Part,
    Table,
    flowing_rows,
    runs,
    text_pieces,
)

SECTION = "Test Section"
RED = {"id": "R1", "title": "Indicator R1 rated red", "polarity": "higher", "unit": "percent"}
RED_VALUES = [{"indicator_id": "R1", "period": "2013-09", "actual": 50, "target": 80, "floor": 70}]


def words_text(count_chars: int, tag: str = "w") -> str:
    """Distinct words (so order can be checked) adding up to about ``count_chars``."""
    out, n, total = [], 0, 0
    while total < count_chars:
        word = f"{tag}{n}"
        out.append(word)
        total += len(word) + 1
        n += 1
    return " ".join(out)


def word_free(count_chars: int) -> str:
    """One paragraph without a space: hex digits that never repeat in a way an order check could miss."""
    out, seed = [], b"word-free"
    while sum(map(len, out)) < count_chars:
        seed = hashlib.sha256(seed).digest()
        out.append(seed.hex())
    return "".join(out)[:count_chars]


def in_order(expected: list[str], found: list[str]) -> list[str]:
    """The expected tokens missing from ``found`` as a subsequence (empty: all there, in order)."""
    it = iter(found)
    return [word for word in expected if word not in it]


# ---------------------------------------------------------------------------- the model


def test_text_pieces_cut_at_lines_then_spaces_then_anywhere_and_lose_nothing():
    text = words_text(10_000)
    pieces = text_pieces(text)
    assert len(pieces) > 1 and all(len(p) <= ROW_TEXT_LIMIT for p in pieces)
    assert " ".join(pieces) == text  # cut at spaces only
    blob = word_free(20_000)
    pieces = text_pieces(blob)
    assert [len(p) for p in pieces[:-1]] == [ROW_TEXT_LIMIT] * (len(pieces) - 1) and "".join(pieces) == blob
    lines = "\n".join(f"Paragraph {n}." for n in range(300))
    pieces = text_pieces(lines)
    assert "\n".join(pieces) == lines
    assert all(p.count("\n") + 1 <= ROW_TEXT_LIMIT // LINE_COST for p in pieces)  # short lines still cut


@pytest.mark.parametrize("length, pieces", [(ROW_TEXT_LIMIT, 1), (ROW_TEXT_LIMIT + 1, 2)])
def test_a_cell_is_cut_only_beyond_the_limit(length, pieces):
    text = ("y " * length)[:length]
    rows = flowing_rows([(Cell(runs("Label"), header=True, scope="row"), Cell(runs(text)))])
    assert len(rows) == pieces


def test_continuation_rows_repeat_the_label_keep_header_cells_and_widths():
    long = words_text(5_000)
    row = (Cell(runs("Delayed action"), header=True, scope="row"), Cell(runs("Short")),
           Cell(runs(long), colspan=2))
    rows = flowing_rows([row])
    assert len(rows) == len(text_pieces(long)) > 1
    assert rows[0][0].text == "Delayed action" and rows[0][1].text == "Short"
    for cont in rows[1:]:
        assert cont[0].text == f"Delayed action {CONTINUED}" and cont[0].header and cont[0].scope == "row"
        assert cont[1].text == "" and not cont[1].header
        assert sum(c.colspan for c in cont) == 4
    assert " ".join(r[2].text for r in rows) == long


def test_a_long_first_column_carries_its_own_pieces():
    title = words_text(4_000, "t")
    rows = flowing_rows([(Cell(runs(title), header=True, scope="row"), Cell(runs("73%")))])
    assert " ".join(r[0].text for r in rows) == title
    assert [r[1].text for r in rows] == ["73%"] + [""] * (len(rows) - 1)


# ---------------------------------------------------------------------------- built reports


@pytest.fixture(scope="module")
def red_book(tmp_path_factory):
    from workbooks import make_workbook

    return make_workbook(tmp_path_factory.mktemp("long") / "red.xlsx", indicators=[RED], values=RED_VALUES)


def _build(red_book, tmp_path, commentary_text):
    """Both documents of the one-indicator report with ``commentary_text`` on its Red
    indicator. The commentary is put into the read dataset, not the workbook: an Excel
    cell holds at most 32,767 characters (openpyxl cuts longer text when writing), and the
    renderers must cope with any length the model can hold."""
    import dataclasses
    from types import SimpleNamespace

    from pipeline.cards.compute import compute_cards
    from pipeline.charts.draw import render_all
    from pipeline.document.assemble import build_document
    from pipeline.document.model import figures
    from pipeline.docx.render import render_docx
    from pipeline.input.tables import Commentary
    from pipeline.input.workbook import read_workbook
    from pipeline.pdf.render import render_pdf
    from pipeline.rules.periods import Month

    dataset = read_workbook(red_book)
    dataset = dataclasses.replace(dataset, commentary=(Commentary("R1", Month(2013, 9), commentary_text, 2),))
    document = build_document(dataset, compute_cards(dataset))
    images = render_all([f.chart for f in figures(document)])
    paths = {"docx": tmp_path / "red.docx", "pdf": tmp_path / "red.pdf"}
    render_docx(document, paths["docx"], images)
    render_pdf(document, paths["pdf"], images)
    return SimpleNamespace(paths=paths)


def _pdf_parts(path, column: float | None = None) -> tuple[str, str]:
    """(cover text, appendix text) of the PDF. ``column``: keep only what is inside each
    page's frame (no running header or page number), and on the cover only right of that
    share of the frame (the Red commentary table's second column)."""
    import pdfplumber

    from pipeline.pdf.styles import GEOMETRY

    cover, appendix = [], []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            text = page.extract_text() or ""
            is_appendix = f"Appendix A: {SECTION}" in text
            if column is not None:
                frame = GEOMETRY["landscape" if page.width > page.height else "portrait"]
                left = frame.left + (0 if is_appendix else column * frame.frame_width)
                top = page.height - frame.bottom - frame.frame_height
                text = page.crop((left, top, frame.left + frame.frame_width, page.height - frame.bottom)).extract_text()
            (appendix if is_appendix else cover).append(text or "")
    return "\n".join(cover), "\n".join(appendix)


def _docx_red_table(path) -> list[list[str]]:
    import docx

    for table in docx.Document(path).tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        if cells and cells[0] == ["Indicator", "Commentary"]:
            return cells[1:]
    raise AssertionError("no Red commentary table in the DOCX")


def _docx_text(path) -> str:
    import docx

    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("length", [6_000, 60_000])
def test_a_long_red_commentary_is_whole_and_in_order_in_both_documents(red_book, tmp_path, length):
    text = words_text(length)
    result = _build(red_book, tmp_path, text)
    expected = text.split()
    cover, appendix = _pdf_parts(result.paths["pdf"])
    assert in_order(expected, cover.split()) == []  # the cover's Red table
    assert in_order(expected, appendix.split()) == []  # the indicator page's commentary
    rows = _docx_red_table(result.paths["docx"])
    assert len(rows) == len(text_pieces(text)) > 1
    assert rows[0][0] == RED["title"] and all(r[0] == f"{RED['title']} {CONTINUED}" for r in rows[1:])
    assert " ".join(r[1] for r in rows) == text


def test_a_word_free_paragraph_of_20000_characters_is_whole_in_both_documents(red_book, tmp_path):
    blob = word_free(20_000)
    result = _build(red_book, tmp_path, blob)
    cover, appendix = _pdf_parts(result.paths["pdf"], column=0.35)
    # (the Red table's header row, repeated on each page, is the one other text in its column)
    assert blob in re.sub(r"\s", "", cover).replace("Commentary", "")
    # (a page the commentary runs on to is headed "<n>. <title> (continued)")
    continued = re.sub(r"\s", "", f"1. {RED['title']} (continued)")
    assert continued in re.sub(r"\s", "", appendix)
    assert blob in re.sub(r"\s", "", appendix).replace(continued, "")
    assert "".join(r[1] for r in _docx_red_table(result.paths["docx"])) == blob


def test_many_short_paragraphs_are_whole_and_in_order(red_book, tmp_path):
    paragraphs = [f"Point p{n} made." for n in range(600)]
    result = _build(red_book, tmp_path, "\n\n".join(paragraphs))
    expected = " ".join(paragraphs).split()
    cover, appendix = _pdf_parts(result.paths["pdf"])
    assert in_order(expected, cover.split()) == []
    assert in_order(expected, appendix.split()) == []
    rows = _docx_red_table(result.paths["docx"])
    # (paragraphs apart in the cell: an empty line between them)
    assert [line for r in rows for line in r[1].split("\n") if line] == paragraphs


def test_every_table_and_block_that_holds_officer_text_flows(make_book, tmp_path):
    """Long text everywhere an officer can write it: the summary's title, the details
    block, data notes, narrative, business plan exceptions, contacts."""
    title = "Indicator " + words_text(2_500, "t")
    ambition = words_text(5_000, "a")
    notes = words_text(8_000, "n")
    narrative = words_text(12_000, "v")
    plan = words_text(9_000, "b")
    action = words_text(3_000, "c")
    contact = words_text(3_000, "k")
    red = {**RED, "title": title, "ambition": ambition, "data_notes": notes}
    from pipeline.build import build_report

    book = make_book(
        indicators=[red], values=RED_VALUES,
        commentary=[{"indicator_id": "R1", "period": "2013-09", "text": words_text(6_000)}],
        narrative=[{"section": SECTION, "period": "2013-09", "heading": "Overview", "text": narrative}],
        business_plan=[{"section": SECTION, "priority": "P1", "action": action, "status": "Delayed",
                        "commentary": plan}],
        contacts=[{"name": "A. Officer", "title": contact}],
    )
    result = build_report(book, tmp_path / "out", workers=1, use_cache=False)
    pdf_cover, pdf_appendix = _pdf_parts(result.paths["pdf"])
    pdf_words = (pdf_cover + "\n" + pdf_appendix).split()
    docx_words = _docx_text(result.paths["docx"]).split()
    for text in (title, ambition, notes, narrative, plan, action, contact):
        assert in_order(text.split(), pdf_words) == [], text[:20]
        assert in_order(text.split(), docx_words) == [], text[:20]


def test_the_pdf_lets_a_row_taller_than_a_page_split_whatever_the_model_holds(tmp_path):
    """The net under flowing_rows: a table built without it, one cell of 20,000 characters,
    is laid out (no LayoutError) with every word; ordinary tables keep whole rows."""
    import pdfplumber

    from pipeline.pdf.render import render_pdf

    text = words_text(20_000)
    table = Table(columns=(0.3, 0.7), header_rows=((Cell(runs("Label"), header=True, scope="col"),
                                                     Cell(runs("Text"), header=True, scope="col")),),
                  rows=((Cell(runs("Only row"), header=True, scope="row"), Cell(runs(text))),),
                  caption="A table with one huge cell")
    document = Document(title="t", subject="s", author="a",
                        parts=(Part(title="p", orientation="portrait", blocks=(table,)),))
    path = tmp_path / "huge.pdf"
    render_pdf(document, path, {})
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) > 2
        found = "\n".join(p.extract_text() or "" for p in pdf.pages).split()
    assert in_order(text.split(), found) == []
