"""Flowables that know their structural role, and the canvas that hears about them.

Every flowable the PDF renderer puts on a page goes through :func:`mark`, which gives it
a ``role`` ("H1", "P", "LI", "Table", "TH", "TD", "Figure", "Caption", "Artifact"...) and
``struct_attrs`` (anchor, alt text, scope, row/column, links), and makes its ``drawOn``
run between two canvas hooks::

    canvas.begin_marked(role, attrs)   ... the flowable draws ...   canvas.end_marked()

Grouping elements that span several flowables (a list, a part of the report) are opened
and closed by zero-size :class:`StructBegin` / :class:`StructEnd` flowables in the story.
Page furniture (running header, footer, rules, table cell backgrounds and grid lines) is
drawn between ``canvas.begin_artifact(kind)`` / ``canvas.end_artifact()``.

:class:`ReportCanvas` records these events (``canvas.structure``), which the tests read;
its subclass :class:`pipeline.pdf.tagging.TaggingCanvas`, the canvas of the final layout
pass, also turns them into BDC/EMC operators with MCIDs and records the structure tree
(tagged PDF/UA-1). A flowable split across pages gives its later pieces
``struct_attrs['continues']`` (the first piece's attrs), so they stay one element.
"""
from __future__ import annotations

from functools import cache, lru_cache

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table
from reportlab.platypus.flowables import Flowable


class ReportCanvas(Canvas):
    """The canvas of every report PDF: records structure events per page."""

    layout_only = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure: list[tuple] = []  # (event, page, role, attrs)
        self.anchor_pages: dict[str, int] = {}
        self._open: list[str] = []
        self._outline_level = -1

    # -- marked content (real content) ------------------------------------------
    def begin_marked(self, role: str, attrs: dict) -> None:
        self._open.append(role)
        self.structure.append(("begin", self.getPageNumber(), role, attrs))

    def end_marked(self) -> None:
        role = self._open.pop()
        self.structure.append(("end", self.getPageNumber(), role, {}))

    # -- structure groups spanning flowables (L, Sect) ------------------------------
    def begin_group(self, role: str, attrs: dict) -> None:
        self.structure.append(("group", self.getPageNumber(), role, attrs))

    def end_group(self, role: str) -> None:
        self.structure.append(("endgroup", self.getPageNumber(), role, {}))

    # -- page furniture ---------------------------------------------------------
    def begin_artifact(self, kind: str) -> None:
        self._open.append("Artifact")
        self.structure.append(("artifact", self.getPageNumber(), "Artifact", {"kind": kind}))

    def end_artifact(self) -> None:
        self._open.pop()
        self.structure.append(("endartifact", self.getPageNumber(), "Artifact", {}))

    # -- navigation -------------------------------------------------------------
    def add_destination(self, anchor: str, top: float) -> None:
        if anchor in self.anchor_pages:
            return
        self.bookmarkPage(anchor, fit="XYZ", left=0, top=top, zoom=0)
        self.anchor_pages[anchor] = self.getPageNumber()

    def add_outline(self, text: str, anchor: str, level: int) -> None:
        # outline levels may only go one deeper than the previous entry
        level = max(0, min(level, self._outline_level + 1))
        self.addOutlineEntry(text, anchor, level=level, closed=level >= 1)
        self._outline_level = level


class LayoutCanvas(ReportCanvas):
    """The canvas of the renderer's first pass, which only lays the story out to count
    the pages and find the page of every anchor: marked flowables are placed but not
    drawn (:meth:`MarkedMixin.drawOn`), page furniture is not drawn, no event is recorded.
    Nothing of what it writes is kept."""

    layout_only = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # sections recorded in this pass (pipeline.pdf.replay): key -> (pages, end), each
        # page the destinations it holds; no drawing is recorded, there is none
        self.recordings: dict[str, tuple] = {}
        self._rec: list | None = None
        self._rec_key = None

    def start_recording(self, key: str) -> None:
        self._rec, self._rec_key = [[]], key

    def stop_recording(self, end: float) -> None:
        if self._rec is not None:
            self.recordings[self._rec_key] = (self._rec, end)
            self._rec = None

    def showPage(self):
        if self._rec is not None:
            self._rec.append([])
        super().showPage()

    def begin_marked(self, role: str, attrs: dict) -> None:
        pass

    def end_marked(self) -> None:
        pass

    def begin_group(self, role: str, attrs: dict) -> None:
        pass

    def end_group(self, role: str) -> None:
        pass

    def begin_artifact(self, kind: str) -> None:
        pass

    def end_artifact(self) -> None:
        pass

    def add_destination(self, anchor: str, top: float) -> None:
        self.anchor_pages.setdefault(anchor, self.getPageNumber())
        if self._rec is not None:
            self._rec[-1].append(("add_destination", anchor, top))

    def add_outline(self, text: str, anchor: str, level: int) -> None:
        pass

    def save(self):
        """The pass only counts: its pages are never written out (formatting them cost a
        third of a second for the council month)."""
        if len(self._code):
            self.showPage()


