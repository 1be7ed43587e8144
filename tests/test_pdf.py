"""The PDF renderer: reopen the PDFs (pdfplumber, pypdf, pikepdf, pdffonts) and check text,
order, fonts, navigation, metadata, layout and the structure events the tagging issue uses.

Two documents: a hand-built one with every block type (tests/pdf_documents.py) and the
real sample assembled from inputs/fsc_performance_2013-09.xlsx."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from pdf_documents import make_document, sample_document_and_images

from pipeline.document.model import (
    Cell,
    Document,
    Figure,
    Heading,
    KeepTogether,
    Paragraph,
    Part,
    Table,
    figures,
    runs,
    walk,
)
from pipeline.errors import OutputError
from pipeline.rules.rating import Rag

MM = 72 / 25.4


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Rendered:
    def __init__(self, document, images, path):
        import pdfplumber

        from pipeline.pdf.render import pdf_bytes

        self.document, self.images, self.path = document, images, path
        self.events: list = []
        self.data = pdf_bytes(document, images, events=self.events)
        path.write_bytes(self.data)  # render_pdf's own writing: test_render_writes_atomically
        with pdfplumber.open(path) as pdf:
            self.sizes = [(p.width, p.height) for p in pdf.pages]
            self.page_texts = [p.extract_text() or "" for p in pdf.pages]
            self.words = [p.extract_words() for p in pdf.pages]
            self.rects = [p.rects for p in pdf.pages]
            self.images_drawn = [p.images for p in pdf.pages]
        self.text = _norm(" ".join(self.page_texts))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    document, images = sample_document_and_images()
    return Rendered(document, images, tmp_path_factory.mktemp("pdf") / "sample.pdf")


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    from pipeline.charts.draw import render_all

    document = make_document()
    images = render_all([f.chart for f in figures(document)])
    return Rendered(document, images, tmp_path_factory.mktemp("pdf") / "hand.pdf")


@pytest.fixture(params=["hand", "sample"])
def rendered(request):
    return request.getfixturevalue(request.param)


# ------------------------------------------------------------------------------ text
def _expected_sequence(document: Document) -> list[str]:
    """Outline headings and every short figure / RAG cell of the data tables, in model order.
    (Long cells wrap inside their row, so the order check keeps to cells that fit a line.)"""
    out = []
    for part in document.parts:
        for block in walk(part.blocks):
            if isinstance(block, Heading) and block.outline:
                out.append(_norm(block.text))
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in row:
                        text = _norm(cell.text)
                        # (a lead indicator's "Within expected range" wraps in the summary's RAG column)
                        if text and (cell.rag is not None or (block.kind == "data" and not cell.header)) \
                                and len(text) <= 24 and not text.endswith("expected range"):
                            out.append(text)
    return out


def test_every_heading_figure_and_rag_word_in_reading_order(rendered):
    position = 0
    for item in _expected_sequence(rendered.document):
        found = rendered.text.find(item, position)
        assert found >= 0, f"{item!r} missing or out of order after …{rendered.text[max(0, position - 80):position]!r}"
        position = found + len(item)


def test_every_indicator_title_and_rag_word_present(sample):
    titles = [b.text for p in sample.document.parts for b in walk(p.blocks) if isinstance(b, Heading) and b.anchor]
    assert len(titles) >= 17  # 11 adult + 6 children's indicators at least
    for title in titles:
        assert _norm(title) in sample.text
    rag_cells = [c for p in sample.document.parts for b in walk(p.blocks) if isinstance(b, Table)
                 for row in b.rows for c in row if c.rag is not None]
    words = [w["text"] for page in sample.words for w in page]
    for rag in Rag:
        expected = sum(1 for c in rag_cells if c.rag is rag)
        assert words.count(rag.value) >= expected > 0 if rag is not Rag.RED else words.count(rag.value) >= expected


def test_direction_symbols_survive_extraction(sample):
    for symbol, word in (("▲", "Improved"), ("▼", "Worsened")):
        assert f"{symbol} {word}" in sample.text
    assert "\ufffd" not in sample.text


# ------------------------------------------------------------------------------ fonts
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_every_font_embedded_liberation_sans(sample):
    out = subprocess.run(["pdffonts", str(sample.path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert len(rows) >= 3  # regular, bold, italic at least
    for row in rows:
        fields = row.split()
        name, emb = fields[0], fields[-5]
        assert "LiberationSans" in name, row
        assert emb == "yes", row


def test_missing_glyph_is_an_error_not_a_box():
    from pipeline.pdf.render import pdf_bytes

    document = Document(title="t", subject="s", author="a", parts=(
        Part(title="p", orientation="portrait", blocks=(Paragraph(runs("Travel ↗ up")),)),))
    with pytest.raises(OutputError, match="U\\+2197"):
        pdf_bytes(document, {})


def test_missing_chart_image_is_an_error(hand):
    from pipeline.pdf.render import pdf_bytes

    with pytest.raises(OutputError, match="no chart image"):
        pdf_bytes(hand.document, {})


# ------------------------------------------------------------------------------ pages
def test_page_x_of_y_footer_and_clear_of_pack_stamp(sample):
    n = len(sample.page_texts)
    assert f"Page 1 of {n}" in sample.page_texts[0]
    assert f"Page {n} of {n}" in sample.page_texts[-1]
    footer = sample.document.footer_text
    assert footer and all(footer in _norm(t) for t in sample.page_texts)
    for index, words in enumerate(sample.words):
        height = sample.sizes[index][1]
        lowest = max(w["bottom"] for w in words)
        # the agenda pack stamps its own "Page N" within ~10 mm of the bottom edge
        assert height - lowest >= 12 * MM, f"page {index + 1}: text {height - lowest:.1f}pt from the bottom"


def test_cover_portrait_appendices_landscape(sample):
    starts = [(e[1], e[3]["title"]) for e in sample.events if e[0] == "group" and e[2] == "Sect"]
    assert [t for _, t in starts] == [p.title for p in sample.document.parts]
    bounds = [page for page, _ in starts] + [len(sample.sizes) + 1]
    for part, first, after in zip(sample.document.parts, bounds, bounds[1:]):
        for page in range(first, after):
            w, h = sample.sizes[page - 1]
            assert (w > h) == (part.orientation == "landscape"), f"page {page} of {part.title}"
    assert sample.document.parts[0].orientation == "portrait"
    assert any(p.orientation == "landscape" for p in sample.document.parts)


def test_running_header_on_every_page_of_its_part(sample):
    starts = [e[1] for e in sample.events if e[0] == "group" and e[2] == "Sect"] + [len(sample.sizes) + 1]
    for part, first, after in zip(sample.document.parts, starts, starts[1:]):
        if part.running_header:
            for page in range(first, after):
                assert _norm(part.running_header) in _norm(sample.page_texts[page - 1])


def test_indicator_heading_details_and_chart_kept_on_one_page(sample):
    begins = [e for e in sample.events if e[0] == "begin"]
    pages_of_anchor = {e[3]["anchor"]: e[1] for e in begins if e[3].get("anchor")}
    figure_pages = {e[3]["alt"]: e[1] for e in begins if e[2] == "Figure"}
    checked = 0
    for part in sample.document.parts:
        for block in part.blocks:
            if isinstance(block, KeepTogether):
                heads = [b for b in block.blocks if isinstance(b, Heading) and b.anchor]
                figs = [b for b in walk(block.blocks) if isinstance(b, Figure)]  # the chart is in a Columns
                if heads and figs:
                    assert pages_of_anchor[heads[0].anchor] == figure_pages[figs[0].alt_text], heads[0].text
                    checked += 1
    assert checked >= 11


def test_each_indicator_on_one_page_chart_left_of_its_data_notes(sample):
    """Seed 004: heading, chart, data notes and trend table of every indicator on one
    landscape page (found by their text and the chart's image), the chart on the left."""
    indicators = [b for p in sample.document.parts for b in walk(p.blocks)
                  if isinstance(b, Heading) and b.level == 2 and b.anchor and b.anchor.startswith("ind-")]
    assert len(indicators) == 17
    figure_pages = [e[1] for e in sample.events if e[0] == "begin" and e[2] == "Figure"
                    and e[3].get("kind") != "icon"]  # (charts, not the SPC icons of the summary)
    for heading in indicators:
        pages = [i for i, text in enumerate(sample.page_texts) if _norm(heading.text) in _norm(text)
                 and i + 1 in figure_pages]
        assert len(pages) == 1, heading.text
        index = pages[0]
        words, text = sample.words[index], sample.page_texts[index]
        w, h = sample.sizes[index]
        assert w > h, heading.text
        (image,) = sample.images_drawn[index]
        notes = [x for x in words if x["text"] == "Data" and any(
            y["text"] == "Notes" and abs(y["top"] - x["top"]) < 1 and 0 < y["x0"] - x["x1"] < 8 for y in words)]
        assert len(notes) == 1, heading.text
        assert image["x1"] < notes[0]["x0"], heading.text  # the chart left of its notes
        assert notes[0]["top"] < image["bottom"], heading.text  # ... and beside it, not below
        assert "Trend Data" in text, heading.text
        trend = min(x["top"] for x in words if x["text"] == "Trend")
        assert trend > image["bottom"], heading.text  # the trend table below the chart row


def test_each_indicator_starts_a_new_page(sample):
    """Seed 004: one page (or more) per indicator, each starting at the top of a page."""
    begins = [e for e in sample.events if e[0] in ("begin", "artifact")]
    for index, event in enumerate(begins):
        if event[0] == "begin" and event[2] == "H2" and re.match(r"\d+\. ", event[3].get("text", "")):
            earlier_on_page = [e for e in begins[:index] if e[1] == event[1] and e[0] == "begin"]
            assert not earlier_on_page, f"{event[3]['text']} does not start its page"


# ------------------------------------------------------------------------------ tables
def test_table_header_rows_repeat_across_pages():
    from pipeline.pdf.render import pdf_bytes

    header = (Cell(runs("Indicator name"), header=True, scope="col"), Cell(runs("Value"), header=True, scope="col"))
    rows = tuple((Cell(runs(f"Row {i}"), header=True, scope="row"), Cell(runs(f"{i}.5%"), align="right"))
                 for i in range(120))
    document = Document(title="t", subject="s", author="a", parts=(Part(title="p", orientation="portrait", blocks=(
        Table(columns=(3, 1), header_rows=(header,), rows=rows, caption="long"),)),))
    events: list = []
    data = pdf_bytes(document, {}, events=events)
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [p.extract_text() for p in pdf.pages]
    assert len(texts) >= 3
    assert all("Indicator name Value" in t for t in texts)
    whole = _norm(" ".join(texts))
    assert all(f"Row {i} {i}.5%" in whole for i in range(120))


def _colour_of(rect):
    colour = rect.get("non_stroking_color")
    if isinstance(colour, (int, float)):
        colour = (colour,) * 3
    return tuple(round(float(c), 2) for c in colour) if colour and len(colour) == 3 else None


def test_rag_cells_carry_word_and_colour(rendered):
    from pipeline.pdf.styles import RAG_COLOURS

    wanted = {rag.value: tuple(round(int(bg[i:i + 2], 16) / 255, 2) for i in (1, 3, 5))
              for rag, (bg, _) in RAG_COLOURS.items()}
    seen = 0
    for words, rects in zip(rendered.words, rendered.rects):
        for word in words:
            if word["text"] not in wanted:
                continue
            cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
            under = [_colour_of(r) for r in rects if r["x0"] <= cx <= r["x1"] and r["top"] <= cy <= r["bottom"]]
            if wanted[word["text"]] in under:
                seen += 1
            else:  # a RAG word outside a RAG cell is prose (the key's text, commentary)
                assert not any(c in wanted.values() for c in under), word
    rag_cells = sum(1 for p in rendered.document.parts for b in walk(p.blocks) if isinstance(b, Table)
                    for row in b.header_rows + b.rows for c in row if c.rag is not None)
    assert seen == rag_cells


def test_colours_meet_contrast():
    """The PDF draws with the house style's colours, and every text colour it prints on a
    background (the paper, header rows, row labels, RAG fills) reaches 4.5:1."""
    from pipeline.pdf import styles as s
    from pipeline.style.house import house_style

    house = house_style()
    c = house.colours
    assert (s.HEADER_BG, s.HEADER_TEXT, s.LABEL_BG, s.LABEL_TEXT) == (
        c.table_header_fill, c.table_header_text, c.row_label_fill, c.row_label_text)
    assert (s.LINK, s.FURNITURE_TEXT, s.TEXT, s.HEADING, s.RULE, s.GRID) == (
        c.links, c.furniture_text, c.text, c.headings, c.rules, c.grid)
    for rag, (bg, fg) in s.RAG_COLOURS.items():
        look = house.rag_look(rag.value)
        assert (bg, fg) == (look.fill or c.page, look.text)
        assert s.contrast_ratio(fg, bg) >= 4.5
    for fg in (c.text, c.headings, c.links, c.furniture_text):
        assert s.contrast_ratio(fg, c.page) >= 4.5
    assert s.contrast_ratio(s.HEADER_TEXT, s.HEADER_BG) >= 4.5
    assert s.contrast_ratio(s.LABEL_TEXT, s.LABEL_BG) >= 4.5
    assert s.contrast_ratio(s.LINK, s.LABEL_BG) >= 4.5
    not_rated = house.rag_look("not rated")
    assert s.contrast_ratio(not_rated.text, not_rated.fill or c.page) >= 4.5


# ------------------------------------------------------------------------------ figures
def test_charts_drawn_at_model_size_and_print_resolution(rendered):
    from pipeline.pdf.flowables import TIGHTEN_MIN_SCALE
    from pipeline.pdf.styles import GEOMETRY, LANDSCAPE_FIGURE_MAX_HEIGHT

    drawn = [img for page in rendered.images_drawn for img in page]
    model = list(figures(rendered.document))
    assert len(drawn) == len(model)
    orientation_of = {f.alt_text: p.orientation for p in rendered.document.parts
                      for f in walk(p.blocks) if isinstance(f, Figure)}
    for figure, img in zip(model, drawn):
        width, height = img["x1"] - img["x0"], img["bottom"] - img["top"]
        px_w, px_h = img["srcsize"]
        assert abs(width / height - px_w / px_h) < 0.01  # aspect kept
        orientation = orientation_of[figure.alt_text]
        box_w = min(figure.width_mm * MM, GEOMETRY[orientation].frame_width)
        box_h = figure.height_mm * MM * box_w / (figure.width_mm * MM)
        if orientation == "landscape":
            box_h = min(box_h, LANDSCAPE_FIGURE_MAX_HEIGHT)
        assert width <= box_w + 0.5 and height <= box_h + 0.5
        # fills its box, or (an indicator tightened to fit its page) no less than
        # TIGHTEN_MIN_SCALE of it
        scale = max(width / box_w, height / box_h)
        assert abs(width - box_w) < 0.5 or abs(height - box_h) < 0.5 or TIGHTEN_MIN_SCALE - 0.005 <= scale < 1
        assert px_w / (width / 72) >= 195  # 200 dpi source, never enlarged


def test_every_figure_has_its_alt_text_recorded(rendered):
    recorded = [e[3]["alt"] for e in rendered.events if e[0] == "begin" and e[2] == "Figure"
                and e[3].get("kind") != "icon"]  # (the SPC icons: tests/test_spc_report.py)
    assert recorded == [f.alt_text for f in figures(rendered.document)]
    assert all(recorded)


# ------------------------------------------------------------------------------ navigation
def _outline(reader):
    out = []

    def visit(items, depth):
        for item in items:
            if isinstance(item, list):
                visit(item, depth + 1)
            else:
                out.append((depth, item.title))

    visit(reader.outline, 0)
    return out


def test_outline_has_every_section_and_indicator_nested(rendered):
    import pypdf

    reader = pypdf.PdfReader(rendered.path)
    outline = _outline(reader)
    expected = [(b.level, _norm(b.text)) for p in rendered.document.parts for b in walk(p.blocks)
                if isinstance(b, Heading) and b.outline]
    assert [_norm(t) for _, t in outline] == [t for _, t in expected]
    for (depth, _), (_level, text) in zip(outline, expected):
        if re.match(r"\d+\. ", text):  # indicators sit under their appendix
            assert depth >= 1, text
    assert reader.page_mode in (None, "/UseOutlines", "/UseNone")


def test_internal_links_resolve(rendered):
    """Every '#anchor' run is a link annotation whose destination is the anchor's page
    (ReportLab writes explicit destinations, which every viewer follows)."""
    import pypdf

    reader = pypdf.PdfReader(rendered.path)
    page_number = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(reader.pages)}
    anchor_page = {e[3]["anchor"]: e[1] for e in rendered.events if e[0] == "begin" and e[3].get("anchor")}
    anchor_page.update({e[3]["anchor"]: e[1] for e in rendered.events
                        if e[0] == "group" and e[3].get("anchor") and e[3]["anchor"] not in anchor_page})
    internal = [r.href[1:] for p in rendered.document.parts for b in walk(p.blocks)
                for r in _runs_of(b) if r.href and r.href.startswith("#")]
    assert internal
    targets = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                targets.append(page_number[annot["/Dest"][0].idnum])
    for anchor in internal:
        assert anchor in anchor_page, f"no destination for #{anchor}"
        assert anchor_page[anchor] in targets
    assert len(targets) >= len(internal)


