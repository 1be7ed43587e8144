"""Page geometry, colours and paragraph styles of the PDF report, derived from the house
style (pipeline.style.house, report_templates/house_style.toml), which the Word report
reads too.

Colours are chosen for print and for WCAG 2.2 AA: every text colour on its background
has a contrast ratio of at least 4.5:1 (the house style's loader refuses a file where one
has not; tests/test_pdf.py checks the colours drawn with :func:`contrast_ratio`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline.pdf.fonts import BOLD, ITALIC, REGULAR, register_fonts
from pipeline.rules.rating import Rag
from pipeline.style.house import contrast_ratio, house_style  # noqa: F401  (contrast_ratio: importers' name)

HOUSE = house_style()

MM = 72 / 25.4  # points per millimetre

A4_PORTRAIT = (210 * MM, 297 * MM)
A4_LANDSCAPE = (297 * MM, 210 * MM)


@dataclass(frozen=True)
class PageGeometry:
    size: tuple[float, float]
    left: float
    right: float
    top: float
    bottom: float
    header_baseline: float  # from the bottom edge
    footer_baseline: float  # from the bottom edge; kept above the pack's own stamp

    @property
    def frame_width(self) -> float:
        return self.size[0] - self.left - self.right

    @property
    def frame_height(self) -> float:
        return self.size[1] - self.top - self.bottom


# The agenda pack stamps its own "Page N" centred within ~10 mm of the bottom edge:
# our footer's baseline is above it (the house style refuses less than 12 mm), and the
# frame ends above the footer.
FOOTER_BASELINE = HOUSE.portrait.footer * MM


def _geometry(size, page) -> PageGeometry:
    return PageGeometry(
        size, left=page.left * MM, right=page.right * MM, top=page.top * MM, bottom=page.bottom * MM,
        header_baseline=size[1] - page.header * MM, footer_baseline=page.footer * MM,
    )


GEOMETRY = {
    "portrait": _geometry(A4_PORTRAIT, HOUSE.portrait),
    "landscape": _geometry(A4_LANDSCAPE, HOUSE.landscape),
}


def hex_colour(value: str):
    from reportlab.lib.colors import HexColor

    return HexColor(value)


_C = HOUSE.colours
# (background, text) pairs
RAG_COLOURS: dict[Rag, tuple[str, str]] = {
    rag: (HOUSE.rag_look(rag.value).fill or _C.page, HOUSE.rag_look(rag.value).text) for rag in Rag
}
HEADER_BG, HEADER_TEXT = _C.table_header_fill, _C.table_header_text  # data tables' header rows
LABEL_BG, LABEL_TEXT = _C.row_label_fill, _C.row_label_text  # row-header cells of details tables
GRID = _C.grid
RULE = _C.rules
FURNITURE_TEXT = _C.furniture_text  # running header and footer
LINK = _C.links
TEXT = _C.text
HEADING = _C.headings
PAGE = _C.page


def rag_look(cell):
    """The house look (fill or None, text colour, always bold) of a table cell's rating,
    or None for a cell that carries none: a RAG cell, or one reading "not rated"."""
    from pipeline.document.common import NOT_RATED

    if cell.rag is not None:
        return HOUSE.rag_look(cell.rag.value)
    if cell.text == NOT_RATED:
        return HOUSE.rag_look(NOT_RATED)
    return None


# On landscape appendix pages a chart is drawn at most this tall (its aspect kept), so an
# indicator's heading, details, chart and trend table fit one page as in seed 004.
LANDSCAPE_FIGURE_MAX_HEIGHT = 66 * MM

# space between the columns of a Columns block (chart | data notes)
COLUMN_GAP = 6 * MM


@dataclass(frozen=True)
class Styles:
    body: object
    quote: object
    small: object
    lead: object
    signature: object
    numbered: object
    bullet: object
    h1: object
    h2: object
    h3: object
    caption: object
    toc: tuple  # one style per heading level
    cell: object
    cell_small: object
    cell_dense: object  # "normal" tables on landscape appendix pages
    furniture: object


@cache
def styles() -> Styles:
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    size, lead, space = HOUSE.sizes, HOUSE.leading, HOUSE.spacing
    text = hex_colour(TEXT)
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=size.body, leading=lead.body, spaceBefore=0,
        spaceAfter=space.paragraph_after, alignment=TA_LEFT, textColor=text, allowWidows=0, allowOrphans=0,
        bulletFontName=REGULAR,
    )
    heading = dict(fontName=BOLD, textColor=hex_colour(HEADING), keepWithNext=1, allowWidows=0)
    cell = ParagraphStyle("cell", fontName=REGULAR, bulletFontName=REGULAR, fontSize=size.table, leading=lead.table,
                          textColor=text)
    return Styles(
        body=body,
        quote=ParagraphStyle("quote", parent=body, fontName=ITALIC, leftIndent=12 * MM, rightIndent=8 * MM),
        small=ParagraphStyle("small", parent=body, fontSize=size.small, leading=lead.small,
                             spaceAfter=space.small_after),
        lead=ParagraphStyle("lead", parent=body, fontSize=size.lead, leading=lead.lead, spaceAfter=space.lead_after),
        signature=ParagraphStyle("signature", parent=body, spaceBefore=space.signature_before),
        numbered=ParagraphStyle(
            "numbered", parent=body, leftIndent=10 * MM, bulletIndent=0, bulletFontName=REGULAR,
        ),
        bullet=ParagraphStyle(
            "bullet", parent=body, leftIndent=16 * MM, bulletIndent=10 * MM, bulletFontName=REGULAR,
            spaceAfter=space.bullet_after,
        ),
        h1=ParagraphStyle("h1", parent=body, fontSize=size.h1, leading=lead.h1, spaceBefore=space.h1_before,
                          spaceAfter=space.h1_after, **heading),
        h2=ParagraphStyle("h2", parent=body, fontSize=size.h2, leading=lead.h2, spaceBefore=space.h2_before,
                          spaceAfter=space.h2_after, **heading),
        h3=ParagraphStyle("h3", parent=body, fontSize=size.h3, leading=lead.h3, spaceBefore=space.h3_before,
                          spaceAfter=space.h3_after, **heading),
        caption=ParagraphStyle("caption", parent=body, fontName=ITALIC, fontSize=size.caption, leading=lead.caption,
                               spaceAfter=space.caption_after),
        toc=(
            ParagraphStyle("toc1", parent=body, fontName=BOLD, spaceBefore=4, spaceAfter=2),
            ParagraphStyle("toc2", parent=body, leftIndent=6 * MM, spaceAfter=1),
            ParagraphStyle("toc3", parent=body, leftIndent=12 * MM, fontSize=size.contents_3,
                           leading=lead.contents_3, spaceAfter=0),
        ),
        cell=cell,
        cell_small=ParagraphStyle("cell_small", parent=cell, fontSize=size.table_small, leading=lead.table_small),
        cell_dense=ParagraphStyle("cell_dense", parent=cell, fontSize=size.table_dense, leading=lead.table_dense),
        furniture=ParagraphStyle("furniture", parent=body, fontSize=size.furniture, leading=lead.furniture,
                                 textColor=hex_colour(FURNITURE_TEXT)),
    )