def _hook(canvas, name, *args):
    method = getattr(canvas, name, None)
    if method is not None:
        method(*args)


class MarkedMixin:
    """Mixed in (by :func:`mark`) before the flowable's own class."""

    role: str = "P"
    struct_attrs: dict = {}

    def drawOn(self, canvas, x, y, _sW=0):
        if getattr(canvas, "layout_only", False):  # the counting pass: where, not what
            anchor = self.struct_attrs.get("anchor")
            if anchor:
                canvas.add_destination(anchor, y + self.height + 4)
            return
        artifact = self.role == "Artifact"
        if artifact:
            _hook(canvas, "begin_artifact", self.struct_attrs.get("kind", "Layout"))
        else:
            _hook(canvas, "begin_marked", self.role, self.struct_attrs)
        anchor = self.struct_attrs.get("anchor")
        if anchor:
            _hook(canvas, "add_destination", anchor, y + self.height + 4)
            if self.struct_attrs.get("outline"):
                _hook(canvas, "add_outline", self.struct_attrs["text"], anchor, self.struct_attrs["level"] - 1)
        try:
            super().drawOn(canvas, x, y, _sW)
        finally:
            _hook(canvas, "end_artifact" if artifact else "end_marked")

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):
            if isinstance(part, MarkedMixin):
                part.role = self.role
                # the destination belongs to the first piece only; a later piece says
                # which element it continues (the tagger keeps one element across pages)
                part.struct_attrs = self.struct_attrs if i == 0 else {
                    **{k: v for k, v in self.struct_attrs.items() if k not in ("anchor", "outline")},
                    "continues": self.struct_attrs.get("continues", self.struct_attrs),
                }
        return parts


class MarkedTableMixin(MarkedMixin):
    """Tables also draw their cell backgrounds and grid lines as artifacts."""

    def _drawBkgrnd(self):
        _hook(self.canv, "begin_artifact", "Background")
        try:
            super()._drawBkgrnd()
        finally:
            _hook(self.canv, "end_artifact")

    def _drawLines(self):
        _hook(self.canv, "begin_artifact", "Layout")
        try:
            super()._drawLines()
        finally:
            _hook(self.canv, "end_artifact")


class MarkedParagraphMixin(MarkedMixin):
    """Paragraphs remember their last wrap. A table wraps every cell's paragraph each
    time it is measured (to fit, to split, to draw, in both layout passes), some five
    times a cell; the lines depend only on the width, so a wrap at the width of the last
    one gives the same lines and size without breaking them again. A split that drops
    the lines (``del self.blPara``) makes the next wrap break them afresh."""

    def wrap(self, availWidth, availHeight):
        if self.__dict__.get("_wrapped_at") == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return size


@cache
def _marked_class(cls: type) -> type:
    if issubclass(cls, Table):
        mixin = MarkedTableMixin
    elif issubclass(cls, Paragraph):
        mixin = MarkedParagraphMixin
    else:
        mixin = MarkedMixin
    return type(f"Marked{cls.__name__}", (mixin, cls), {})


def mark(flowable: Flowable, role: str, **attrs) -> Flowable:
    """Give ``flowable`` its structural role; returns the same object."""
    if not isinstance(flowable, MarkedMixin):
        flowable.__class__ = _marked_class(type(flowable))
    flowable.role = role
    flowable.struct_attrs = attrs
    return flowable


class StructBegin(Flowable):
    """Opens a structure group (a list, a part) at this point of the story."""

    _ZEROSIZE = 1

    def __init__(self, role: str, **attrs):
        super().__init__()
        self.role = role
        self.struct_attrs = attrs
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        _hook(self.canv, "begin_group", self.role, self.struct_attrs)
        anchor = self.struct_attrs.get("anchor")
        if anchor:
            # this flowable's origin is where the group starts on the page
            x, y = self.canv.absolutePosition(0, 0)
            _hook(self.canv, "add_destination", anchor, y + 12)


