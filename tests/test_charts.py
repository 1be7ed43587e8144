"""Charts: pure, deterministic PNGs of the spec; alt text from the data."""
from __future__ import annotations

import io

import pytest

from pipeline.alt_text import chart_alt_text
from pipeline.charts import axis_decimals, render_all, render_png
from pipeline.document import ChartSpec, Series

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

    from pipeline.charts import HEIGHT_MM, WIDTH_MM

    img = Image.open(io.BytesIO(render_png(SPEC, dpi=100)))
    width, height = img.size
    assert abs(width - WIDTH_MM / 25.4 * 100) <= 1 and abs(height - HEIGHT_MM / 25.4 * 100) <= 1


def test_png_drawn_at_the_indicator_pages_chart_size():
    """The picture is drawn for the chart column beside the data notes: same aspect as the
    model's Figure, and at 200 dpi at least as many pixels as the page shows."""
    from PIL import Image

    from pipeline.assemble_common import FIGURE_HEIGHT_MM, FIGURE_WIDTH_MM

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

    img = np.asarray(Image.open(io.BytesIO(render_png(ChartSpec(title, SPEC.periods, SPEC.series, "rate", 2)))).convert("L"))
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
    from pipeline import charts

    spec = ChartSpec("People", ("Sep-12", "Oct-12"), (Series("Placements", (1230.0, 1285.0)),), "count", 0)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, ax = plt.subplots()
    try:
        charts._draw(ax, spec, FuncFormatter, MaxNLocator)
        labels = [ax.yaxis.get_major_formatter()(t, 0) for t in ax.get_yticks()]
    finally:
        plt.close(fig)
    assert labels and all("," in label for label in labels)  # 1,249 as the seeds write it
    assert "1,230" in labels


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


def test_png_is_opaque_rgb_with_its_resolution():
    from PIL import Image

    data = render_png(SPEC, dpi=150)
    img = Image.open(io.BytesIO(data))
    img.load()  # the whole stream decodes (CRCs, zlib)
    assert img.mode == "RGB" and img.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # (whole pixels a metre)
    assert set(img.info) == {"dpi"}  # no text chunks