def _runs_of(block):
    if isinstance(block, Paragraph):
        return block.content
    if isinstance(block, Table):
        return tuple(r for row in block.header_rows + block.rows for c in row for r in c.content)
    if hasattr(block, "items"):
        return tuple(r for item in block.items for r in item)
    return ()


def test_appendix_starts_with_clickable_contents(sample):
    appendix = next(p for p in sample.document.parts if p.orientation == "landscape")
    start = next(e[1] for e in sample.events if e[0] == "group" and e[2] == "Sect" and e[3]["title"] == appendix.title)
    text = _norm(sample.page_texts[start - 1])
    assert "Contents" in text
    toc = [e for e in sample.events if e[0] == "begin" and e[2] == "TOCI"]
    indicators = [b for b in walk(appendix.blocks) if isinstance(b, Heading) and b.anchor and b.level == 2]
    assert {e[3]["links"][0][1:] for e in toc} >= {b.anchor for b in indicators}


# ------------------------------------------------------------------------------ metadata
def test_metadata_title_author_language_display_title(sample):
    import pikepdf

    with pikepdf.open(sample.path) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == sample.document.title
        assert str(info["/Author"]) == sample.document.author
        assert str(info["/Subject"]) == sample.document.subject
        assert "ReportLab" not in str(info.get("/Producer", "")) and "unreg" not in str(info.get("/Producer", ""))
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        meta = pdf.open_metadata()
        assert meta["dc:title"] == sample.document.title
        if sample.document.date:
            assert str(info["/CreationDate"]).startswith("D:" + sample.document.date.replace("-", ""))


