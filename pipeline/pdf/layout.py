"""The PDF's second stage: the story laid out on pages, in passes.

* :func:`lay_out` runs the passes, as ReportLab's multiBuild does: a **counting pass**
  places the flowables without drawing them (:class:`pipeline.pdf.flowables.LayoutCanvas`:
  nothing is written) to count the pages for "Page X of Y" and find the page of every
  anchor for the contents lists; then the **drawing pass** lays out the same flowables
  with those numbers and draws them. The contents entries hold a placeholder of the same
  width in the counting pass, so the flow does not move; should it move all the same (a
  page number with more digits wrapping an entry), the drawing pass is repeated with the
  numbers it found.
* The drawing pass draws on :class:`pipeline.pdf.replay.RecordingCanvas` (a
  :class:`pipeline.pdf.tagging.TaggingCanvas` that also records each section between its
  replay markers), seeded with the fonts' characters (:func:`pipeline.pdf.story.check_inputs`);
  ``tagged=False`` draws on a plain :class:`pipeline.pdf.flowables.ReportCanvas` (only to
  measure what tagging costs). The recordings of both passes come back with the result;
  the caller stores them once the file is finished (:mod:`pipeline.pdf.render`).
* Page templates: one per part, in its orientation, with the part's frame
  (:class:`pipeline.pdf.story.Story`). Page furniture (running header
  ``Part.running_header``, footer ``Document.footer_text`` and "Page X of Y", rules) is
  drawn only in :func:`_draw_furniture`, the templates' ``onPage`` callback, between
  ``begin_artifact``/``end_artifact`` canvas hooks; then the recording canvas hears
  ``furniture_drawn`` (furniture is never recorded: it is drawn afresh on every page).
  The footer's baseline is 14 mm above the bottom edge: the agenda pack stamps its own
  "Page N" below that.
* ``between_pages``: the one callback the layout offers its caller. It is called with no
  arguments each time a page is finished (after its content and furniture, before the
  next page begins), in every pass, in this process and thread. Nothing is being drawn
  then; it must not touch the canvas or the story. The build starts the DOCX process
  there once every chart is in (:mod:`pipeline.build`). An exception it raises stops the
  layout and is the renderer's caller's to handle.
* Reproducible: ReportLab's invariant mode, no 'now' anywhere, dates from the model.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.document.model import Document, Part
from pipeline.errors import OutputError
from pipeline.pdf.finish import PRODUCER
from pipeline.pdf.story import PassInfo, Story


@dataclass
class PassResult:
    """What a pass gives: its PDF (empty for the counting pass), its page count, the page
    of every anchor, the structure events it recorded (role of every drawn element, per
    page) and, for a tagged drawing pass, the tag model and the sections recorded."""

    data: bytes
    pages: int
    anchor_pages: dict[str, int]
    events: list
    tags: object = None  # pipeline.pdf.tagging.TagModel of a tagged pass
    recordings: dict = field(default_factory=dict)  # section key -> recorded pages (pipeline.pdf.replay)


def lay_out(story: Story, *, tagged: bool = True, between_pages: Callable[[], None] | None = None) -> PassResult:
    """The counting pass, then the drawing pass until the pages settle (see module).
    The result is the last drawing pass's, its ``recordings`` those of both passes."""
    info = PassInfo()
    first = layout_pass(story, info, layout_only=True, between_pages=between_pages)
    info = PassInfo(total_pages=first.pages, anchor_pages=first.anchor_pages)
    for _attempt in range(3):
        final = layout_pass(story, info, tagged=tagged, between_pages=between_pages)
        if final.pages == info.total_pages and final.anchor_pages == info.anchor_pages:
            break
        info = PassInfo(total_pages=final.pages, anchor_pages=final.anchor_pages)
    else:
        raise OutputError("PDF layout did not settle (the contents page numbers keep moving the pages)")
    final.recordings = {**first.recordings, **final.recordings}
    return final


