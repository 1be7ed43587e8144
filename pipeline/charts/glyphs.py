"""Text for the charts, drawn from a per-process cache of glyph bitmaps and text layouts.

matplotlib's Agg renders every glyph of every text through FreeType (load and hint the
outline, render its coverage), and shapes every text again: most of what a chart's text
cost. :func:`canvas_class` gives the charts (``pipeline.charts.draw``) an Agg canvas whose
renderer renders each glyph once per process and composites it exactly where matplotlib
would: the same pixels (tested against matplotlib's own canvas).
"""
from __future__ import annotations

import functools
import os

# Per-process caches of text drawing (see canvas_class); each is emptied when it reaches
# TEXT_CACHE_LIMIT entries (a council month fills about 2,500 glyphs and 1,500 texts).
_GLYPHS: dict = {}  # (font, size, dpi, glyph, hinting, rotation, fraction of a pixel) -> coverage bitmap
_LAYOUTS: dict = {}  # (text, font properties, dpi, ...) -> its glyphs and their offsets
_GLYPH_FONTS: dict = {}  # id -> FT2Font, kept alive so that an id in the keys above is never reused
TEXT_CACHE_LIMIT = 100_000


def _forget_fonts() -> None:
    """In a forked worker: FreeType fonts cannot be used across a fork (matplotlib forgets
    its own then), so neither the fonts kept here nor anything found with them (glyphs
    keyed by a font's id, layouts) are used again; the worker makes its own."""
    for cache in (_GLYPHS, _LAYOUTS, _GLYPH_FONTS):
        cache.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_fonts)


def _glyph_cache_supported(backend_agg, ft2font) -> bool:
    """Whether this matplotlib has the Agg internals the glyph cache draws through."""
    return (hasattr(backend_agg.RendererAgg, "_draw_text_glyphs_and_boxes")
            and hasattr(backend_agg.RendererAgg, "_prepare_font")
            and hasattr(ft2font, "RenderMode")
            and all(hasattr(ft2font.FT2Font, name) for name in ("_layout", "_set_transform", "_render_glyph")))


@functools.lru_cache(maxsize=1)
def canvas_class():
    """matplotlib's Agg canvas, whose renderer takes each glyph of text from a cache.

    Agg renders every glyph of every text through FreeType (hinted outline, then coverage
    bitmap), placed to 1/64 pixel; that was most of the drawing time. The coverage bitmap
    only depends on the font, size, glyph, transform and the position's fraction of a
    pixel (a whole-pixel shift moves the bitmap, nothing else), so each is rendered once
    per process and then composited exactly where matplotlib would: the same pixels.

    It relies on internals of matplotlib's Agg backend (3.11: ``RendererAgg.
    _draw_text_glyphs_and_boxes``, ``FT2Font._layout``, ``_set_transform``,
    ``_render_glyph``, ``ft2font.RenderMode``). A matplotlib without them gets its own
    canvas: slower, the same pixels."""
    import math

    import numpy as np
    from matplotlib import ft2font
    from matplotlib.backends import backend_agg

    if not _glyph_cache_supported(backend_agg, ft2font):
        return backend_agg.FigureCanvasAgg
    RenderMode = ft2font.RenderMode

    class Renderer(backend_agg.RendererAgg):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath:
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            flags = backend_agg.get_hinting_flag()
            features = mtext.get_fontfeatures() if mtext is not None else None
            language = mtext.get_language() if mtext is not None else None
            # (matplotlib's own text caches also take FontProperties as equal when their hashes are)
            key = (s, hash(prop), self.dpi, flags, features, language)
            items = _LAYOUTS.get(key)
            if items is None:
                if len(_LAYOUTS) >= TEXT_CACHE_LIMIT:
                    _LAYOUTS.clear()
                font = self._prepare_font(prop)
                items = _LAYOUTS[key] = [(item.ft_object, item.glyph_index, item.x, item.y)
                                         for item in font._layout(s, flags=flags, features=features,
                                                                  language=language)]
                for item in items:
                    _GLYPH_FONTS[id(item[0])] = item[0]
            size = prop.get_size_in_points()
            self._draw_text_glyphs_and_boxes(
                gc, x, y, angle, ((font, size, glyph, 0, 1, gx, gy) for font, glyph, gx, gy in items), [])

        def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
            if not gc.get_antialiased():
                return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
            cos = math.cos(math.radians(angle))
            sin = math.sin(math.radians(angle))
            height = self.height
            load_flags = backend_agg.get_hinting_flag()
            for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards.
                gx = round(0x40 * (x + dx * cos - dy * sin))
                gy = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards.
                key = (id(font), size, self.dpi, glyph_index, load_flags, angle, slant, extend, gx & 63, gy & 63)
                glyph = _GLYPHS.get(key)
                if glyph is None:
                    if len(_GLYPHS) >= TEXT_CACHE_LIMIT:
                        _GLYPHS.clear()
                    font.set_size(size, self.dpi)
                    font._set_transform(
                        (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]])
                        .round().astype(int), [gx & 63, gy & 63])
                    bitmap = font._render_glyph(glyph_index, load_flags, RenderMode.NORMAL)
                    glyph = _GLYPHS[key] = (np.array(bitmap.buffer), bitmap.left, bitmap.top)
                    _GLYPH_FONTS[id(font)] = font
                buffer, left, top = glyph
                # draw_text_image's y is downwards & the bitmap bottom side.
                self._renderer.draw_text_image(buffer, left + (gx >> 6),
                                               int(height) - (top + (gy >> 6)) + buffer.shape[0], 0, gc)
            if boxes:
                super()._draw_text_glyphs_and_boxes(gc, x, y, angle, (), boxes)

    class Canvas(backend_agg.FigureCanvasAgg):
        def get_renderer(self):
            w, h = self.get_width_height(physical=True)
            key = w, h, self.figure.dpi
            if self._lastKey != key:
                self.renderer = Renderer(w, h, self.figure.dpi)
                self._lastKey = key
            return self.renderer

    return Canvas
