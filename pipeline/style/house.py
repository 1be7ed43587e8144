"""The house style (``report_templates/house_style.toml``, installed as
``pipeline.report_templates``): fonts, sizes, colours, RAG looks, spacing, page margins
and what the running header and the footer show, as data that the PDF writer
(pipeline.pdf.styles) and the Word writer (pipeline.docx) both read, so the two editions
look like the same paper and a council with another house style edits one file.

The file is editable, so it is checked before anything is drawn with it: every key
present and no unknown one (a misspelt key would otherwise be ignored without a word),
colours as ``#RRGGBB``, sizes and distances in their ranges, the font files present in
the package's fonts folder, and every text colour at least 4.5:1 on the background it is
printed on (WCAG 2.2 AA, success criterion 1.4.3). A problem is a PipelineError naming
the key. The file is read once per process.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

from pipeline.errors import PipelineError

# The style ships inside the package (pyproject.toml maps the top-level report_templates/
# folder to pipeline.report_templates), so the cache fingerprint covers it: a changed
# colour is never served from pages drawn before the change.
HOUSE_STYLE_PATH = files("pipeline.report_templates") / "house_style.toml"
FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

MIN_CONTRAST = 4.5  # WCAG 2.2 AA, normal-size text
MIN_GRAPHIC_CONTRAST = 3.0  # WCAG 2.2 AA, graphical objects (1.4.11): the SPC icons and marks
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
FURNITURE_FIELDS = ("", "running_header", "footer_text", "title", "page", "page_of")
RAG_KEYS = ("green", "amber", "red", "not_rated")


@dataclass(frozen=True)
class Fonts:
    family: str
    word_family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str


@dataclass(frozen=True)
class Sizes:
    """Points; the same keys serve for the type sizes and their leading."""

    body: float
    lead: float
    h1: float
    h2: float
    h3: float
    small: float
    caption: float
    table: float
    table_small: float
    table_dense: float
    contents_3: float
    furniture: float


@dataclass(frozen=True)
class Spacing:
    """Points."""

    paragraph_after: float
    lead_after: float
    small_after: float
    bullet_after: float
    caption_after: float
    signature_before: float
    h1_before: float
    h1_after: float
    h2_before: float
    h2_after: float
    h3_before: float
    h3_after: float


@dataclass(frozen=True)
class Colours:
    """'#RRGGBB'."""

    page: str
    text: str
    headings: str
    table_header_fill: str
    table_header_text: str
    row_label_fill: str
    row_label_text: str
    grid: str
    rules: str
    links: str
    furniture_text: str


@dataclass(frozen=True)
class SpcColours:
    """'#RRGGBB': the variation and assurance icons (pipeline.style.icons) and the SPC
    marks on the charts (pipeline.charts.draw)."""

    common_cause: str
    improvement: str
    concern: str
    neutral: str
    mean: str
    limits: str


@dataclass(frozen=True)
class RagLook:
    fill: str | None  # '#RRGGBB', or None: unshaded
    text: str
    bold: bool  # True: always bold; False: the cell's own weight


@dataclass(frozen=True)
class Page:
    """Millimetres; header and footer: edge to baseline."""

    left: float
    right: float
    top: float
    bottom: float
    header: float
    footer: float


@dataclass(frozen=True)
class Furniture:
    header_left: str
    header_centre: str
    header_right: str
    footer_left: str
    footer_centre: str
    footer_right: str
    header_rule: bool
    footer_rule: bool

    @property
    def header(self) -> tuple[str, str, str]:
        return self.header_left, self.header_centre, self.header_right

    @property
    def footer(self) -> tuple[str, str, str]:
        return self.footer_left, self.footer_centre, self.footer_right


@dataclass(frozen=True)
class HouseStyle:
    fonts: Fonts
    sizes: Sizes
    leading: Sizes
    spacing: Spacing
    colours: Colours
    rag: Mapping[str, RagLook]  # RAG_KEYS -> look
    portrait: Page
    landscape: Page
    furniture: Furniture
    spc: SpcColours
    source: str

    def rag_look(self, name: str) -> RagLook:
        """The look of a rating: 'GREEN', 'AMBER', 'RED' (a Rag's value) or 'not rated'."""
        return self.rag[name.lower().replace(" ", "_")]

    def page(self, orientation: str) -> Page:
        return self.landscape if orientation == "landscape" else self.portrait


def house_style() -> HouseStyle:
    """The house style, read from HOUSE_STYLE_PATH once per process."""
    return load_house_style(str(HOUSE_STYLE_PATH))


@cache
def load_house_style(path: str) -> HouseStyle:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise PipelineError(f"cannot read the house style {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"house style {path}: {exc}") from None
    return _parse(data, path)


# ------------------------------------------------------------------------------ checks
def _parse(data: dict, source: str) -> HouseStyle:
    where = f"house style {source}"

    def fail(message: str):
        raise PipelineError(f"{where}: {message}")

    def table(parent: dict, key: str, name: str) -> dict:
        if key not in parent:
            fail(f"missing [{name}]")
        value = parent[key]
        if not isinstance(value, dict):
            fail(f"{name} must be a table ([{name}])")
        return value

    def record(cls, values: dict, name: str, check):
        known = {f.name for f in fields(cls)}
        for key in values:
            if key not in known:
                fail(f"unknown key {name}.{key} (expected one of: {', '.join(sorted(known))})")
        out = {}
        for f in fields(cls):
            if f.name not in values:
                fail(f"missing key {name}.{f.name}")
            out[f.name] = check(f"{name}.{f.name}", values[f.name])
        return cls(**out)

    def number(low: float, high: float):
        def check(key, value):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                fail(f"{key} = {value!r} is not a number")
            if not low <= value <= high:
                fail(f"{key} = {value!r} is outside {low:g} to {high:g}")
            return float(value)
        return check

    def colour(key, value):
        if not isinstance(value, str) or not _COLOUR.fullmatch(value):
            fail(f"{key} = {value!r} is not a colour (write it as \"#RRGGBB\", e.g. \"#1F3864\")")
        return value.upper()

    def fill(key, value):
        return None if value == "none" else colour(key, value)

    def flag(key, value):
        if not isinstance(value, bool):
            fail(f"{key} = {value!r} must be true or false")
        return value

    def text(key, value):
        if not isinstance(value, str) or not value.strip():
            fail(f"{key} must be a name in quotes")
        return value

    def font_file(key, value):
        text(key, value)
        if Path(value).name != value or not (FONT_DIR / value).is_file():
            fail(f"{key} = {value!r} is not a font file in {FONT_DIR}")
        return value

    def slot(key, value):
        if value not in FURNITURE_FIELDS:
            fail(f"{key} = {value!r} must be one of: {', '.join(repr(v) for v in FURNITURE_FIELDS)}")
        return value

    for key in data:
        if key not in ("fonts", "sizes", "leading", "spacing", "colours", "rag", "page", "furniture", "spc"):
            fail(f"unknown table [{key}]")
    fonts = record(Fonts, table(data, "fonts", "fonts"), "fonts",
                   lambda k, v: text(k, v) if k in ("fonts.family", "fonts.word_family") else font_file(k, v))
    sizes = record(Sizes, table(data, "sizes", "sizes"), "sizes", number(4, 72))
    leading = record(Sizes, table(data, "leading", "leading"), "leading", number(4, 90))
    for f in fields(Sizes):
        if getattr(leading, f.name) < getattr(sizes, f.name):
            fail(f"leading.{f.name} ({getattr(leading, f.name):g}) is less than sizes.{f.name} "
                 f"({getattr(sizes, f.name):g}): its lines would overlap")
    spacing = record(Spacing, table(data, "spacing", "spacing"), "spacing", number(0, 72))
    colours = record(Colours, table(data, "colours", "colours"), "colours", colour)
    rag_data = table(data, "rag", "rag")
    for key in rag_data:
        if key not in RAG_KEYS:
            fail(f"unknown table [rag.{key}] (expected: {', '.join(RAG_KEYS)})")
    rag = {}
    for key in RAG_KEYS:
        rag[key] = record(RagLook, table(rag_data, key, f"rag.{key}"), f"rag.{key}",
                          lambda k, v: fill(k, v) if k.endswith(".fill") else
                          colour(k, v) if k.endswith(".text") else flag(k, v))
    page_data = table(data, "page", "page")
    for key in page_data:
        if key not in ("portrait", "landscape"):
            fail(f"unknown table [page.{key}] (expected: portrait, landscape)")
    pages = {}
    for key in ("portrait", "landscape"):
        page = record(Page, table(page_data, key, f"page.{key}"), f"page.{key}", number(5, 80))
        if page.header + 2 >= page.top:
            fail(f"page.{key}.header ({page.header:g} mm) must be at least 2 mm less than page.{key}.top "
                 f"({page.top:g} mm): the running header and its rule stand above the text")
        if page.footer < 12:
            fail(f"page.{key}.footer ({page.footer:g} mm) must be 12 mm or more: the agenda pack prints "
                 "its own page number within 10 mm of the bottom edge")
        if page.footer + 4 >= page.bottom:
            fail(f"page.{key}.footer ({page.footer:g} mm) must be at least 4 mm less than page.{key}.bottom "
                 f"({page.bottom:g} mm): the footer and its rule stand below the text")
        pages[key] = page
    furniture_data = table(data, "furniture", "furniture")
    furniture = record(Furniture, furniture_data, "furniture",
                       lambda k, v: flag(k, v) if k.endswith("_rule") else slot(k, v))
    spc = record(SpcColours, table(data, "spc", "spc"), "spc", colour)
    style = HouseStyle(fonts=fonts, sizes=sizes, leading=leading, spacing=spacing, colours=colours,
                       rag=MappingProxyType(rag), portrait=pages["portrait"], landscape=pages["landscape"],
                       furniture=furniture, source=source, spc=spc)
    for f in fields(SpcColours):
        ratio = contrast_ratio(getattr(spc, f.name), colours.page)
        if ratio < MIN_GRAPHIC_CONTRAST:
            fail(f"spc.{f.name} {getattr(spc, f.name)} on colours.page {colours.page} has a contrast of "
                 f"{ratio:.2f}:1; WCAG 2.2 AA needs at least {MIN_GRAPHIC_CONTRAST:g}:1 for graphics")
    for fg, bg in _text_on_background(style):
        ratio = contrast_ratio(_value(style, fg), _value(style, bg))
        if ratio < MIN_CONTRAST:
            fail(f"{fg} {_value(style, fg)} on {bg} {_value(style, bg)} has a contrast of {ratio:.2f}:1; "
                 f"WCAG 2.2 AA needs at least {MIN_CONTRAST}:1 for text")
    return style


def _text_on_background(style: HouseStyle) -> list[tuple[str, str]]:
    """(text colour key, background colour key): every pairing the documents print."""
    pairs = [(f"colours.{key}", "colours.page") for key in ("text", "headings", "links", "furniture_text")]
    pairs += [("colours.table_header_text", "colours.table_header_fill"),
              ("colours.row_label_text", "colours.row_label_fill"),
              ("colours.links", "colours.row_label_fill")]  # the summary's indicator names are links
    for key in RAG_KEYS:
        pairs.append((f"rag.{key}.text", f"rag.{key}.fill" if style.rag[key].fill else "colours.page"))
    return pairs


def _value(style: HouseStyle, key: str) -> str:
    head, *rest = key.split(".")
    if head == "rag":
        return getattr(style.rag[rest[0]], rest[1])
    return getattr(getattr(style, head), rest[0])


def _luminance(hex_value: str) -> float:
    value = hex_value.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two '#RRGGBB' colours."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