def test_same_inputs_give_identical_bytes(hand):
    from pipeline.pdf.render import pdf_bytes

    assert pdf_bytes(hand.document, hand.images) == hand.data
    assert hand.path.read_bytes() == hand.data
    assert b"ReportLab" not in hand.data


def test_different_date_changes_only_through_the_model(hand):
    import io

    import pikepdf

    from pipeline.pdf.render import pdf_bytes

    other = pdf_bytes(replace(hand.document, date="2014-01-09"), hand.images)
    assert other != hand.data
    with pikepdf.open(io.BytesIO(other)) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20140109000000Z"
        assert str(pdf.open_metadata()["xmp:CreateDate"]).startswith("2014-01-09")


def test_render_writes_atomically(tmp_path, hand):
    from pipeline.pdf.render import render_pdf

    target = tmp_path / "out" / "report.pdf"
    render_pdf(hand.document, target, hand.images)
    assert target.read_bytes() == hand.data
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]


# ------------------------------------------------------------------------------ structure
def test_every_drawn_element_has_a_role_and_balanced_hooks(rendered):
    stack = []
    roles = set()
    for event, _page, role, _attrs in rendered.events:
        if event in ("begin", "artifact"):
            stack.append(role)
            roles.add(role)
        elif event in ("end", "endartifact"):
            assert stack.pop() == role
    assert not stack
    assert {"H1", "H2", "P", "Table", "TH", "TD", "Figure", "Artifact"} <= roles
    for event, _page, role, attrs in rendered.events:
        if event == "begin" and role == "TH":
            assert attrs["scope"] in ("col", "row")
    pages_with_furniture = {e[1] for e in rendered.events if e[0] == "artifact" and e[3]["kind"] == "Pagination"}
    assert pages_with_furniture == set(range(1, len(rendered.sizes) + 1))


