"""The PDF's first stage: the document model's blocks as platypus flowables (the *story*).

Nothing is computed here: every figure is already a formatted string in the model
(:mod:`pipeline.document.model`). What this stage decides is how each block looks and
what it is:

* every flowable it makes goes through :func:`pipeline.pdf.flowables.mark`, which gives it
  a ``role`` (H1-H3, P, Caption, L/LI, Table, TH with scope, TD, Figure with ``alt``,
  TOCI, Artifact) and ``struct_attrs`` (row/column of cells, links of a paragraph,
  anchors); lists, parts and column groups are bracketed by ``StructBegin``/``StructEnd``
  (the canvas-hook protocol: ARCHITECTURE.md, "Flowables and tagging");
* one page template per :class:`~pipeline.document.model.Part`, in the part's
  orientation (``pipeline.pdf.styles.GEOMETRY``): :class:`Story` keeps each part's frame,
  and puts ``NextPageTemplate`` + ``PageBreak`` between parts;
* a landscape part with two outline headings or more gets a contents list under its
  title, whose page numbers only the layout passes know (:class:`ContentsSection`);
* *sections* (the blocks between two page breaks: each starts on a fresh page) are
  bracketed by the replay markers, or replaced by a recording of an earlier build, when
  a section cache is given (:mod:`pipeline.pdf.replay`).

:func:`check_inputs` runs before any of it: every text can be drawn in the bundled font
and every chart is there; it returns the fonts' seeds (every character the document
draws, face by face), so that a text's encoding does not depend on which page drew it
first.

The story is built once; :mod:`pipeline.pdf.layout` lays it out as often as it needs.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from pipeline.document.model import (
    CONTENTS_TITLE,
    BulletList,
    Cell,
    ChartSpec,
    Columns,
    Document,
    Figure,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Part,
    Rule,
    Run,
    Table,
    walk,
)
from pipeline.errors import OutputError

CONTINUED = " (continued)"  # after an indicator's heading, atop a page it runs on to


# ---------------------------------------------------------------------------- checks
def check_inputs(document: Document, images: Mapping[ChartSpec, bytes]) -> tuple:
    """Every text can be drawn and every chart is there. Returns the font seeds: each face
    the text uses, with every character of the document (see pipeline.pdf.replay)."""
    from pipeline.style.fonts import face, missing_glyphs

    by_face: dict[tuple[bool, bool], set[str]] = {}  # (bold, italic) -> every character set in it
    for text, bold, italic in _texts(document):
        if text:
            key = (bool(bold), bool(italic))
            found = by_face.get(key)
            if found is None:
                found = by_face[key] = set()
            found.update(text)
    missing: set[str] = set()
    chars: set[str] = set(_FIXED_TEXT)
    for (bold, italic), found in by_face.items():
        missing |= missing_glyphs("".join(found), bold, italic)
        chars |= found
    faces = {face()} | {face(bold, italic) for bold, italic in by_face}
    if missing:
        shown = ", ".join(f"{ch!r} U+{ord(ch):04X}" for ch in sorted(missing))
        raise OutputError(f"the report's font (Liberation Sans) cannot draw: {shown}")
    absent = [f.chart.title for part in document.parts for f in walk(part.blocks)
              if isinstance(f, Figure) and f.chart not in images]
    if absent:
        raise OutputError("no chart image for: " + "; ".join(absent))
    from pipeline.pdf.fonts import BOLD, BOLD_ITALIC, ITALIC, REGULAR

    seed = "".join(sorted(c for c in chars if ord(c) > 126))
    return tuple((name, seed) for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC) if name in faces)


# what the renderer draws besides the model's text: furniture, contents entries, bullets
_FIXED_TEXT = "Page of 0123456789 \u2014 page \u2022 " + CONTENTS_TITLE + CONTINUED


def _texts(document: Document):
    yield document.footer_text, False, False
    for part in document.parts:
        yield part.running_header, False, False
        for block in walk(part.blocks):
            if isinstance(block, Heading):
                yield block.text, True, False
            elif isinstance(block, Paragraph):
                yield from ((r.text, r.bold, r.italic or block.style == "quote") for r in block.content)
                if block.number:
                    yield block.number, False, False
            elif isinstance(block, BulletList):
                for item in block.items:
                    yield from ((r.text, r.bold, r.italic) for r in item)
            elif isinstance(block, Table):
                for row in block.header_rows + block.rows:
                    for cell in row:
                        for r in cell.content:
                            yield r.text, r.bold or cell.bold or cell.header or cell.rag is not None, r.italic
            elif isinstance(block, Figure):
                yield block.caption, False, True


# ---------------------------------------------------------------------------- the story
@dataclass
class PassInfo:
    """What a layout pass knows before it starts: nothing in the counting pass; in the
    drawing pass the page count ("Page X of Y") and the page of every anchor (the
    contents lists' numbers), as the pass before found them."""

    total_pages: int | None = None
    anchor_pages: dict[str, int] = field(default_factory=dict)


class Story:
    """The platypus story of a document and the frame of each part's page template,
    built once for every pass (:mod:`pipeline.pdf.layout` makes the templates)."""

    def __init__(self, document: Document, images: Mapping[ChartSpec, bytes], cache=None, seeds: tuple = ()):
        from reportlab.platypus import Frame, NextPageTemplate
        from reportlab.platypus import PageBreak as RLPageBreak

        from pipeline.pdf.flowables import StructBegin, StructEnd
        from pipeline.pdf.fonts import register_fonts
        from pipeline.pdf.styles import GEOMETRY

        register_fonts()
        self.document = document
        self.seeds = seeds
        self.frames: list[tuple] = []  # per part: (template id, Frame, geometry, part)
        self.flowables: list = []
        self.contents_replayed = 0  # contents sections the last final pass replayed
        self.builder = builder = StoryBuilder(document, images, cache, seeds)
        for index, part in enumerate(document.parts):
            geometry = GEOMETRY[part.orientation]
            frame = Frame(
                geometry.left, geometry.bottom, geometry.frame_width, geometry.frame_height,
                leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"frame{index}",
            )
            self.frames.append((f"part{index}", frame, geometry, part))
            if index:
                self.flowables += [NextPageTemplate(f"part{index}"), RLPageBreak()]
            self.flowables.append(StructBegin("Sect", title=part.title, anchor=part.anchor))
            self.flowables += builder.part(part, geometry)
            self.flowables.append(StructEnd("Sect"))

    def for_pass(self, info: PassInfo, final: bool = False) -> list:
        """The story for one pass. A section holding a contents list shows the pages
        ``info`` knows; with a cache it is replayed when an earlier build recorded it in
        the same pass (the counting pass, with placeholders; the final pass, with these
        very page numbers), else laid out and recorded (pipeline.pdf.replay)."""
        story: list = []
        self.contents_replayed = 0
        cache = self.builder.cache
        for flowable in self.flowables:
            if not isinstance(flowable, ContentsSection):
                story.append(flowable)
                continue
            if cache is None:
                story += flowable.fresh(self.builder, info)
                continue
            from pipeline.pdf.replay import RecordEnd, RecordStart, replay_flowables, section_key

            numbers = tuple(info.anchor_pages.get(a) for a in flowable.anchors) if final else "counting"
            key = section_key((flowable.key, numbers))
            recording = cache.get(key, self.builder.images, count=False)
            if recording is not None:
                story += replay_flowables(recording, cache.charts(self.builder.images))
                self.contents_replayed += final
            else:
                counting = not final
                story += [RecordStart(key, counting), *flowable.fresh(self.builder, info), RecordEnd(key, counting)]
        return story


@dataclass
class ContentsSection:
    """A section that holds a contents list: what it draws depends on the page numbers of
    the pass, so it is replayed or recorded pass by pass (:meth:`Story.for_pass`). Its
    flowables are only built when a pass lays it out."""

    key: str | None  # of everything but the page numbers (None: no cache)
    anchors: tuple  # the anchors whose pages its entries show
    build: object  # () -> its flowables, the contents entries as placeholders
    _built: list | None = None

    def fresh(self, builder, info: PassInfo) -> list:
        """Its flowables, the contents entries showing the pages ``info`` knows."""
        if self._built is None:
            self._built = self.build()
        slots = builder.contents_slot_of
        return [builder.contents_entry(slots[id(f)], info.anchor_pages) if id(f) in slots else f
                for f in self._built]


# ---------------------------------------------------------------------------- blocks
class StoryBuilder:
    """Model blocks -> marked flowables, part by part and section by section."""

    def __init__(self, document: Document, images: Mapping[ChartSpec, bytes], cache=None, seeds: tuple = ()):
        from pipeline.pdf.styles import styles

        self.document = document
        self.images = images
        self.cache = cache  # pipeline.pdf.replay.SectionCache, or None
        self.seeds = seeds
        self.sections = 0
        self.styles = styles()
        # id(placeholder flowable) -> (heading, anchor, style); the placeholders stay alive
        # (their ids valid) in their ContentsSection's built flowables
        self.contents_slot_of: dict[int, tuple] = {}
        self._cell_styles: dict = {}
        # every outline heading needs a destination: the model's anchor, else a stable one
        self.anchors: dict[int, str] = {}
        for part in document.parts:
            for block in walk(part.blocks):
                if isinstance(block, Heading) and (block.anchor or block.outline):
                    self.anchors[id(block)] = block.anchor or f"_heading{len(self.anchors) + 1}"

    # -- parts ------------------------------------------------------------------
    def part(self, part: Part, geometry) -> list:
        self.width = geometry.frame_width
        self.geometry = geometry
        self.landscape = part.orientation == "landscape"
        story: list = []
        blocks = part.blocks
        plan = self.contents_plan(part) if part.orientation == "landscape" and not has_contents(blocks) else None
        # a page holding nothing but headings (a part's title before the first indicator
        # page) would strand them: such a page break is dropped, the headings stay with
        # what follows
        only_headings = plan is None
        section: list = []  # the blocks of the section being gathered
        for block in blocks:
            if isinstance(block, PageBreak):
                if only_headings:
                    continue
                only_headings = True
                story += self.section(part, plan, section)
                plan, section = None, []
                story += self.block(block)
                continue
            if not isinstance(block, Heading):
                only_headings = False
            section.append(block)
        story += self.section(part, plan, section)
        return story

    def section(self, part: Part, plan, blocks: list) -> list:
        """The flowables of one section: the blocks between two page breaks, which start
        on a fresh page. With a cache, a section drawn by an earlier build is replayed, and
        one drawn now is recorded (pipeline.pdf.replay). A section that starts with the
        part's contents list (``plan``: its title and entries) shows page numbers: it is
        replayed or laid out pass by pass (ContentsSection)."""
        if plan is None and not blocks:
            return []
        self.sections += 1
        skip = getattr(self, "_skip_heading", None)  # the part's title, drawn above its contents list
        if not any(b is skip for b in walk(blocks)):
            skip = None
        key = None
        if self.cache is not None:
            from pipeline.pdf.replay import RecordEnd, RecordStart, replay_flowables, section_key

            anchors = [self.anchors.get(id(b)) for b in walk(blocks) if isinstance(b, Heading)]
            entries = [] if plan is None else [(h.text, anchor, h.level, style.name)
                                               for h, anchor, style in plan[1]]
            key = section_key((part.orientation, self.geometry, self.seeds, anchors, blocks, entries, skip))
            if plan is None:
                recording = self.cache.get(key, self.images)
                if recording is not None:
                    return replay_flowables(recording, self.cache.charts(self.images))
        state = (self.width, self.geometry, self.landscape)

        def build() -> list:
            kept = (self.width, self.geometry, self.landscape, getattr(self, "_skip_heading", None))
            (self.width, self.geometry, self.landscape), self._skip_heading = state, skip
            try:
                flowables = [] if plan is None else self.contents(*plan)
                if plan is None and opens_indicator(blocks):
                    return flowables + [self.indicator(blocks)]
                for block in blocks:
                    flowables += self.block(block)
                return flowables
            finally:
                self.width, self.geometry, self.landscape, self._skip_heading = kept

        if plan is not None:
            return [ContentsSection(key, tuple(anchor for _h, anchor, _s in plan[1]), build)]
        flowables = build()
        if key is None:
            return flowables
        return [RecordStart(key), *flowables, RecordEnd(key)]

    def contents_plan(self, part: Part):
        """(the part's title heading or None, the entries of its contents list: (heading,
        anchor, style)), or None when the part has fewer than two outline headings below
        its title. The title is then drawn above the list, not again where it stands."""
        entries = [b for b in walk(part.blocks) if isinstance(b, Heading) and b.outline and b.level >= 2]
        if len(entries) < 2:
            return None
        heading = next((b for b in part.blocks if isinstance(b, Heading) and b.level == 1), None)
        self._skip_heading = heading
        return heading, [(entry, self.anchors[id(entry)], self.styles.toc[min(entry.level, 3) - 1])
                         for entry in entries]

    def contents(self, heading, slots) -> list:
        """A clickable contents list of the part's outline headings (below level 1), under
        the part's title, with the page each starts on (placeholders here: each pass puts
        in the pages it knows, see ContentsSection.fresh)."""
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import StructBegin, StructEnd, mark

        story: list = []
        if heading is not None:
            # the part's own title first, so the contents list sits under it
            story += self.heading(heading)
        story.append(mark(RLParagraph(CONTENTS_TITLE, self.styles.h2), "H2", text=CONTENTS_TITLE))
        story.append(StructBegin("TOC"))
        for slot in slots:
            placeholder = self.contents_entry(slot, {})
            self.contents_slot_of[id(placeholder)] = slot
            story.append(placeholder)
        story.append(StructEnd("TOC"))
        return story

    def contents_entry(self, slot: tuple, anchor_pages: Mapping[str, int]):
        """One line of the contents list. Without its page yet (the first pass), the number
        is a placeholder of three digits: Liberation Sans's digits share one width, so the
        line is as wide as it will be for any page up to 999."""
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import mark
        from pipeline.pdf.styles import LINK

        heading, anchor, style = slot
        page = anchor_pages.get(anchor, "000")
        text = (f'<a href={quoteattr("#" + anchor)} color="{LINK}">{_escape(heading.text)}</a>'
                f" \u2014 page {page}")
        return mark(RLParagraph(text, style), "TOCI", links=("#" + anchor,))

    def indicator(self, blocks: list):
        """A section that opens with a kept-together block under a heading (an
        indicator's page: pipeline.document.appendix.indicator_page) as one
        :class:`pipeline.pdf.flowables.IndicatorFlow`: the kept block, then what follows
        it, which runs on to pages headed "<heading> (continued)" under the page rules
        (docs/build.md, "Pages")."""
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import IndicatorFlow, Stack, mark
        from pipeline.pdf.images import PngImage

        kept, *after = blocks
        top: list = []
        for child in kept.blocks:
            top += self.block(child)
        rest: list = []
        for block in after:
            if isinstance(block, KeepTogether):  # kept whole within the flow (never a frame break inside it)
                inner: list = []
                for child in block.blocks:
                    inner += self.block(child)
                rest.append(Stack(inner))
            else:
                rest += self.block(block)
        heading = kept.blocks[0]
        level = min(max(heading.level, 1), 3)
        style = (self.styles.h1, self.styles.h2, self.styles.h3)[level - 1]
        text = f"{heading.text}{CONTINUED}"

        def continued():  # a repeat of the heading, as a running header is: pagination, not content
            return mark(RLParagraph(_escape(text), style), "Artifact", kind="Pagination")

        figures = [f for f in _flat(top) if isinstance(f, PngImage)]
        return IndicatorFlow(top, rest, continued, figures)

    # -- blocks -----------------------------------------------------------------
    def block(self, block) -> list:
        if isinstance(block, Heading):
            if getattr(self, "_skip_heading", None) is block:
                self._skip_heading = None
                return []
            return self.heading(block)
        if isinstance(block, Paragraph):
            return [self.paragraph(block)]
        if isinstance(block, BulletList):
            return self.bullets(block)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Figure):
            return self.figure(block)
        if isinstance(block, Rule):
            return [self.rule()]
        if isinstance(block, PageBreak):
            from reportlab.platypus.flowables import PageBreakIfNotEmpty

            return [PageBreakIfNotEmpty()]
        if isinstance(block, KeepTogether):
            from reportlab.platypus import KeepTogether as RLKeepTogether

            inner: list = []
            for child in block.blocks:
                inner += self.block(child)
            return [RLKeepTogether(inner)]
        if isinstance(block, Columns):
            return [self.columns(block)]
        raise OutputError(f"the PDF renderer does not know the block {type(block).__name__}")

    def columns(self, block: Columns):
        """Side by side, as one :class:`pipeline.pdf.flowables.Columns` (never a layout
        Table: no table semantics). Each column's blocks are built in its own width."""
        from pipeline.pdf.flowables import Columns as ColumnsFlowable
        from pipeline.pdf.styles import COLUMN_GAP

        outer = self.width
        gap = COLUMN_GAP if len(block.columns) > 1 else 0.0
        total = sum(block.widths) or 1
        widths = [(outer - gap * (len(block.widths) - 1)) * w / total for w in block.widths]
        built = []
        try:
            for column, width in zip(block.columns, widths):
                self.width = width
                flowables: list = []
                for child in column:
                    flowables += self.block(child)
                built.append(flowables)
        finally:
            self.width = outer
        return ColumnsFlowable(built, widths, gap=gap, spaceBefore=2, spaceAfter=4)

    def heading(self, heading: Heading) -> list:
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import mark

        style = (self.styles.h1, self.styles.h2, self.styles.h3)[min(max(heading.level, 1), 3) - 1]
        anchor = self.anchors.get(id(heading))
        attrs = dict(text=heading.text, level=heading.level)
        if anchor:
            attrs.update(anchor=anchor, outline=heading.outline)
        return [mark(RLParagraph(_escape(heading.text), style), f"H{min(max(heading.level, 1), 3)}", **attrs)]

    def paragraph(self, paragraph: Paragraph):
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import mark

        style = {
            "body": self.styles.body, "quote": self.styles.quote, "small": self.styles.small,
            "lead": self.styles.lead, "signature": self.styles.signature,
        }[paragraph.style]
        bullet = None
        if paragraph.number:
            from reportlab.lib.styles import ParagraphStyle

            style = ParagraphStyle(f"{style.name}-numbered", parent=style,
                                   leftIndent=self.styles.numbered.leftIndent, bulletIndent=0)
            bullet = _escape(paragraph.number)
        flowable = RLParagraph(_markup(paragraph.content), style, bulletText=bullet)
        attrs = {"links": _links(paragraph.content)}
        if paragraph.number:
            attrs["label"] = paragraph.number
        return mark(flowable, "P", **attrs)

    def bullets(self, bullets: BulletList) -> list:
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import StructBegin, StructEnd, mark

        base = self.styles.bullet  # indented to the numbered paragraphs' text
        story: list = [StructBegin("L")]
        for item in bullets.items:
            story.append(mark(RLParagraph(_markup(item), base, bulletText="\u2022"), "LI",
                              label="\u2022", links=_links(item)))
        story.append(StructEnd("L"))
        return story

    def rule(self):
        from reportlab.platypus.flowables import HRFlowable

        from pipeline.pdf.flowables import mark
        from pipeline.pdf.styles import RULE, hex_colour

        return mark(HRFlowable(width="100%", thickness=0.75, color=hex_colour(RULE), spaceBefore=4, spaceAfter=6),
                    "Artifact", kind="Layout")

    def figure(self, figure: Figure) -> list:
        """The chart in the model's box (its width, at most the frame's; on a landscape
        page at most LANDSCAPE_FIGURE_MAX_HEIGHT tall), keeping the model's proportions.
        The picture itself is only fetched when the page is drawn."""
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import mark
        from pipeline.pdf.images import PngImage
        from pipeline.pdf.styles import LANDSCAPE_FIGURE_MAX_HEIGHT, MM

        width = min(figure.width_mm * MM, self.width)
        height = width * figure.height_mm / figure.width_mm
        if self.landscape and height > LANDSCAPE_FIGURE_MAX_HEIGHT:
            width, height = width * LANDSCAPE_FIGURE_MAX_HEIGHT / height, LANDSCAPE_FIGURE_MAX_HEIGHT
        images, chart = self.images, figure.chart
        image = PngImage(lambda: images[chart], width, height, hAlign="LEFT", chart=chart)
        image.spaceBefore, image.spaceAfter = 2, 4
        story = [mark(image, "Figure", alt=figure.alt_text, title=figure.chart.title)]
        if figure.caption:
            story.append(mark(RLParagraph(_escape(figure.caption), self.styles.caption), "Caption"))
        return story

    # -- tables -----------------------------------------------------------------
    def table(self, table: Table) -> list:
        from reportlab.platypus import Table as RLTable

        from pipeline.pdf.flowables import mark

        ncols = len(table.columns)
        total = sum(table.columns) or 1
        widths = [self.width * c / total for c in table.columns]
        grid_rows = []
        commands = list(_TABLE_BASE)
        all_rows = table.header_rows + table.rows
        for r, row in enumerate(all_rows):
            cells, c = [], 0
            for cell in row:
                inner = sum(widths[c:c + cell.colspan]) - _CELL_PADDING
                cells.append(self.cell(table, cell, r, c, header_row=r < len(table.header_rows), width=inner))
                commands += self._cell_commands(table, cell, r, c, r < len(table.header_rows))
                if cell.colspan > 1:
                    commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r)))
                    cells += [""] * (cell.colspan - 1)
                c += cell.colspan
            if c != ncols:
                raise OutputError(f"table '{table.caption}': row {r + 1} has {c} columns, expected {ncols}")
            grid_rows.append(cells)
        commands += _TABLE_KIND.get(table.kind, [])
        if table.kind in ("data", "key", "details"):
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, _colour("GRID")))
        repeat = len(table.header_rows) if table.repeat_header and table.kind == "data" else 0
        # a row taller than a page may split within itself (ReportLab otherwise stops with
        # LayoutError); only such tables get it, so no other table's layout changes. The
        # model keeps long text in rows of moderate size (pipeline.document.model.flowing_rows):
        # this is the net under it, for any table and any text.
        split_in_row = 1 if self._has_row_taller_than_page(table, grid_rows, widths) else 0
        flowable = RLTable(grid_rows, colWidths=widths, repeatRows=repeat, hAlign="LEFT",
                           spaceBefore=4, spaceAfter=8, style=commands, splitInRow=split_in_row)
        return [mark(flowable, "Table", caption=table.caption, kind=table.kind,
                     header_rows=len(table.header_rows), columns=ncols)]

    # rows holding fewer characters than this cannot be near a page tall at any table width
    # of the reports: they are not measured
    _MEASURE_ROW_CHARS = 600

    def _has_row_taller_than_page(self, table: Table, grid_rows: list, widths: list) -> bool:
        """Whether a row with its header rows (repeated above it) is taller than the frame."""
        limit = self.geometry.frame_height - 12  # (the frame's own top and bottom padding)
        heights = []
        for r, (row, cells) in enumerate(zip(table.header_rows + table.rows, grid_rows)):
            if r >= len(table.header_rows) and sum(len(c.text) for c in row) < self._MEASURE_ROW_CHARS:
                heights.append(0.0)
                continue
            tallest, c = 0.0, 0
            for cell, flowable in zip(row, (f for f in cells if f != "")):
                width = sum(widths[c:c + cell.colspan]) - _CELL_PADDING
                tallest = max(tallest, flowable.wrap(width, limit)[1])
                c += cell.colspan
            heights.append(tallest + _CELL_VERTICAL_PADDING)
        head = sum(heights[:len(table.header_rows)])
        return any(head + h > limit for h in heights[len(table.header_rows):])

    def cell(self, table: Table, cell: Cell, row: int, col: int, header_row: bool, width: float | None = None):
        from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.flowables import mark
        from pipeline.pdf.fonts import BOLD
        from pipeline.pdf.styles import HEADER_TEXT, TEXT, hex_colour, rag_look

        if table.font_size == "small":
            base = self.styles.cell_small
        else:
            base = self.styles.cell_dense if self.landscape else self.styles.cell
        overrides = {"alignment": {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}[cell.align]}
        look = rag_look(cell)
        bold = cell.bold or (look is not None and look.bold) or (cell.header and table.kind in ("data", "key"))
        if cell.header and header_row and table.kind == "data":
            overrides["textColor"] = hex_colour(HEADER_TEXT)
        if look is not None and (cell.rag is not None or look.text != TEXT):  # (not rated: as the text, unless set)
            overrides["textColor"] = hex_colour(look.text)
        if bold:
            overrides["fontName"] = BOLD
        key = (base.name, tuple(sorted(overrides.items(), key=lambda kv: kv[0])))
        style = self._cell_styles.get(key)
        if style is None:  # one style per distinct look, shared by every cell that has it
            style = ParagraphStyle(f"{base.name}-{len(self._cell_styles)}", parent=base, **overrides)
            self._cell_styles[key] = style
        role = "TH" if cell.header else "TD"
        attrs = {"row": row, "column": col, "links": _links(cell.content)}
        if cell.header:
            attrs["scope"] = cell.scope or ("col" if header_row else "row")
        if cell.colspan > 1:
            attrs["colspan"] = cell.colspan
        if cell.rag is not None:
            attrs["rag"] = cell.rag.value
        if cell.icons:
            return self._icon_cell(cell, style, role, attrs)
        flowable = None
        if width is not None and all(not (r.bold or r.italic or r.href) for r in cell.content):
            from pipeline.pdf.flowables import cell_text

            flowable = cell_text("".join(r.text for r in cell.content), style, width)
        if flowable is None:
            flowable = RLParagraph(_markup(cell.content), style)
        return mark(flowable, role, **attrs)

    def _icon_cell(self, cell: Cell, style, role: str, attrs: dict):
        """A cell with SPC icons (pipeline.pdf.icons): each icon beside its line of the
        cell's text (all the text beside the first icon when the lines do not pair up)."""
        from reportlab.platypus import Paragraph as RLParagraph

        from pipeline.pdf.icons import IconCell

        lines = cell.text.split("\n")
        if len(lines) != len(cell.icons):
            lines = [cell.text] + [""] * (len(cell.icons) - 1)
        texts = [RLParagraph(_escape(line), style) for line in lines]
        return IconCell(cell.icons, texts, role, attrs)

    def _cell_commands(self, table: Table, cell: Cell, r: int, c: int, header_row: bool) -> list:
        from pipeline.pdf.styles import HEADER_BG, LABEL_BG, hex_colour, rag_look

        end = (c + cell.colspan - 1, r)
        look = rag_look(cell)
        if look is not None and look.fill is not None:
            return [("BACKGROUND", (c, r), end, hex_colour(look.fill))]
        if cell.header and header_row and table.kind == "data":
            return [("BACKGROUND", (c, r), end, hex_colour(HEADER_BG))]
        if cell.header and table.kind in ("details", "key", "data"):
            return [("BACKGROUND", (c, r), end, hex_colour(LABEL_BG))]
        return []


