"""Charts of the indicator pages, drawn by matplotlib (Agg) from a :class:`ChartSpec` alone.

Rendering is a pure function of the spec: the same spec gives the same PNG bytes (fixed
font from ``pipeline/fonts``, no timestamps or software name in the PNG), so a build
draws each distinct chart once and the DOCX and the PDF embed the very same picture.

Reading the chart without colour: the actual is a solid line with round markers, the
target dashed, the minimum standard dotted, comparators dash-dot with square markers,
and the expected range of an activity indicator its upper (long dashes) and lower (short
dashes) threshold lines. The colours are the
Okabe-Ito palette (safe for the common colour-vision deficiencies) chosen so that the
lines also differ in greyscale lightness.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from pipeline.document.model import CHART_HEIGHT_MM, CHART_WIDTH_MM, ChartSpec, Series
from pipeline.rules.figures import format_figure
from pipeline.style.fonts import FAMILY as FONT_FAMILY
from pipeline.style.fonts import FONT_DIR

# role -> (colour, linestyle, marker, linewidth, zorder)
STYLE = {
    "actual": ("#0072B2", "-", "o", 2.0, 5),  # blue, dark in greyscale
    "target": ("#D55E00", "--", None, 1.6, 4),  # vermillion, mid grey
    "floor": ("#000000", ":", None, 1.4, 3),  # black dotted
    "comparator": ("#009E73", "-.", "s", 1.4, 3),  # bluish green, square markers
    "forecast": ("#E69F00", (0, (1, 2)), "D", 1.4, 3),  # orange, light grey
    "supplementary": ("#CC79A7", (0, (5, 2, 1, 2)), "^", 1.2, 2),  # reddish purple
}
COMPARATOR_EXTRA = [("#56B4E9", (0, (3, 1, 1, 1, 1, 1)), "v")]  # a second comparator: sky blue
# an activity indicator's thresholds -> (colour, linestyle, linewidth, zorder): one colour
# (reddish purple) for the pair, the upper long-dashed and the lower short-dashed, under the actual
THRESHOLD_STYLE = {
    "Upper threshold": ("#CC79A7", (0, (7, 2)), 1.6, 2),
    "Lower threshold": ("#CC79A7", (0, (2, 1.5)), 1.6, 2),
}

_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "path.simplify": False,
}
DEFAULT_DPI = 200
# zlib level. The PDF embeds the PNG's own data (pipeline.pdf.images) and the DOCX stores
# it, so this is the size of every chart in both documents: level 6 makes them markedly
# smaller than level 1 for a little more time a chart; 9 saves little more for much more
# time (the README's Performance section has the figures).
PNG_COMPRESSION = 6
_lock = threading.Lock()  # one chart at a time per process: they share one Figure and its caches
_fonts_ready = False


def _setup():
    global _fonts_ready
    if _fonts_ready:
        return
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager

    for ttf in sorted(FONT_DIR.glob("LiberationSans-*.ttf")):
        font_manager.fontManager.addfont(str(ttf))
    _fonts_ready = True


def axis_decimals(ticks: Iterable[float], decimals: int) -> int:
    """The fewest decimal places (0..decimals+1) at which every tick is written exactly,
    so two ticks never print the same label."""
    ticks = list(ticks)
    for places in range(0, decimals + 2):
        quantum = Decimal(1).scaleb(-places)
        exact = (Decimal(repr(float(t))) for t in ticks)
        if all(abs(value - value.quantize(quantum)) < Decimal("1e-9") for value in exact):
            return places
    return decimals + 1


# The steps a value axis counts in (times a power of ten): a reader adds 2.5 or 5 at a
# glance, not 0.6 or 1.5.
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
MAX_INTERVALS = 5  # at most this many steps between the first and the last value tick


def nice_ticks(values: Iterable[float | None], decimals: int, *, include_zero: bool = False,
               max_intervals: int = MAX_INTERVALS) -> tuple[float, ...]:
    """The value axis's ticks: evenly spaced by the smallest step of 1, 2, 2.5 or 5 x 10^n
    that spans every value in at most ``max_intervals`` steps, from the last multiple of
    the step at or below the lowest value to the first at or above the highest, so every
    plotted point lies within the axis with a tick at or beyond it.

    A step is never finer than the indicator's own places (a count is not ticked at 2.5),
    so each tick is a figure the indicator could show. Values that are all equal (or
    fill exactly one step) get room either side; no values at all give 0 to 1.
    ``include_zero`` keeps 0 on the axis (a bar starts at 0). Worked in decimals, so
    ticks are the exact figures the labels print (no 0.30000000000000004).
    """
    found = [Decimal(repr(float(v))) for v in values if v is not None and v == v and abs(v) != float("inf")]
    if include_zero:
        found.append(Decimal(0))
    if not found:
        found = [Decimal(0), Decimal(1)]
    low, high = min(found), max(found)
    finest = Decimal(1).scaleb(-max(decimals, 0))
    if high == low:  # one value: room of about a tenth of it either side
        room = max(abs(high) / 10, finest)
        low, high = low - room, high + room
    span = high - low
    exponent = span.adjusted() - 2  # start comfortably below the step that fits
    while True:
        for base in NICE_STEPS:
            step = base.scaleb(exponent)
            if step < finest or step % finest != 0:
                continue
            first = (low / step).to_integral_value(rounding="ROUND_FLOOR")
            last = (high / step).to_integral_value(rounding="ROUND_CEILING")
            if last == first:  # a single value on a tick: a step either side
                first, last = first - 1, last + 1
            if last - first <= max_intervals:
                return tuple(float(step * n) for n in range(int(first), int(last) + 1))
        exponent += 1


def plotted_values(spec: ChartSpec) -> list[float | None]:
    """Every value the chart draws: its series and its expected range."""
    values: list[float | None] = [v for s in spec.series for v in s.values]
    values += list(spec.band_lower or ()) + list(spec.band_upper or ())
    from pipeline.charts.spc_marks import spc_values

    return values + spc_values(spec)


def drawn_series(spec: ChartSpec) -> list[Series]:
    """The series the chart draws, in order, less any whose every value lies on a series
    already drawn (SCS02's minimum standard, where it exists, equals its target): drawn
    under that line it could not be seen, and its key entry would name a line nobody can
    find."""
    out: list[Series] = []
    for series in spec.series:
        if any(_covered(series, seen) for seen in out):
            continue
        out.append(series)
    return out


def _covered(series: Series, by: Series) -> bool:
    points = [(v, w) for v, w in zip(series.values, by.values) if v is not None]
    return bool(points) and all(w is not None and v == w for v, w in points)


def _style(series: Series, comparator_index: int):
    colour, ls, marker, lw, z = STYLE[series.role]
    if series.role == "comparator" and comparator_index > 0:
        colour, ls, marker = COMPARATOR_EXTRA[(comparator_index - 1) % len(COMPARATOR_EXTRA)]
    return colour, ls, marker, lw, z


# the box the model gives every chart (pipeline.document.model)
WIDTH_MM, HEIGHT_MM = CHART_WIDTH_MM, CHART_HEIGHT_MM


def render_png(spec: ChartSpec, dpi: int = DEFAULT_DPI, width_mm: float = WIDTH_MM,
               height_mm: float = HEIGHT_MM) -> bytes:
    """One chart as PNG bytes; identical bytes for an identical spec, in any process,
    whatever was drawn before it.

    Drawn on a bare Figure (no pyplot state), kept from chart to chart (:func:`_axes`),
    laid out from the measured sizes of its texts (:func:`_layout`) and drawn once, text
    from a cache of glyphs (:mod:`pipeline.charts.glyphs`); the Agg buffer is written as an opaque
    RGB PNG (:func:`_png`)."""
    with _lock:
        _setup()
        import matplotlib
        import numpy as np
        from matplotlib.ticker import FuncFormatter

        with matplotlib.rc_context(_RC):
            ax = _axes(width_mm, height_mm, dpi)
            fig = ax.figure
            _draw(ax, spec, FuncFormatter)
            _layout(ax, spec)
            fig.canvas.draw()
            return _png(np.asarray(fig.canvas.buffer_rgba()), dpi)


_AXES: dict = {}  # (width_mm, height_mm, dpi) -> the Axes this process draws its charts on


def _axes(width_mm: float, height_mm: float, dpi: int):
    """The process's Axes for a picture of this size, emptied of the last chart.

    Creating a Figure, its Axes and their ticks cost about a quarter of a chart; so one
    of each is kept (with the canvas, its renderer and matplotlib's text measurements)
    and emptied between charts: whatever a chart adds or changes is removed or set again
    by the next, so a chart is the same picture whatever was drawn before it (tested)."""
    key = (width_mm, height_mm, dpi)
    ax = _AXES.get(key)
    if ax is None:
        from matplotlib.figure import Figure

        _AXES.clear()
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=dpi, facecolor="white")
        from pipeline.charts.glyphs import canvas_class

        canvas_class()(fig)
        ax = _AXES[key] = fig.add_subplot()
        return ax
    from matplotlib.transforms import Bbox

    for container in list(ax.containers):  # a bar chart's bars (and its legend entry)
        container.remove()
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists, *ax.tables,
                   *([ax.legend_] if ax.legend_ is not None else [])]:
        artist.remove()
    ax.dataLim = Bbox.null()
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)
    ax.set_prop_cycle(None)
    ax.set_ylabel("")
    return ax


def _png(rgba, dpi: int) -> bytes:
    """An opaque RGB PNG of the Agg buffer (h x w x 4): no alpha channel to split off when
    the PDF embeds it, no text chunks, only the resolution. Rows unfiltered (filter type
    0): for flat-coloured charts zlib alone packs them smaller than Pillow's per-row
    filter choice, in a third of the time."""
    import struct
    import zlib

    import numpy as np

    height, width = rgba.shape[:2]
    raw = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter byte 0, then RGB
    for channel in range(3):  # (a channel at a time: numpy copies 3-byte pixels slowly)
        raw[:, 1 + channel::3] = rgba[:, :, channel]
    ppm = int(dpi / 0.0254 + 0.5)  # pixels per metre

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"".join((PNG_SIGNATURE,
                     chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
                     chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
                     chunk(b"IDAT", zlib.compress(raw.tobytes(), PNG_COMPRESSION)),
                     chunk(b"IEND", b"")))


_TEXT_SIZES: dict = {}  # (text, font properties, dpi) -> (width, height, descent), see _text_size


def _forget_figure() -> None:
    """In a forked worker: the kept Figure holds its parent's FreeType fonts, which cannot
    be used across a fork; the worker makes its own (pipeline.charts.glyphs forgets its caches too)."""
    _AXES.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_figure)


def _draw(ax, spec: ChartSpec, FuncFormatter):
    """Everything on the Axes; where the Axes sits in the picture is :func:`_layout`'s."""
    x = list(range(len(spec.periods)))
    comparators = 0
    for series in drawn_series(spec):
        colour, ls, marker, lw, z = _style(series, comparators)
        if series.role == "comparator":
            comparators += 1
        ys = [v if v is not None else float("nan") for v in series.values]
        if spec.kind == "bar" and series.role == "actual":
            ax.bar(x, [0 if v != v else v for v in ys], color=colour, label=series.name, zorder=z, width=0.6)
            continue
        # isolated points (neighbours missing) still show, thanks to the marker
        # not clipped: a point on the first or last tick keeps its whole marker
        ax.plot(x, ys, color=colour, linestyle=ls, marker=marker or "", markersize=4 if marker else 0,
                linewidth=lw, label=series.name, zorder=z, clip_on=False)
    for name, band in (("Upper threshold", spec.band_upper), ("Lower threshold", spec.band_lower)):
        # an activity indicator's expected range: each threshold a labelled line, as seed 004
        # draws them, keyed after the actual ("Actual, Upper Threshold, Lower Threshold"); a
        # threshold never given is not drawn
        if band is not None and any(v is not None for v in band):
            colour, ls, lw, z = THRESHOLD_STYLE[name]
            # a threshold given for a period whose neighbours have none is a short level mark
            alone = [i for i, v in enumerate(band) if v is not None and (i == 0 or band[i - 1] is None)
                     and (i == len(band) - 1 or band[i + 1] is None)]
            ax.plot(x, [v if v is not None else float("nan") for v in band], color=colour, linestyle=ls,
                    linewidth=lw, label=name, zorder=z, clip_on=False, marker="_" if alone else "",
                    markevery=alone or None, markersize=9 if alone else 0, markeredgewidth=lw)

    from pipeline.charts.spc_marks import draw_spc

    draw_spc(ax, spec, x)
    ax.set_xticks(x)
    ax.set_xticklabels(spec.periods, fontsize=7)
    ax.set_xlim(-0.5, len(x) - 0.5)
    ticks = list(nice_ticks(plotted_values(spec), spec.decimals, include_zero=spec.kind == "bar"))
    ax.set_yticks(ticks)  # fixed, so the labels chosen below fit them whatever the layout
    ax.set_ylim(ticks[0], ticks[-1])
    places = axis_decimals(ticks, spec.decimals)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_figure(float(v), spec.unit, places)))
    if spec.y_label:
        ax.set_ylabel(spec.y_label)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _legend(ax, rows=1)


