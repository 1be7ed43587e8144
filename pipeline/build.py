"""Build the committee report: workbook -> cards -> document model -> charts -> DOCX / PDF.

``build_report`` is what the ``build`` command and the agenda pack call. Each distinct
chart is drawn once and the same PNG bytes go to both renderers. Every output is written
atomically; the timings say where the time went.
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
    timings: dict[str, float] = field(default_factory=dict)  # read, cards, assemble, charts, docx, pdf (s)
    charts: int = 0
    document: object = None  # the pipeline.document.Document built

    def timing_line(self) -> str:
        parts = []
        for stage, seconds in self.timings.items():
            text = f"{stage} {seconds:.2f}s"
            if stage == "charts":
                text += f" ({self.charts})"
            parts.append(text)
        return ", ".join(parts)


def output_paths(workbook: str | Path, out_dir: str | Path, formats) -> dict[str, Path]:
    stem = Path(workbook).stem
    return {fmt: Path(out_dir) / f"{stem}.{fmt}" for fmt in formats}


def build_report(workbook, out_dir, formats=FORMATS, period: Month | None = None, strict: bool = False,
                 template=None) -> BuildResult:
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
        from pipeline.charts import render_all
        from pipeline.document import figures

        images = render_all(f.chart for f in figures(document))
    result.charts = len(images)
    paths = output_paths(workbook, out_dir, formats)
    if "docx" in formats:
        with clock("docx"):
            from pipeline.render_docx import render_docx

            render_docx(document, paths["docx"], images)
        result.paths["docx"] = paths["docx"]
    if "pdf" in formats:
        with clock("pdf"):
            from pipeline.render_pdf import render_pdf

            render_pdf(document, paths["pdf"], images)
        result.paths["pdf"] = paths["pdf"]
    return result


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
