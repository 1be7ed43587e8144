"""A structure group's end marker takes no room: a group whose last block ends its page
exactly (the space after that block reaching below the frame) is closed on that page,
and no blank page is made for the marker (pipeline.pdf.flowables.StructEnd).

The layout is ReportLab's own, with a frame of a known height and a block of exactly
that height, at the boundary and either side of it."""
from __future__ import annotations

import io

import pytest

from pipeline.pdf.flowables import ReportCanvas, StructBegin, StructEnd

FRAME_HEIGHT = 200.0
SPACE_AFTER = 6.0


def _lay_out(block_height: float) -> ReportCanvas:
    """A 'Sect' group holding one block of ``block_height`` (with space after it), then a
    page break and a second group, laid out in a frame FRAME_HEIGHT high."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate
    from reportlab.platypus.flowables import Spacer

    class Block(Spacer):
        """A block of a set height with space after it, as a paragraph has."""

        def __init__(self, height: float):
            super().__init__(10, height)
            self.spaceAfter = SPACE_AFTER

        def draw(self):
            self.canv.rect(0, 0, 10, self.height)

    frame = Frame(50, 50, 300, FRAME_HEIGHT, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(io.BytesIO(), pagesize=(400, 400), pageTemplates=[PageTemplate("p", [frame])],
                          invariant=1)
    story = [StructBegin("Sect", title="cover"), Block(block_height), StructEnd("Sect"), PageBreak(),
             StructBegin("Sect", title="appendix"), Block(20), StructEnd("Sect")]
    doc.build(story, canvasmaker=ReportCanvas)
    return doc.canv


def _groups(canvas: ReportCanvas) -> list[tuple[str, int, str]]:
    return [(event, page, role) for event, page, role, _attrs in canvas.structure if event in ("group", "endgroup")]


@pytest.mark.parametrize("height", [FRAME_HEIGHT - SPACE_AFTER - 1, FRAME_HEIGHT - SPACE_AFTER,
                                    FRAME_HEIGHT - SPACE_AFTER + 1, FRAME_HEIGHT - 0.5, FRAME_HEIGHT])
def test_a_group_ending_its_page_is_closed_on_that_page(height):
    canvas = _lay_out(height)
    assert _groups(canvas) == [("group", 1, "Sect"), ("endgroup", 1, "Sect"),
                               ("group", 2, "Sect"), ("endgroup", 2, "Sect")]
    assert canvas.getPageNumber() - 1 == 2  # two pages: none blank


def test_a_group_spilling_over_is_closed_where_its_content_ends():
    """A block too tall for what is left goes to the next page, and the group ends there."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
    from reportlab.platypus.flowables import Spacer

    frame = Frame(50, 50, 300, FRAME_HEIGHT, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(io.BytesIO(), pagesize=(400, 400), pageTemplates=[PageTemplate("p", [frame])],
                          invariant=1)
    doc.build([StructBegin("L"), Spacer(10, 150), Spacer(10, 100), StructEnd("L")], canvasmaker=ReportCanvas)
    assert _groups(doc.canv) == [("group", 1, "L"), ("endgroup", 2, "L")]


def test_a_group_inside_columns_is_still_closed():
    """Drawn by a container (Columns draws each child with drawOn, never as a frame
    action), the end marker still closes its group, once."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
    from reportlab.platypus.flowables import Spacer

    from pipeline.pdf.flowables import Columns

    frame = Frame(50, 50, 300, FRAME_HEIGHT, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(io.BytesIO(), pagesize=(400, 400), pageTemplates=[PageTemplate("p", [frame])],
                          invariant=1)
    columns = Columns([[StructBegin("L"), Spacer(10, 20), StructEnd("L")], [Spacer(10, 10)]], [150, 150])
    doc.build([columns], canvasmaker=ReportCanvas)
    assert [g for g in _groups(doc.canv) if g[2] == "L"] == [("group", 1, "L"), ("endgroup", 1, "L")]
