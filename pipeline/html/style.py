"""The HTML edition's stylesheet, made from the house style (pipeline.style.house) that the
PDF and the Word report read, so the three editions share their fonts, sizes and colours.

The bundled faces are embedded in the page (base64 WOFF ``@font-face`` rules, only the faces
the document uses): the page makes no request, and its charts' text (inline SVG, text kept
as text) is drawn in the same face as the PDF's. WOFF is the face file's own tables
repackaged, compressed, with no glyph changed (fontTools, which matplotlib already needs).

Sizes are the house points converted to rem (16 px = 12 pt is the browser's default
size, so a reader's own font size setting scales every size here). Layout is for reading
at any width: text reflows, only a wide data table scrolls, inside its own container.
The print stylesheet sets A4 pages (landscape for the landscape parts, as in the PDF),
repeats table header rows and keeps rows whole.
"""
from __future__ import annotations

import base64
from functools import cache

from pipeline.style.house import FONT_DIR, HouseStyle

# (bold, italic) -> the house style's face key
FACES = {(False, False): "regular", (True, False): "bold", (False, True): "italic", (True, True): "bold_italic"}


@cache
def font_woff(filename: str) -> bytes:
    """The bundled face ``filename`` as WOFF bytes: the same tables, each zlib-compressed;
    nothing recomputed (no timestamp, no bounding boxes), so the bytes are the same in every
    build."""
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(str(FONT_DIR / filename), recalcBBoxes=False, recalcTimestamp=False, lazy=True)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def font_faces(house: HouseStyle, faces) -> str:
    """``@font-face`` rules for ``faces`` ((bold, italic) pairs), in a fixed order."""
    rules = []
    for key in sorted(set(faces)):
        filename = getattr(house.fonts, FACES[key])
        data = base64.b64encode(font_woff(filename)).decode("ascii")
        rules.append(f"@font-face{{font-family:{_quote(house.fonts.family)};"
                     f"font-weight:{700 if key[0] else 400};font-style:{'italic' if key[1] else 'normal'};"
                     f"src:url(data:font/woff;base64,{data}) format(\"woff\");}}")
    return "\n".join(rules)


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rem(points: float) -> str:
    return f"{points / 12:.4g}rem"


