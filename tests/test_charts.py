"""Charts: pure, deterministic PNGs of the spec; alt text from the data."""
from __future__ import annotations

import io
import itertools

import pytest

from pipeline.charts import glyphs as chart_glyphs
from pipeline.charts.draw import axis_decimals, drawn_series, nice_ticks, render_all, render_png
from pipeline.document.alt_text import chart_alt_text
from pipeline.document.model import ChartSpec, Series

SPEC = ChartSpec(
    title="Delayed Transfer of Care",
    periods=("Jun-13", "Jul-13", "Aug-13"),
    series=(Series("Delayed per 1000", (5.93, 5.92, 5.84)), Series("Target", (5.4, 5.4, 5.4), "target")),
    unit="rate",
    decimals=2,
)


def test_png_is_deterministic_and_metadata_free():
    a, b = render_png(SPEC), render_png(SPEC)
    assert a == b
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"matplotlib" not in a.lower() and b"Software" not in a


def test_png_size_follows_dpi():
    from PIL import Image

    from pipeline.charts.draw import HEIGHT_MM, WIDTH_MM

    img = Image.open(io.BytesIO(render_png(SPEC, dpi=100)))
    width, height = img.size
    assert abs(width - WIDTH_MM / 25.4 * 100) <= 1 and abs(height - HEIGHT_MM / 25.4 * 100) <= 1


def test_png_drawn_at_the_indicator_pages_chart_size():
    """The picture is drawn for the chart column beside the data notes: same aspect as the
    model's Figure, and at 200 dpi at least as many pixels as the page shows."""
    from PIL import Image

    from pipeline.document.common import FIGURE_HEIGHT_MM, FIGURE_WIDTH_MM

    width, height = Image.open(io.BytesIO(render_png(SPEC))).size
    assert width / height == pytest.approx(FIGURE_WIDTH_MM / FIGURE_HEIGHT_MM, rel=0.01)
    assert width >= FIGURE_WIDTH_MM / 25.4 * 195


