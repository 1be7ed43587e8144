"""Build the committee report: workbook -> cards -> document model -> charts -> DOCX / PDF.

``build_report`` is what the ``build`` command and the agenda pack call. Each distinct
chart is drawn once and the same PNG bytes go to both renderers. Every output is written
atomically; the timings say where the time went.

Speed (issue 9): charts come from a content-addressed cache (``<out>/.cache/charts`` unless
``cache_dir`` says otherwise), so a rebuild after a commentary-only change draws none; the
charts that are missing are drawn on all cores; and when both formats are asked for, the
DOCX is written by a second process while this one writes the PDF. ``workers=1`` does
everything in this process; the documents are the same either way.
"""
from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.periods import Month

FORMATS = ("docx", "pdf")


@dataclass
class BuildResult:
    paths: dict[str, Path] = field(default_factory=dict)  # format -> file written
    warnings: tuple[str, ...] = ()  # the commentary rules broken: `--strict` refuses to build
    notices: tuple[str, ...] = ()  # information (figures older than the period): never blocks
    timings: dict[str, float] = field(default_factory=dict)  # read, cards, assemble, charts, docx, pdf, total (s)
    charts: int = 0  # distinct charts in the report
    charts_drawn: int = 0  # of which drawn by matplotlib in this build (the rest came from the cache)
    chart_workers: int = 1  # processes that drew them
    document: object = None  # the pipeline.document.Document built

    def timing_line(self) -> str:
        parts = []
        for stage, seconds in self.timings.items():
            text = f"{stage} {seconds:.2f}s"
            if stage == "charts":
                text += f" ({self.charts}) {self.charts_drawn} drawn"
                text += f" by {self.chart_workers} processes" if self.chart_workers > 1 else ""
                text += f" + {self.charts - self.charts_drawn} from cache"
            parts.append(text)
        return ", ".join(parts)


def output_paths(workbook: str | Path, out_dir: str | Path, formats) -> dict[str, Path]:
    stem = Path(workbook).stem
    return {fmt: Path(out_dir) / f"{stem}.{fmt}" for fmt in formats}


def default_cache_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / ".cache" / "charts"


def build_report(workbook, out_dir, formats=FORMATS, period: Month | None = None, strict: bool = False,
                 template=None, cache_dir: str | Path | None = None, use_cache: bool = True,
                 workers: int | None = None) -> BuildResult:
    """Build the report. ``cache_dir``: where chart pictures are kept between builds
    (default ``<out_dir>/.cache/charts``; ``use_cache=False``: none). ``workers``: processes
    to use (None: every core; 1: this process only)."""
    started = time.perf_counter()
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise PipelineError(f"unknown output format {unknown[0]!r} (use docx or pdf)")
    if "pdf" in formats and importlib.util.find_spec("pipeline.render_pdf") is None:
        raise PipelineError("PDF output is not available yet (pipeline.render_pdf is being written); "
                            "use --format docx")
    result = BuildResult()
    clock = _Clock(result.timings)

    with clock("read"):
        from pipeline.workbook import read_workbook

        dataset = read_workbook(workbook)
    with clock("cards"):
        from pipeline.cards import compute_cards

        cardset = compute_cards(dataset, period)
    with clock("assemble"):
        from pipeline.assemble import build_document

        document = build_document(dataset, cardset, template)
    result.document = document
    result.notices = tuple(document.meta.get("notices", ()))
    from pipeline.commentary_checks import CommentaryCheckFailed, check_dataset

    result.warnings = tuple(str(w) for w in check_dataset(dataset, cardset))
    if strict and result.warnings:  # the exception rule: exit status 1, nothing written
        raise CommentaryCheckFailed(result.warnings)
    with clock("charts"):
        from pipeline.charts import render_charts
        from pipeline.document import figures

        if use_cache and cache_dir is None:
            cache_dir = default_cache_dir(out_dir)
        run = render_charts((f.chart for f in figures(document)), cache_dir=cache_dir if use_cache else None,
                            workers=workers)
    images = run.images
    result.charts, result.charts_drawn, result.chart_workers = len(images), run.drawn, run.workers
    paths = output_paths(workbook, out_dir, formats)
    pending = None
    if "docx" in formats and "pdf" in formats and _spare_process(workers):
        pending = _start_in_process(_write_docx, document, paths["docx"], images)
    elif "docx" in formats:
        result.timings["docx"] = _write_docx(document, paths["docx"], images)
    try:
        if "pdf" in formats:
            result.timings["pdf"] = _write_pdf(document, paths["pdf"], images)
        if pending is not None:
            result.timings["docx"] = pending.result()  # re-raises the DOCX writer's error here
    finally:
        if pending is not None:
            pending.pool.shutdown(wait=True)
    for fmt in formats:
        result.paths[fmt] = paths[fmt]
    result.timings["total"] = time.perf_counter() - started
    return result


def _write_docx(document, path, images) -> float:
    from pipeline.render_docx import render_docx

    start = time.perf_counter()
    render_docx(document, path, images)
    return time.perf_counter() - start


def _write_pdf(document, path, images) -> float:
    from pipeline.render_pdf import render_pdf

    start = time.perf_counter()
    render_pdf(document, path, images)
    return time.perf_counter() - start


def _spare_process(workers: int | None) -> bool:
    from pipeline.charts import can_fork, worker_count

    if not can_fork():
        return False  # (a spawned process would re-import everything: no gain for one document)
    return (worker_count() if workers is None else workers) > 1


def _start_in_process(fn, *args):
    """Run ``fn(*args)`` in a forked process; the returned future's result (or exception)
    comes back here. The future keeps its pool as ``.pool``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(fn, *args)
    future.pool = pool
    return future


class _Clock:
    def __init__(self, timings: dict):
        self.timings = timings

    def __call__(self, stage: str):
        clock = self

        class _Stage:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                clock.timings[stage] = time.perf_counter() - self.start
                return False

        return _Stage()