def _legend(ax, rows: int):
    """The key below the plot, its entries spread evenly over ``rows`` rows (or fewer)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    rows = max(rows, -(-len(handles) // LEGEND_COLUMNS))
    columns = -(-len(handles) // rows)
    return ax.legend(handles, labels, loc="upper center", ncol=columns, frameon=False, fontsize=7, handlelength=3,
                     borderaxespad=0)


LEGEND_COLUMNS = 5  # at most; fewer when the names would not fit the picture's width
EDGE_PT = 4.8  # clear margin kept at the picture's edges (tight_layout's pad=0.6 at 8 pt)
LEGEND_GAP_PT = 5.0  # between the period labels and the legend below them
MEASURING_FRAME = (0.125, 0.125, 0.75, 0.75)  # where the Axes is while its texts are measured (figure fraction)


def _layout(ax, spec: ChartSpec) -> None:
    """Place the Axes so that the title, the tick labels and the legend fit inside the
    picture with an EDGE_PT margin, from the measured size of those texts alone (no
    trial drawing, unlike tight_layout): left of the Axes the widest value label (and
    the axis label), above it the title, wrapped to the room right of the Axes' left
    edge, below it the period labels and then the legend, on as many rows as it needs
    to fit the width."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    pt = fig.dpi / 72.0
    width, height = fig.bbox.width, fig.bbox.height
    edge = EDGE_PT * pt
    # Measured with the Axes and its label in one fixed place: a text's extent is its
    # size plus its position, so its size may differ in the last bit with the position,
    # and the last chart's position must not change this chart's layout.
    ax.set_position(MEASURING_FRAME)
    ax.yaxis.set_label_coords(0.0, 0.5)

    # left: the value labels, right-aligned (tick length + pad) left of the Axes, and
    # left of them the axis label, if any
    ytick = ax.yaxis.get_major_ticks(1)[0]
    formatter = ax.yaxis.get_major_formatter()
    yprop = ytick.label1.get_fontproperties()
    values_width = max((_text_size(renderer, formatter(t, i), yprop)[0] for i, t in enumerate(ax.get_yticks())),
                       default=0.0)
    ytick_room = values_width + (ytick.get_pad() + ytick.get_tick_padding()) * pt
    left = edge + ytick_room
    if spec.y_label:
        left += ax.yaxis.label.get_window_extent(renderer).width + ax.yaxis.labelpad * pt

    # right: the last period label may reach half a label beyond its slot
    periods = max(1, len(spec.periods))
    xticks = ax.xaxis.get_major_ticks(periods)
    xprop = xticks[0].label1.get_fontproperties()
    last_half = _text_size(renderer, xticks[-1].label1.get_text(), xprop)[0] / 2
    right = width - edge
    right -= max(0.0, last_half - (right - left) / periods / 2)

    # top: the title, wrapped to the room it has
    extent = _fit_title(ax, spec.title, width - edge - left, renderer)
    top = height - edge - (extent.y1 - ax.get_window_extent(renderer).y1)

    # bottom: period labels (tick length + pad + one line), the gap, the legend
    xtick_depth = ((xticks[0].get_pad() + xticks[0].get_tick_padding()) * pt
                   + xticks[0].label1.get_window_extent(renderer).height)
    bottom = edge + xtick_depth
    legend = ax.get_legend()
    if legend is not None:
        size = legend.get_window_extent(renderer)
        rows, entries = 1, len(legend.texts)
        while size.width > width - 2 * edge and rows < entries:  # too wide: one more row
            rows += 1
            legend = _legend(ax, rows)
            size = legend.get_window_extent(renderer)
        legend_top = edge + size.height
        bottom = legend_top + LEGEND_GAP_PT * pt + xtick_depth
    ax.set_position(Bbox.from_extents(left / width, bottom / height, right / width, top / height))
    if legend is not None:
        centre = min(max((left + right) / 2, edge + size.width / 2), width - edge - size.width / 2)
        legend.set_bbox_to_anchor((centre / width, legend_top / height), transform=fig.transFigure)
    # the axis labels where matplotlib would put them, placed here rather than found
    # again at every drawing: the value axis's left of the value labels, the period
    # axis's (never any text) below the Axes
    ax.yaxis.set_label_coords(-(ytick_room + ax.yaxis.labelpad * pt) / (right - left), 0.5)
    ax.xaxis.set_label_coords(0.5, 0.0)