@pytest.mark.parametrize("title", [
    "Child protection plans lasting two or more years at de-registration (year to date)",
    "Percentage of adult social care clients with community based services who receive a personal budget "
    "and/or a direct payment (rolling 12 months, snapshot at the end of each month)",
])
def test_long_titles_are_wrapped_never_cut_off(title):
    """Nothing drawn touches the picture's right edge (a long title used to run off it)."""
    import numpy as np
    from PIL import Image

    png = render_png(ChartSpec(title, SPEC.periods, SPEC.series, "rate", 2))
    img = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    assert (img[:, -3:] > 250).all()
    top_rows = img[: img.shape[0] // 4]
    assert (top_rows < 128).any(axis=0).sum() > img.shape[1] // 3  # the title is there, not dropped


def test_render_all_draws_each_distinct_chart_once():
    other = ChartSpec("Other", SPEC.periods, SPEC.series, "rate", 2)
    images = render_all([SPEC, other, SPEC])
    assert list(images) == [SPEC, other]
    assert images[SPEC] == render_png(SPEC)


def test_band_gaps_and_comparators_draw():
    spec = ChartSpec("Referrals", ("Mar-13", "Jun-13", "Sep-13"),
                     (Series("Actual", (4100.0, None, 5200.0)), Series("Stat. N.", (4000.0, None, None), "comparator"),
                      Series("England", (3900.0, 3950.0, None), "comparator")),
                     "count", 0, band_lower=(3000.0, 3000.0, 3000.0), band_upper=(6000.0, 6000.0, None))
    assert render_png(spec)[:4] == b"\x89PNG"


@pytest.mark.parametrize("ticks, decimals, expected", [
    ([70, 72, 74], 0, 0),
    ([5.4, 5.6, 5.8], 2, 1),
    ([1230, 1240], 0, 0),
    ([0.25, 0.5], 0, 1),  # never two equal labels: one place beyond the indicator's at most
])
def test_axis_decimals(ticks, decimals, expected):
    assert axis_decimals(ticks, decimals) == expected


def test_axis_labels_use_the_unit():
    import matplotlib

    matplotlib.use("Agg")
    from pipeline.charts import draw as charts

    spec = ChartSpec("People", ("Sep-12", "Oct-12"), (Series("Placements", (1230.0, 1285.0)),), "count", 0)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots()
    try:
        charts._draw(ax, spec, FuncFormatter)
        labels = [ax.yaxis.get_major_formatter()(t, 0) for t in ax.get_yticks()]
    finally:
        plt.close(fig)
    assert labels and all("," in label for label in labels)  # 1,249 as the seeds write it
    assert labels[0] == "1,220" and labels[-1] == "1,300"   # every value inside, in round steps


def test_alt_text_says_what_the_chart_shows():
    text = chart_alt_text(SPEC, "rated AMBER")
    assert text == ("Line chart of Delayed Transfer of Care, Jun-13 to Aug-13, against target (dashed). "
                    "Jun-13: 5.93 (target 5.40). Aug-13: 5.84 (target 5.40), rated AMBER.")


def test_alt_text_never_empty():
    empty = ChartSpec("Nothing yet", ("Apr-13",), (Series("Actual", (None,)),), "percent", 1)
    text = chart_alt_text(empty, "not rated")
    assert "Nothing yet" in text and "No values" in text and text.endswith("Not rated.")


def test_alt_text_expected_range():
    spec = ChartSpec("Contacts", ("Aug-13", "Sep-13"), (Series("Actual", (1000.0, 1100.0)),), "count", 0,
                     band_lower=(900.0, 900.0), band_upper=(1200.0, 1200.0))
    assert chart_alt_text(spec, "within the expected range").endswith(
        "Sep-13: 1,100 (expected range 900 to 1,200), within the expected range.")


# -- how the picture is made: layout, drawing, the PNG --------------------------------

P13 = ("Sep-12", "Oct-12", "Nov-12", "Dec-12", "Jan-13", "Feb-13", "Mar-13", "Apr-13", "May-13", "Jun-13", "Jul-13",
       "Aug-13", "Sep-13")
VARIED = [
    SPEC,
    ChartSpec("Rate of people helped to live at home per 10,000 population", P13,  # (from the council month)
              (Series("Actual", (47.9, 46.6, 47.0, 48.3, 49.6, 48.8, 49.3, 45.9, 46.6, 45.5, 47.4, 47.6, 48.8)),
               Series("Target", (50.0, 45.0, 45.5, 45.9, 46.4, 46.8, 47.2, 47.7, 48.2, 48.6, 49.1, 49.5, 50.0),
                      "target"),
               Series("Minimum standard (lower)",
                      (54.0, 48.6, 49.1, 49.6, 50.1, 50.5, 51.0, 51.5, 52.1, 52.5, 53.0, 53.5, 54.0), "floor"),
               Series("Minimum standard (upper)",
                      (46.0, 41.4, 41.9, 42.2, 42.7, 43.1, 43.4, 43.9, 44.3, 44.7, 45.2, 45.5, 46.0), "floor"),
               Series("Statistical neighbours",
                      (42.3, 44.4, 48.1, 46.1, 42.6, 41.1, 49.2, 44.7, 44.8, 44.0, 47.7, 46.3, 48.2), "comparator"),
               Series("England", (None, 42.3, None, None, None, 47.2, None, None, None, 43.2, None, 43.8, 44.5),
                      "comparator")), "rate", 1),
    ChartSpec("Net budget variance by month (negative is an underspend)", P13,
              (Series("Variance", (-120000.0, -80500.0, 15000.0, 42000.0, -5000.0, None, 98000.0, -150250.0, 0.0,
                                   12000.0, 30000.0, -64000.0, 1234567.0)),), "currency", 0, kind="bar"),
    ChartSpec("Spend on agency social workers", P13,
              (Series("Actual", tuple(1000000.0 + 20000 * i for i in range(13))),
               Series("Budget", (1234567.0,) * 13, "target")), "currency", 0, y_label="£ per month"),
    ChartSpec("Net change in looked-after children (activity indicator)", P13,
              (Series("Actual", (-12.0, -5.0, 3.0, 8.0, -2.0, -15.0, 4.0, 6.0, None, -1.0, 2.0, 9.0, -7.0)),),
              "number", 0, band_lower=(-10.0,) * 13, band_upper=(8.0,) * 13),
    ChartSpec("Percentage of adult social care clients with community based services who receive a personal budget "
              "and/or a direct payment (rolling 12 months, snapshot at the end of each month)", P13,
              (Series("Actual", (98.5, 99.0, 99.2, 100.0, 99.9, 99.1, 98.0, None, 97.5, 99.0, 100.0, 100.0, 99.5)),
               Series("Target", (100.0,) * 13, "target"), Series("Minimum standard (lower)", (95.0,) * 13, "floor"),
               Series("Minimum standard (upper)", (99.9,) * 13, "floor"),
               Series("Statistical neighbours average (CIPFA nearest 15)", (97.0,) * 13, "comparator"),
               Series("England average (DfE published)", (96.0,) * 13, "comparator")), "percent", 1),
    ChartSpec("Referrals", ("Mar-13", "Jun-13", "Sep-13"),
              (Series("Actual", (4100.0, None, 5200.0)), Series("England", (3900.0, 3950.0, None), "comparator")),
              "count", 0),
]


def test_same_picture_whatever_was_drawn_before(monkeypatch):
    """One Figure is reused from chart to chart: a chart drawn after others (in either
    order) is the very picture drawn on a new Figure. (The council month's rate chart
    came out with a few pixels different when its texts were measured where the last
    chart had left the plot: a text's extent there differed in the last bit.)"""
    from pipeline.charts import draw as charts

    fresh = {}
    for spec in VARIED:
        monkeypatch.setattr(charts, "_AXES", {})
        fresh[spec] = render_png(spec)
    for order in (VARIED, VARIED[::-1]):
        for spec in order:
            assert render_png(spec) == fresh[spec], spec.title


def test_text_drawn_as_matplotlib_draws_it(monkeypatch):
    """The glyph cache only saves time: the pixels are those of matplotlib's own Agg."""
    from matplotlib import ft2font
    from matplotlib.backends import backend_agg

    from pipeline.charts import draw as charts

    assert chart_glyphs._glyph_cache_supported(backend_agg, ft2font)  # the matplotlib installed here has it
    assert chart_glyphs.canvas_class() is not backend_agg.FigureCanvasAgg

    cached = [render_png(spec) for spec in VARIED]
    charts._setup()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    monkeypatch.setattr(charts, "_AXES", {})
    monkeypatch.setattr(chart_glyphs, "canvas_class", lambda: FigureCanvasAgg)
    assert [render_png(spec) for spec in VARIED] == cached


def _laid_out(spec: ChartSpec):
    """The Axes of a chart drawn and laid out as render_png does it, on a new Figure."""
    import matplotlib

    from pipeline.charts import draw as charts

    charts._setup()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    with matplotlib.rc_context(charts._RC):
        fig = Figure(figsize=(charts.WIDTH_MM / 25.4, charts.HEIGHT_MM / 25.4), dpi=charts.DEFAULT_DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        charts._draw(ax, spec, FuncFormatter)
        charts._layout(ax, spec)
        fig.canvas.draw()
    return ax


@pytest.mark.parametrize("spec", VARIED, ids=lambda spec: spec.title[:24])
def test_nothing_cut_off_or_overlapping(spec):
    """Title, value labels, period labels and the legend all inside the picture (with a
    margin); the title above the plot, the legend below the period labels (the legend of
    six series with long names was cut off at both sides, and squeezed the plot)."""
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(render_png(spec))).convert("L"))
    assert (img[:, :3] > 250).all() and (img[:, -3:] > 250).all()
    assert (img[:3] > 250).all() and (img[-3:] > 250).all()
    ax = _laid_out(spec)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    inside = fig.bbox.padded(-1)
    plot = ax.get_window_extent(renderer)
    title = ax._left_title.get_window_extent(renderer)
    assert title.x0 >= inside.x0 and title.x1 <= inside.x1 and title.y1 <= inside.y1 and title.y0 >= plot.y1
    for tick in ax.yaxis.get_major_ticks(len(ax.get_yticks())):
        label = tick.label1.get_window_extent(renderer)
        assert label.x0 >= inside.x0 and label.x1 <= plot.x0
    labels = [tick.label1.get_window_extent(renderer) for tick in ax.xaxis.get_major_ticks(len(spec.periods))]
    assert all(a.x1 < b.x0 for a, b in itertools.pairwise(labels))  # period labels never overlap
    assert labels[0].x0 >= inside.x0 and labels[-1].x1 <= inside.x1
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= inside.x0 and legend.x1 <= inside.x1 and legend.y0 >= inside.y0
    assert legend.y1 <= min(label.y0 for label in labels)
    if spec.y_label:
        ylabel = ax.yaxis.label.get_window_extent(renderer)
        assert ylabel.x0 >= inside.x0 and ylabel.x1 <= plot.x0


