"""Page geometry, colours and paragraph styles of the PDF report (all in one place).

Colours are chosen for print and for WCAG 2.2 AA: every text colour on its background
has a contrast ratio of at least 4.5:1 (tests/test_pdf.py checks the RAG shades and the
header rows with :func:`contrast_ratio`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipeline.pdf.fonts import BOLD, ITALIC, REGULAR, register_fonts
from pipeline.rules.rating import Rag

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
# our footer's baseline is 14 mm up, and the frame ends above it.
FOOTER_BASELINE = 14 * MM

GEOMETRY = {
    "portrait": PageGeometry(
        A4_PORTRAIT, left=22 * MM, right=22 * MM, top=24 * MM, bottom=24 * MM,
        header_baseline=297 * MM - 14 * MM, footer_baseline=FOOTER_BASELINE,
    ),
    "landscape": PageGeometry(
        A4_LANDSCAPE, left=15 * MM, right=15 * MM, top=17 * MM, bottom=21 * MM,
        header_baseline=210 * MM - 10 * MM, footer_baseline=FOOTER_BASELINE,
    ),
}


def hex_colour(value: str):
    from reportlab.lib.colors import HexColor

    return HexColor(value)


# (background, text) pairs
RAG_COLOURS: dict[Rag, tuple[str, str]] = {
    Rag.GREEN: ("#00B050", "#000000"),
    Rag.AMBER: ("#FFC000", "#000000"),
    Rag.RED: ("#C00000", "#FFFFFF"),
}
HEADER_BG, HEADER_TEXT = "#1F3864", "#FFFFFF"  # data tables' header rows
LABEL_BG, LABEL_TEXT = "#DCE3EF", "#000000"  # row-header cells of details tables
GRID = "#7F7F7F"
RULE = "#1F3864"
FURNITURE_TEXT = "#404040"  # running header and footer
LINK = "#0B4F9C"
TEXT = "#000000"


def _luminance(hex_value: str) -> float:
    value = hex_value.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two '#RRGGBB' colours."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


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


@lru_cache(maxsize=None)
def styles() -> Styles:
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    text = hex_colour(TEXT)
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=10.5, leading=14, spaceBefore=0, spaceAfter=6,
        alignment=TA_LEFT, textColor=text, allowWidows=0, allowOrphans=0, bulletFontName=REGULAR,
    )
    heading = dict(fontName=BOLD, textColor=hex_colour(HEADER_BG), keepWithNext=1, allowWidows=0)
    cell = ParagraphStyle("cell", fontName=REGULAR, bulletFontName=REGULAR, fontSize=9, leading=11, textColor=text)
    return Styles(
        body=body,
        quote=ParagraphStyle("quote", parent=body, fontName=ITALIC, leftIndent=12 * MM, rightIndent=8 * MM),
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, spaceAfter=4),
        lead=ParagraphStyle("lead", parent=body, fontSize=12, leading=16, spaceAfter=8),
        signature=ParagraphStyle("signature", parent=body, spaceBefore=10),
        numbered=ParagraphStyle(
            "numbered", parent=body, leftIndent=10 * MM, bulletIndent=0, bulletFontName=REGULAR,
        ),
        bullet=ParagraphStyle(
            "bullet", parent=body, leftIndent=16 * MM, bulletIndent=10 * MM, bulletFontName=REGULAR,
            spaceAfter=3,
        ),
        h1=ParagraphStyle("h1", parent=body, fontSize=16, leading=20, spaceBefore=4, spaceAfter=8, **heading),
        h2=ParagraphStyle("h2", parent=body, fontSize=13, leading=16, spaceBefore=8, spaceAfter=6, **heading),
        h3=ParagraphStyle("h3", parent=body, fontSize=11, leading=14, spaceBefore=6, spaceAfter=4, **heading),
        caption=ParagraphStyle("caption", parent=body, fontName=ITALIC, fontSize=8.5, leading=11, spaceAfter=6),
        toc=(
            ParagraphStyle("toc1", parent=body, fontName=BOLD, spaceBefore=4, spaceAfter=2),
            ParagraphStyle("toc2", parent=body, leftIndent=6 * MM, spaceAfter=1),
            ParagraphStyle("toc3", parent=body, leftIndent=12 * MM, fontSize=9.5, leading=12, spaceAfter=0),
        ),
        cell=cell,
        cell_small=ParagraphStyle("cell_small", parent=cell, fontSize=7.5, leading=9),
        cell_dense=ParagraphStyle("cell_dense", parent=cell, fontSize=8.5, leading=10),
        furniture=ParagraphStyle("furniture", parent=body, fontSize=8, leading=10, textColor=hex_colour(FURNITURE_TEXT)),
    )