class StructEnd(Flowable):
    """Closes the structure group opened by the matching :class:`StructBegin`.

    In a frame it is a frame action (``frameAction``, the hook platypus calls for
    flowables that take no room, as for :class:`pipeline.pdf.replay.RecordEnd`): a
    frame fits a zero-size flowable only while its current point is above the frame's
    bottom, and the space after a block that filled the page pushes it below, so a
    plain zero-size end marker moved to a page of its own, which was printed blank
    (the cover whose last block ended the page exactly). A group ends where its last
    content ended, so it is closed on that page. Drawn inside a container (``Columns``,
    which draws each child with ``drawOn``), it closes the group as it is drawn."""

    _ZEROSIZE = 1

    def __init__(self, role: str):
        super().__init__()
        self.role = role
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def frameAction(self, frame):
        _hook(self.canv, "end_group", self.role)

    def draw(self):
        _hook(self.canv, "end_group", self.role)


class Columns(Flowable):
    """Flowables set side by side: the model's :class:`pipeline.document.model.Columns`.

    Deliberately not a platypus Table: a layout grid must not carry table semantics (a
    screen reader would announce it as a data table). It draws no marks itself: it opens
    a plain ``Div`` structure group (``begin_group``) and each child is drawn with its own
    ``drawOn`` and so keeps its own ``begin_marked``/``end_marked`` hooks, in reading
    order: every flowable of the first column, top to bottom, then those of the next column.

    Each column's flowables are wrapped in the column's width and stacked with their own
    spaceBefore/spaceAfter; the block is as tall as its tallest column. It never splits
    across pages: if it does not fit the space left in the frame it moves to the next
    frame whole. Only when it cannot fit even an empty frame does it give its flowables
    back to the story one column after the other (the reading order), so that an
    over-long column never stops the build.
    """

    # wrapping height for the children: their layout never depends on where the block lands
    _WRAP_HEIGHT = 100000

    def __init__(self, columns, widths, gap: float = 0.0, spaceBefore: float = 0, spaceAfter: float = 0):
        super().__init__()
        if len(columns) != len(widths) or not columns:
            raise ValueError("Columns needs one width per column")
        self.columns = [list(c) for c in columns]
        self.widths = [float(w) for w in widths]
        self.gap = float(gap)
        self.spaceBefore, self.spaceAfter = spaceBefore, spaceAfter
        self._placed: list = []  # per column: (flowable, width, height, offset from the top)
        self.width = sum(self.widths) + self.gap * (len(self.widths) - 1)
        self.height = 0

    def offsets(self) -> list[float]:
        """Each column's left edge, from the block's left edge."""
        out, x = [], 0.0
        for width in self.widths:
            out.append(x)
            x += width + self.gap
        return out

    def wrap(self, availWidth, availHeight):
        canv = getattr(self, "canv", None)
        self._placed = []
        tallest = 0.0
        for column, width in zip(self.columns, self.widths):
            placed, y = [], 0.0
            for i, flowable in enumerate(column):
                if i:
                    y += flowable.getSpaceBefore()
                if canv is not None:
                    w, h = flowable.wrapOn(canv, width, self._WRAP_HEIGHT)
                else:
                    w, h = flowable.wrap(width, self._WRAP_HEIGHT)
                placed.append((flowable, w, h, y))
                y += h
                if i < len(column) - 1:
                    y += flowable.getSpaceAfter()
            self._placed.append(placed)
            tallest = max(tallest, y)
        self.height = tallest
        return self.width, self.height

    def split(self, availWidth, availHeight):
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", 0):
            return [f for column in self.columns for f in column]  # too tall for any page
        return []  # the next frame takes it whole

    def drawOn(self, canvas, x, y, _sW=0):
        # no translation: the children draw at page coordinates, like the frame's own
        # flowables, so their destinations (anchors) land where they are drawn
        x = self._hAlignAdjust(x, _sW)
        if not self._placed:
            self.wrap(self.width, self._WRAP_HEIGHT)
        top = y + self.height
        # plain grouping for the tagger (a Div), never table semantics
        _hook(canvas, "begin_group", "Div", {"kind": "columns"})
        try:
            for left, width, placed in zip(self.offsets(), self.widths, self._placed):
                for flowable, w, h, offset in placed:
                    flowable.drawOn(canvas, x + left, top - offset - h, _sW=width - w)
        finally:
            _hook(canvas, "end_group", "Div")

    def draw(self):  # pragma: no cover - drawOn does the drawing
        pass


