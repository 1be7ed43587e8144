"""The PDF's only fonts: the bundled Liberation Sans family (metric-compatible with
Arial, SIL OFL), registered with ReportLab and embedded (subset) in every PDF.

No standard-14 font is ever used: every style, table and the canvas's initial font
name the family below, so ``pdffonts`` lists only embedded Liberation Sans subsets.

ToUnicode: ReportLab's subsetter reserves code 0 (.notdef) and codes 1-31 of the first
subset, and its ToUnicode CMap maps every one it did not fill to U+0000, which PDF/UA
checkers reject (a code must map to a real character or not at all).
:func:`register_fonts` swaps in :func:`to_unicode_cmap`, which leaves those codes out; the
codes text really uses map exactly as before.
"""
from __future__ import annotations

from functools import cache

from pipeline.style.fonts import BOLD, BOLD_ITALIC, FILES, FONT_DIR, ITALIC, REGULAR, face  # noqa: F401


@cache
def register_fonts() -> str:
    """Register the four faces and the family mapping (so <b>/<i> in paragraphs pick
    the right face). Idempotent; returns the family's base font name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    _use_clean_to_unicode()
    for name, filename in FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
    return REGULAR


def to_unicode_cmap(fontname: str, subset) -> str:
    """ReportLab's ToUnicode CMap for one subset (code i -> subset[i]) without the codes
    mapped to U+0000 (unused reserved codes and .notdef, which no text of ours shows)."""
    pairs = [(code, value) for code, value in enumerate(subset) if value]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):  # a bfchar block holds at most 100 entries
        chunk = pairs[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:02X}> <{_utf16(value)}>" for code, value in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def _utf16(codepoint: int) -> str:
    return chr(codepoint).encode("utf-16-be").hex().upper()


def _use_clean_to_unicode() -> None:
    from reportlab.pdfbase import ttfonts

    ttfonts.makeToUnicodeCMap = to_unicode_cmap
