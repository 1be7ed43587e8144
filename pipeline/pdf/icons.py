"""The SPC icons in the PDF: vector drawings of pipeline.style.icons, each tagged as a
Figure whose alternative text is its meaning, beside the same meaning as text.

A table cell holding icons (:class:`IconCell`) opens its TD (or TH) as a structure group
and draws, row by row, an icon (``Figure`` with ``/Alt``) and its words (``P``), each
through its own marked-content hooks, as :class:`pipeline.pdf.flowables.Columns` does: the
structure tree reads TD > Figure, P. The counting pass draws nothing (the hooks of the
marked flowables skip it)."""
from __future__ import annotations

from reportlab.platypus.flowables import Flowable

from pipeline.pdf.flowables import mark

ICON_PT = 15.0  # an icon's diameter, points
GAP_PT = 3.0  # between an icon and its words, and between two rows


class IconDrawing(Flowable):
    """One icon, ``size`` points square, drawn from its shapes (no picture)."""

    def __init__(self, kind: str, size: float = ICON_PT):
        super().__init__()
        from pipeline.style.house import house_style
        from pipeline.style.icons import icon

        self.kind = kind
        self.icon = icon(kind, house_style().spc)  # (an unknown kind stops here, before any page)
        self.width = self.height = size

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        draw_icon(self.canv, self.icon, 0.0, 0.0, self.width)


def draw_icon(canvas, drawing, x: float, y: float, size: float) -> None:
    """``drawing`` (a pipeline.style.icons.Icon) with its box's bottom-left corner at
    (``x``, ``y``), ``size`` points square. The shapes' y runs down; the page's up."""
    from reportlab.lib.colors import HexColor

    from pipeline.pdf.fonts import BOLD
    from pipeline.style.icons import SIZE, Circle, Polyline

    scale = size / SIZE

    def at(px: float, py: float) -> tuple[float, float]:
        return x + px * scale, y + size - py * scale

    canvas.saveState()
    for shape in drawing.shapes:
        if isinstance(shape, Circle):
            cx, cy = at(shape.cx, shape.cy)
            if shape.fill:
                canvas.setFillColor(HexColor(shape.fill))
            if shape.stroke:
                canvas.setStrokeColor(HexColor(shape.stroke))
                canvas.setLineWidth(shape.stroke_width * scale)
            canvas.setDash()
            canvas.circle(cx, cy, shape.r * scale, stroke=1 if shape.stroke else 0, fill=1 if shape.fill else 0)
        elif isinstance(shape, Polyline):
            canvas.setStrokeColor(HexColor(shape.stroke))
            canvas.setLineWidth(shape.stroke_width * scale)
            canvas.setLineJoin(1)
            canvas.setDash([d * scale for d in shape.dash] if shape.dash else [])
            path = canvas.beginPath()
            first, *rest = shape.points
            path.moveTo(*at(*first))
            for point in rest:
                path.lineTo(*at(*point))
            canvas.drawPath(path, stroke=1, fill=0)
        else:
            tx, ty = at(shape.x, shape.y)
            canvas.setFillColor(HexColor(shape.fill))
            canvas.setFont(BOLD, shape.size * scale)
            canvas.drawCentredString(tx, ty, shape.text)
    canvas.restoreState()


def _hook(canvas, name: str, *args) -> None:
    method = getattr(canvas, name, None)  # (a plain ReportLab canvas has no structure hooks)
    if method is not None:
        method(*args)


class IconCell(Flowable):
    """A table cell of icons and their words: one row per icon, the icon at the left and
    its words beside it (``texts``, one flowable per icon, already in the cell's style).
    ``role`` and ``attrs`` are the cell's (TD or TH, its row and column)."""

    def __init__(self, icons, texts, role: str, attrs: dict):
        super().__init__()
        self.rows = [(mark(IconDrawing(icon.kind), "Figure", alt=icon.text, title=icon.text, kind="icon"),
                      mark(text, "P", links=())) for icon, text in zip(icons, texts)]
        self.role, self.struct_attrs = role, attrs
        self._placed: list = []
        self.width = self.height = 0.0

    def wrap(self, availWidth, availHeight):
        room = max(availWidth - ICON_PT - GAP_PT, 1.0)
        self._placed, y = [], 0.0
        for n, (drawing, text) in enumerate(self.rows):
            if n:
                y += GAP_PT
            _w, h = text.wrap(room, availHeight)
            row = max(ICON_PT, h)
            self._placed.append((drawing, text, y, row, h))
            y += row
        self.width, self.height = availWidth, y
        return self.width, self.height

    def drawOn(self, canvas, x, y, _sW=0):
        if not self._placed:
            self.wrap(self.width or ICON_PT * 4, 100000)
        top = y + self.height
        _hook(canvas, "begin_group", self.role, self.struct_attrs)
        try:
            for drawing, text, offset, row, h in self._placed:
                drawing.drawOn(canvas, x, top - offset - (row + ICON_PT) / 2)
                text.drawOn(canvas, x + ICON_PT + GAP_PT, top - offset - (row + h) / 2)
        finally:
            _hook(canvas, "end_group", self.role)

    def draw(self):  # pragma: no cover - drawOn does the drawing
        pass