def _colour(name: str):
    from pipeline.pdf import styles as pdf_styles

    return pdf_styles.hex_colour(getattr(pdf_styles, name))


def _table_base():
    from pipeline.pdf.fonts import REGULAR

    return [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # never the standard-14 default
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]


_TABLE_BASE = _table_base()
_CELL_PADDING = 3 + 3  # LEFTPADDING + RIGHTPADDING of _TABLE_BASE
_CELL_VERTICAL_PADDING = 1.5 + 4  # TOPPADDING + the largest BOTTOMPADDING (the memo's)
_TABLE_KIND = {
    "memo": [("LEFTPADDING", (0, 0), (0, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)],
    "details": [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
    "key": [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
}


# ---------------------------------------------------------------------------- text
def _escape(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _markup(content: tuple[Run, ...]) -> str:
    from pipeline.pdf.styles import LINK

    out = []
    for run in content:
        text = _escape(run.text)
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        if run.href:
            text = f'<a href={quoteattr(run.href)} color="{LINK}"><u>{text}</u></a>'
        out.append(text)
    return "".join(out)


def _links(content: tuple[Run, ...]) -> tuple[str, ...]:
    return tuple(r.href for r in content if r.href)


def opens_indicator(blocks) -> bool:
    """A section opened by a kept-together block under a heading, with more after it:
    an indicator's page (heading to trend table, then the commentary)."""
    return (len(blocks) > 1 and isinstance(blocks[0], KeepTogether) and bool(blocks[0].blocks)
            and isinstance(blocks[0].blocks[0], Heading))


def _flat(flowables):
    """The flowables and those inside side-by-side columns."""
    for flowable in flowables:
        yield flowable
        yield from (f for column in getattr(flowable, "columns", ()) for f in _flat(column))


def has_contents(blocks) -> bool:
    """True when the assembler already put its own contents list in the part."""
    return any(isinstance(b, Heading) and b.text.strip().lower() == CONTENTS_TITLE.lower() for b in walk(blocks))

