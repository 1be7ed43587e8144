"""Build the committee report: workbook -> cards -> document model -> charts -> DOCX / PDF / HTML.

``build_report`` is what the ``build`` command and the agenda pack call. Each distinct
chart is drawn once and the same PNG bytes go to both renderers (the HTML edition draws the
same charts as SVG: pipeline.charts.svg). The DOCX, PDF and HTML are one
set (:func:`pipeline.infra.atomic.atomic_set`): written under the report's lock, to temporaries,
and replaced together only when both are complete; the timings say where the time went.

Speed (issue 9): charts come from a content-addressed cache (``<out>/.cache/charts`` unless
``cache_dir`` says otherwise), so a rebuild after a commentary-only change draws none; the
charts that are missing are drawn on all cores while this process lays out and writes the
PDF, which takes each chart as it comes (``pipeline.charts.draw.ChartStream``); and when both
formats are asked for, the DOCX is written by a second process, which this module starts
itself once every chart is in: before the PDF when they all came from the cache, else at
the first page boundary of the PDF's layout after the last chart was drawn (the renderer's
``between_pages`` callback), never from inside a chart lookup. The "charts" timing is from
the start of drawing to the last chart, so it overlaps "pdf". ``workers=1`` does everything
in this process, one after the other; the documents are the same either way.

Forks: the DOCX process is forked only from a process running no other thread (a fork
copies other threads' locks in whatever state they are): the chart workers' pool, and its
threads, are gone once the last chart is in, and the fork is made only when
``pipeline.charts.draw.can_fork`` says so at that moment; otherwise the DOCX is written
here after the PDF.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import OutputError, PipelineError
from pipeline.infra import atomic
from pipeline.rules.periods import Month

FORMATS = ("docx", "pdf", "html")


@dataclass
class BuildResult:
    paths: dict[str, Path] = field(default_factory=dict)  # format -> file written
    warnings: tuple[str, ...] = ()  # the commentary rules broken: `--strict` refuses to build
    notices: tuple[str, ...] = ()  # information (figures older than the period): never blocks
    timings: dict[str, float] = field(default_factory=dict)  # read, cards, assemble, charts, docx, pdf, total (s)
    charts: int = 0  # distinct charts in the report
    charts_drawn: int = 0  # of which drawn by matplotlib in this build (the rest came from the cache)
    chart_workers: int = 1  # processes that drew them
    pdf_sections: int = 0  # sections of the PDF (the blocks between two page breaks)
    pdf_replayed: int = 0  # of which replayed from the cache (pipeline.pdf.replay), not laid out
    document: object = None  # the pipeline.document.model.Document built
    cardset: object = None  # the pipeline.cards.compute.CardSet it shows (the pack records it: pipeline.register)
    revisions: tuple = ()  # figures revised since published (pipeline.quality.revisions): the data notes say so

    def timing_line(self) -> str:
        parts = []
        for stage, seconds in self.timings.items():
            text = f"{stage} {seconds:.2f}s"
            if stage == "charts":
                text += f" ({self.charts}) {self.charts_drawn} drawn"
                text += f" by {self.chart_workers} processes" if self.chart_workers > 1 else ""
                text += f" + {self.charts - self.charts_drawn} from cache"
            elif stage == "pdf" and self.pdf_sections:
                text += f" ({self.pdf_sections} sections, {self.pdf_replayed} from cache)"
            parts.append(text)
        return ", ".join(parts)


def output_paths(workbook: str | Path, out_dir: str | Path, formats, period: Month) -> dict[str, Path]:
    """Where the report of ``workbook`` for ``period`` is written: ``<stem>_<YYYY-MM>.<format>``,
    or ``<stem>.<format>`` when the workbook's name already ends with that month (after
    ``_``, ``-``, a space or nothing else), so the sample's own month is not doubled
    (``fsc_performance_2013-09.pdf``) and another month gets its own file
    (``fsc_performance_2013-09_2013-06.pdf``): two periods never overwrite each other.
    Every consumer (build, pack, send, tests) finds the files by this function or by the
    paths ``build_report`` returns."""
    stem = Path(workbook).stem
    month = period.iso
    ends_with_month = stem == month or (stem.endswith(month) and stem[-len(month) - 1] in "_- .")
    name = stem if ends_with_month else f"{stem}_{month}"
    return {fmt: Path(out_dir) / f"{name}.{fmt}" for fmt in formats}


def default_cache_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / ".cache" / "charts"


def default_pdf_cache_dir(out_dir: str | Path) -> Path:
    return Path(out_dir) / ".cache" / "pdf"


def build_report(workbook, out_dir, formats=FORMATS, period: Month | None = None, strict: bool = False,
                 template=None, cache_dir: str | Path | None = None, use_cache: bool = True,
                 workers: int | None = None, pdf_cache_dir: str | Path | None = None,
                 register: str | Path | None = None, in_pack: bool = False) -> BuildResult:
    """Build the report. ``cache_dir``: where chart pictures are kept between builds
    (default ``<out_dir>/.cache/charts``); ``pdf_cache_dir``: where the PDF's sections are
    kept (default ``<out_dir>/.cache/pdf``); ``use_cache=False``: neither. ``workers``:
    processes to use (None: every core; 1: this process only). ``register``: the register of
    published figures to compare with (None: none; see docs/register.md). ``in_pack``: the
    report is for an agenda pack, whose running page number is then its only one, so the
    report's own "Page X of Y" is left out of its footer (docs/pack.md).

    Python's cyclic garbage collector is off while the report is built (and in the
    processes it forks): a build allocates millions of short-lived objects (cells, PDF
    operators, structure elements), and every collection scanned the whole, growing heap
    again, about a fifth of a build's time, while almost everything is freed by reference
    counting anyway. What cycles remain are collected when the build ends; the cost is
    some peak memory (see the README's Performance)."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_report(workbook, out_dir, formats, period, strict, template, cache_dir, use_cache, workers,
                             pdf_cache_dir, register, in_pack)
    finally:
        if collecting:
            gc.enable()


