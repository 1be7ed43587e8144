"""The HTML edition (pipeline.html): its structure, escaping, charts, parity with the PDF and
reproducibility. The browser checks (axe, reflow, keyboard, print) are in test_html_browser.py."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser

import pytest
from pdf_documents import sample_document_and_images

from pipeline.document.model import (
    BulletList,
    Cell,
    ChartSpec,
    Columns,
    Document,
    Figure,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Part,
    Rule,
    Run,
    Series,
    Table,
    figures,
    runs,
)
from pipeline.errors import PipelineError
from pipeline.rules.rating import Rag

# a figure as the documents print it; a comma after it is punctuation ("4,851, within ..."), not part of it
FIGURE = re.compile(r"(?<![\w.])-?\d(?:[\d,]*\d)?(?:\.\d+)?%?(?![\w])")
RAG = re.compile(r"\b(GREEN|AMBER|RED)\b")


class Page(HTMLParser):
    """The page as the tests read it: elements with their attributes, in order, and the text
    of <main> outside the charts (the SVGs and their data tables), which is what the PDF
    prints."""

    VOID = {"meta", "br", "hr", "img", "link", "input", "col", "source", "area", "base", "wbr"}

    def __init__(self, data: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.main_text: list[str] = []
        self.all_text: list[str] = []
        self.feed(data)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("class", "")))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.all_text.append(data)
        tags = [t for t, _ in self.stack]
        in_chart = "svg" in tags or any(t == "details" for t in tags)
        if "main" in tags and not in_chart and tags[-1:] != ["style"]:
            self.main_text.append(data)

    def tags(self, name):
        return [attrs for tag, attrs in self.elements if tag == name]


def _charts(document) -> dict:
    from pipeline.charts.svg import render_svgs

    return render_svgs(f.chart for f in figures(document))[0]


@pytest.fixture(scope="module")
def sample():
    from pipeline.html.render import html_bytes

    document, _images = sample_document_and_images()
    charts = _charts(document)
    data = html_bytes(document, charts)
    return document, charts, data, Page(data.decode("utf-8"))


# -- structure -------------------------------------------------------------------------------
def test_one_h1_and_heading_levels_never_skip(sample):
    _document, _charts, data, page = sample
    levels = [int(tag[1]) for tag, _ in page.elements if re.fullmatch(r"h[1-6]", tag)]
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"h{before} followed by h{after}"
    assert len(levels) > 40


def test_landmarks_skip_link_and_language(sample):
    _document, _charts, data, page = sample
    text = data.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">")
    assert len(page.tags("main")) == 1 and page.tags("main")[0]["id"] == "main"
    assert len(page.tags("nav")) == 1
    first_link = page.tags("a")[0]
    assert first_link["href"] == "#main" and first_link["class"] == "skip"
    # every in-page link lands on an element of the page
    ids = {attrs["id"] for _tag, attrs in page.elements if "id" in attrs}
    targets = [a["href"][1:] for a in page.tags("a") if a.get("href", "").startswith("#")]
    assert targets and [t for t in targets if t not in ids] == []
    assert len(ids) == len([1 for _tag, attrs in page.elements if "id" in attrs]), "an id used twice"


def test_every_table_has_a_caption_and_scoped_header_cells(sample):
    _document, _charts, data, page = sample
    text = data.decode("utf-8")
    tables = text.count("<table")
    assert tables > 40 and text.count("<caption") == tables
    for th in page.tags("th"):
        assert th.get("scope") in ("col", "row"), th
    # wide data tables scroll in their own region, which is named and reachable by keyboard
    for region in [attrs for tag, attrs in page.elements if "table-wrap" in attrs.get("class", "")]:
        assert region["tabindex"] == "0" and region["role"] == "region" and region["aria-labelledby"]


def test_no_script_and_nothing_fetched(sample):
    _document, _charts, data, page = sample
    text = data.decode("utf-8")
    assert "<script" not in text.lower() and "javascript:" not in text
    assert not re.search(r"<\w[^>]*\son\w+=", text), "an event handler attribute"
    assert not re.search(r"\bsrc=", text) and "<link" not in text and "<img" not in text and "@import" not in text
    for href in (a.get("href") for _t, a in page.elements if "href" in a):
        assert href.startswith(("#", "mailto:")), href
    for url in re.findall(r"url\(([^)]*)\)", text):
        assert url.startswith(("data:font/woff;base64,", "#")), url[:40]
    assert 'xlink:href="http' not in text


def test_ratings_are_words_and_coloured_from_the_house_style(sample):
    from pipeline.style.house import house_style

    document, _charts, data, page = sample
    text = data.decode("utf-8")
    house = house_style()
    for key, look in house.rag.items():
        if look.fill:
            assert f".rag-{key.replace('_', '-')}{{background:{look.fill};color:{look.text}" in text
    cells = re.findall(r'<td class="rag-(green|amber|red)[^"]*">([^<]*)</td>', text)
    assert cells and all(word == colour.upper() for colour, word in cells)
    assert house.colours.headings in text and house.fonts.family in text


def test_spc_icons_are_drawn_beside_their_words_as_in_the_pdf(sample):
    """Each SPC icon of the model is drawn (from the shapes the PDF draws, in the house
    style's colours) in its cell, before the words that say what it means; hidden from
    screen readers, which read those words."""
    from pipeline.document.model import Table, walk
    from pipeline.style.house import house_style
    from pipeline.style.icons import icon_svg

    document, _charts, data, _page = sample
    text = data.decode("utf-8")
    icons = [(i, c) for part in document.parts for b in walk(part.blocks) if isinstance(b, Table)
             for row in b.header_rows + b.rows for c in row for i in c.icons]
    assert len({i.kind for i, _ in icons}) >= 5  # (the sample's key shows every kind)
    drawn = re.findall(r'<span class="spc-icon" aria-hidden="true">(<svg.*?</svg>)</span>', text)
    assert len(drawn) == len(icons)
    spc = house_style().spc
    for (icon_, cell), svg in zip(icons, drawn):
        assert svg == icon_svg(icon_.kind, spc)
        assert icon_.text in cell.text  # the words are the cell's own
    assert re.search(r'<span class="spc-icon" aria-hidden="true"><svg[^>]*>.*?</svg></span>Common cause', text)


def test_charts_are_labelled_images_with_their_data(sample):
    document, _charts, data, page = sample
    text = data.decode("utf-8")
    figs = list(figures(document))
    svgs = [s for s in re.findall(r"<svg\b[^>]*>.*?</svg>", text, re.S)
            if 'aria-hidden="true"' not in s[:s.index(">")]]  # (not the SPC icons: their words are beside them)
    assert len(svgs) == len(figs) > 10
    for fig, svg in zip(figs, svgs):
        head = svg[:svg.index(">")]
        assert 'role="img"' in head
        title = re.search(r'aria-labelledby="([^"]+)"', head).group(1)
        desc = re.search(r'aria-describedby="([^"]+)"', head).group(1)
        assert Page(svg).all_text[0] == fig.chart.title
        assert f'<title id="{title}">' in svg and f'<desc id="{desc}">' in svg
        assert Page(svg[svg.index("<desc"):]).all_text[0] == fig.alt_text
        assert "<script" not in svg
    details = re.findall(r'<details class="chart-data">.*?</details>', text, re.S)
    assert len(details) == len(figs)
    for fig, block in zip(figs, details):
        rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th>", block)
        assert rows == list(fig.chart.periods)


def test_chart_data_table_writes_figures_as_the_documents_do():
    from pipeline.html.render import chart_data

    spec = ChartSpec("Delayed <transfers> & \"care\"", ("Aug-13", "Sep-13"),
                     (Series("Actual", (5.835, None)), Series("Target", (5.4, 5.4), role="target")), "rate", 2,
                     band_lower=(1.0, None), band_upper=(9.0, 9.5))
    table = chart_data(spec, "x")
    assert "Delayed &lt;transfers&gt; &amp; \"care\"" in table
    assert '<td class="right">5.84</td>' in table and '<td class="right">5.40</td>' in table
    assert "Expected range, lower" in table and '<td class="right">9.50</td>' in table
    assert table.count("<tr>") == 3 and "\u2013" in table  # the missing Sep-13 actual: the documents' dash


# -- parity with the PDF: the same figures and RAG words ---------------------------------------
@pytest.fixture(scope="module")
def pdf_text():
    import pypdf

    from pipeline.pdf.render import pdf_bytes

    document, images = sample_document_and_images()
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(document, images)))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    text = re.sub(r"Page \d+ of \d+|\u2014 page \d+", " ", text)
    for furniture in [document.footer_text, *(p.running_header for p in document.parts)]:
        if furniture:
            text = text.replace(furniture, " ")
    return text


def test_same_figures_and_ratings_as_the_pdf(sample, pdf_text):
    _document, _charts, _data, page = sample
    html = "\n".join(page.main_text)
    html_figures, pdf_figures = set(FIGURE.findall(html)), set(FIGURE.findall(pdf_text))
    assert len(html_figures) > 200
    assert html_figures - pdf_figures == set(), "figures only in the HTML"
    assert pdf_figures - html_figures == set(), "figures only in the PDF"
    percent = lambda text: Counter(f for f in FIGURE.findall(text) if f.endswith("%"))  # noqa: E731
    assert percent(html) == percent(pdf_text)
    assert Counter(RAG.findall(html)) == Counter(RAG.findall(pdf_text))


def test_every_card_figure_and_rating_is_in_the_page(sample, sample_dataset):
    """Each indicator's latest figure, as the documents format it, and its rating word, are in
    the page: nothing of the cards is left out of this edition."""
    from pipeline.cards.compute import compute_cards
    from pipeline.rules.periods import Month

    _document, _charts, _data, page = sample
    html = " ".join(page.main_text)
    cards = compute_cards(sample_dataset, Month(2013, 9)).cards
    assert cards
    for card in cards:
        if card.current is not None and card.current.actual is not None:
            assert card.fmt(card.current.actual) in html, card.indicator.id
        if card.rag is not None:
            assert card.rag.value in html


# -- escaping, unknown blocks ----------------------------------------------------------------
NASTY = 'Officer\'s <b>note</b> & "quote" </td></table><script>alert(1)</script>'


def _document_with_every_block(text: str) -> tuple[Document, dict]:
    spec = ChartSpec(text, ("Aug-13", "Sep-13"), (Series(text, (1.0, 2.0)),), "count", 0)
    figure = Figure(spec, alt_text=text, caption=text)
    table = Table(columns=(1, 1), header_rows=((Cell(runs(text), header=True, scope="col"),
                                                Cell(runs("Rating"), header=True, scope="col")),),
                  rows=((Cell(runs(text), header=True, scope="row"), Cell(runs("RED"), rag=Rag.RED)),),
                  caption=text)
    blocks = (Heading(1, text, anchor='a "b" <c>'), Paragraph((Run(text, bold=True), Run(text, href='#a "b" <c>'))),
              Paragraph(runs(text), number="1.", style="quote"), BulletList((runs(text),)), Rule(), PageBreak(),
              KeepTogether((Heading(2, text), table)), Columns(((figure,), (Paragraph(runs(text)),)), (3, 2)))
    document = Document(title=text, subject=text, author=text, parts=(Part(text, "portrait", blocks),),
                        footer_text=text)
    return document, {spec: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><g id="x"/></svg>'}


def test_officer_text_is_escaped_everywhere():
    from pipeline.html.render import html_bytes

    document, charts = _document_with_every_block(NASTY)
    text = html_bytes(document, charts).decode("utf-8")
    assert "<script>" not in text and "<b>" not in text and "</table><script" not in text
    page = Page(text)
    # the text comes back whole wherever it was put (title, headings, cells, caption, chart, alt)
    assert page.all_text.count(NASTY) >= 10
    assert page.tags("a")[-1]["href"] == '#a_"b"_<c>'
    assert any(attrs.get("id") == 'a_"b"_<c>' for _tag, attrs in page.elements)


def test_control_characters_are_refused_not_written():
    from pipeline.html.render import html_bytes

    document, charts = _document_with_every_block("bell \x07")
    with pytest.raises(PipelineError, match="control character"):
        html_bytes(document, charts)


def test_an_unknown_block_type_fails_loudly():
    """A block type added to the model (a new list, a section header) must be given its HTML
    here, never dropped without a word: the renderer refuses it, and this test names it."""
    from pipeline.document import model
    from pipeline.html.render import html_bytes

    class NewBlock:
        pass

    document = Document(title="t", subject="s", author="a", parts=(Part("p", "portrait", (NewBlock(),)),))
    with pytest.raises(PipelineError, match="cannot show a NewBlock"):
        html_bytes(document, {})
    known = {"Heading", "Paragraph", "BulletList", "Table", "Figure", "Rule", "PageBreak", "KeepTogether", "Columns"}
    assert {t.__name__ for t in model.Block.__args__} == known, \
        "the model has a block type the HTML edition does not render: add it to pipeline/html/render.py"


def test_a_chart_without_its_picture_is_an_error():
    from pipeline.html.render import html_bytes

    document, _charts = _document_with_every_block("x")
    with pytest.raises(PipelineError, match="no picture"):
        html_bytes(document, {})


# -- reproducible ------------------------------------------------------------------------------
def test_svg_is_reproducible_and_leaves_the_png_unchanged(sample):
    from pipeline.charts.draw import render_png
    from pipeline.charts.svg import render_svg

    document, charts, _data, _page = sample
    spec = next(figures(document)).chart
    before = render_png(spec)
    svg = render_svg(spec)
    assert svg == charts[spec] and "<text" in svg and "Liberation Sans" in svg  # text kept as text
    assert "<dc:date>" not in svg
    assert render_png(spec) == before


def test_the_same_build_gives_the_same_bytes_in_another_process(tmp_path, sample_path):
    """Two builds, the second in a fresh process (another hash seed, no warm caches): the
    same HTML, byte for byte."""
    out1, out2 = tmp_path / "one", tmp_path / "two"
    for out, seed in ((out1, "1"), (out2, "2")):
        done = subprocess.run([sys.executable, "-m", "pipeline", "build", str(sample_path), "--out", str(out),
                               "--format", "html", "--no-cache"], capture_output=True, text=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}, timeout=300)
        assert done.returncode == 0, done.stderr
    first = (out1 / "fsc_performance_2013-09.html").read_bytes()
    assert first == (out2 / "fsc_performance_2013-09.html").read_bytes()
    assert sorted(p.name for p in out1.iterdir() if not p.name.startswith(".")) == ["fsc_performance_2013-09.html"]


def test_chart_svg_cache_serves_the_same_text_and_ignores_a_damaged_file(tmp_path, sample):
    from pipeline.charts.svg import SvgCache, render_svgs, svg_key

    document, charts, _data, _page = sample
    specs = [f.chart for f in figures(document)][:2]
    first, drawn = render_svgs(specs, cache_dir=tmp_path)
    assert drawn == 2 and first == {s: charts[s] for s in specs}
    again, drawn = render_svgs(specs, cache_dir=tmp_path)
    assert drawn == 0 and again == first
    path = SvgCache(tmp_path).path(svg_key(specs[0]))
    path.write_bytes(path.read_bytes().replace(b"<svg", b"<svh", 1))
    healed, drawn = render_svgs(specs, cache_dir=tmp_path)
    assert drawn == 1 and healed == first


def test_only_the_faces_the_page_uses_are_embedded(sample):
    _document, _charts, data, _page = sample
    faces = re.findall(rb"@font-face\{[^}]*font-weight:(\d+);font-style:(\w+)", data)
    assert (b"400", b"normal") in faces and (b"700", b"normal") in faces
    assert len(faces) == len(set(faces)) <= 4
    from pipeline.html.render import html_bytes

    plain = html_bytes(Document(title="t", subject="s", author="a",
                                parts=(Part("p", "portrait", (Paragraph(runs("x")),)),)), {})
    assert len(re.findall(rb"@font-face", plain)) == 2  # no italic: not embedded
