"""The pack's page numbers: "Page 21" centred in the bottom 10 mm of every page.

One overlay PDF is drawn with ReportLab (bundled Liberation Sans, embedded and subset
once), one page per pack page at that page's size; each overlay page becomes a Form
XObject painted on top of the pack page inside ``/Artifact <</Type /Pagination>> BDC ...
EMC`` so tagged PDFs stay tagged: the number is page furniture, not content. The
document's own drawing is wrapped in q/Q so its graphics state cannot move the number.

Reports keep their own footers at 14 mm and above (pipeline.pdf.layout), so the two never
collide.
"""
from __future__ import annotations

from pathlib import Path

STAMP_FONT_SIZE = 9
STAMP_BASELINE_MM = 5.0  # glyphs span ~3.4 mm to ~7.2 mm above the bottom edge: inside 10 mm
XOBJECT_NAME = "/PackPageNumber"


def page_label(first: int, last: int | None = None) -> str:
    """'Page 21', or 'Pages 31 - 40' for a notice that stands in for several pages."""
    if last is None or last == first:
        return f"Page {first}"
    return f"Pages {first} - {last}"


def draw_overlay(path: Path, pages: list[tuple[float, float, str]]) -> Path:
    """One page per (width, height, text): the text centred on the bottom edge."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from pipeline.pdf.fonts import REGULAR as FONT
    from pipeline.pdf.fonts import register_fonts

    register_fonts()
    c = canvas.Canvas(str(path), invariant=1, pageCompression=1, initialFontName=FONT,
                      initialFontSize=STAMP_FONT_SIZE)
    c.setCreator("committee-pipeline")
    c.setProducer("committee-pipeline")
    for width, height, text in pages:
        c.setPageSize((width, height))
        c.setFont(FONT, STAMP_FONT_SIZE)
        c.setFillColorRGB(0, 0, 0)
        c.drawCentredString(width / 2, STAMP_BASELINE_MM * mm, text)
        c.showPage()
    c.save()
    return path


def page_box(page) -> tuple[float, float, float, float, int]:
    """(x0, y0, width, height, rotate) of a pikepdf page's visible box."""
    box = [float(v) for v in (page.obj.get("/CropBox") or page.mediabox)]
    x0, y0 = min(box[0], box[2]), min(box[1], box[3])
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return x0, y0, width, height, rotate


def stamp_pages(pdf, labels: list[str], scratch: Path) -> None:
    """Paint labels[i] on pdf.pages[i] (a pikepdf.Pdf, modified in place)."""
    import pikepdf

    if len(labels) != len(pdf.pages):
        raise ValueError(f"{len(labels)} labels for {len(pdf.pages)} pages")
    boxes = [page_box(p) for p in pdf.pages]
    # A rotated page is seen turned: draw for the size the reader sees, then turn it back.
    specs = [(h, w, text) if rot in (90, 270) else (w, h, text)
             for (x0, y0, w, h, rot), text in zip(boxes, labels)]
    overlay_path = draw_overlay(scratch, specs)
    with pikepdf.open(overlay_path) as overlay:
        for page, (x0, y0, w, h, rot), over in zip(pdf.pages, boxes, overlay.pages):
            form = pdf.copy_foreign(over.as_form_xobject())
            resources = page.obj.get("/Resources")
            if resources is None:
                page.obj.Resources = resources = pikepdf.Dictionary()
            elif resources.is_indirect:  # shared between pages: give this page its own copy
                page.obj.Resources = resources = pikepdf.Dictionary(dict(resources.items()))
            xobjects = resources.get("/XObject")
            if xobjects is None:
                resources.XObject = xobjects = pikepdf.Dictionary()
            elif xobjects.is_indirect:
                resources.XObject = xobjects = pikepdf.Dictionary(dict(xobjects.items()))
            name = XOBJECT_NAME
            n = 1
            while name in xobjects:
                n += 1
                name = f"{XOBJECT_NAME}{n}"
            xobjects[name] = form
            matrix = {0: (1, 0, 0, 1, x0, y0), 90: (0, 1, -1, 0, x0 + w, y0),
                      180: (-1, 0, 0, -1, x0 + w, y0 + h), 270: (0, -1, 1, 0, x0, y0 + h)}[rot]
            cm = " ".join(_num(v) for v in matrix)
            page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
            stamp = f"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq {cm} cm {name} Do Q\nEMC\n"
            page.contents_add(pikepdf.Stream(pdf, stamp.encode()))


def _num(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