def test_flowables_know_their_roles(hand):
    """The story builder marks every flowable it makes (the contract the tagging issue needs)."""
    from pipeline.pdf.flowables import MarkedMixin, Stack, StructBegin, StructEnd
    from pipeline.pdf.story import StoryBuilder
    from pipeline.pdf.styles import GEOMETRY

    builder = StoryBuilder(hand.document, hand.images)

    from pipeline.pdf.flowables import Columns

    seen_columns = []

    from pipeline.pdf.story import ContentsSection, PassInfo

    def leaves(flowables):
        for f in flowables:
            if isinstance(f, ContentsSection):  # built when a pass lays it out
                yield from leaves(f.fresh(builder, PassInfo()))
            elif hasattr(f, "_content"):  # platypus KeepTogether
                yield from leaves(f._content)
            elif isinstance(f, Stack):  # an indicator's page: layout only, like Columns
                assert not isinstance(f, MarkedMixin)
                yield from leaves(f.flowables)
            elif isinstance(f, Columns):  # layout only: its children carry the roles
                seen_columns.append(f)
                assert not isinstance(f, MarkedMixin)
                yield from leaves([c for column in f.columns for c in column])
            else:
                yield f

    for part in hand.document.parts:
        for f in leaves(builder.part(part, GEOMETRY[part.orientation])):
            if type(f).__name__ in ("PageBreakIfNotEmpty",):
                continue
            assert isinstance(f, (MarkedMixin, StructBegin, StructEnd)), type(f)
            if isinstance(f, MarkedMixin) and f.role == "Table":
                for row in f._cellvalues:
                    for cell in row:
                        assert cell == "" or (isinstance(cell, MarkedMixin) and cell.role in ("TH", "TD"))
    assert seen_columns  # the indicator pages' chart | data notes