def stylesheet(house: HouseStyle) -> str:
    """The page's CSS (without the fonts)."""
    c, s, lead, sp = house.colours, house.sizes, house.leading, house.spacing
    rag = {key: house.rag[key] for key in house.rag}
    family = f"{_quote(house.fonts.family)},{_quote(house.fonts.word_family)},Arial,sans-serif"
    css = [
        f":root{{color-scheme:light;--text:{c.text};--headings:{c.headings};--links:{c.links};--rules:{c.rules};"
        f"--grid:{c.grid}}}",
        "*,*::before,*::after{box-sizing:border-box}",
        f"html{{background:{c.page};color:{c.text};font-family:{family};font-size:100%;"
        "-webkit-text-size-adjust:100%;text-size-adjust:100%}",
        f"body{{margin:0 auto;max-width:62rem;padding:0 1rem 2rem;font-size:{_rem(s.body)};"
        f"line-height:{lead.body / s.body:.3g};overflow-wrap:break-word}}",
        f"a{{color:{c.links};text-decoration:underline}}",
        f":focus-visible{{outline:3px solid {c.headings};outline-offset:2px}}",
        f"a:focus,[tabindex]:focus{{outline:3px solid {c.headings};outline-offset:2px}}",
        # the skip link: off screen until it has the focus
        f".skip{{position:absolute;left:-999rem;top:0;background:{c.page};padding:.5rem 1rem}}",
        ".skip:focus{left:1rem;z-index:10}",
        f"h1,h2,h3,h4{{color:{c.headings};font-weight:700;break-after:avoid}}",
        f"h1{{font-size:{_rem(s.h1 * 1.25)};line-height:1.25;margin:{_rem(sp.h1_before + 12)} 0 {_rem(sp.h1_after)}}}",
        f"h2{{font-size:{_rem(s.h1)};line-height:{lead.h1 / s.h1:.3g};margin:{_rem(sp.h1_before + 12)} 0 "
        f"{_rem(sp.h1_after)}}}",
        f"h3{{font-size:{_rem(s.h2)};line-height:{lead.h2 / s.h2:.3g};margin:{_rem(sp.h2_before)} 0 "
        f"{_rem(sp.h2_after)}}}",
        f"h4{{font-size:{_rem(s.h3)};line-height:{lead.h3 / s.h3:.3g};margin:{_rem(sp.h3_before)} 0 "
        f"{_rem(sp.h3_after)}}}",
        f"p{{margin:0 0 {_rem(sp.paragraph_after)}}}",
        f"p.lead{{font-size:{_rem(s.lead)};line-height:{lead.lead / s.lead:.3g};font-weight:700;"
        f"margin-bottom:{_rem(sp.lead_after)}}}",
        f"p.small{{font-size:{_rem(s.small)};line-height:{lead.small / s.small:.3g};"
        f"margin-bottom:{_rem(sp.small_after)}}}",
        "p.quote{font-style:italic;margin-left:2rem;margin-right:1.5rem}",
        f"p.signature{{margin-top:{_rem(sp.signature_before)}}}",
        "p.numbered{display:flex;gap:0}",
        "p.numbered>.number{flex:0 0 2.5rem}",
        f"ul{{margin:0 0 {_rem(sp.paragraph_after)};padding-left:1.5rem}}",
        "ul.under-number{margin-left:2.5rem}",
        f"li{{margin-bottom:{_rem(sp.bullet_after)}}}",
        f"hr{{border:0;border-top:1px solid {c.rules};margin:.5rem 0}}",
        f"header.masthead{{border-bottom:2px solid {c.rules};margin-bottom:1rem}}",
        "header.masthead p{margin:.25rem 0}",
        f"nav.contents{{border:1px solid {c.grid};padding:.5rem 1rem;margin:1rem 0}}",
        "nav.contents ul{margin:0;padding:0;list-style:none}",
        # an SPC icon sits before its words, on their line
        ".spc-icon{display:inline-block;vertical-align:middle;margin-right:.3em}",
        ".spc-icon svg{display:block}",
        "nav.contents ul ul{padding-left:1.25rem}",
        "nav.contents li{margin:.2rem 0}",
        "nav.contents a{display:inline-block;padding:.25rem 0;min-height:1.5rem}",
        f"section.part{{border-top:2px solid {c.rules};margin-top:2rem}}",
        f"footer.colophon{{border-top:1px solid {c.rules};margin-top:2rem;font-size:{_rem(s.small)}}}",
        # tables: a data table scrolls inside its own container, never the page
        ".table-wrap{max-width:100%;overflow-x:auto;margin:0 0 .75rem}",
        f"table{{border-collapse:collapse;font-size:{_rem(s.table)};line-height:{lead.table / s.table:.3g};"
        "margin:0 0 .75rem}",
        ".table-wrap>table{margin:0}",
        "table.small{font-size:" + _rem(max(s.table_small, s.table * 0.95)) + "}",
        f"caption{{text-align:left;font-weight:700;color:{c.headings};padding:.25rem 0;caption-side:top}}",
        f"th,td{{border:1px solid {c.grid};padding:.2rem .35rem;vertical-align:top;text-align:left}}",
        f"thead th{{background:{c.table_header_fill};color:{c.table_header_text};font-weight:700}}",
        f"tbody th{{background:{c.row_label_fill};color:{c.row_label_text};font-weight:normal}}",
        "table.data tbody th,table.key th{font-weight:700}",
        "table.data,table.key{min-width:100%}",
        "table.memo th,table.memo td{border:0;padding:.15rem .5rem .15rem 0}",
        f"table.memo th{{background:none;color:{c.text};font-weight:700}}",
        "td.right,th.right{text-align:right}td.center,th.center{text-align:center}",
        "td.bold,th.bold{font-weight:700}",
        # charts: as wide as the column allows, the data a disclosure away
        "figure.chart{margin:0 0 .75rem}",
        "figure.chart svg{display:block;width:100%;max-width:40rem;height:auto}",
        f"figcaption{{font-style:italic;font-size:{_rem(s.caption)}}}",
        "details.chart-data{margin:.25rem 0 .75rem}",
        f"details.chart-data summary{{cursor:pointer;color:{c.links};text-decoration:underline}}",
        ".columns{display:grid;gap:1rem;align-items:start}",
        ".columns>div{min-width:0}",
        "@media (max-width:40rem){.columns{display:block}}",
        "@media (max-width:30rem){body{padding:0 .5rem 1rem}p.quote{margin-left:1rem;margin-right:0}"
        "ul.under-number{margin-left:1rem}p.numbered>.number{flex-basis:2rem}}",
    ]
    for key, look in rag.items():
        fill = look.fill or "transparent"
        weight = "font-weight:700;" if look.bold else ""
        css.append(f"table .rag-{key.replace('_', '-')}{{background:{fill};color:{look.text};{weight}}}")
    portrait, landscape = house.portrait, house.landscape
    css += [
        "@media print{"
        f"@page{{size:A4 portrait;margin:{portrait.top:g}mm {portrait.right:g}mm {portrait.bottom:g}mm "
        f"{portrait.left:g}mm}}"
        f"@page landscape{{size:A4 landscape;margin:{landscape.top:g}mm {landscape.right:g}mm "
        f"{landscape.bottom:g}mm {landscape.left:g}mm}}"
        "html{font-size:12pt}"
        "body{max-width:none;padding:0}"
        ".skip,details.chart-data summary{display:none}"
        "section.part{border-top:0;margin-top:0;break-before:page}"
        "section.part.landscape{page:landscape}"
        ".page-break{break-before:page}"
        ".keep,figure.chart,tr{break-inside:avoid}"
        "thead{display:table-header-group}"
        ".table-wrap{overflow:visible}"
        "table{width:100%}"
        f"table.data{{font-size:{_rem(s.table_dense)}}}"
        "a{color:inherit}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
        "}",
    ]
    return "\n".join(css)
