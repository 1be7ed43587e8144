"""The variation and assurance icons of statistical process control, as plain data.

NHS England's "Making Data Count" shows an indicator's SPC result as two round icons:
*variation* (has something changed?) and *assurance* (will the target be met?). These are
our own drawings in that style, described once here as shapes in a 100 x 100 box (y runs
down, as in SVG) with the house style's colours (``[spc]`` in house_style.toml), so that
every renderer draws the same icon: the PDF as vector graphics (pipeline.pdf.icons), an
HTML edition as SVG (:func:`icon_svg`). Nothing here imports a drawing library.

An icon never carries its meaning by colour or shape alone: the document model gives each
one its meaning in words (pipeline.document.spc), which the PDF sets as the icon's
alternative text and every edition prints beside it. The letter in the icon (H or L:
higher or lower figures; P, F or ?: pass, fail, inconsistent) is a second cue for readers
who cannot tell the colours apart.

The kinds:

- variation: ``common_cause`` (grey ring, five grey dots that wander), ``improvement_high``
  / ``improvement_low`` (blue ring and letter H / L, the last two dots blue and higher /
  lower), ``concern_high`` / ``concern_low`` (the same in orange), ``neutral_high`` /
  ``neutral_low`` (the same in purple: a change where neither direction is better);
- assurance: ``assurance_pass`` (blue ring, P, the process line above a dashed target
  line), ``assurance_fail`` (orange, F, the process line below the target line),
  ``assurance_inconsistent`` (grey, ?, the process line crossing the target line).
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

SIZE = 100.0  # the icon's box: 0..SIZE both ways

VARIATION_KINDS = ("common_cause", "improvement_high", "improvement_low", "concern_high", "concern_low",
                   "neutral_high", "neutral_low")
ASSURANCE_KINDS = ("assurance_pass", "assurance_fail", "assurance_inconsistent")
ICON_KINDS = VARIATION_KINDS + ASSURANCE_KINDS


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str | None  # '#RRGGBB' or None: not filled
    stroke: str | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str
    stroke_width: float
    dash: tuple[float, ...] = ()  # on, off lengths; () = solid


@dataclass(frozen=True)
class Text:
    """One bold letter, centred on ``x``, its baseline at ``y``; ``size`` is the font size
    in the box's units. Drawn in the report's bold face (Liberation Sans Bold)."""

    x: float
    y: float
    text: str
    size: float
    fill: str


Shape = Circle | Polyline | Text


@dataclass(frozen=True)
class Icon:
    kind: str
    shapes: tuple[Shape, ...]


RING = 8.0  # the ring's stroke width
LETTER_SIZE = 44.0
LETTER_BASELINE = 50.0
PAPER = "#FFFFFF"  # inside the ring: the icon is readable on any background


def icon(kind: str, colours) -> Icon:
    """The icon ``kind`` (one of ICON_KINDS) in ``colours`` (the house style's
    ``spc`` colours: pipeline.style.house.SpcColours)."""
    if kind not in ICON_KINDS:
        raise ValueError(f"no SPC icon {kind!r} (expected one of: {', '.join(ICON_KINDS)})")
    if kind in ASSURANCE_KINDS:
        return Icon(kind, _assurance(kind, colours))
    return Icon(kind, _variation(kind, colours))


def _ring(colour: str) -> Circle:
    return Circle(SIZE / 2, SIZE / 2, SIZE / 2 - RING / 2 - 1, PAPER, colour, RING)


def _variation(kind: str, colours) -> tuple[Shape, ...]:
    grey = colours.common_cause
    if kind == "common_cause":
        colour, letter, tail = grey, "", (70.0, 63.0)
    else:
        family, side = kind.rsplit("_", 1)
        colour = {"improvement": colours.improvement, "concern": colours.concern, "neutral": colours.neutral}[family]
        letter = "H" if side == "high" else "L"
        tail = (58.0, 54.0) if side == "high" else (79.0, 84.0)
    # five figures: three ordinary ones in grey, then two that are (or are not) special cause
    xs = (22.0, 36.0, 50.0, 64.0, 78.0)
    ys = (66.0, 72.0, 65.0) + tail
    points = tuple(zip(xs, ys))
    shapes: list[Shape] = [_ring(colour), Polyline(points, grey, 3.5)]
    for n, (x, y) in enumerate(points):
        shapes.append(Circle(x, y, 6.5, colour if n >= 3 else grey))
    if letter:
        shapes.append(Text(SIZE / 2, LETTER_BASELINE, letter, LETTER_SIZE, colour))
    return tuple(shapes)


def _assurance(kind: str, colours) -> tuple[Shape, ...]:
    grey = colours.common_cause
    colour, letter, process = {
        # the process runs above the target (met every month), below it (never met), across it
        "assurance_pass": (colours.improvement, "P", ((22.0, 58.0), (36.0, 52.0), (50.0, 57.0), (64.0, 51.0),
                                                      (78.0, 55.0))),
        "assurance_fail": (colours.concern, "F", ((22.0, 76.0), (36.0, 82.0), (50.0, 75.0), (64.0, 81.0),
                                                  (78.0, 77.0))),
        "assurance_inconsistent": (grey, "?", ((22.0, 60.0), (36.0, 78.0), (50.0, 58.0), (64.0, 80.0),
                                               (78.0, 62.0))),
    }[kind]
    target = Polyline(((12.0, 68.0), (88.0, 68.0)), colour, 4.5, dash=(8.0, 4.0))
    return (_ring(colour), target, Polyline(process, grey, 4.5),
            Text(SIZE / 2, LETTER_BASELINE, letter, LETTER_SIZE, colour))


def icon_svg(kind: str, colours, size: str = "1.6em", title: str = "") -> str:
    """The icon as an inline SVG element of ``size`` (a CSS length), with ``title`` (its
    meaning in words) as its accessible name; the HTML edition's form of the icon. Without a
    title it is decoration, hidden from assistive technology: for an icon whose words are
    printed beside it (an image without a name would be announced as an unnamed image)."""
    name = (f' role="img" aria-label="{escape(title, {chr(34): "&quot;"})}"' if title
            else ' aria-hidden="true" focusable="false"')
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE:g} {SIZE:g}" width="{size}" '
             f'height="{size}"{name}>']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for shape in icon(kind, colours).shapes:
        if isinstance(shape, Circle):
            stroke = f' stroke="{shape.stroke}" stroke-width="{shape.stroke_width:g}"' if shape.stroke else ""
            parts.append(f'<circle cx="{shape.cx:g}" cy="{shape.cy:g}" r="{shape.r:g}" '
                         f'fill="{shape.fill or "none"}"{stroke}/>')
        elif isinstance(shape, Polyline):
            points = " ".join(f"{x:g},{y:g}" for x, y in shape.points)
            dash = f' stroke-dasharray="{" ".join(f"{d:g}" for d in shape.dash)}"' if shape.dash else ""
            parts.append(f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
                         f'stroke-width="{shape.stroke_width:g}"{dash} stroke-linejoin="round"/>')
        else:
            parts.append(f'<text x="{shape.x:g}" y="{shape.y:g}" font-size="{shape.size:g}" font-weight="bold" '
                         f'font-family="Liberation Sans, Arial, sans-serif" text-anchor="middle" '
                         f'fill="{shape.fill}">{escape(shape.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
