"""Chart cache and parallel drawing (issue 9): a picture is the same bytes whether it was
drawn in this process, by a worker process or read from the cache, and a rebuild after a
commentary-only change draws no chart at all."""
from __future__ import annotations

import dataclasses
import shutil
import time

import pytest
from commentary_helpers import set_commentary

from pipeline.charts import draw as charts
from pipeline.charts import glyphs as chart_glyphs
from pipeline.charts.draw import PARALLEL_MIN, ChartCache, chart_key, render_charts, render_png
from pipeline.document.model import ChartSpec, Series

PERIODS = ("Apr-13", "May-13", "Jun-13", "Jul-13", "Aug-13", "Sep-13")


def spec(n: int) -> ChartSpec:
    return ChartSpec(
        title=f"Indicator {n}",
        periods=PERIODS,
        series=(Series("Actual", tuple(float(60 + n + i) for i in range(6))),
                Series("Target", (65.0,) * 6, "target"), Series("Floor", (55.0,) * 6, "floor")),
        unit="percent",
        decimals=n % 2,
    )


SPECS = [spec(n) for n in range(PARALLEL_MIN + 1)]


@pytest.fixture(scope="module")
def fresh():
    """Each spec drawn in this process, no cache: the reference bytes."""
    return {s: render_png(s) for s in SPECS}


def test_key_depends_on_content_and_dpi_only():
    again = ChartSpec(SPECS[0].title, tuple(SPECS[0].periods), SPECS[0].series, "percent", 0)
    assert chart_key(SPECS[0]) == chart_key(again)
    changed = dataclasses.replace(SPECS[0], series=(Series("Actual", (60.0, 61.0, 62.0, 63.0, 64.0, 66.0)),)
                                  + SPECS[0].series[1:])
    assert chart_key(changed) != chart_key(SPECS[0])
    assert chart_key(dataclasses.replace(SPECS[0], title="Other")) != chart_key(SPECS[0])
    assert chart_key(SPECS[0], dpi=100) != chart_key(SPECS[0])
    assert len(chart_key(SPECS[0])) == 64  # sha256, hex


def test_cached_bytes_are_the_fresh_bytes(tmp_path, fresh):
    first = render_charts(SPECS[:3], cache_dir=tmp_path, workers=1)
    assert (first.drawn, first.cached) == (3, 0)
    second = render_charts(SPECS[:3], cache_dir=tmp_path, workers=1)
    assert (second.drawn, second.cached) == (0, 3)
    for s in SPECS[:3]:
        assert second.images[s] == first.images[s] == fresh[s]
        assert ChartCache(tmp_path).get(chart_key(s)) == fresh[s]
        assert ChartCache(tmp_path).path(chart_key(s)).read_bytes().startswith(fresh[s])  # (a PNG viewers open)
    assert not list(tmp_path.rglob("*.part"))  # written atomically: no leftovers


def test_worker_processes_draw_the_same_bytes(fresh):
    run = render_charts(SPECS, workers=2)
    assert run.workers == 2 and run.drawn == len(SPECS)
    assert list(run.images) == SPECS  # first-seen order kept
    assert run.images == fresh


def test_few_charts_stay_in_this_process():
    run = render_charts(SPECS[:2] + SPECS[:2], workers=4)
    assert run.workers == 1 and run.drawn == 2 and list(run.images) == SPECS[:2]


def test_no_fork_while_other_threads_run(fresh):
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)  # as a test's SMTP server would be
    thread.start()
    try:
        run = render_charts(SPECS, workers=2)
    finally:
        stop.set()
        thread.join()
    assert run.workers == 1 and run.images == fresh


def test_damaged_cache_file_is_drawn_again(tmp_path, fresh):
    render_charts(SPECS[:1], cache_dir=tmp_path, workers=1)
    path = ChartCache(tmp_path).path(chart_key(SPECS[0]))
    path.write_bytes(fresh[SPECS[0]][:500])  # cut short, as by a full disk
    run = render_charts(SPECS[:1], cache_dir=tmp_path, workers=1)
    assert run.drawn == 1 and run.images[SPECS[0]] == fresh[SPECS[0]]
    assert ChartCache(tmp_path).get(chart_key(SPECS[0])) == fresh[SPECS[0]]  # and stored whole again


