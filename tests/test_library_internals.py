"""Every private internal of a library that the code relies on, checked where it lives.

ReportLab, matplotlib and python-docx have no public API for some of what the renderers do
(marked content, a ready PNG stream, cached glyphs, one zip pass), so the code reaches into
them. pyproject.toml caps those libraries below their next release line and constraints.txt
pins the tested versions; when one moves anyway (an upgrade, a new pin), this module is the
first thing to run: each test names the internal that changed and the module that uses it,
instead of a failure deep in a build. Each check is of the shape the code relies on (the
attribute, its type, a method's parameters, that the library itself still calls it), most
of them by using the internal on real library objects as the code does.
"""
from __future__ import annotations

import inspect
import io
import struct
import zipfile
import zlib

import pytest

from pipeline.pdf.fonts import FONT_DIR


def gone(internal: str, user: str, how: str = "is gone") -> str:
    return f"{internal} {how} ({user} uses it)"


def params(func) -> list[str]:
    return [p for p in inspect.signature(func).parameters if p != "self"]


def need(obj, name: str, internal: str, user: str):
    assert hasattr(obj, name), gone(internal, user)
    return getattr(obj, name)


# ----------------------------------------------------------------------------- ReportLab
def _canvas(buffer: io.BytesIO | None = None):
    from reportlab.pdfgen.canvas import Canvas

    return Canvas(buffer if buffer is not None else io.BytesIO(), pageCompression=0, invariant=1)


