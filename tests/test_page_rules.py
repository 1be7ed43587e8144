"""The page rules of an indicator (docs/build.md, "Pages"), checked on every page of
every test document: the real sample, the hand-built document (tests/pdf_documents.py)
and a one-indicator report whose commentary grows line by line across the point where
its page fills up. A page that continues an indicator begun on the page before carries
the "<title> (continued)" heading and at least MIN_CONTINUED_LINES lines of it; an
indicator that overflows by a little fits its page with its chart tightened instead."""
from __future__ import annotations

import re

import pytest
from pdf_documents import make_document, sample_document_and_images

from pipeline.document.model import CONTENTS_TITLE, Heading, walk
from pipeline.pdf.flowables import MIN_CONTINUED_LINES, TIGHTEN_MIN_SCALE

INDICATOR = re.compile(r"^\d+\. \S")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _render(document, images, path):
    import pdfplumber

    from pipeline.pdf.render import render_pdf

    render_pdf(document, path, images)
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            pages.append(((page.extract_text() or "").splitlines(), page.images))
    return pages


def _content_lines(lines: list[str], document) -> list[str]:
    """A page's lines without its furniture (running header, footer, page number)."""
    headers = {_norm(p.running_header) for p in document.parts if p.running_header}
    out = list(lines[1:] if lines and _norm(lines[0]) in headers else lines)
    while out and (document.footer_text and document.footer_text in out[-1] or re.search(r"Page \d+", out[-1])):
        out.pop()
    return out


def page_rule_problems(document, pages) -> list[str]:
    """Every page checked: a page that does not open with a heading of the model, while
    an indicator is running, must open with its "(continued)" heading and hold at least
    MIN_CONTINUED_LINES lines below it."""
    headings = [_norm(b.text) for p in document.parts for b in walk(p.blocks) if isinstance(b, Heading)]
    headings.append(CONTENTS_TITLE)  # the renderer's own contents list
    problems: list[str] = []
    current = None  # the indicator whose page is running
    for number, (lines, _images) in enumerate(pages, start=1):
        lines = [_norm(line) for line in _content_lines(lines, document)]
        if not lines:
            problems.append(f"page {number} is empty")
            continue
        text = " ".join(lines)
        if current is not None and text.startswith(current + " (continued)"):
            heading_lines = next(i for i, line in enumerate(lines, 1) if line.endswith("(continued)"))
            below = len(lines) - heading_lines
            if below < MIN_CONTINUED_LINES:
                problems.append(f"page {number} carries {below} lines of '{current}' under its heading")
            continue
        opened = next((h for h in headings if text.startswith(h)), None)
        if opened is not None:
            current = opened if INDICATOR.match(opened) else None
            continue
        if current is not None:
            problems.append(f"page {number} continues '{current}' without its (continued) heading: {lines[:2]}")
    return problems


@pytest.fixture(scope="module")
def sample_pages(tmp_path_factory):
    document, images = sample_document_and_images()
    return document, _render(document, images, tmp_path_factory.mktemp("rules") / "sample.pdf")


def test_every_page_of_the_sample_keeps_the_rules(sample_pages):
    document, pages = sample_pages
    assert page_rule_problems(document, pages) == []
    # (the sample's two indicators that used to spill two lines onto a page of their own:
    # one now fits with its chart tightened, the other runs on under its heading)
    assert _runs_on(pages) == 1


def test_every_page_of_the_hand_built_document_keeps_the_rules(tmp_path):
    from pipeline.charts.draw import render_all
    from pipeline.document.model import figures

    document = make_document()
    images = render_all([f.chart for f in figures(document)])
    pages = _render(document, images, tmp_path / "hand.pdf")
    assert page_rule_problems(document, pages) == []


def test_the_check_sees_a_spill_over_page():
    """The check itself: a page of two lines after an indicator's page is a problem; with
    the heading and enough lines it is not (it must be able to fail)."""
    from types import SimpleNamespace

    from pipeline.document.model import Part

    doc = SimpleNamespace(parts=[Part(title="A", orientation="landscape", running_header="Appendix A",
                                      blocks=(Heading(2, "1. Delayed transfers"),))], footer_text="Footer")
    first = (["Appendix A", "1. Delayed transfers", "RAG rating", "Footer Page 1 of 2"], [])
    spill = (["Appendix A", "two lines", "of commentary", "Footer Page 2 of 2"], [])
    assert len(page_rule_problems(doc, [first, spill])) == 1
    few = (["Appendix A", "1. Delayed transfers (continued)", "one", "two", "Footer Page 2 of 2"], [])
    assert len(page_rule_problems(doc, [first, few])) == 1
    enough = (["Appendix A", "1. Delayed transfers (continued)", *["line"] * MIN_CONTINUED_LINES, "Page 2"], [])
    assert page_rule_problems(doc, [first, enough]) == []


