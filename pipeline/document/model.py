"""The one document model of a report. Every renderer (DOCX, PDF) reads only this.

The assembler (``pipeline.document.assemble``) turns cards, report fields and commentary into a
:class:`Document`; all figures are already formatted strings here, so the DOCX and the
PDF cannot show a number differently. Each element carries its structural role
(heading level, paragraph, list, table with header cells, figure with alt text) so the
PDF can be tagged for accessibility from the same model.

Nothing in this module does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.rules.rating import Rag

Orientation = Literal["portrait", "landscape"]
Align = Literal["left", "right", "center"]
ParagraphStyle = Literal["body", "quote", "small", "lead", "signature"]

# the title every edition gives a part's contents list (the renderers draw the list itself)
CONTENTS_TITLE = "Contents"


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
    style: ParagraphStyle = "body"


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Run, ...], ...]
    number: str | None = None  # when the list continues a numbered paragraph


@dataclass(frozen=True)
class Icon:
    """A statistical process control icon (NHS "Making Data Count" style): ``kind`` names
    its drawing (one of pipeline.style.icons.ICON_KINDS), ``text`` is its meaning in
    words, never empty: the PDF's alternative text for it. The icon never stands alone: the
    cell holding it prints the meaning too, so no edition rests on colour or shape."""

    kind: str
    text: str


@dataclass(frozen=True)
class Cell:
    content: tuple[Run, ...]
    header: bool = False
    scope: Literal["col", "row"] | None = None  # for header cells
    rag: Rag | None = None  # shading; the cell's text always carries the word too
    align: Align = "left"
    colspan: int = 1
    bold: bool = False
    icons: tuple[Icon, ...] = ()  # drawn before the text (the PDF); the text says the same

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


# Long text in a table flows across pages as rows of its own: a row taller than a page
# cannot be laid out (ReportLab raises LayoutError; Word clips a row that may not break).
# A cell holding more than ROW_TEXT_LIMIT characters is cut into pieces of at most that
# many, at a line break (a paragraph or bullet of officer text), else at a space, else
# (one long word) anywhere; a line costs at least LINE_COST characters, so many short
# paragraphs are cut too. Each piece after the first is a continuation row. At the table
# widths of the reports a piece is well under half a page; the PDF renderer still lets a
# row split within itself should one ever be taller than a page (pipeline.pdf.story).
ROW_TEXT_LIMIT = 1500
LINE_COST = 80
CONTINUED = "(continued)"


def text_pieces(text: str, limit: int = ROW_TEXT_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters (a line counting as at least
    LINE_COST), cut at line breaks, else spaces, else anywhere; in order, losing no
    character but the spaces and line breaks it cuts at."""
    pieces: list[str] = []
    lines: list[str] = []
    cost = 0
    for line in text.split("\n"):
        for chunk in _line_chunks(line, limit):
            weight = max(len(chunk), LINE_COST)
            if lines and cost + weight > limit:
                pieces.append("\n".join(lines))
                lines, cost = [], 0
            lines.append(chunk)
            cost += weight
    if lines:
        pieces.append("\n".join(lines))
    return pieces


def _line_chunks(line: str, limit: int):
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= 0:  # one word longer than a piece: cut it where the piece is full
            yield line[:limit]
            line = line[limit:]
        else:
            yield line[:cut].rstrip()
            line = line[cut + 1:].lstrip()
    yield line


def _cell_pieces(cell: Cell, limit: int) -> list[tuple[Run, ...]]:
    """The cell's content in pieces (one piece when it is short). A cell's runs are
    concatenated when cut; the pieces keep the first run's look and link."""
    text = cell.text
    if len(text) + text.count("\n") * LINE_COST <= limit:  # (the most its lines can cost)
        return [cell.content]
    pieces = text_pieces(text, limit)
    if len(pieces) == 1:
        return [cell.content]
    first = cell.content[0]
    return [(Run(piece, bold=first.bold, italic=first.italic, href=first.href),) for piece in pieces]


