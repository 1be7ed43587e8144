"""The PDF renderer's speed-ups keep the document exactly right: chart pictures pass into
the PDF as their PNG's own data (the same pixels), and the story is laid out once to count
pages and once to draw, with the contents list's page numbers right whatever moves."""
from __future__ import annotations

import io
import re
import struct
import zlib

import pikepdf
import pytest
from pdf_documents import make_document, sample_document_and_images
from PIL import Image, ImageChops

from pipeline.document.model import Heading, figures, walk
from pipeline.pdf.images import PngImage, png_data


@pytest.fixture(scope="module")
def hand():
    from pipeline.charts.draw import render_all

    document = make_document()
    return document, render_all([f.chart for f in figures(document)])


@pytest.fixture(scope="module")
def sample():
    return sample_document_and_images()


def _png(mode: str, size=(40, 30), **save) -> bytes:
    picture = Image.new(mode, size)
    for x in range(size[0]):
        for y in range(size[1]):
            value = (x * 7 + y * 13) % 256
            picture.putpixel((x, y), {"RGB": (value, 255 - value, x * 5 % 256), "L": value,
                                      "RGBA": (value, 0, 0, y * 8 % 256), "P": value % 16}[mode])
    out = io.BytesIO()
    picture.save(out, format="PNG", **save)
    return out.getvalue()