class CellText(Flowable):
    """A table cell's text that fits on one line of its cell, drawn as a Paragraph of
    the same style would draw it (the same font, size, colour, alignment and baseline)
    without the Paragraph machinery: no markup to parse, no lines to break. A report's
    tables are mostly such cells (figures, RAG words, months); parsing and breaking them
    was a third of the PDF's time. The renderer chooses it only for plain text (no runs
    in bold, italic or with a link) whose width fits the cell: see :func:`cell_text`."""

    def __init__(self, text: str, style):
        super().__init__()
        self.text = text
        self.style = style
        self.font_name = style.fontName
        self.font_size = style.fontSize
        self.text_width = _string_width(text, style.fontName, style.fontSize)
        self.width = 0
        self.height = style.leading
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter  # as a Paragraph's

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, self.height

    def draw(self):
        from reportlab.lib.enums import TA_CENTER, TA_RIGHT

        style = self.style
        room = self.width - style.leftIndent - style.rightIndent
        extra = room - self.text_width
        offset = style.firstLineIndent
        if style.alignment == TA_RIGHT:
            offset += extra
        elif style.alignment == TA_CENTER:
            offset += 0.5 * extra
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(style.textColor)
        # the first baseline where Paragraph.drawPara puts a one-font line: font size below the top
        text = canvas.beginText(style.leftIndent, self.height - self.font_size)
        text.setFont(self.font_name, self.font_size, style.leading)
        if offset:
            text.setXPos(offset)
        text.textOut(self.text)
        canvas.drawText(text)
        canvas.restoreState()


@lru_cache(maxsize=4096)
def _string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def cell_text(text: str, style, width: float):
    """A :class:`CellText` for ``text`` in a cell ``width`` wide (inside its padding),
    or None when a Paragraph is needed: more than one line, or special characters that
    Paragraph markup would treat differently."""
    if not text or "\n" in text or "\t" in text or "\xa0" in text or text != " ".join(text.split()):
        return None
    if style.firstLineIndent or style.wordWrap or style.alignment not in (0, 1, 2):
        return None
    flowable = CellText(text, style)
    if flowable.text_width > width - style.leftIndent - style.rightIndent - 1e-6:
        return None
    return flowable


