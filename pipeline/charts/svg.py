"""The charts as SVG, for the HTML edition: the same drawing as the PNGs (pipeline.charts.draw's
axes, series, ticks, layout and legend, at the same size), saved by matplotlib's SVG backend.

Kept apart from draw.py, which only gains nothing: a change to the drawing (a threshold
line, the SPC limits) reaches both pictures because both call the same ``_draw`` and
``_layout``.

Reproducible: ``svg.hashsalt`` is fixed (matplotlib otherwise salts its clip-path and
pattern ids with a random number) and the metadata's date left out, so the same spec gives
the same text. Text stays text (``svg.fonttype = "none"``): the page embeds the house face
the chart is drawn with, so the browser draws the very glyphs the PNG shows, while the
chart stays small (a path per glyph would make each chart several times larger), sharp at
any zoom and its words findable in the page. (Outside a page that has the face, a viewer
would fall back to another sans-serif: the SVG is made for the HTML edition only.)

Cache: beside the PNGs (``<cache>/<key[:2]>/<key>.svg``), keyed by ``chart_key`` (the spec, the
code fingerprint) with a format tag, each file checked by the sha256 it carries: a damaged
or foreign file is a miss, never an error, and is never executed.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from pipeline.charts import draw
from pipeline.document.model import ChartSpec

HASH_SALT = "committee-pipeline"  # any fixed text: ids are then the same in every build
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": HASH_SALT, "svg.image_inline": True}
_HEADER = "<!-- committee-chart-svg "  # then the sha256 of what follows the header line, then " -->\n"


def render_svg(spec: ChartSpec, width_mm: float = draw.WIDTH_MM, height_mm: float = draw.HEIGHT_MM) -> str:
    """One chart as SVG text; identical text for an identical spec. Laid out at the PNGs'
    resolution (the layout measures its texts in pixels), so the two pictures match."""
    import io

    with draw._lock:
        draw._setup()
        import matplotlib
        from matplotlib.ticker import FuncFormatter

        with matplotlib.rc_context({**draw._RC, **SVG_RC}):
            ax = draw._axes(width_mm, height_mm, draw.DEFAULT_DPI)
            draw._draw(ax, spec, FuncFormatter)
            draw._layout(ax, spec)
            out = io.StringIO()
            ax.figure.savefig(out, format="svg", dpi=draw.DEFAULT_DPI, facecolor="white",
                              metadata={"Date": None, "Creator": None})
    return out.getvalue()


def svg_key(spec: ChartSpec) -> str:
    return hashlib.sha256(("svg:" + draw.chart_key(spec)).encode("ascii")).hexdigest()


class SvgCache:
    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.svg"

    def get(self, key: str) -> str | None:
        from pipeline.infra.fingerprint import read_cache_file

        data = read_cache_file(self.path(key))
        if data is None:
            return None
        head, _, body = data.partition(b"\n")
        expected = f"{_HEADER}{hashlib.sha256(key.encode('ascii') + body).hexdigest()} -->".encode("ascii")
        if head != expected:
            return None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def put(self, key: str, svg: str) -> bool:
        from pipeline.errors import OutputError
        from pipeline.infra.atomic import write_bytes

        body = svg.encode("utf-8")
        head = f"{_HEADER}{hashlib.sha256(key.encode('ascii') + body).hexdigest()} -->\n".encode("ascii")
        try:
            write_bytes(self.path(key), head + body)
        except (OutputError, OSError):
            return False
        return True


def render_svgs(specs: Iterable[ChartSpec], cache_dir: str | os.PathLike | None = None) -> tuple[dict, int]:
    """Each distinct chart's SVG, in first-seen order, from the cache or drawn here;
    (the pictures, how many were drawn)."""
    cache = SvgCache(cache_dir) if cache_dir is not None else None
    out: dict[ChartSpec, str] = {}
    drawn = 0
    for spec in dict.fromkeys(specs):
        key = svg_key(spec) if cache is not None else ""
        svg = cache.get(key) if cache is not None else None
        if svg is None:
            svg = render_svg(spec)
            drawn += 1
            if cache is not None:
                cache.put(key, svg)
        out[spec] = svg
    return out, drawn