def _text_size(renderer, text: str, prop) -> tuple[float, float, float]:
    """(width, height, descent) in pixels of one line of text, remembered per process."""
    key = (text, hash(prop), renderer.dpi)
    size = _TEXT_SIZES.get(key)
    if size is None:
        if len(_TEXT_SIZES) >= 100_000:  # a council month measures about 1,500 texts
            _TEXT_SIZES.clear()
        size = _TEXT_SIZES[key] = renderer.get_text_width_height_descent(text, prop, ismath=False)
    return size


# -- many charts: cache and parallel workers -----------------------------------------

# fewer charts than this are drawn in this process: a worker's start-up (importing matplotlib) costs more
PARALLEL_MIN = 8


def chart_key(spec: ChartSpec, dpi: int = DEFAULT_DPI) -> str:
    """The cache key: sha256 of the spec, the dpi and the code fingerprint (every file of
    the package, the templates and the drawing libraries' releases:
    :mod:`pipeline.infra.fingerprint`), so that no change to the code or a library can be
    served a picture drawn before it."""
    from pipeline.infra.fingerprint import fingerprint

    content = {"spec": dataclasses.asdict(spec), "dpi": dpi, "code": fingerprint()}
    return hashlib.sha256(json.dumps(content, sort_keys=True, allow_nan=True).encode("utf-8")).hexdigest()