def test_a_file_that_is_not_this_charts_picture_is_drawn_again(tmp_path, fresh):
    """Under a chart's name, anything but that chart's whole PNG, as stored, is a miss:
    another chart's file, the bare PNG, a damaged byte, a trailer made for other bytes,
    a pickle, a folder, a pipe that never ends (not waited for)."""
    import os
    import pickle
    import threading

    render_charts(SPECS[:2], cache_dir=tmp_path, workers=1)
    cache = ChartCache(tmp_path)
    path, other = cache.path(chart_key(SPECS[0])), cache.path(chart_key(SPECS[1]))
    good = path.read_bytes()
    assert render_charts(SPECS[:1], cache_dir=tmp_path, workers=1).drawn == 0  # (intact: a hit)
    flipped = bytearray(good)
    flipped[100] ^= 0x01
    garbage = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    cases = {
        "another chart's file": other.read_bytes(),
        "the bare PNG": fresh[SPECS[0]],
        "a byte flipped": bytes(flipped),
        "a trailer for other bytes": garbage + charts._trailer(chart_key(SPECS[0]), garbage),
        "the trailer alone": good[len(fresh[SPECS[0]]):],
        "a pickle": pickle.dumps(fresh[SPECS[0]]),
        "empty": b"",
    }
    for what, data in cases.items():
        path.write_bytes(data)
        assert cache.get(chart_key(SPECS[0])) is None, what
        run = render_charts(SPECS[:1], cache_dir=tmp_path, workers=1)
        assert run.drawn == 1 and run.images[SPECS[0]] == fresh[SPECS[0]], what
        assert path.read_bytes() == good, what  # stored whole again
    path.unlink()
    path.mkdir()
    assert cache.get(chart_key(SPECS[0])) is None
    path.rmdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(path)
        found = []
        reader = threading.Thread(target=lambda: found.append(cache.get(chart_key(SPECS[0]))), daemon=True)
        reader.start()
        reader.join(30)
        assert not reader.is_alive() and found == [None]


def test_well_formed_png_takes_only_what_the_renderer_writes(fresh):
    png = fresh[SPECS[0]]
    assert charts.well_formed_png(png)
    assert not charts.well_formed_png(png[:-1])
    assert not charts.well_formed_png(png + b"\x00")
    assert not charts.well_formed_png(png[:8] + png[33:])  # no header
    assert not charts.well_formed_png(b"")


def test_unwritable_cache_does_not_stop_the_charts(tmp_path, fresh):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    run = render_charts(SPECS[:1], cache_dir=blocker, workers=1)
    assert run.images[SPECS[0]] == fresh[SPECS[0]]


# -- whole builds ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def builds(tmp_path_factory, sample_path):
    """The sample built three ways: one process without cache; all cores with a cold
    cache; all cores again with the cache warm."""
    from pipeline.build import build_report

    root = tmp_path_factory.mktemp("builds")
    cache = root / "cache"
    single = build_report(sample_path, root / "single", use_cache=False, workers=1)
    cold = build_report(sample_path, root / "cold", cache_dir=cache, workers=2)
    warm = build_report(sample_path, root / "warm", cache_dir=cache, workers=2)
    return root, cache, single, cold, warm


def test_outputs_identical_from_one_process_workers_and_cache(builds):
    _root, _cache, single, cold, warm = builds
    assert single.charts_drawn == single.charts == 23 and single.chart_workers == 1
    assert cold.charts_drawn == 23 and cold.chart_workers == 2
    assert warm.charts_drawn == 0 and warm.charts == 23
    for fmt in ("docx", "pdf"):
        reference = single.paths[fmt].read_bytes()
        assert cold.paths[fmt].read_bytes() == reference, fmt
        assert warm.paths[fmt].read_bytes() == reference, fmt


def test_default_cache_is_under_the_output_folder(tmp_path, sample_path):
    from pipeline.build import build_report, default_cache_dir

    result = build_report(sample_path, tmp_path / "out", formats=("docx",), workers=1)
    assert default_cache_dir(tmp_path / "out") == tmp_path / "out" / ".cache" / "charts"
    assert len(list(default_cache_dir(tmp_path / "out").rglob("*.png"))) == result.charts == 23


def test_commentary_only_change_draws_no_chart(builds, sample_path, tmp_path, monkeypatch):
    import docx

    from pipeline.build import build_report

    _root, cache, *_ = builds
    book = tmp_path / "fsc.xlsx"
    shutil.copyfile(sample_path, book)
    set_commentary(book, "ASC03", "Revised commentary: the figure is expected to recover in October.")

    def must_not_draw(*args, **kwargs):
        raise AssertionError("a chart was drawn after a commentary-only change")

    monkeypatch.setattr(charts, "render_png", must_not_draw)
    result = build_report(book, tmp_path / "out", formats=("docx",), cache_dir=cache, workers=1)
    assert result.charts == 23 and result.charts_drawn == 0
    text = "\n".join(p.text for p in docx.Document(result.paths["docx"]).paragraphs)
    assert "Revised commentary: the figure is expected to recover in October." in text


def test_figure_change_draws_only_that_chart(builds, sample_path, tmp_path):
    from commentary_helpers import set_value

    from pipeline.build import build_report

    _root, cache, *_ = builds
    book = tmp_path / "fsc.xlsx"
    shutil.copyfile(sample_path, book)
    set_value(book, "ASC03", "2013-09", "actual", 2280)
    result = build_report(book, tmp_path / "out", formats=("docx",), cache_dir=cache, workers=1)
    assert result.charts_drawn == 1