# ------------------------------------------------------------------- a growing commentary
@pytest.fixture(scope="module")
def growing(tmp_path_factory):
    """The one-indicator report with its commentary growing by about a line at a time,
    from filling its page to running well onto the next: (chars, document, pages) each."""
    import dataclasses

    from test_long_text import RED, RED_VALUES, words_text
    from workbooks import make_workbook

    from pipeline.cards.compute import compute_cards
    from pipeline.charts.draw import render_all
    from pipeline.document.assemble import build_document
    from pipeline.document.model import figures
    from pipeline.input.tables import Commentary
    from pipeline.input.workbook import read_workbook
    from pipeline.rules.periods import Month

    folder = tmp_path_factory.mktemp("growing")
    dataset = read_workbook(make_workbook(folder / "red.xlsx", indicators=[RED], values=RED_VALUES))
    images = None
    out = []
    for chars in range(1000, 4400, 170):
        text = words_text(chars)
        changed = dataclasses.replace(dataset, commentary=(Commentary("R1", Month(2013, 9), text, 2),))
        document = build_document(changed, compute_cards(changed))
        if images is None:
            images = render_all([f.chart for f in figures(document)])
        out.append((chars, document, _render(document, images, folder / f"red-{chars}.pdf")))
    return out


def test_every_page_of_a_growing_commentary_keeps_the_rules(growing):
    for chars, document, pages in growing:
        problems = [p for p in page_rule_problems(document, pages) if not p.endswith("is empty")]
        assert problems == [], chars


def test_no_page_of_a_growing_commentary_is_blank(growing):
    """Among them a cover whose last block ends its page exactly (3,040 characters): the
    part's end marker closes the part on that page, not on a blank one of its own
    (pipeline.pdf.flowables.StructEnd; tests/test_struct_end.py holds the mechanism)."""
    assert any(chars == 3040 for chars, _d, _p in growing)
    for chars, document, pages in growing:
        assert [p for p in page_rule_problems(document, pages) if p.endswith("is empty")] == [], chars


def _runs_on(pages) -> int:
    """How many pages open with an indicator's "(continued)" heading (the cover's Red
    table has continuation rows of its own, which do not count)."""
    return sum(any(INDICATOR.match(line) and line.endswith("(continued)") for line in lines[:3])
               for lines, _images in pages)


def _chart_scale(pages) -> float:
    """The landscape chart's drawn height over the tallest drawn in the series."""
    heights = [img["bottom"] - img["top"] for lines, images in pages for img in images]
    return max(heights) if heights else 0.0


def test_a_little_overflow_tightens_the_chart_and_more_runs_on(growing):
    full = max(_chart_scale(pages) for _c, _d, pages in growing)
    tightened = continued = 0
    for _chars, _document, pages in growing:
        scale = _chart_scale(pages) / full
        runs_on = _runs_on(pages)
        assert scale >= TIGHTEN_MIN_SCALE - 0.005
        if scale < 0.999:
            tightened += 1
            assert not runs_on, (_chars, scale)  # tightening is only done when the whole indicator then fits
        continued += runs_on
    assert tightened >= 1 and continued >= 1, (tightened, continued)


# ---------------------------------------------------------------------------------- docx
def test_docx_tables_keep_their_last_rows_together(tmp_path):
    """Word's 'keep with next' on the paragraphs of a long table's last rows but the very
    last: a page never carries only its last row or two. Shorter tables are left alone."""
    import zipfile

    from lxml import etree

    from pipeline.docx.body import KEEP_LAST_ROWS
    from pipeline.docx.render import render_docx

    document, images = sample_document_and_images()
    render_docx(document, tmp_path / "sample.docx", images)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    checked = 0
    with zipfile.ZipFile(tmp_path / "sample.docx") as docx:
        body = etree.fromstring(docx.read("word/document.xml"))
    for table in body.iter(f"{w}tbl"):
        rows = table.findall(f"{w}tr")
        kept = [all(p.find(f"{w}pPr/{w}keepNext") is not None for p in row.iter(f"{w}p")) for row in rows]
        header = sum(row.find(f"{w}trPr/{w}tblHeader") is not None for row in rows)
        if all(kept[:-1]):  # (a table in a kept-together block: kept whole with it)
            continue
        if len(rows) - header > KEEP_LAST_ROWS + 1:
            assert kept[-KEEP_LAST_ROWS:] == [True] * (KEEP_LAST_ROWS - 1) + [False]
            assert not any(kept[header:-KEEP_LAST_ROWS])
            checked += 1
    assert checked >= 2  # (at least the two summary tables)
