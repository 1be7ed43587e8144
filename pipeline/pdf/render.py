"""The committee report as PDF (ReportLab platypus), from the one document model.

``render_pdf`` / ``pdf_bytes`` are the renderer's interface; this module only runs its
three stages, each in its own module:

1. :mod:`pipeline.pdf.story`: the model's blocks as marked flowables (the story), built
   once; before it, :func:`~pipeline.pdf.story.check_inputs` (every text drawable in the
   bundled font, every chart there; the fonts' seeds);
2. :mod:`pipeline.pdf.layout`: the page templates and furniture, the counting pass and
   the drawing pass (tagged, recording each section for the next build);
3. :mod:`pipeline.pdf.finish`: structure tree, metadata, deterministic ID (pikepdf).

Fonts: only the bundled Liberation Sans family (:mod:`pipeline.pdf.fonts`), embedded;
no standard-14 font appears anywhere. Reproducible: the same inputs give a
byte-identical file, whether sections were laid out or replayed from the cache
(:mod:`pipeline.pdf.replay`).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from pipeline.document.model import ChartSpec, Document
from pipeline.infra.atomic import write_bytes
from pipeline.pdf.finish import finish_pdf
from pipeline.pdf.layout import lay_out
from pipeline.pdf.story import Story, check_inputs


def render_pdf(document: Document, path: str | os.PathLike, images: Mapping[ChartSpec, bytes],
               *, tagged: bool = True, cache_dir: str | os.PathLike | None = None,
               stats: dict | None = None) -> None:
    """Write ``document`` as a PDF at ``path`` (atomically). ``images`` holds each
    Figure's chart as PNG bytes (200 dpi), the same bytes the DOCX embeds. The PDF is a
    tagged PDF/UA-1 document unless ``tagged`` is False (kept to measure tagging's cost).
    ``cache_dir``: where the pages of each section are kept for the next build
    (:mod:`pipeline.pdf.replay`); ``stats``, if given, receives how many sections there
    were and how many came from there."""
    write_bytes(path, pdf_bytes(document, images, tagged=tagged, cache_dir=cache_dir, stats=stats))


def pdf_bytes(document: Document, images: Mapping[ChartSpec, bytes], *, events: list | None = None,
              tagged: bool = True, cache_dir: str | os.PathLike | None = None, stats: dict | None = None,
              between_pages: Callable[[], None] | None = None) -> bytes:
    """The finished PDF. ``events``, if given, receives the structure events the final
    layout pass recorded (role of every drawn element, per page). ``images`` may be a
    mapping whose lookups wait (``pipeline.charts.draw.ChartStream``): a chart is looked
    up only when its page is drawn.

    ``between_pages``, if given, is called with no arguments each time a page is
    finished, in every layout pass (see :mod:`pipeline.pdf.layout`): the caller's own
    point in the middle of the work, where nothing is being drawn.

    With ``cache_dir``, a section (the blocks between two page breaks) whose pages were
    recorded by an earlier build is not laid out again but replayed
    (:mod:`pipeline.pdf.replay`); the PDF is the same, byte for byte. The cache folder
    lies in the output folder, which others may write: should a build that replayed
    anything fail (a recording that passed the decoder's checks but does not fit this
    document, a link to an anchor it lacks), it is made again with every section laid
    out, and recorded afresh over those files. A failure with nothing replayed is the
    build's own and is raised."""
    seeds = check_inputs(document, images)
    cache = None
    if cache_dir is not None and tagged:
        from pipeline.pdf.replay import SectionCache

        cache = SectionCache(cache_dir)
    try:
        data, drawn = _pdf_bytes(document, images, seeds, cache, tagged, stats, between_pages)
    except Exception:
        if cache is None or not cache.served:
            raise
        from pipeline.pdf.replay import SectionCache

        data, drawn = _pdf_bytes(document, images, seeds, SectionCache(cache_dir, replay=False), tagged, stats,
                                 between_pages)
    if events is not None:
        events.extend(drawn)
    return data


def _pdf_bytes(document: Document, images: Mapping[ChartSpec, bytes], seeds: tuple, cache, tagged: bool,
               stats: dict | None, between_pages) -> tuple[bytes, list]:
    """The PDF and the structure events of its final pass (see :func:`pdf_bytes`). The
    sections recorded are kept only once the file is finished."""
    story = Story(document, images, cache, seeds)
    final = lay_out(story, tagged=tagged, between_pages=between_pages)
    data = finish_pdf(final.data, document, final.tags)
    if cache is not None:
        for key, recording in final.recordings.items():
            cache.put(key, recording)
    if stats is not None:
        stats.update(sections=story.builder.sections,
                     replayed=cache.hits + story.contents_replayed if cache else 0,
                     recorded=cache.stored if cache else 0)
    return data, final.events