def test_png_is_opaque_rgb_with_its_resolution():
    from PIL import Image

    data = render_png(SPEC, dpi=150)
    img = Image.open(io.BytesIO(data))
    img.load()  # the whole stream decodes (CRCs, zlib)
    assert img.mode == "RGB" and img.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # (whole pixels a metre)
    assert set(img.info) == {"dpi"}  # no text chunks


def test_a_matplotlib_without_the_internals_gets_its_own_canvas(monkeypatch):
    """If a future matplotlib renames the Agg internals the glyph cache uses, charts are
    drawn by matplotlib's own canvas (slower, the same pixels), never an AttributeError."""
    from matplotlib.backends import backend_agg

    monkeypatch.delattr(backend_agg.RendererAgg, "_draw_text_glyphs_and_boxes")
    chart_glyphs.canvas_class.cache_clear()
    try:
        assert chart_glyphs.canvas_class() is backend_agg.FigureCanvasAgg
    finally:
        chart_glyphs.canvas_class.cache_clear()


def _is_nice(step: float) -> bool:
    from decimal import Decimal

    d = Decimal(repr(step)).normalize()
    mantissa = d.scaleb(-d.adjusted())
    return mantissa in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


@pytest.mark.parametrize("values, decimals, expected", [
    # ASC08: Nov-12's 99 sat on the bottom edge and the top tick stopped below 173
    ([137, 151, 99, 132, 173, 127, 120, 145, 130, 160, 143], 0, (80, 100, 120, 140, 160, 180)),
    ([75.8, 90.0, 81.6], 1, (75, 80, 85, 90)),   # SCS02: the target on the top tick
    ([5.93, 5.84, 5.4], 2, (5.4, 5.6, 5.8, 6.0)),
    ([100, 100], 0, (90, 95, 100, 105, 110)),   # one value: room either side
    ([80], 0, (70, 75, 80, 85, 90)),
    ([0, 0], 1, (-0.1, 0, 0.1)),
    ([None, None], 0, (0, 1)),                   # nothing plotted
    ([], 1, (0, 0.2, 0.4, 0.6, 0.8, 1)),
    ([1, 2], 0, (1, 2)),                         # counts: never a step of 0.5
    ([1, 3], 0, (1, 2, 3)),
    ([0.1, 0.4], 1, (0.1, 0.2, 0.3, 0.4)),
    ([-3, 7], 0, (-5, 0, 5, 10)),
])
def test_nice_ticks(values, decimals, expected):
    assert nice_ticks(values, decimals) == tuple(float(t) for t in expected)