def _tiny_png() -> bytes:
    """A 2 x 2 8-bit RGB PNG, as the charts write them (no interlace)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([200, 10, 10] * 2) for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_reportlab_canvas_code_is_the_page_operator_list():
    out = io.BytesIO()
    canvas = _canvas(out)
    code = need(canvas, "_code", "reportlab.pdfgen.canvas.Canvas._code",
                "pipeline/pdf/tagging.py, pdf_images.py, pdf_replay.py")
    assert isinstance(code, list), gone("reportlab.pdfgen.canvas.Canvas._code", "pipeline/pdf/tagging.py",
                                        f"is no longer a list ({type(code).__name__})")
    canvas.drawString(10, 10, "x")
    assert code and all(isinstance(op, str) for op in code), gone(
        "reportlab.pdfgen.canvas.Canvas._code", "pipeline/pdf/tagging.py", "no longer holds operator strings")
    code.append("/P <</MCID 0>> BDC")
    code.append("EMC")
    canvas.showPage()
    canvas.save()
    assert b"/P <</MCID 0>> BDC" in out.getvalue(), gone(
        "reportlab.pdfgen.canvas.Canvas._code", "pipeline/pdf/tagging.py", "is no longer written as the page's content")


def test_reportlab_canvas_image_registration():
    """pipeline/pdf/images.py places a ready PNG stream as ``Canvas.drawImage`` would."""
    from reportlab.pdfbase import pdfdoc

    user = "pipeline/pdf/images.py"
    out = io.BytesIO()
    canvas = _canvas(out)
    doc = need(canvas, "_doc", "reportlab.pdfgen.canvas.Canvas._doc", user)
    for name in ("getXObjectName", "Reference", "addForm"):
        assert callable(getattr(doc, name, None)), gone(f"reportlab.pdfbase.pdfdoc.PDFDocument.{name}", user)
    assert isinstance(need(doc, "idToObject", "reportlab.pdfbase.pdfdoc.PDFDocument.idToObject", user), dict)
    assert isinstance(need(canvas, "_formsinuse", "reportlab.pdfgen.canvas.Canvas._formsinuse", user), list)
    assert params(need(canvas, "_setXObjects", "reportlab.pdfgen.canvas.Canvas._setXObjects", user)) == ["thing"], \
        gone("reportlab.pdfgen.canvas.Canvas._setXObjects(thing)", user, "changed its parameters")
    assert "_currentPageHasImages" in inspect.getsource(type(canvas)), gone(
        "reportlab.pdfgen.canvas.Canvas._currentPageHasImages", user, "is no longer read")
    assert params(pdfdoc.PDFImageXObject.__init__)[:2] == ["name", "source"] and \
        inspect.signature(pdfdoc.PDFImageXObject.__init__).parameters["source"].default is None, gone(
        "reportlab.pdfbase.pdfdoc.PDFImageXObject(name, source=None)", user, "changed its parameters")

    # and the whole of it, on a real canvas: the picture is in the page's resources and drawn
    import pikepdf

    from pipeline.pdf.images import draw_png, png_data

    png = png_data(_tiny_png())
    assert png is not None
    draw_png(canvas, png, "0" * 32, 10, 10, 50, 50)
    canvas.showPage()
    canvas.save()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        page = pdf.pages[0]
        names = list(page.Resources.XObject.keys())
        assert len(names) == 1 and f"{names[0]} Do".encode() in page.Contents.read_bytes(), gone(
            "reportlab.pdfgen.canvas.Canvas._doc/_setXObjects/_formsinuse", user, "no longer put a picture on the page")


def test_reportlab_canvas_annotations():
    """pipeline/pdf/tagging.py owns each link annotation by wrapping ``_addAnnotation``;
    pipeline/pdf/replay.py records links with ``_absRect``."""
    from reportlab.pdfgen.canvas import Canvas

    assert params(Canvas._addAnnotation) == ["annotation", "name", "addtopage"], gone(
        "reportlab.pdfgen.canvas.Canvas._addAnnotation(annotation, name, addtopage)", "pipeline/pdf/tagging.py",
        "changed its parameters")
    assert params(Canvas._absRect) == ["rect", "relative"], gone(
        "reportlab.pdfgen.canvas.Canvas._absRect(rect, relative)", "pipeline/pdf/replay.py", "changed its parameters")
    assert params(Canvas.linkRect)[:6] == ["contents", "destinationname", "Rect", "addtopage", "name", "relative"], \
        gone("reportlab.pdfgen.canvas.Canvas.linkRect's parameters", "pipeline/pdf/replay.py", "changed")
    assert params(Canvas.linkURL)[:3] == ["url", "rect", "relative"], gone(
        "reportlab.pdfgen.canvas.Canvas.linkURL's parameters", "pipeline/pdf/replay.py", "changed")

    seen = []

    class Spy(Canvas):
        def _addAnnotation(self, annotation, name=None, addtopage=1):
            seen.append(len(self._annotationrefs))
            return super()._addAnnotation(annotation, name, addtopage)

    canvas = Spy(io.BytesIO())
    assert isinstance(need(canvas, "_annotationrefs", "reportlab.pdfgen.canvas.Canvas._annotationrefs",
                           "pipeline/pdf/tagging.py"), list)
    canvas.linkURL("https://example.org/", (0, 0, 10, 10))
    canvas.bookmarkPage("here")
    canvas.linkRect("", "here", (0, 0, 10, 10))
    assert seen == [0, 1] and len(canvas._annotationrefs) == 2, gone(
        "reportlab.pdfgen.canvas.Canvas._addAnnotation", "pipeline/pdf/tagging.py",
        "is no longer how linkURL/linkRect add an annotation (or _annotationrefs no longer lists them)")
    assert canvas._absRect((1, 2, 3, 4), 0) == (1, 2, 3, 4)


def test_reportlab_frame_position_and_the_flowables_frame():
    """``Frame._y`` (where the next flowable goes) and ``Frame._atTop``, read through
    ``Flowable._frame`` while a flowable is wrapped or split, and given to a frame action."""
    from reportlab.platypus.flowables import Flowable
    from reportlab.platypus.frames import Frame

    user = "pipeline/pdf/replay.py, pdf_flowables.py"
    seen = {}

    class Probe(Flowable):
        def wrap(self, availWidth, availHeight):
            frame = getattr(self, "_frame", None)
            seen["frame"] = frame
            seen["y"] = getattr(frame, "_y", None)
            seen["at_top"] = getattr(frame, "_atTop", None)
            return availWidth, 10

        def draw(self):
            pass

    frame = Frame(0, 0, 200, 300, topPadding=6, bottomPadding=6)
    assert frame.add(Probe(), _canvas())
    assert seen["frame"] is frame, gone("reportlab.platypus.flowables.Flowable._frame", user,
                                        "is no longer set while the frame wraps a flowable")
    assert seen["y"] == 294, gone("reportlab.platypus.frames.Frame._y", user, f"no longer says where the next "
                                  f"flowable goes (got {seen['y']!r}, not the frame's top less its padding)")
    assert seen["at_top"] == 1, gone("reportlab.platypus.frames.Frame._atTop", user)
    assert frame._y == 284 and frame._atTop == 0, gone("reportlab.platypus.frames.Frame._y / _atTop", user,
                                                       "no longer move down as flowables are added")


def test_reportlab_frame_actions_and_multibuild_edits():
    """A frame action is given the frame (pipeline/pdf/replay.py reads its ``_y``), and the
    layout reports what it marks on flowables to ``_multiBuildEdits`` (pipeline/pdf/layout.py
    undoes it between its two passes, as multiBuild does)."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer
    from reportlab.platypus.doctemplate import FrameActionFlowable
    from reportlab.platypus.flowables import Flowable

    actions = []

    class Action(FrameActionFlowable):
        def __init__(self):
            pass

        def frameAction(self, frame):
            actions.append(getattr(frame, "_y", None))

    class Unsplittable(Flowable):
        def wrap(self, availWidth, availHeight):
            return availWidth, 100

        def split(self, availWidth, availHeight):
            return []

        def draw(self):
            pass

    doc = BaseDocTemplate(io.BytesIO(), pagesize=(300, 300),
                          pageTemplates=[PageTemplate(id="p", frames=[Frame(0, 0, 300, 300)])])
    edits = []
    doc._multiBuildEdits = edits.append
    late = Unsplittable()
    doc.build([Action(), Spacer(1, 200), late])
    assert actions == [294], gone(
        "reportlab.platypus.doctemplate.FrameActionFlowable.frameAction(frame)", "pipeline/pdf/replay.py",
        "is no longer called with the frame, at the frame's top less its padding (Frame._y)")
    assert (delattr, late, "_postponed") in edits, gone(
        "reportlab.platypus.doctemplate.BaseDocTemplate._multiBuildEdits", "pipeline/pdf/layout.py",
        "no longer hears of a postponed flowable")