def _build_report(workbook, out_dir, formats, period, strict, template, cache_dir, use_cache, workers,
                  pdf_cache_dir, register=None, in_pack=False) -> BuildResult:
    started = time.perf_counter()
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise PipelineError(f"unknown output format {unknown[0]!r} (use {', '.join(FORMATS)})")
    result = BuildResult()
    clock = _Clock(result.timings)

    with clock("read"):
        from pipeline.input.report_definition import read_input

        dataset = read_input(workbook, period)  # a workbook, or a report definition (.toml)
    with clock("cards"):
        from pipeline.cards.compute import compute_cards

        cardset = compute_cards(dataset, period)
    # --- issue 18: data-quality checks and figures revised since published ------------------
    from pipeline.quality import checks as quality

    findings = quality.check_dataset(dataset, cardset.period)
    if quality.errors(findings):  # values the unit cannot have: listed like any input problem, exit 1
        raise quality.as_problems(dataset.source, quality.errors(findings), dataset.origins)
    if register is not None:
        dataset, cardset = _with_revisions(result, dataset, cardset, register)
    # --- end issue 18 -------------------------------------------------------------------------
    result.cardset = cardset
    with clock("assemble"):
        from pipeline.document.assemble import build_document

        document = build_document(dataset, cardset, template)
        if in_pack:
            import dataclasses

            document = dataclasses.replace(document, page_numbers=False)
    result.document = document
    result.notices = tuple(document.meta.get("notices", ())) + result.notices
    from pipeline.commentary.checks import CommentaryCheckFailed, check_dataset

    result.warnings = tuple(str(w) for w in check_dataset(dataset, cardset))
    result.warnings += tuple(str(f) for f in quality.warnings(findings))  # (issue 18)
    if strict and result.warnings:  # the exception rule: exit status 1, nothing written
        raise CommentaryCheckFailed(result.warnings)
    if use_cache and cache_dir is None:
        cache_dir = default_cache_dir(out_dir)
    if use_cache and pdf_cache_dir is None:
        pdf_cache_dir = default_pdf_cache_dir(out_dir)
    spare = "docx" in formats and "pdf" in formats and _spare_process(workers)  # (before any pool starts)
    paths = output_paths(workbook, out_dir, formats, cardset.period)
    # every file of this report, built this time or not
    family = output_paths(workbook, out_dir, FORMATS, cardset.period)
    name = atomic.set_name(family.values())
    # the lock is the report's, not the folder's: two reports build into one folder at once
    with atomic.atomic_set(paths.values(), what=f"the report {name} in {Path(out_dir)}", name=name,
                           siblings=family.values()) as outputs:
        _write_outputs(result, document, formats, {fmt: outputs[paths[fmt]] for fmt in formats}, paths,
                       cache_dir if use_cache else None, pdf_cache_dir if use_cache else None, workers, spare)
    if outputs.recovered:
        result.notices += (f"an earlier build of this report was stopped while replacing its files; "
                           f"that was completed first ({', '.join(p.name for p in outputs.recovered)})",)
    for fmt, path in family.items():
        if fmt not in formats and path.exists():
            result.notices += (f"{path} was not rebuilt (only {', '.join(formats)} was asked for): it is from "
                               "an earlier build and may not match",)
    for fmt in formats:
        result.paths[fmt] = paths[fmt]
    result.timings["total"] = time.perf_counter() - started
    return result


