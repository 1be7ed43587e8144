"""The house fonts: the bundled Liberation Sans family (metric-compatible with Arial, SIL
OFL), the faces' names and files, and which characters they can draw.

Every edition draws with these files (the PDF embeds them, the charts are drawn with them,
the DOCX names the family), so whether a text can be printed is answered here, once, for
the validator and the renderers alike.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "Liberation Sans"

REGULAR = "LiberationSans"
BOLD = "LiberationSans-Bold"
ITALIC = "LiberationSans-Italic"
BOLD_ITALIC = "LiberationSans-BoldItalic"

FILES = {
    REGULAR: "LiberationSans-Regular.ttf",
    BOLD: "LiberationSans-Bold.ttf",
    ITALIC: "LiberationSans-Italic.ttf",
    BOLD_ITALIC: "LiberationSans-BoldItalic.ttf",
}


def face(bold: bool = False, italic: bool = False) -> str:
    if bold and italic:
        return BOLD_ITALIC
    if bold:
        return BOLD
    if italic:
        return ITALIC
    return REGULAR


@lru_cache(maxsize=None)
def _covered(name: str) -> frozenset[int]:
    """The code points the face's character map holds (read with ReportLab's TrueType
    reader, which the PDF embeds the face with). The file is read here, not by ReportLab,
    whose file opening catches everything (a Ctrl-C too) and raises its own error instead."""
    import io

    from reportlab.pdfbase.ttfonts import TTFontFile

    data = (FONT_DIR / FILES[name]).read_bytes()
    return frozenset(TTFontFile(io.BytesIO(data)).charToGlyph)


def missing_glyphs(text: str, bold: bool = False, italic: bool = False) -> set[str]:
    """Characters of ``text`` the face cannot draw (they would print as empty boxes)."""
    covered = _covered(face(bold, italic))
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
