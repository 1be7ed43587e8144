"""When the build forks its DOCX writer: the build starts it itself, once every chart is in,
from a point it controls (before the PDF, or between two of the PDF's pages), never from
inside a chart lookup, and only from a process running no other thread."""
from __future__ import annotations

import threading
import traceback

import pytest

from pipeline import build
from pipeline.build import build_report
from pipeline.charts import draw as charts


def _frames() -> list[tuple[str, str]]:
    return [(frame.filename.replace("\\", "/"), frame.name) for frame in traceback.extract_stack()]


@pytest.fixture
def watched(monkeypatch):
    """Records, in order, each fork of the DOCX writer (with the stack and the threads
    running at that moment) and the start and end of the PDF."""
    from pipeline.pdf import render

    seen: list[tuple] = []
    real_child, real_pdf = build._Child.__init__, render.pdf_bytes

    def child(self, fn, *args):
        seen.append(("fork", _frames(), threading.active_count()))
        real_child(self, fn, *args)

    def pdf_bytes(*args, **kwargs):
        seen.append(("pdf starts",))
        try:
            return real_pdf(*args, **kwargs)
        finally:
            seen.append(("pdf ends",))

    monkeypatch.setattr(build._Child, "__init__", child)
    monkeypatch.setattr(render, "pdf_bytes", pdf_bytes)
    return seen


def _same_as_one_process(result, sample_path, tmp_path):
    single = build_report(sample_path, tmp_path / "single", use_cache=False, workers=1)
    for fmt in ("docx", "pdf"):
        assert result.paths[fmt].read_bytes() == single.paths[fmt].read_bytes(), fmt


def test_with_charts_being_drawn_the_docx_starts_between_two_pdf_pages(watched, sample_path, tmp_path, monkeypatch):
    real = charts.render_png

    def slower(*args, **kwargs):  # (inherited by the forked workers: the PDF starts before the last chart)
        import time

        time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "render_png", slower)
    result = build_report(sample_path, tmp_path / "out", use_cache=False, workers=2)
    monkeypatch.setattr(charts, "render_png", real)
    assert result.chart_workers == 2 and result.charts_drawn == result.charts
    kinds = [event[0] for event in watched]
    assert kinds == ["pdf starts", "fork", "pdf ends"], kinds  # once, while the PDF is being made
    _, stack, threads = watched[1]
    names = [name for _file, name in stack]
    assert threads == 1  # (the chart workers' pool and its threads are gone)
    assert "start_docx_writer" in names and "handle_pageEnd" in names  # the layout's page boundary
    assert not any(f.endswith("pipeline/charts/draw.py") for f, _name in stack), stack  # no chart lookup
    assert not any(name in ("drawOn", "draw", "wrap", "split") for name in names), names  # nothing being drawn
    _same_as_one_process(result, sample_path, tmp_path)


def test_with_every_chart_from_the_cache_the_docx_starts_before_the_pdf(watched, sample_path, tmp_path):
    out = tmp_path / "out"
    build_report(sample_path, out, formats=("pdf",), workers=2)  # (fills the chart cache)
    watched.clear()
    result = build_report(sample_path, out, workers=2)
    assert result.charts_drawn == 0
    kinds = [event[0] for event in watched]
    assert kinds == ["fork", "pdf starts", "pdf ends"], kinds
    assert "_write_outputs" in [name for _file, name in watched[0][1]]
    _same_as_one_process(result, sample_path, tmp_path)


def test_no_fork_while_another_thread_runs(watched, sample_path, tmp_path, monkeypatch):
    """A thread running when the charts are complete (started after the build decided on a
    DOCX process): no fork at any page; the DOCX is written here after the PDF."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, name="other", daemon=True)
    real_start = charts.start_charts

    def start_charts(*args, **kwargs):
        other.start()
        return real_start(*args, **kwargs)

    monkeypatch.setattr(charts, "start_charts", start_charts)
    try:
        result = build_report(sample_path, tmp_path / "out", use_cache=False, workers=2)
    finally:
        stop.set()
        other.join()
        monkeypatch.undo()
    assert [event[0] for event in watched] == ["pdf starts", "pdf ends"]
    assert result.chart_workers == 1  # (nor were the charts drawn by forked workers)
    assert "docx" in result.timings
    _same_as_one_process(result, sample_path, tmp_path)