def layout_pass(story: Story, info: PassInfo, *, tagged: bool = False, layout_only: bool = False,
                between_pages: Callable[[], None] | None = None) -> PassResult:
    """One pass over the story: ``layout_only`` counts, else draws (tagged and recording
    unless ``tagged`` is False)."""
    from reportlab import rl_config
    from reportlab.platypus import BaseDocTemplate, PageTemplate

    from pipeline.pdf.flowables import LayoutCanvas, ReportCanvas
    from pipeline.pdf.fonts import REGULAR
    from pipeline.pdf.styles import GEOMETRY

    rl_config.useA85 = 0  # binary image streams: smaller, and no slow pure-Python ASCII85
    document = story.document
    buffer = io.BytesIO()
    page_end = {} if between_pages is None else {"onPageEnd": lambda canvas, doc: between_pages()}
    templates = [
        PageTemplate(id=template_id, frames=[frame], pagesize=geometry.size,
                     onPage=_furniture_callback(document, part, geometry, info), **page_end)
        for template_id, frame, geometry, part in story.frames
    ]
    first = GEOMETRY[document.parts[0].orientation] if document.parts else GEOMETRY["portrait"]
    doc = BaseDocTemplate(
        buffer,
        pagesize=first.size,
        pageTemplates=templates,
        title=document.title,
        author=document.author,
        subject=document.subject,
        keywords=list(document.keywords),
        creator=document.author,
        producer=PRODUCER,
        lang=document.language,
        displayDocTitle=1,
        invariant=1,
        initialFontName=REGULAR,
        initialFontSize=10,
        pageCompression=1,
    )
    if layout_only:
        canvasmaker = LayoutCanvas
    elif tagged:
        from functools import partial

        from pipeline.pdf.replay import RecordingCanvas

        # (seeded, so that a section's text is encoded the same whatever came before it)
        canvasmaker = partial(RecordingCanvas, font_seeds=story.seeds)
    else:
        canvasmaker = ReportCanvas
    # the same flowables are laid out again by the next pass: what layout marks on them
    # (a flowable postponed to the next frame) is undone afterwards, as multiBuild does
    edits: list = []
    doc._multiBuildEdits = edits.append
    try:
        doc.build(story.for_pass(info, final=not layout_only), canvasmaker=canvasmaker)
    finally:
        for undo, *args in edits:
            undo(*args)
    canvas = doc.canv
    recordings = getattr(canvas, "recordings", {})
    return PassResult(buffer.getvalue(), canvas.getPageNumber() - 1, dict(canvas.anchor_pages),
                      list(canvas.structure), getattr(canvas, "tags", None), recordings)


def _furniture_callback(document: Document, part: Part, geometry, info: PassInfo):
    def on_page(canvas, doc):
        if getattr(canvas, "layout_only", False):
            return
        _draw_furniture(canvas, document, part, geometry, canvas.getPageNumber(), info.total_pages)
        drawn = getattr(canvas, "furniture_drawn", None)
        if drawn is not None:
            drawn()

    return on_page


def _draw_furniture(canvas, document: Document, part: Part, geometry, page: int, total: int | None) -> None:
    """All page furniture, in one place, as artifacts; what stands left, centre and right
    of the running header and the footer is the house style's (pipeline.style.house)."""
    from pipeline.pdf.fonts import REGULAR
    from pipeline.pdf.styles import FURNITURE_TEXT, HOUSE, MM, RULE, hex_colour

    layout = HOUSE.furniture
    shown = {"": "", "running_header": part.running_header, "footer_text": document.footer_text,
             "title": document.title, "page": f"Page {page}", "page_of": f"Page {page} of {total if total else page}"}
    if not document.page_numbers:  # in an agenda pack the pack's stamp is the only page number
        shown["page"] = shown["page_of"] = ""
    width = geometry.size[0]
    left, right = geometry.left, width - geometry.right

    def line_of(fields, baseline):
        text_left, text_centre, text_right = (shown[name] for name in fields)
        if text_left:
            canvas.drawString(left, baseline, text_left)
        if text_centre:
            canvas.drawCentredString((left + right) / 2, baseline, text_centre)
        if text_right:
            canvas.drawRightString(right, baseline, text_right)

    hook = getattr(canvas, "begin_artifact", None)
    canvas.saveState()
    if hook:
        canvas.begin_artifact("Pagination")
    canvas.setFont(REGULAR, HOUSE.sizes.furniture)
    canvas.setFillColor(hex_colour(FURNITURE_TEXT))
    canvas.setStrokeColor(hex_colour(RULE))
    canvas.setLineWidth(0.5)
    if any(shown[name] for name in layout.header):
        line_of(layout.header, geometry.header_baseline)
        if layout.header_rule:
            canvas.line(left, geometry.header_baseline - 2 * MM, right, geometry.header_baseline - 2 * MM)
    footer = geometry.footer_baseline
    if layout.footer_rule:
        canvas.line(left, footer + 4 * MM, right, footer + 4 * MM)
    line_of(layout.footer, footer)
    if hook:
        canvas.end_artifact()
    canvas.restoreState()