class Stack(Flowable):
    """Flowables stacked top to bottom as one block, with their own spaceBefore and
    spaceAfter between them (as the frame would place them); the first one's spaceBefore
    and the last one's spaceAfter belong to the block. Each child draws with its own
    ``drawOn``, at page coordinates, so it keeps its marks and destinations."""

    def __init__(self, flowables):
        super().__init__()
        self.flowables = list(flowables)
        self.width = self.height = 0
        self._placed: list = []  # (flowable, width, height, offset from the top)
        self.spaceBefore = self.flowables[0].getSpaceBefore() if self.flowables else 0
        self.spaceAfter = self.flowables[-1].getSpaceAfter() if self.flowables else 0

    def measure(self, availWidth: float, availHeight: float, canv=None) -> float:
        canv = canv if canv is not None else getattr(self, "canv", None)
        self._placed, y = [], 0.0
        for i, flowable in enumerate(self.flowables):
            if i:
                y += self.flowables[i - 1].getSpaceAfter() + flowable.getSpaceBefore()
            if canv is not None:
                w, h = flowable.wrapOn(canv, availWidth, availHeight)
            else:
                w, h = flowable.wrap(availWidth, availHeight)
            self._placed.append((flowable, w, h, y))
            y += h
        return y

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = self.measure(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", 0):
            return list(self.flowables)  # taller than a page: the frame's own way
        return []  # kept together: the next frame takes it whole

    def drawOn(self, canvas, x, y, _sW=0):
        if not self._placed:
            self.wrap(self.width, self.height)
        top = y + self.height
        for flowable, w, h, offset in self._placed:
            flowable.drawOn(canvas, x, top - offset - h, _sW=self.width - w)

    def draw(self):  # pragma: no cover - drawOn does the drawing
        pass


# The page rules of an indicator (docs/build.md, "Pages"). A page that continues an
# indicator begun on the page before carries its "<title> (continued)" heading and at
# least MIN_CONTINUED_LINES lines of the indicator's text (fewer would be a near-empty
# spill-over page); before spilling over at all, the indicator's charts may shrink, to
# no less than TIGHTEN_MIN_SCALE of their height, when that makes the whole indicator fit.
MIN_CONTINUED_LINES = 4
TIGHTEN_MIN_SCALE = 0.8
_TIGHTEN_STEPS = (0.95, 0.9, 0.85, TIGHTEN_MIN_SCALE)


class IndicatorFlow(Stack):
    """An indicator's page: ``top`` (heading, details, chart, trend table: never split)
    then ``rest`` (the commentary, which may run on). ``continued()`` makes the heading
    of a continuation page. See the page rules above."""

    def __init__(self, top, rest, continued, figures=(), continuation: bool = False):
        super().__init__([*top, *rest])
        # it ends its section (a page break follows): no space after it, which could
        # push the zero-size markers after a full page onto a blank page of their own
        self.spaceAfter = 0
        self.continuation = continuation
        self.top, self.rest = list(top), list(rest)
        self.continued = continued
        self.figures = [(f, f.drawWidth, f.drawHeight) for f in figures]
        self.scale = 1.0

    def _scale(self, scale: float) -> None:
        self.scale = scale
        for figure, width, height in self.figures:
            figure.drawWidth = figure.width = width * scale
            figure.drawHeight = figure.height = height * scale

    def wrap(self, availWidth, availHeight):
        self._scale(1.0)
        size = super().wrap(availWidth, availHeight)
        if self.height <= availHeight or not self.figures:
            return size
        for scale in _TIGHTEN_STEPS:  # tighten: smaller charts, if that makes it all fit
            self._scale(scale)
            if super().wrap(availWidth, availHeight)[1] <= availHeight:
                return self.width, self.height
        self._scale(1.0)
        return super().wrap(availWidth, availHeight)

    def split(self, availWidth, availHeight):
        frame = getattr(self, "_frame", None)
        if self.continuation and frame is not None and not getattr(frame, "_atTop", 0):
            return []  # a continuation starts a page: the next frame takes it
        self._scale(1.0)
        canv = self.canv
        top = Stack(self.top).measure(availWidth, availHeight, canv) if self.top else 0.0
        gap = (self.top[-1].getSpaceAfter() + self.rest[0].getSpaceBefore()) if self.top and self.rest else 0.0
        if not self.rest or top + gap >= availHeight:
            return [*self.top, *self.rest]  # the top alone overfills a page: the frame's own way
        tail_min = MIN_CONTINUED_LINES * _leading(self.rest)
        room = availHeight - top - gap
        for _attempt in range(2):
            first, tail = _split_run(self.rest, availWidth, room, canv)
            tail_height = Stack(tail).measure(availWidth, availHeight, canv) if tail else 0.0
            if not tail or tail_height >= tail_min or room <= tail_min:
                break
            room -= tail_min - tail_height  # leave enough for the continuation page
        if not first and self.continuation:
            return [*self.top, *self.rest]  # a fresh page cannot take its first block: the frame's own way
        if not tail:
            return [Stack([*self.top, *first])]
        return [Stack([*self.top, *first]), IndicatorFlow([self.continued()], tail, self.continued, continuation=True)]


def _leading(flowables) -> float:
    for flowable in flowables:
        style = getattr(flowable, "style", None)
        if style is not None and getattr(flowable, "role", "") in ("P", "LI"):
            return float(style.leading)
    return 12.0


def _split_run(flowables, width: float, room: float, canv):
    """(what fits in ``room``, the rest): whole flowables while they fit, then the part
    of the next one its own split puts in what is left. A heading is never left last."""
    placed: list = []
    y = 0.0
    for i, flowable in enumerate(flowables):
        space = (flowables[i - 1].getSpaceAfter() + flowable.getSpaceBefore()) if i else 0.0
        _w, h = flowable.wrapOn(canv, width, room)
        if y + space + h <= room:
            placed.append(flowable)
            y += space + h
            continue
        parts = flowable.splitOn(canv, width, room - y - space) if room - y - space > 0 else []
        if len(parts) >= 2:
            return [*placed, parts[0]], [*parts[1:], *flowables[i + 1:]]
        rest = list(flowables[i:])
        while placed and getattr(placed[-1], "role", "") in ("H1", "H2", "H3"):
            rest.insert(0, placed.pop())  # a heading goes with what it heads
        return placed, rest
    return placed, []
