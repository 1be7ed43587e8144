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

Today :class:`ReportCanvas` only records these events (``canvas.structure``), which the
tests read; the tagged-PDF issue turns the same hooks into BDC/EMC operators with MCIDs and
builds the structure tree from the recorded events, without touching the story builder.
"""
from __future__ import annotations

from functools import lru_cache

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table
from reportlab.platypus.flowables import Flowable


class ReportCanvas(Canvas):
    """The canvas of every report PDF: records structure events per page."""

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


def _hook(canvas, name, *args):
    method = getattr(canvas, name, None)
    if method is not None:
        method(*args)


class MarkedMixin:
    """Mixed in (by :func:`mark`) before the flowable's own class."""

    role: str = "P"
    struct_attrs: dict = {}

    def drawOn(self, canvas, x, y, _sW=0):
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
                # the destination belongs to the first piece only
                part.struct_attrs = self.struct_attrs if i == 0 else {
                    k: v for k, v in self.struct_attrs.items() if k not in ("anchor", "outline")
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


@lru_cache(maxsize=None)
def _marked_class(cls: type) -> type:
    mixin = MarkedTableMixin if issubclass(cls, Table) else MarkedMixin
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
    _ZEROSIZE = 1

    def __init__(self, role: str):
        super().__init__()
        self.role = role
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        _hook(self.canv, "end_group", self.role)