def _with_revisions(result, dataset, cardset, register):
    """Issue 18: the figures revised since a meeting was given them, as data notes in the
    report and notices for the officer (pipeline.quality.revisions, docs/register.md)."""
    from pipeline.cards.compute import compute_cards
    from pipeline.quality.revisions import revisions, with_revision_notes
    from pipeline.register.store import published

    found = revisions(dataset, cardset, published(register, [ind.id for ind in dataset.indicators]))
    if not found:
        return dataset, cardset
    result.revisions = tuple(found)
    result.notices += tuple(str(rev.finding(cardset.period)) for rev in found)
    dataset = with_revision_notes(dataset, found, cardset.period)
    return dataset, compute_cards(dataset, cardset.period)


def _write_outputs(result, document, formats, temps, paths, cache_dir, pdf_cache_dir, workers, spare) -> None:
    """Draw the charts and write each format to its temporary (``temps``); the caller
    replaces the outputs with them only when all are written. On any failure or
    interrupt, every process this started has ended before this returns, so nothing
    writes a temporary after it is removed."""
    from concurrent.futures.process import BrokenProcessPool

    from pipeline.charts.draw import can_fork, start_charts
    from pipeline.document.model import figures

    charts_started = time.perf_counter()
    stream = start_charts((f.chart for f in figures(document)), cache_dir=cache_dir, workers=workers)
    result.charts, result.charts_drawn, result.chart_workers = len(stream), stream.drawn, stream.workers
    writers: list[_Child] = []  # the DOCX writer's process, once the charts are all there

    def start_docx_writer() -> None:
        """Fork the DOCX writer if every chart is in (the stream's pool is gone by then)
        and no other thread runs; else nothing, and the next call tries again."""
        if not writers and stream.poll() and can_fork():
            writers.append(_Child(_write_docx, document, temps["docx"], stream.finish().images, paths["docx"]))

    try:
        result.timings["charts"] = 0.0  # (set below: charts and the PDF overlap)
        between_pages = None
        if spare:
            # the DOCX needs every chart, the PDF takes each as it comes: the DOCX's process
            # starts now if they are all there, else between two pages of the PDF once they are
            start_docx_writer()
            between_pages = start_docx_writer
        if "pdf" in formats:
            stats: dict = {}
            result.timings["pdf"] = _write_pdf(document, temps["pdf"], stream, pdf_cache_dir, stats, paths["pdf"],
                                               between_pages)
            result.pdf_sections, result.pdf_replayed = stats.get("sections", 0), stats.get("replayed", 0)
        images = stream.finish().images
        result.timings["charts"] = stream.completed_at - charts_started
        if "html" in formats:  # (in this process, while a forked DOCX writer works)
            result.timings["html"] = _write_html(document, temps["html"], cache_dir, paths["html"])
        if "docx" in formats:
            if writers:
                result.timings["docx"] = writers[0].result()  # re-raises the DOCX writer's error here
            else:
                result.timings["docx"] = _write_docx(document, temps["docx"], images, paths["docx"])
    except BrokenProcessPool:
        stream.close(wait=False)
        raise OutputError("a process drawing the charts stopped unexpectedly; nothing was written") from None
    except KeyboardInterrupt:
        stream.close(wait=False)  # (an interrupted build: see ChartStream.close)
        raise
    finally:
        stream.close()
        for writer in writers:
            writer.stop()