class ChartCache:
    """PNG bytes by :func:`chart_key`, one file each under ``folder`` (``ab/abcdef….png``),
    written atomically. Each file is the PNG followed by a trailer that names its key and
    the sha256 of both (image viewers ignore what follows a PNG's end): a file that is
    not a whole, well-formed PNG of the chart it is looked up for (cut short, damaged,
    another chart's file under this name) is a miss and the chart is drawn again. Files
    are only ever read as bytes and checked, so nothing put into the folder runs."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.png"

    def get(self, key: str) -> bytes | None:
        from pipeline.infra.fingerprint import read_cache_file

        data = read_cache_file(self.path(key))
        if data is None or len(data) < _TRAILER_SIZE:
            return None
        png, trailer = data[:-_TRAILER_SIZE], data[-_TRAILER_SIZE:]
        if trailer != _trailer(key, png) or not well_formed_png(png):
            return None
        return png

    def put(self, key: str, data: bytes) -> bool:
        """Store; a cache that cannot be written only costs time later, never the build."""
        from pipeline.errors import OutputError
        from pipeline.infra.atomic import write_bytes

        try:
            write_bytes(self.path(key), data + _trailer(key, data))
        except (OutputError, OSError):
            return False
        return True


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TRAILER_MAGIC = b"\x00committee-chart:"  # (16 bytes) then the key (64), then sha256 (32)
_TRAILER_SIZE = len(_TRAILER_MAGIC) + 64 + 32


def _trailer(key: str, png: bytes) -> bytes:
    name = key.encode("ascii", "replace")[:64].ljust(64, b"?")
    return _TRAILER_MAGIC + name + hashlib.sha256(name + png).digest()


def well_formed_png(data: bytes) -> bool:
    """True when ``data`` is a PNG as :func:`_png` writes them: the signature, an 8-bit
    RGB header first, every chunk whole with its CRC right, image data, and nothing after
    the end chunk. (Both documents embed the bytes as they are.)"""
    import struct
    import zlib

    if not data.startswith(PNG_SIGNATURE):
        return False
    pos, first, idat = len(PNG_SIGNATURE), True, False
    while pos + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 8 + length
        if end + 4 > len(data) or zlib.crc32(data[pos + 4:end]) != struct.unpack_from(">I", data, end)[0]:
            return False
        body = data[pos + 8:end]
        if first:
            if kind != b"IHDR" or length != 13:
                return False
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
            if not (width and height) or (depth, colour, compression, filtering, interlace) != (8, 2, 0, 0, 0):
                return False
            first = False
        elif kind == b"IDAT":
            idat = True
        elif kind == b"IEND":
            return idat and length == 0 and end + 4 == len(data)
        pos = end + 4
    return False


@dataclasses.dataclass
class ChartRun:
    images: dict  # ChartSpec -> PNG bytes, in first-seen order
    drawn: int = 0  # charts rendered by matplotlib in this run
    cached: int = 0  # charts taken from the cache
    workers: int = 1  # processes that drew them


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Worker processes are forked (they start with this process's imports). Not where
    there is no fork, nor from a process running other threads (a server, a test's SMTP
    stub): a fork copies their locks in whatever state they are. Then all is done here."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def render_charts(specs: Iterable[ChartSpec], dpi: int = DEFAULT_DPI, cache_dir: str | os.PathLike | None = None,
                  workers: int | None = None) -> ChartRun:
    """Each distinct chart once: from the cache when it holds the same content, else drawn,
    on all cores when there are enough of them (``workers``: None = every core, 1 = this
    process only). The bytes are the same whichever way a chart is obtained."""
    return start_charts(specs, dpi=dpi, cache_dir=cache_dir, workers=workers).finish()


def start_charts(specs: Iterable[ChartSpec], dpi: int = DEFAULT_DPI, cache_dir: str | os.PathLike | None = None,
                 workers: int | None = None) -> ChartStream:
    """Like :func:`render_charts`, but returns while worker processes are still drawing:
    the :class:`ChartStream` gives each chart as soon as it is there, so a renderer can lay
    out and draw the first pages while the last charts are drawn."""
    distinct = list(dict.fromkeys(specs))
    cache = ChartCache(cache_dir) if cache_dir is not None else None
    found: dict[ChartSpec, bytes] = {}
    keys: dict[ChartSpec, str] = {}
    if cache is not None:
        for spec in distinct:
            keys[spec] = chart_key(spec, dpi)
            data = cache.get(keys[spec])
            if data is not None:
                found[spec] = data
    missing = [spec for spec in distinct if spec not in found]
    workers = worker_count() if workers is None else max(1, workers)
    workers = min(workers, len(missing)) if len(missing) >= PARALLEL_MIN and can_fork() else 1
    return ChartStream(distinct, found, missing, dpi, workers, cache, keys)


class ChartStream(Mapping):
    """The charts of one build, as they become available: a mapping ChartSpec -> PNG bytes
    in which looking a chart up waits until it is drawn (``in``, ``len`` and iteration never
    wait). Missing charts are drawn by worker processes in small batches, in the order they
    were first asked for (the order the documents show them), or all at once in this
    process when there are few (``workers == 1``). Drawn charts go into the cache as they
    arrive. The stream only records when the last chart came (``completed_at``) and stops
    its workers then; it calls nothing back: whoever waits for completion asks
    :meth:`poll` at a point of its own choosing (the build, between two pages of the PDF,
    to fork its DOCX writer, which is safe once the workers are gone). :meth:`finish`
    waits for all; :meth:`close` stops the workers (on an error)."""

    BATCH = 4  # charts a worker draws per task: small, so the first pages need not wait long

    def __init__(self, distinct, found, missing, dpi, workers, cache, keys):
        self._order = distinct
        self._specs = frozenset(distinct)
        self._images: dict[ChartSpec, bytes] = dict(found)
        self._cache, self._keys = cache, keys
        self.cached, self.drawn, self.workers = len(found), len(missing), workers
        self.completed_at: float | None = None  # time.perf_counter() when the last chart was there
        self._pool = None
        self._batches: list[tuple[list[ChartSpec], object]] = []  # (specs, future), in order
        if workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from pipeline.infra.interrupts import quiet_worker

            # (a Ctrl-C reaches every process of the terminal's group: the workers end
            # silently, this process reports the interrupt)
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=quiet_worker)
            for start in range(0, len(missing), self.BATCH):
                batch = missing[start:start + self.BATCH]
                self._batches.append((batch, self._pool.submit(_draw_batch, batch, dpi)))
        else:
            for spec in missing:
                self._store(spec, render_png(spec, dpi=dpi))
        self._collected = 0  # batches whose charts are stored
        if not self._batches:
            self._complete()

    # -- the mapping ------------------------------------------------------------
    def __getitem__(self, spec: ChartSpec) -> bytes:
        data = self._images.get(spec)
        if data is None:
            if spec not in self._specs:
                raise KeyError(spec)
            while spec not in self._images:
                self._collect(self._collected)  # in order: earlier batches are needed first anyway
            data = self._images[spec]
        self._collect_done()
        return data

    def __contains__(self, spec) -> bool:
        return spec in self._specs

    def __iter__(self):
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    # -- drawing ----------------------------------------------------------------
    def poll(self) -> bool:
        """Take the batches already drawn, never waiting; True once every chart is there
        (and the worker pool, with its threads, is gone)."""
        self._collect_done()
        return self.completed_at is not None

    def finish(self) -> ChartRun:
        """Wait for every chart; the run in first-seen order."""
        while self._collected < len(self._batches):
            self._collect(self._collected)
        return ChartRun({spec: self._images[spec] for spec in self._order}, drawn=self.drawn, cached=self.cached,
                        workers=self.workers)

    def close(self, wait: bool = True) -> None:
        """Shut the worker pool. ``wait=False`` when the build is being given up (an error, an
        interrupt): a worker that a Ctrl-C ended mid-batch can leave the pool's manager thread
        waiting on it, and joining that thread would hang this process instead of ending it."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=wait, cancel_futures=True)

    def _collect(self, index: int) -> None:
        batch, future = self._batches[index]
        try:
            pictures = future.result()
        except BaseException as exc:
            # an interrupt may have ended a worker mid-batch: never wait on the pool then.
            # (An error in a drawing leaves healthy workers: wait for them to go, so that the
            # next build in this process finds no stray thread and may fork its own.)
            self.close(wait=not isinstance(exc, KeyboardInterrupt))
            raise
        for spec, data in zip(batch, pictures):
            self._store(spec, data)
        self._collected = index + 1
        if self._collected == len(self._batches):
            self._complete()

    def _collect_done(self) -> None:
        """Take the batches that are already drawn (never waits), so that completion is
        noticed as soon as it happens, not when the last chart is looked up."""
        while self._collected < len(self._batches):
            future = self._batches[self._collected][1]
            if not future.done() or future.exception() is not None:
                return  # (a batch that failed raises when one of its charts, or all, is asked for)
            self._collect(self._collected)

    def _store(self, spec: ChartSpec, data: bytes) -> None:
        self._images[spec] = data
        if self._cache is not None:
            self._cache.put(self._keys[spec], data)

    def _complete(self) -> None:
        import time

        self.close()
        self.completed_at = time.perf_counter()


def _draw_batch(specs: list[ChartSpec], dpi: int) -> list[bytes]:
    return [render_png(spec, dpi=dpi) for spec in specs]


def _fit_title(ax, title: str, room: float, renderer):
    """The title on as many lines as it needs to stay within ``room`` pixels (a long
    title was cut off at the right edge), never shrunk below 7.5 pt. Returns its extent."""
    import textwrap

    size = ax.title.get_fontsize()
    chars = len(title)
    while True:
        # y given: the title sits at the Axes' top, matplotlib need not search for room
        text = ax.set_title(textwrap.fill(title, chars, break_long_words=False), loc="left", fontsize=size, y=1.0)
        extent = text.get_window_extent(renderer)
        if extent.width <= room:
            return extent
        if chars > 30:
            chars = int(chars * 0.9)
        elif size > 7.5:
            size -= 0.5
        else:
            return extent


def render_all(specs: Iterable[ChartSpec], dpi: int = DEFAULT_DPI, cache_dir: str | os.PathLike | None = None,
               workers: int | None = None) -> dict[ChartSpec, bytes]:
    """Each distinct chart once, in first-seen order (see :func:`render_charts`)."""
    return render_charts(specs, dpi=dpi, cache_dir=cache_dir, workers=workers).images
