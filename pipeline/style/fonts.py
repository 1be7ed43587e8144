"""The house fonts: the family and its four face files named by the house style
(pipeline.style.house; the bundled Liberation Sans family, metric-compatible with Arial,
SIL OFL), the faces' names and files, and which characters they can draw.

Every edition draws with these files (the PDF embeds them, the charts are drawn with them,
the DOCX names the family), so whether a text can be printed is answered here, once, for
the validator and the renderers alike.
"""
from __future__ import annotations

from functools import cache

from pipeline.style.house import FONT_DIR, house_style  # noqa: F401  (FONT_DIR: importers' name)

REGULAR = "LiberationSans"
BOLD = "LiberationSans-Bold"
ITALIC = "LiberationSans-Italic"
BOLD_ITALIC = "LiberationSans-BoldItalic"



def __getattr__(name: str):
    """FAMILY and FILES (face name -> file in FONT_DIR), read from the house style when first
    asked for, not on import: importing this module never fails on an edited style file."""
    if name == "FAMILY":
        return house_style().fonts.family
    if name == "FILES":
        fonts = house_style().fonts
        return {REGULAR: fonts.regular, BOLD: fonts.bold, ITALIC: fonts.italic, BOLD_ITALIC: fonts.bold_italic}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def face(bold: bool = False, italic: bool = False) -> str:
    if bold and italic:
        return BOLD_ITALIC
    if bold:
        return BOLD
    if italic:
        return ITALIC
    return REGULAR


@cache
def _covered(name: str) -> frozenset[int]:
    """The code points the face's character map holds (read with ReportLab's TrueType
    reader, which the PDF embeds the face with). The file is read here, not by ReportLab,
    whose file opening catches everything (a Ctrl-C too) and raises its own error instead."""
    import io

    from reportlab.pdfbase.ttfonts import TTFontFile

    data = (FONT_DIR / __getattr__("FILES")[name]).read_bytes()
    return frozenset(TTFontFile(io.BytesIO(data)).charToGlyph)


def missing_glyphs(text: str, bold: bool = False, italic: bool = False) -> set[str]:
    """Characters of ``text`` the face cannot draw (they would print as empty boxes)."""
    covered = _covered(face(bold, italic))
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