def flowing_rows(rows, limit: int = ROW_TEXT_LIMIT) -> tuple[tuple[Cell, ...], ...]:
    """``rows`` with every row holding a cell longer than ``limit`` cut into that row and
    continuation rows (see ROW_TEXT_LIMIT). A continuation row carries the next piece of
    each long cell; its first column repeats the row's label followed by "(continued)"
    (or carries the next piece of the label itself, when that is what is long); its other
    cells are empty. Row headers stay row headers, spans stay spans, so every row of the
    table keeps the same width."""
    out: list[tuple[Cell, ...]] = []
    for row in rows:
        pieces = [_cell_pieces(cell, limit) for cell in row]
        count = max(len(p) for p in pieces)
        if count == 1:
            out.append(tuple(row))
            continue
        out.append(tuple(_replace_content(cell, p[0]) for cell, p in zip(row, pieces)))
        for i in range(1, count):
            cells = []
            for column, (cell, p) in enumerate(zip(row, pieces)):
                if i < len(p):
                    cells.append(_replace_content(cell, p[i], shading=False))
                elif column == 0:
                    label = plain_text(p[0]) if len(p) == 1 else ""
                    text = f"{label} {CONTINUED}" if label else CONTINUED
                    cells.append(Cell(runs(text), header=cell.header, scope=cell.scope, align=cell.align,
                                      colspan=cell.colspan, bold=cell.bold))
                else:
                    cells.append(Cell((), header=cell.header, scope=cell.scope, colspan=cell.colspan))
            out.append(tuple(cells))
    return tuple(out)


def _replace_content(cell: Cell, content: tuple[Run, ...], shading: bool = True) -> Cell:
    return Cell(content, header=cell.header, scope=cell.scope, rag=cell.rag if shading else None,
                align=cell.align, colspan=cell.colspan, bold=cell.bold, icons=cell.icons if shading else ())


@dataclass(frozen=True)
class Series:
    name: str  # legend label
    values: tuple[float | None, ...]  # aligned with ChartSpec.periods; None = no point
    role: Literal["actual", "target", "floor", "comparator", "forecast", "supplementary"] = "actual"


# The size every chart is drawn at and printed at (mm): the chart column beside the data
# notes on an indicator page (60 % of the landscape frame), short enough that heading,
# details, chart, trend table and a typical commentary fit one page. It belongs to the
# model: the assembler gives each Figure this box, and the chart renderer draws to it.
CHART_WIDTH_MM, CHART_HEIGHT_MM = 150.0, 54.0


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
    # statistical process control (docs/spc.md), aligned with ``periods``: the mean and
    # process limits of each period's figure (None where it has none), and each figure's
    # special cause ("improvement", "concern", "neutral"; None: common cause or no figure)
    spc_mean: tuple[float | None, ...] | None = None
    spc_lower: tuple[float | None, ...] | None = None
    spc_upper: tuple[float | None, ...] | None = None
    spc_points: tuple[str | None, ...] | None = None


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

    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Columns:
    """Blocks set side by side (an indicator page's chart with its data notes beside it).

    ``columns`` holds each column's blocks; ``widths`` the columns' relative widths, one
    per column. This is layout only, never a data table: the reading order (screen
    readers, the tagged PDF, text extraction) is the whole first column, then the whole
    next one, so a reader hears the chart's alt text and then its data notes. A Columns
    is kept whole on one page where it fits."""

    columns: tuple[tuple[Block, ...], ...]
    widths: tuple[float, ...]

    def __post_init__(self):
        if len(self.columns) != len(self.widths) or not self.columns:
            raise ValueError("Columns needs one width per column")


Block = Heading | Paragraph | BulletList | Table | Figure | Rule | PageBreak | KeepTogether | Columns


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
    # False in an agenda pack: the pack stamps its own running "Page N" on every page, and a
    # second page number ("Page 1 of 29" above "Page 31") would make a quoted page ambiguous
    page_numbers: bool = True
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