def _xobject_pixels(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for _name, raw in page.get_images().items() if hasattr(page, "get_images") else page.images.items():
            yield raw, pikepdf.PdfImage(raw).as_pil_image()


# ------------------------------------------------------------------------------ pictures
def test_every_chart_is_embedded_as_its_png_data_with_the_same_pixels(hand):
    from pipeline.pdf.render import pdf_bytes

    document, images = hand
    with pikepdf.open(io.BytesIO(pdf_bytes(document, images))) as pdf:
        embedded = list(_xobject_pixels(pdf))
        assert len(embedded) == len(images)  # one XObject per distinct chart
        for (raw, pixels), png in zip(embedded, images.values()):
            assert raw.Filter in (pikepdf.Name.FlateDecode, pikepdf.Array([pikepdf.Name.FlateDecode]))
            assert raw.DecodeParms.Predictor == 15 and raw.DecodeParms.Columns == raw.Width
            assert raw.read_raw_bytes() == png_data(png).idat  # the PNG's own stream, not re-encoded
            expected = Image.open(io.BytesIO(png)).convert("RGB")
            assert pixels.size == expected.size
            assert ImageChops.difference(pixels.convert("RGB"), expected).getbbox() is None


@pytest.mark.parametrize("mode, save", [("RGB", {}), ("L", {}), ("RGB", {"compress_level": 9})])
def test_plain_pngs_pass_through(mode, save):
    png = png_data(_png(mode, **save))
    assert png is not None and (png.width, png.height) == (40, 30)


@pytest.mark.parametrize("data", [
    _png("RGBA"),  # transparency needs a soft mask
    _png("P"),  # a palette
    b"not a picture",
    b"\x89PNG\r\n\x1a\n",  # a signature and nothing else
], ids=["rgba", "palette", "not-png", "empty-png"])
def test_other_pictures_do_not_pass_through(data):
    assert png_data(data) is None


def _with_header(data: bytes, **changes) -> bytes:
    """The PNG with its IHDR fields changed (and its CRC made right again)."""
    start = 8
    length = struct.unpack(">I", data[start:start + 4])[0]
    fields = list(struct.unpack(">IIBBBBB", data[start + 8:start + 8 + length]))
    names = ["width", "height", "depth", "colour_type", "compression", "filtering", "interlace"]
    for name, value in changes.items():
        fields[names.index(name)] = value
    body = struct.pack(">IIBBBBB", *fields)
    chunk = struct.pack(">I", len(body)) + b"IHDR" + body + struct.pack(">I", zlib.crc32(b"IHDR" + body))
    return data[:start] + chunk + data[start + 12 + length:]


@pytest.mark.parametrize("changes", [{"interlace": 1}, {"depth": 16}, {"colour_type": 6}, {"compression": 1}])
def test_pngs_pdf_cannot_take_as_they_are_are_refused(changes):
    assert png_data(_with_header(_png("RGB"), **changes)) is None


def test_a_corrupt_chunk_is_refused():
    data = bytearray(_png("RGB"))
    data[40] ^= 0xFF  # inside the IDAT data: its CRC no longer matches
    assert png_data(bytes(data)) is None


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_a_picture_that_cannot_pass_through_is_still_drawn(tmp_path, mode):
    """The fallback (ReportLab's own image XObject) draws the picture in the same box."""
    from reportlab.pdfgen.canvas import Canvas

    calls = []
    flowable = PngImage(lambda: calls.append(1) or _png(mode), 40, 30)
    canvas = Canvas(str(tmp_path / "x.pdf"))
    assert flowable.wrapOn(canvas, 100, 100) == (40, 30) and not calls  # laid out without the picture
    flowable.drawOn(canvas, 10, 10)
    canvas.save()
    assert calls == [1]
    with pikepdf.open(tmp_path / "x.pdf") as pdf:
        [(raw, pixels)] = list(_xobject_pixels(pdf))
        assert pixels.size == (40, 30) and "/DecodeParms" not in raw


# ------------------------------------------------------------------------------ layout passes
def _check_contents_numbers(data: bytes, events) -> int:
    """Every contents entry's printed page is the page its heading is on; returns how
    many entries there are. (Entries in order: the TOCI events give their anchors, the
    text gives their numbers.)"""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    printed = [int(m.group(1)) for m in re.finditer(r"\u2014 page (\d+)$", text, re.M)]
    anchors = [e[3]["links"][0][1:] for e in events if e[0] == "begin" and e[2] == "TOCI"]
    heading_page: dict[str, int] = {}
    for event, page, role, attrs in events:
        if event == "begin" and role in ("H1", "H2", "H3") and attrs.get("anchor"):
            heading_page.setdefault(attrs["anchor"], page)
    assert len(printed) == len(anchors)
    for anchor, page in zip(anchors, printed):
        assert heading_page[anchor] == page, anchor
    return len(printed)


def test_contents_page_numbers_are_the_pages_the_headings_are_on(sample):
    from pipeline.pdf.render import pdf_bytes

    document, images = sample
    events: list = []
    data = pdf_bytes(document, images, events=events)
    assert _check_contents_numbers(data, events) >= 17  # every indicator of the sample


def test_when_the_numbers_move_the_pages_the_final_pass_is_repeated(sample, monkeypatch):
    """A contents list that is taller in the counting pass than in the final one moves
    every later page: the renderer lays the story out again with the pages it found,
    and the numbers printed are still right."""
    from pipeline.pdf import layout, render, story

    document, images = sample
    real = story.StoryBuilder.contents_entry
    passes = []

    def entry(self, slot, anchor_pages):
        if not anchor_pages:  # the counting pass: an entry four lines tall
            from reportlab.platypus import Paragraph as RLParagraph

            from pipeline.pdf.flowables import mark

            return mark(RLParagraph("<br/>".join(["placeholder"] * 4), slot[2]), "TOCI", links=())
        return real(self, slot, anchor_pages)

    original_layout = layout.layout_pass

    def counting_layout(laid_out, info, **kwargs):
        result = original_layout(laid_out, info, **kwargs)
        passes.append(result.pages)
        return result

    monkeypatch.setattr(story.StoryBuilder, "contents_entry", entry)
    monkeypatch.setattr(layout, "layout_pass", counting_layout)
    events: list = []
    data = render.pdf_bytes(document, images, events=events)
    assert len(passes) >= 3 and passes[0] > passes[-1]  # counted long, drawn again when it moved
    assert _check_contents_numbers(data, events) >= 17


def test_layout_reused_across_passes_gives_what_a_fresh_story_gives(hand):
    """The final pass lays out flowables the counting pass already laid out: what it
    draws is what laying out fresh flowables draws (same bytes)."""
    from pipeline.pdf.finish import finish_pdf
    from pipeline.pdf.layout import layout_pass
    from pipeline.pdf.render import pdf_bytes
    from pipeline.pdf.story import PassInfo, Story, check_inputs

    document, images = hand
    reused = pdf_bytes(document, images)
    seeds = check_inputs(document, images)  # (the fonts' seeds, as pdf_bytes gives them)
    story = Story(document, images, None, seeds)
    counted = layout_pass(story, PassInfo(), layout_only=True)
    fresh = layout_pass(Story(document, images, None, seeds),
                        PassInfo(total_pages=counted.pages, anchor_pages=counted.anchor_pages), tagged=True)
    assert finish_pdf(fresh.data, document, fresh.tags) == reused


def test_the_counting_pass_draws_nothing(hand):
    from pipeline.pdf.layout import layout_pass
    from pipeline.pdf.render import pdf_bytes
    from pipeline.pdf.story import PassInfo, Story

    document, images = hand
    counted = layout_pass(Story(document, images), PassInfo(), layout_only=True)
    assert counted.events == []
    assert counted.data == b""  # not even written out
    with pikepdf.open(io.BytesIO(pdf_bytes(document, images))) as pdf:
        assert len(pdf.pages) == counted.pages
    headings = [b for p in document.parts for b in walk(p.blocks) if isinstance(b, Heading) and b.anchor]
    assert {h.anchor for h in headings} <= set(counted.anchor_pages)


# ------------------------------------------------------------------------------ one-line cells
def _words_drawn(flowable_class, text, style, width=120.0):
    import pdfplumber
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    flowable = flowable_class(text, style)
    flowable.wrapOn(canvas, width, 100)
    flowable.drawOn(canvas, 40, 500)
    canvas.showPage()
    canvas.save()
    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        page = pdf.pages[0]
        return flowable.height, [(c["text"], round(c["x0"], 3), round(c["top"], 3), c["fontname"].split("+")[-1],
                                  round(c["size"], 3), c["non_stroking_color"]) for c in page.chars]


@pytest.mark.parametrize("alignment", [0, 1, 2])
@pytest.mark.parametrize("look", ["cell", "cell_dense", "cell_small", "bold-red"])
def test_one_line_cells_draw_exactly_where_a_paragraph_draws(alignment, look):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as RLParagraph

    from pipeline.pdf.flowables import CellText
    from pipeline.pdf.fonts import BOLD, register_fonts
    from pipeline.pdf.styles import hex_colour, styles

    register_fonts()
    all_styles = styles()
    base = all_styles.cell if look == "bold-red" else getattr(all_styles, look)
    extra = {"fontName": BOLD, "textColor": hex_colour("#9C0006")} if look == "bold-red" else {}
    style = ParagraphStyle("t", parent=base, alignment=alignment, **extra)
    for text in ("73%", "\u25bc Worsened", "12,402", "Sep-13"):
        assert _words_drawn(CellText, text, style) == _words_drawn(RLParagraph, text, style)


def test_cells_that_need_a_paragraph_get_one():
    from pipeline.pdf.flowables import CellText, cell_text
    from pipeline.pdf.fonts import register_fonts
    from pipeline.pdf.styles import styles

    register_fonts()
    style = styles().cell
    assert isinstance(cell_text("AMBER", style, 100), CellText)
    for text in ("", "two\nlines", "double  space", " leading", "trailing ", "tab\there", "no\xa0break",
                 "a long sentence that cannot fit in a narrow column of a table"):
        assert cell_text(text, style, 100) is None, text


def test_the_sample_tables_mostly_skip_the_paragraph_machinery(sample):
    from reportlab.platypus import Paragraph as RLParagraph

    from pipeline.pdf.flowables import CellText, Stack
    from pipeline.pdf.story import Story

    document, images = sample
    counts = {CellText: 0, RLParagraph: 0}

    def visit(flowables):
        for f in flowables:
            if hasattr(f, "_content"):
                visit(f._content)
            elif isinstance(f, Stack):  # an indicator's page (IndicatorFlow)
                visit(f.flowables)
            elif hasattr(f, "columns") and hasattr(f, "widths"):
                visit([c for column in f.columns for c in column])
            for row in getattr(f, "_cellvalues", []):
                for cell in row:
                    for kind in counts:
                        counts[kind] += isinstance(cell, kind)

    visit(Story(document, images).flowables)
    assert counts[CellText] > 3 * counts[RLParagraph] > 0, counts


def test_between_pages_is_called_once_a_page_in_every_pass_and_changes_nothing(hand):
    """The renderer's one callback: after each finished page of the counting pass and of the
    drawing pass, with nothing being drawn (no marked element open), and the PDF is the
    same bytes with it as without."""
    import inspect

    from pipeline.pdf.render import pdf_bytes

    document, images = hand
    calls: list[tuple] = []

    def between_pages():
        drawing = [f.function for f in inspect.stack()[1:] if f.function in ("drawOn", "draw", "wrap", "split")]
        calls.append(tuple(drawing))

    with_callback = pdf_bytes(document, images, between_pages=between_pages)
    with pikepdf.open(io.BytesIO(with_callback)) as pdf:
        pages = len(pdf.pages)
    assert len(calls) == 2 * pages  # (the counting pass, then one drawing pass: this document settles at once)
    assert set(calls) == {()}
    assert with_callback == pdf_bytes(document, images)


def test_an_error_in_between_pages_stops_the_pdf(hand):
    from pipeline.pdf.render import pdf_bytes

    document, images = hand
    calls = []

    def failing():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("stopped between pages")

    with pytest.raises(RuntimeError, match="stopped between pages"):
        pdf_bytes(document, images, between_pages=failing)
    assert len(calls) == 2