@pytest.mark.parametrize("values, decimals", [
    ([1249, 1260, 1150], 0), ([47.6, 40, 46, 60], 1), ([0.001, 0.002], 3), ([12402, 10612], 0),
    ([99.99, 100.0], 2), ([-0.5, 0.6], 1), ([1e6, 1.5e6], 0), ([3.14159], 2), ([61, 80, 65, 73], 0),
])
def test_nice_ticks_contain_every_value_in_round_steps(values, decimals):
    ticks = nice_ticks(values, decimals)
    assert ticks[0] <= min(values) and ticks[-1] >= max(values)   # a tick at or beyond each end
    assert 2 <= len(ticks) <= 6
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and _is_nice(steps.pop())
    step = ticks[1] - ticks[0]
    if min(values) != max(values):   # (a single value is given room either side)
        assert ticks[0] > min(values) - step and ticks[-1] < max(values) + step  # no empty step
    assert step >= 10 ** -decimals - 1e-12


def test_bar_axis_starts_at_zero():
    assert nice_ticks([1230, 1285], 0, include_zero=True)[0] == 0
    assert nice_ticks([-5, -2], 0, include_zero=True)[-1] == 0


def test_a_series_under_another_is_neither_drawn_nor_in_the_key():
    """SCS02: the minimum standard, where it is set, equals the target."""
    target = Series("Target", (90.0, 90.0, 90.0, 90.0), "target")
    floor = Series("Minimum standard", (None, None, 90.0, 90.0), "floor")
    below = Series("Minimum standard", (None, None, 90.0, 89.0), "floor")
    actual = Series("Actual", (81.6, 86.5, 82.0, 75.8))
    spec = ChartSpec("Posts", ("a", "b", "c", "d"), (actual, target, floor), "percent", 1)
    assert drawn_series(spec) == [actual, target]
    spec2 = ChartSpec("Posts", ("a", "b", "c", "d"), (actual, target, below), "percent", 1)
    assert drawn_series(spec2) == [actual, target, below]   # one point differs: it shows
    ax = _laid_out(spec)
    assert [t.get_text() for t in ax.get_legend().texts] == ["Actual", "Target"]
    assert len(ax.lines) == 2


def test_every_point_inside_the_axis_with_a_unit_label():
    spec = ChartSpec("Admissions", tuple(f"p{i}" for i in range(4)),
                     (Series("Admissions", (137.0, 99.0, 173.0, 120.0)),), "count", 0, y_label="Number")
    ax = _laid_out(spec)
    low, high = ax.get_ylim()
    assert low <= 99 and high >= 173
    assert low == ax.get_yticks()[0] and high == ax.get_yticks()[-1]
    assert ax.yaxis.label.get_text() == "Number"


def test_alt_text_of_a_floor_hidden_under_the_target():
    actual = Series("Actual", (81.6, 75.8))
    target = Series("Target", (90.0, 90.0), "target")
    same = ChartSpec("Posts", ("a", "b"), (actual, target, Series("Minimum standard", (None, 90.0), "floor")),
                     "percent", 1)
    below = ChartSpec("Posts", ("a", "b"), (actual, target, Series("Minimum standard", (None, 85.0), "floor")),
                      "percent", 1)
    assert "minimum standard equal to the target" in chart_alt_text(same)
    assert "dotted" not in chart_alt_text(same)
    assert "minimum standard (dotted)" in chart_alt_text(below)