def test_reportlab_table_draws_backgrounds_and_lines_through_its_own_methods():
    from reportlab.platypus import Table

    user = "pipeline/pdf/flowables.py (MarkedTableMixin)"
    calls = []

    class Spy(Table):
        def _drawBkgrnd(self):
            calls.append("background")
            super()._drawBkgrnd()

        def _drawLines(self):
            calls.append("lines")
            super()._drawLines()

    table = Spy([["a", "b"]], style=[("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                     ("BACKGROUND", (0, 0), (-1, -1), "grey")])
    canvas = _canvas()
    table.wrapOn(canvas, 200, 200)
    table.drawOn(canvas, 0, 0)
    assert "background" in calls, gone("reportlab.platypus.tables.Table._drawBkgrnd", user, "is no longer called")
    assert "lines" in calls, gone("reportlab.platypus.tables.Table._drawLines", user, "is no longer called")


def test_reportlab_flowable_and_paragraph_internals():
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph
    from reportlab.platypus.flowables import Flowable

    assert params(need(Flowable, "_hAlignAdjust", "reportlab.platypus.flowables.Flowable._hAlignAdjust",
                       "pipeline/pdf/flowables.py (Columns)")) == ["x", "sW"], gone(
        "reportlab.platypus.flowables.Flowable._hAlignAdjust(x, sW)", "pipeline/pdf/flowables.py",
        "changed its parameters")
    paragraph = Paragraph("some words " * 20, getSampleStyleSheet()["Normal"])
    paragraph.wrap(100, 1000)
    assert "blPara" in paragraph.__dict__, gone(
        "reportlab.platypus.paragraph.Paragraph.blPara (the lines of the last wrap)",
        "pipeline/pdf/flowables.py (MarkedParagraphMixin)")


def test_reportlab_to_unicode_cmap_is_looked_up_when_a_font_is_written(monkeypatch):
    """pipeline/pdf/fonts.py replaces ``ttfonts.makeToUnicodeCMap``: that works only while
    ReportLab calls it by its module-level name each time it writes a subset."""
    from reportlab.pdfbase import pdfmetrics, ttfonts

    user = "pipeline/pdf/fonts.py"
    original = need(ttfonts, "makeToUnicodeCMap", "reportlab.pdfbase.ttfonts.makeToUnicodeCMap", user)
    assert params(original) == ["fontname", "subset"], gone(
        "reportlab.pdfbase.ttfonts.makeToUnicodeCMap(fontname, subset)", user, "changed its parameters")
    calls = []

    def spy(fontname, subset):
        calls.append(fontname)
        return original(fontname, subset)

    monkeypatch.setattr(ttfonts, "makeToUnicodeCMap", spy)
    pdfmetrics.registerFont(ttfonts.TTFont("InternalsCheckSans", str(FONT_DIR / "LiberationSans-Regular.ttf")))
    canvas = _canvas()
    canvas.setFont("InternalsCheckSans", 10)
    canvas.drawString(10, 10, "Checked")
    canvas.showPage()
    canvas.save()
    assert calls, gone("reportlab.pdfbase.ttfonts.makeToUnicodeCMap", user,
                       "is no longer what ReportLab calls to write a font's ToUnicode map")


def test_reportlab_ttfont_subset_state():
    """pipeline/pdf/replay.py seeds each face's subsets before anything is drawn."""
    from reportlab.pdfbase import ttfonts

    user = "pipeline/pdf/replay.py (seed_fonts), pdf_fonts.py"
    font = ttfonts.TTFont("InternalsCheckSeed", str(FONT_DIR / "LiberationSans-Regular.ttf"))
    doc = _canvas()._doc
    need(font, "splitString", "reportlab.pdfbase.ttfonts.TTFont.splitString", user)("abc", doc)
    state = need(font, "state", "reportlab.pdfbase.ttfonts.TTFont.state", user)[doc]
    subsets = need(state, "subsets", "reportlab.pdfbase.ttfonts.TTFont.state[doc].subsets", user)
    next_code = need(state, "nextCode", "reportlab.pdfbase.ttfonts.TTFont.state[doc].nextCode", user)
    assert isinstance(next_code, int) and next_code > 0 and len(subsets) == 1, gone(
        "reportlab.pdfbase.ttfonts.TTFont.state[doc]", user, "no longer counts the codes given out")
    assert isinstance(need(font, "getSubsetInternalName", "reportlab.pdfbase.ttfonts.TTFont.getSubsetInternalName",
                           user)(0, doc), str)
    assert ord("a") in need(font.face, "charToGlyph", "reportlab.pdfbase.ttfonts.TTFontFace.charToGlyph", user)


# ----------------------------------------------------------------------------- matplotlib
def test_matplotlib_glyph_cache_is_in_use():
    """pipeline/charts/glyphs.py falls back to matplotlib's own canvas (slower, the same
    pixels) when the Agg internals it draws through are missing: that is a change to see."""
    from matplotlib.backends import backend_agg

    from pipeline.charts.glyphs import canvas_class

    assert canvas_class() is not backend_agg.FigureCanvasAgg, gone(
        "one of RendererAgg._draw_text_glyphs_and_boxes, RendererAgg._prepare_font, ft2font.RenderMode, "
        "FT2Font._layout, FT2Font._set_transform, FT2Font._render_glyph", "pipeline/charts/glyphs.py",
        "is gone: the chart glyph cache is off")


def test_matplotlib_agg_text_internals():
    import numpy as np
    from matplotlib import ft2font
    from matplotlib.backends import backend_agg
    from matplotlib.font_manager import FontProperties

    user = "pipeline/charts/glyphs.py"
    RendererAgg = backend_agg.RendererAgg
    assert params(need(RendererAgg, "_draw_text_glyphs_and_boxes",
                       "matplotlib.backends.backend_agg.RendererAgg._draw_text_glyphs_and_boxes", user)) == \
        ["gc", "x", "y", "angle", "glyphs", "boxes"], gone(
        "matplotlib.backends.backend_agg.RendererAgg._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)",
        user, "changed its parameters")
    hinting = need(backend_agg, "get_hinting_flag", "matplotlib.backends.backend_agg.get_hinting_flag", user)()
    normal = need(need(ft2font, "RenderMode", "matplotlib.ft2font.RenderMode", user), "NORMAL",
                  "matplotlib.ft2font.RenderMode.NORMAL", user)

    glyphs = []

    class Spy(RendererAgg):
        def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, items, boxes):
            glyphs.extend(items)

    renderer = Spy(100, 100, 72)
    renderer.draw_text(renderer.new_gc(), 10, 10, "Ab", FontProperties(size=10), 0)
    assert len(glyphs) == 2 and all(len(g) == 7 and isinstance(g[0], ft2font.FT2Font) for g in glyphs), gone(
        "matplotlib.backends.backend_agg.RendererAgg.draw_text's glyph tuples "
        "(font, size, glyph_index, slant, extend, dx, dy)", user, "changed")

    font = need(RendererAgg, "_prepare_font", "matplotlib.backends.backend_agg.RendererAgg._prepare_font",
                user)(renderer, FontProperties(size=10))
    assert isinstance(font, ft2font.FT2Font)
    assert callable(getattr(need(renderer, "_renderer", "matplotlib.backends.backend_agg.RendererAgg._renderer",
                                 user), "draw_text_image", None)), gone(
        "matplotlib.backends.backend_agg.RendererAgg._renderer.draw_text_image", user)
    items = need(font, "_layout", "matplotlib.ft2font.FT2Font._layout", user)(
        "Ab", flags=hinting, features=None, language=None)
    for item in items:
        for name in ("ft_object", "glyph_index", "x", "y"):
            assert hasattr(item, name), gone(f"matplotlib.ft2font.FT2Font._layout's items' .{name}", user)
    need(font, "_set_transform", "matplotlib.ft2font.FT2Font._set_transform", user)(
        (0x10000 * np.eye(2)).round().astype(int), [0, 0])
    bitmap = need(font, "_render_glyph", "matplotlib.ft2font.FT2Font._render_glyph", user)(
        items[0].glyph_index, hinting, normal)
    assert np.array(bitmap.buffer).ndim == 2 and isinstance(bitmap.left, int) and isinstance(bitmap.top, int), gone(
        "matplotlib.ft2font.FT2Font._render_glyph's bitmap (.buffer, .left, .top)", user, "changed")


def test_matplotlib_canvas_renderer_hooks():
    """chart_glyphs' canvas replaces ``FigureCanvasAgg.get_renderer``, keeping its
    ``_lastKey`` / ``renderer`` bookkeeping; ``draw`` must still go through it."""
    from matplotlib.backends import backend_agg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from pipeline.charts.glyphs import canvas_class

    user = "pipeline/charts/glyphs.py"
    need(backend_agg.FigureCanvasAgg, "_lastKey", "matplotlib.backends.backend_agg.FigureCanvasAgg._lastKey", user)
    for name in ("get_fontfeatures", "get_language"):
        need(Text, name, f"matplotlib.text.Text.{name}", user)
    figure = Figure(figsize=(1, 1), dpi=50)
    figure.text(0.5, 0.5, "Ab")
    canvas = canvas_class()(figure)
    canvas.draw()
    assert type(canvas.renderer).__qualname__.startswith("canvas_class."), gone(
        "matplotlib.backends.backend_agg.FigureCanvasAgg.draw's call of get_renderer / .renderer", user,
        "no longer goes through the canvas's get_renderer")


# ----------------------------------------------------------------------------- python-docx
def test_python_docx_package_writer_steps():
    """pipeline/docx/package.py zips the package itself with PackageWriter's three steps."""
    import docx
    from docx.opc.pkgwriter import PackageWriter

    user = "pipeline/docx/package.py (package_bytes)"
    expected = {"_write_content_types_stream": ["phys_writer", "parts"],
                "_write_pkg_rels": ["phys_writer", "pkg_rels"],
                "_write_parts": ["phys_writer", "parts"]}
    for name, names in expected.items():
        step = need(PackageWriter, name, f"docx.opc.pkgwriter.PackageWriter.{name}", user)
        assert params(step) == names, gone(f"docx.opc.pkgwriter.PackageWriter.{name}({', '.join(names)})", user,
                                           "changed its parameters")

    document = docx.Document()
    document.add_paragraph("x")
    saved = io.BytesIO()
    document.save(saved)
    written = []

    class Collect:
        def write(self, pack_uri, blob):
            written.append(pack_uri.membername)

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    PackageWriter._write_content_types_stream(Collect(), package.parts)
    PackageWriter._write_pkg_rels(Collect(), package.rels)
    PackageWriter._write_parts(Collect(), package.parts)
    assert sorted(written) == sorted(zipfile.ZipFile(saved).namelist()), gone(
        "docx.opc.pkgwriter.PackageWriter's three steps", user, "no longer write the whole package that save() does")


def test_python_docx_element_and_part_internals():
    import docx
    from docx.opc.packuri import PackURI
    from docx.oxml.ns import qn
    from docx.oxml.shape import CT_Inline
    from docx.parts.image import ImagePart

    user = "pipeline/docx/body.py"
    document = docx.Document()
    run = document.add_paragraph().add_run("x")
    assert getattr(need(run, "_r", "docx.text.run.Run._r", user), "tag", None) == qn("w:r"), gone(
        "docx.text.run.Run._r", user, "is no longer the w:r element")
    part = document.part
    assert isinstance(need(part, "next_id", "docx.parts.document.DocumentPart.next_id", user), int)
    assert params(need(part, "get_style_id", "docx.parts.document.DocumentPart.get_style_id", user)) == \
        ["style_or_name", "style_type"], gone("docx.parts.document.DocumentPart.get_style_id", user, "changed")
    image_parts = need(part.package, "image_parts", "docx.package.Package.image_parts", user)
    assert callable(getattr(image_parts, "append", None)) and len(image_parts) == 0, gone(
        "docx.package.Package.image_parts.append", user)
    assert params(ImagePart.from_image) == ["image", "partname"], gone(
        "docx.parts.image.ImagePart.from_image(image, partname)", user, "changed its parameters")
    assert params(CT_Inline.new_pic_inline) == ["shape_id", "rId", "filename", "cx", "cy"], gone(
        "docx.oxml.shape.CT_Inline.new_pic_inline(shape_id, rId, filename, cx, cy)", user, "changed its parameters")
    assert PackURI("/word/document.xml").membername == "word/document.xml"


# ----------------------------------------------------------------------------- pikepdf
def test_pikepdf_pdf_keeps_an_attribute_of_ours():
    import pikepdf

    pdf = pikepdf.new()
    try:
        pdf._pack_stack = []
    except AttributeError:
        pytest.fail(gone("setting an attribute of our own on pikepdf.Pdf", "pipeline/pack/merge.py",
                         "no longer works"))
    assert pdf._pack_stack == []
