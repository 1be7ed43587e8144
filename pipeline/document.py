"""The one document model of a report. Every renderer (DOCX, PDF) reads only this.

The assembler (``pipeline.assemble``) turns cards, report fields and commentary into a
:class:`Document`; all figures are already formatted strings here, so the DOCX and the
PDF cannot show a number differently. Each element carries its structural role
(heading level, paragraph, list, table with header cells, figure with alt text) so the
PDF can be tagged for accessibility from the same model.

Nothing in this module does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

from pipeline.rating import Rag

Orientation = Literal["portrait", "landscape"]
Align = Literal["left", "right", "center"]


@dataclass(frozen=True)
class Run:
    """A piece of text in one style. ``href`` is '#anchor' (inside the document),
    'mailto:...' or 'https://...'."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


def runs(*parts: str | Run) -> tuple[Run, ...]:
    return tuple(p if isinstance(p, Run) else Run(p) for p in parts if p != "")


def plain_text(items: tuple[Run, ...]) -> str:
    return "".join(r.text for r in items)


@dataclass(frozen=True)
class Heading:
    level: int  # 1..3; levels never skip
    text: str
    anchor: str | None = None  # target for '#anchor' links and the PDF outline
    outline: bool = True  # appears in PDF bookmarks / navigation


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Run, ...]
    number: str | None = None  # "1." for the cover report's numbered paragraphs
    style: Literal["body", "quote", "small", "lead", "signature"] = "body"


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Run, ...], ...]
    number: str | None = None  # when the list continues a numbered paragraph


@dataclass(frozen=True)
class Cell:
    content: tuple[Run, ...]
    header: bool = False
    scope: Literal["col", "row"] | None = None  # for header cells
    rag: Rag | None = None  # shading; the cell's text always carries the word too
    align: Align = "left"
    colspan: int = 1
    bold: bool = False

    @property
    def text(self) -> str:
        return plain_text(self.content)


@dataclass(frozen=True)
class Table:
    """A table. ``kind`` tells the renderers how to style it:

    - "data": figures with a header row that repeats across pages (summary, trend data);
    - "memo": the cover memo's From/To/Date block (label cells are row headers);
    - "key": the RAG key;
    - "details": the label/value block of an indicator page (priority, cabinet member...).
    """

    columns: tuple[float, ...]  # relative widths, one per column
    header_rows: tuple[tuple[Cell, ...], ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str  # what the table is: read by screen readers, used as DOCX table title
    kind: Literal["data", "memo", "key", "details"] = "data"
    repeat_header: bool = True
    font_size: Literal["normal", "small"] = "normal"


@dataclass(frozen=True)
class Series:
    name: str  # legend label
    values: tuple[float | None, ...]  # aligned with ChartSpec.periods; None = no point
    role: Literal["actual", "target", "floor", "comparator", "forecast", "supplementary"] = "actual"


@dataclass(frozen=True)
class ChartSpec:
    """Everything a chart depends on (and nothing else): its content hash is its cache key."""

    title: str
    periods: tuple[str, ...]  # labels as the seeds write them: 'Sep-13', 'Mar 14'
    series: tuple[Series, ...]
    unit: str
    decimals: int
    y_label: str = ""
    band_lower: tuple[float | None, ...] | None = None  # activity indicators' expected range
    band_upper: tuple[float | None, ...] | None = None
    kind: Literal["line", "bar"] = "line"


@dataclass(frozen=True)
class Figure:
    chart: ChartSpec
    alt_text: str  # generated from the data: never empty
    width_mm: float = 160.0
    height_mm: float = 70.0
    caption: str = ""


@dataclass(frozen=True)
class Rule:
    """A horizontal line (the memo's separators)."""


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class KeepTogether:
    """Blocks that belong on one page if they fit (an indicator's page)."""

    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Columns:
    """Blocks set side by side (an indicator page's chart with its data notes beside it).

    ``columns`` holds each column's blocks; ``widths`` the columns' relative widths, one
    per column. This is layout only, never a data table: the reading order (screen
    readers, the tagged PDF, text extraction) is the whole first column, then the whole
    next one, so a reader hears the chart's alt text and then its data notes. A Columns
    is kept whole on one page where it fits."""

    columns: tuple[tuple["Block", ...], ...]
    widths: tuple[float, ...]

    def __post_init__(self):
        if len(self.columns) != len(self.widths) or not self.columns:
            raise ValueError("Columns needs one width per column")


Block = Union[Heading, Paragraph, BulletList, Table, Figure, Rule, PageBreak, KeepTogether, Columns]


@dataclass(frozen=True)
class Part:
    """A run of pages in one orientation: the cover report, or one appendix.

    Every part starts on a new page. ``running_header`` is page furniture (shown at the
    top of each page of the part, never part of the reading order)."""

    title: str
    orientation: Orientation
    blocks: tuple[Block, ...]
    running_header: str = ""
    anchor: str | None = None


@dataclass(frozen=True)
class Document:
    title: str  # shown by viewers instead of the file name
    subject: str
    author: str  # the directorate
    parts: tuple[Part, ...]
    language: str = "en-GB"
    keywords: tuple[str, ...] = ()
    classification: str = "Unrestricted"
    footer_text: str = ""  # e.g. the committee and meeting date
    date: str = ""  # ISO date of the report, for metadata (never 'now': reproducible)
    meta: dict = field(default_factory=dict, compare=False, hash=False)


def walk(blocks: tuple[Block, ...]):
    """Every block in reading order, descending into KeepTogether and Columns (the first
    column's blocks, then the next column's)."""
    for block in blocks:
        if isinstance(block, KeepTogether):
            yield from walk(block.blocks)
        elif isinstance(block, Columns):
            for column in block.columns:
                yield from walk(column)
        else:
            yield block


def figures(document: Document):
    for part in document.parts:
        for block in walk(part.blocks):
            if isinstance(block, Figure):
                yield block
