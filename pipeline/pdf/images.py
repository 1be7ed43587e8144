"""Chart pictures into the PDF without decoding them.

ReportLab embeds a PNG by decoding it to raw pixels (Pillow), hashing the pixels (md5)
and compressing them again (zlib): work, for every chart, to arrive at a stream that says
what the PNG already says. A PNG's image data (its IDAT chunks, joined) *is* a zlib stream
of filtered rows, which PDF reads directly with ``/FlateDecode`` and ``/DecodeParms
<</Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns width>>`` (PDF 1.7, 7.4.4.4; the PNG
predictors). So :class:`PngImage` writes the PNG's own bytes into the image XObject: the
same pixels, no re-encoding, about the same size.

Only the PNGs the chart renderer writes are taken this way (8-bit greyscale or RGB, no
palette, no transparency, not interlaced); anything else goes the usual ReportLab way.
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass

from reportlab.pdfbase import pdfdoc
from reportlab.platypus.flowables import Flowable

from pipeline.charts.draw import PNG_SIGNATURE

_COLOURS = {0: ("DeviceGray", 1), 2: ("DeviceRGB", 3)}  # PNG colour type -> colour space, components


@dataclass(frozen=True)
class PngData:
    width: int
    height: int
    colour_space: str
    colours: int
    idat: bytes  # the zlib stream of filtered rows


def png_data(data: bytes) -> PngData | None:
    """The parts of a PNG that PDF can take as they are, or None when it cannot (or
    when the bytes are not a well-formed PNG)."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    pos, header, idat = len(PNG_SIGNATURE), None, []
    try:
        while pos + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            crc = data[pos + 8 + length:pos + 12 + length]
            if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
                return None
            if kind == b"IHDR":
                header = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                idat.append(body)
            elif kind in (b"PLTE", b"tRNS"):
                return None  # palette or transparency: not for passing through
            elif kind == b"IEND":
                break
            pos += 12 + length
    except struct.error:
        return None
    if header is None or not idat:
        return None
    width, height, depth, colour_type, compression, filtering, interlace = header
    if depth != 8 or colour_type not in _COLOURS or compression or filtering or interlace:
        return None
    space, colours = _COLOURS[colour_type]
    return PngData(width, height, space, colours, b"".join(idat))


class _PngXObject(pdfdoc.PDFImageXObject):
    """An image XObject whose stream is a PNG's IDAT data, with the PNG predictor."""

    def __init__(self, name: str, png: PngData):
        super().__init__(name)  # no source: the attributes are set here
        self.width, self.height = png.width, png.height
        self.bitsPerComponent = 8
        self.colorSpace = png.colour_space
        self.streamContent = png.idat
        self._filters = ("FlateDecode",)
        self.mask = None
        self._colours = png.colours

    def format(self, document):
        stream = pdfdoc.PDFStream(content=self.streamContent)
        entries = stream.dictionary
        entries["Type"] = pdfdoc.PDFName("XObject")
        entries["Subtype"] = pdfdoc.PDFName("Image")
        entries["Width"] = self.width
        entries["Height"] = self.height
        entries["BitsPerComponent"] = 8
        entries["ColorSpace"] = pdfdoc.PDFName(self.colorSpace)
        entries["Filter"] = pdfdoc.PDFName("FlateDecode")  # a name, not an array: see render_pdf._finish
        entries["DecodeParms"] = pdfdoc.PDFDictionary({
            "Predictor": 15, "Colors": self._colours, "BitsPerComponent": 8, "Columns": self.width,
        })
        entries["Length"] = len(self.streamContent)
        return stream.format(document)


def draw_png(canvas, png: PngData, digest: str, x: float, y: float, width: float, height: float) -> None:
    """Draw the PNG at (x, y) in a width x height box, as one shared XObject per picture
    (the same chart drawn twice is stored once). Mirrors ``Canvas.drawImage`` (which
    would decode the picture); ReportLab has no public way to supply a ready stream."""
    registered = _register(canvas, png, digest)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append("png" + digest)


def register_png(canvas, png: PngData, digest: str) -> None:
    """What :func:`draw_png` does besides drawing: the picture's XObject is in the
    document and in this page's resources (``pipeline.pdf.replay`` draws the rest)."""
    _register(canvas, png, digest)
    canvas._formsinuse.append("png" + digest)


def _register(canvas, png: PngData, digest: str) -> str:
    name = "png" + digest
    registered = canvas._doc.getXObjectName(name)
    if canvas._doc.idToObject.get(registered) is None:
        xobject = _PngXObject(name, png)
        canvas._setXObjects(xobject)
        canvas._doc.Reference(xobject, registered)
        canvas._doc.addForm(name, xobject)
    canvas._currentPageHasImages = 1
    return registered


class PngImage(Flowable):
    """A chart picture drawn in a box of a fixed size (the model's, known before the
    picture is). ``source`` is the PNG's bytes or a function that returns them, called
    only when the picture is drawn: the layout never waits for a chart still being drawn
    (``pipeline.charts.draw.ChartStream``). A PNG that cannot pass through as it is goes the
    usual ReportLab way (decoded and deflated again), in the same box."""

    def __init__(self, source, width: float, height: float, hAlign: str = "LEFT", chart=None):
        super().__init__()
        self.source = source
        self.chart = chart  # the model's ChartSpec, when the picture is one of its charts
        self.drawWidth = self.width = width
        self.drawHeight = self.height = height
        self.hAlign = hAlign

    def wrap(self, availWidth, availHeight):
        return self.drawWidth, self.drawHeight

    def data(self) -> bytes:
        return self.source() if callable(self.source) else self.source

    def draw(self):
        data = self.data()
        png = png_data(data)
        canvas = self.canv
        if png is not None:
            digest = hashlib.md5(data).hexdigest()
            hook = getattr(canvas, "png_drawn", None)
            if hook is not None:  # (pipeline.pdf.replay records which chart this is)
                hook(self.chart, digest)
            draw_png(canvas, png, digest, 0, 0, self.drawWidth, self.drawHeight)
            return
        hook = getattr(canvas, "unreplayable", None)
        if hook is not None:
            hook()
        import io

        from reportlab.lib.utils import ImageReader

        self.canv.drawImage(ImageReader(io.BytesIO(data)), 0, 0, self.drawWidth, self.drawHeight, mask="auto")