def _write_docx(document, path, images, shown=None) -> float:
    from pipeline.docx.render import docx_bytes

    start = time.perf_counter()
    atomic.write_file(path, docx_bytes(document, images), shown=shown)
    return time.perf_counter() - start


def _write_html(document, path, cache_dir=None, shown=None) -> float:
    """The HTML edition (pipeline.html): its charts as SVG, drawn by the same code as the
    PNGs, kept in the same cache folder."""
    from pipeline.charts.svg import render_svgs
    from pipeline.document.model import figures
    from pipeline.html.render import html_bytes

    start = time.perf_counter()
    svgs, _drawn = render_svgs((f.chart for f in figures(document)), cache_dir=cache_dir)
    atomic.write_file(path, html_bytes(document, svgs), shown=shown)
    return time.perf_counter() - start


def _write_pdf(document, path, images, cache_dir=None, stats=None, shown=None, between_pages=None) -> float:
    from pipeline.pdf.render import pdf_bytes

    start = time.perf_counter()
    data = pdf_bytes(document, images, cache_dir=cache_dir, stats=stats, between_pages=between_pages)
    atomic.write_file(path, data, shown=shown)
    return time.perf_counter() - start


def _spare_process(workers: int | None) -> bool:
    from pipeline.charts.draw import can_fork, worker_count

    if not can_fork():
        return False  # (a spawned process would re-import everything: no gain for one document)
    return (worker_count() if workers is None else workers) > 1


class _Child:
    """``fn(*args)`` in a forked process; :meth:`result` gives its return value here, or
    raises its exception. :meth:`stop` ends it if it is still running (on an error or an
    interrupt here), and waits for it, so it never writes after this process gave up."""

    def __init__(self, fn, *args):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe(duplex=False)
        self._process = context.Process(target=_child_main, args=(child_end, fn, args), daemon=True)
        self._process.start()
        child_end.close()

    def result(self):
        try:
            ok, value = self._conn.recv()
        except EOFError:
            self._process.join()
            raise OutputError(f"the process writing the DOCX stopped unexpectedly (exit status "
                              f"{self._process.exitcode}); nothing was written") from None
        self._process.join()
        if ok:
            return value
        raise value

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()  # (SIGTERM: it ends quietly, see pipeline.infra.interrupts)
        self._process.join()
        self._conn.close()


def _child_main(conn, fn, args) -> None:
    import traceback

    from pipeline.infra.interrupts import quiet_worker

    quiet_worker()
    try:
        reply = (True, fn(*args))
    except Exception as exc:
        if not isinstance(exc, PipelineError):  # a bug: keep where it happened for the report
            exc.add_note(traceback.format_exc())
        reply = (False, exc)
    try:
        conn.send(reply)
    except Exception as exc:  # (an exception that cannot be pickled)
        conn.send((False, OutputError(f"writing the DOCX failed: {type(reply[1]).__name__}: {reply[1]} ({exc})")))
    finally:
        conn.close()


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