def test_workers_forked_after_drawing_here_draw_the_same_bytes():
    """FreeType fonts cannot be used across a fork: a worker forked from a process that
    has drawn charts (and so holds fonts, glyphs and its Figure) must not reuse them (two
    workers loading glyphs through the fonts they were forked with failed with "invalid
    outline" or drew wrong glyphs)."""
    import random
    import string

    render_png(SPECS[0])  # fonts, glyphs and the Figure in this process
    rng = random.Random(2)
    letters = string.ascii_letters + "àéîõüçñß£€%&@#"
    other = [dataclasses.replace(s, title="".join(rng.choice(letters) for _ in range(40)),
                                 series=(Series("".join(rng.choice(letters) for _ in range(12)), s.series[0].values),))
             for s in SPECS * 8]  # glyphs this process never loaded, so each worker loads them
    run = render_charts(other, workers=2)
    assert run.workers == 2
    assert run.images == {s: render_png(s) for s in other}


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork here")
def test_a_forked_process_keeps_no_font_of_its_parent():
    import os

    render_png(SPECS[0])
    assert chart_glyphs._GLYPH_FONTS and chart_glyphs._GLYPHS and charts._AXES
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether anything found with the parent's fonts is left
        try:
            left = (len(chart_glyphs._GLYPH_FONTS) + len(chart_glyphs._GLYPHS) + len(chart_glyphs._LAYOUTS)
                    + len(charts._AXES))
            os.write(write, b"clean" if left == 0 else b"kept!")
        finally:
            os._exit(0)
    os.close(write)
    try:
        report = os.read(read, 5)
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    assert report == b"clean"


# ------------------------------------------------------------------------------ the stream
def test_a_stream_gives_each_chart_as_it_is_drawn(fresh, tmp_path):
    """Membership, length and order never wait; a lookup waits for its own chart only
    (and those drawn before it); every chart drawn goes into the cache."""
    from pipeline.charts.draw import start_charts

    stream = start_charts(SPECS, cache_dir=tmp_path, workers=2)
    try:
        assert stream.workers == 2 and len(stream) == len(SPECS) and list(stream) == SPECS
        assert all(s in stream for s in SPECS) and spec(99) not in stream
        assert stream[SPECS[0]] == fresh[SPECS[0]]
        with pytest.raises(KeyError):
            stream[spec(99)]
        run = stream.finish()
    finally:
        stream.close()
    assert run.images == fresh and list(run.images) == SPECS
    assert ChartCache(tmp_path).get(chart_key(SPECS[-1])) == fresh[SPECS[-1]]


def test_poll_says_complete_only_with_every_chart_in_and_no_worker_left():
    """poll never waits; it says True once every chart is there, and then no other
    thread runs (the build forks its DOCX writer after it said so)."""
    import threading

    from pipeline.charts.draw import start_charts

    stream = start_charts(SPECS, workers=2)
    try:
        assert stream.workers == 2
        started = time.perf_counter()
        seen = [stream.poll()]  # (at once: the workers have barely started)
        assert time.perf_counter() - started < 0.5 and seen == [False] and stream.completed_at is None
        deadline = time.monotonic() + 60
        while not stream.poll():  # (no lookup: polling alone notices the batches drawn)
            assert time.monotonic() < deadline, "the charts were never complete"
            time.sleep(0.01)
        assert threading.active_count() == 1 and stream._pool is None
        assert stream.completed_at is not None and stream.poll()
        assert stream.finish().images == {s: stream[s] for s in SPECS}
    finally:
        stream.close()


def test_a_stream_with_nothing_to_draw_is_complete_at_once(tmp_path):
    from pipeline.charts.draw import start_charts

    start_charts(SPECS, cache_dir=tmp_path, workers=2).finish()  # (fills the cache)
    stream = start_charts(SPECS, cache_dir=tmp_path, workers=2)
    assert stream.drawn == 0 and stream.poll() and stream.completed_at is not None


def test_poll_is_false_for_good_when_a_batch_failed(monkeypatch):
    """A failed batch is not complete, ever; its error is raised by a lookup, not by poll."""
    from pipeline.charts.draw import start_charts

    def broken(s, dpi=None):
        if s == SPECS[0]:
            raise ValueError("cannot draw Indicator 0")
        return b"png"

    monkeypatch.setattr(charts, "render_png", broken)  # inherited by the forked workers
    stream = start_charts(SPECS, workers=2)
    try:
        deadline = time.monotonic() + 60
        while not all(future.done() for _batch, future in stream._batches):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert stream.poll() is False and stream.poll() is False
        with pytest.raises(ValueError, match="Indicator 0"):
            stream[SPECS[0]]
    finally:
        stream.close()


def test_a_chart_that_fails_to_draw_stops_the_workers(monkeypatch):
    from pipeline.charts.draw import start_charts

    def broken(s, dpi=None):
        if s == SPECS[5]:
            raise ValueError("cannot draw Indicator 5")
        return b"png"

    monkeypatch.setattr(charts, "render_png", broken)  # inherited by the forked workers
    stream = start_charts(SPECS, workers=2)
    assert stream[SPECS[0]] == b"png"
    with pytest.raises(ValueError, match="Indicator 5"):
        stream[SPECS[-1]]
    assert stream._pool is None  # the workers are gone
