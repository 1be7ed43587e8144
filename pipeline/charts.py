"""Charts of the indicator pages, drawn by matplotlib (Agg) from a :class:`ChartSpec` alone.

Rendering is a pure function of the spec: the same spec gives the same PNG bytes (fixed
font from ``pipeline/fonts``, no timestamps or software name in the PNG), so a build
draws each distinct chart once and the DOCX and the PDF embed the very same picture.

Reading the chart without colour: the actual is a solid line with round markers, the
target dashed, the minimum standard dotted, comparators dash-dot with square markers,
and the expected range of an activity indicator a hatched band. The colours are the
Okabe-Ito palette (safe for the common colour-vision deficiencies) chosen so that the
lines also differ in greyscale lightness.
"""
from __future__ import annotations

import io
import threading
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from pipeline.document import ChartSpec, Series
from pipeline.figures import format_figure

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FAMILY = "Liberation Sans"

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
BAND_COLOUR = "#BBBBBB"

_lock = threading.Lock()  # pyplot's state is global; one figure at a time per process
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
        if all(abs(Decimal(repr(float(t))) - Decimal(repr(float(t))).quantize(quantum)) < Decimal("1e-9") for t in ticks):
            return places
    return decimals + 1


def _style(series: Series, comparator_index: int):
    colour, ls, marker, lw, z = STYLE[series.role]
    if series.role == "comparator" and comparator_index > 0:
        colour, ls, marker = COMPARATOR_EXTRA[(comparator_index - 1) % len(COMPARATOR_EXTRA)]
    return colour, ls, marker, lw, z


# the chart column of an indicator page (assemble_common.FIGURE_WIDTH_MM / FIGURE_HEIGHT_MM)
WIDTH_MM, HEIGHT_MM = 150.0, 54.0


def render_png(spec: ChartSpec, dpi: int = 200, width_mm: float = WIDTH_MM, height_mm: float = HEIGHT_MM) -> bytes:
    """One chart as PNG bytes; identical bytes for an identical spec."""
    with _lock:
        _setup()
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        rc = {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT_FAMILY],
            "font.size": 8,
            "axes.titlesize": 9,
            "axes.titleweight": "bold",
            "svg.hashsalt": "committee",
            "path.simplify": False,
        }
        with plt.rc_context(rc):
            fig, ax = plt.subplots(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=dpi)
            try:
                _draw(ax, spec, FuncFormatter, MaxNLocator)
                fig.tight_layout(pad=0.6)
                out = io.BytesIO()
                fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None},
                            facecolor="white", pil_kwargs={"optimize": False})
            finally:
                plt.close(fig)
    return out.getvalue()


def _draw(ax, spec: ChartSpec, FuncFormatter, MaxNLocator):
    x = list(range(len(spec.periods)))
    if spec.band_lower is not None or spec.band_upper is not None:
        lower = [v if v is not None else float("nan") for v in (spec.band_lower or [None] * len(x))]
        upper = [v if v is not None else float("nan") for v in (spec.band_upper or [None] * len(x))]
        ax.fill_between(x, lower, upper, color=BAND_COLOUR, alpha=0.45, hatch="//", edgecolor="#777777",
                        linewidth=0.0, label="Expected range", zorder=1)
    comparators = 0
    for series in spec.series:
        colour, ls, marker, lw, z = _style(series, comparators)
        if series.role == "comparator":
            comparators += 1
        ys = [v if v is not None else float("nan") for v in series.values]
        if spec.kind == "bar" and series.role == "actual":
            ax.bar(x, [0 if v != v else v for v in ys], color=colour, label=series.name, zorder=z, width=0.6)
            continue
        # isolated points (neighbours missing) still show, thanks to the marker
        ax.plot(x, ys, color=colour, linestyle=ls, marker=marker or "", markersize=4 if marker else 0,
                linewidth=lw, label=series.name, zorder=z)
    ax.set_xticks(x)
    ax.set_xticklabels(spec.periods, fontsize=7)
    ax.set_xlim(-0.5, len(x) - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=spec.decimals == 0 and spec.unit != "percent"))
    ax.autoscale_view()
    low, high = ax.get_ylim()
    ticks = [float(t) for t in ax.yaxis.get_major_locator()() if low - 1e-9 <= t <= high + 1e-9]
    ax.set_yticks(ticks)  # fixed, so the labels chosen below fit them whatever the layout
    ax.set_ylim(low, high)
    places = axis_decimals(ticks, spec.decimals)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_figure(float(v), spec.unit, places)))
    _fit_title(ax, spec.title)
    if spec.y_label:
        ax.set_ylabel(spec.y_label)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(len(handles), 5),
                  frameon=False, fontsize=7, handlelength=3)


def _fit_title(ax, title: str) -> None:
    """The title on as many lines as it needs to stay inside the picture (a long title
    was cut off at the right edge), never shrunk below 7.5 pt."""
    import textwrap

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    room = fig.bbox.width - 16 / 25.4 * fig.dpi  # the axis labels take the left ~16 mm
    size = ax.title.get_fontsize()
    chars = len(title)
    while True:
        text = ax.set_title(textwrap.fill(title, chars, break_long_words=False), loc="left", fontsize=size)
        if text.get_window_extent(renderer).width <= room:
            return
        if chars > 30:
            chars = int(chars * 0.9)
        elif size > 7.5:
            size -= 0.5
        else:
            return


def render_all(specs: Iterable[ChartSpec], dpi: int = 200) -> dict[ChartSpec, bytes]:
    """Each distinct chart once, in first-seen order."""
    images: dict[ChartSpec, bytes] = {}
    for spec in specs:
        if spec not in images:
            images[spec] = render_png(spec, dpi=dpi)
    return images
