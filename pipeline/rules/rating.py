"""The council's rating rules, written once.

Seed 000 paragraph 10 and seed 004's key: GREEN when the current target is achieved or
exceeded; RED when performance is below the pre-defined minimum standard (the floor);
AMBER in between. Everything is compared on figures rounded to the indicator's
decimal places, exactly as they are printed.

Boundaries (tested at and either side of each one):
- equal to the target is GREEN (achieved);
- equal to the floor is AMBER (RED only *beyond* the floor on the bad side);
- no floor (none given and no tolerance) means the indicator can never be RED;
- 'band' indicators (as close to target as possible) rate the distance from target on
  both sides: within the band width is GREEN (width 0: only the target itself), beyond
  the floor's distance from target is RED;
- 'none' polarity, a missing target or a missing value is not rated (None), never a colour.
"""
from __future__ import annotations

from decimal import Decimal
from enum import Enum

from pipeline.rules.figures import round_figure, to_decimal


class Polarity(str, Enum):
    HIGHER = "higher"
    LOWER = "lower"
    BAND = "band"
    NONE = "none"


class Rag(str, Enum):
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"

    @property
    def title(self) -> str:  # type: ignore[override]  # the rating as a word; str.title is never wanted here
        return self.value.capitalize()


class Direction(str, Enum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"


class RangeStatus(str, Enum):
    WITHIN = "within"
    ABOVE = "above"
    BELOW = "below"


POLARITY_ALIASES = {
    "higher": Polarity.HIGHER,
    "high": Polarity.HIGHER,
    "higher is better": Polarity.HIGHER,
    "higher values are better": Polarity.HIGHER,
    "up": Polarity.HIGHER,
    "lower": Polarity.LOWER,
    "low": Polarity.LOWER,
    "lower is better": Polarity.LOWER,
    "lower values are better": Polarity.LOWER,
    "down": Polarity.LOWER,
    "band": Polarity.BAND,
    "target": Polarity.BAND,
    "as close to target as possible": Polarity.BAND,
    "none": Polarity.NONE,
    "not rated": Polarity.NONE,
    "n/a": Polarity.NONE,
}


def resolve_floor(
    polarity: Polarity,
    target,
    floor=None,
    tolerance=None,
    tolerance_percent=None,
) -> Decimal | None:
    """The minimum standard for one period, unrounded.

    A floor given for the period wins. Otherwise the indicator's tolerance sets it at
    that distance from the target on the bad side: ``tolerance`` in the indicator's own
    units (percentage points for percentages), ``tolerance_percent`` as a percentage of
    the target (so it follows phased targets). No floor and no tolerance: no floor.
    For 'band' indicators the floor returned is the lower one; the rule is symmetric.
    """
    if floor is not None:
        return to_decimal(floor)
    if target is None or polarity == Polarity.NONE:
        return None
    t = to_decimal(target)
    if tolerance is not None:
        distance = to_decimal(tolerance)
    elif tolerance_percent is not None:
        distance = abs(t) * to_decimal(tolerance_percent) / 100
    else:
        return None
    return t + distance if polarity == Polarity.LOWER else t - distance


def rate(
    polarity: Polarity,
    value,
    target,
    floor,
    decimals: int,
    band_width=None,
) -> Rag | None:
    """RAG for one figure against its (phased) target and floor, on rounded figures."""
    if polarity == Polarity.NONE or value is None or target is None:
        return None
    v = round_figure(value, decimals)
    t = round_figure(target, decimals)
    f = round_figure(floor, decimals)
    if polarity == Polarity.HIGHER:
        if v >= t:
            return Rag.GREEN
        return Rag.RED if f is not None and v < f else Rag.AMBER
    if polarity == Polarity.LOWER:
        if v <= t:
            return Rag.GREEN
        return Rag.RED if f is not None and v > f else Rag.AMBER
    # band: distance from target on either side
    distance = abs(v - t)
    width = round_figure(band_width, decimals) if band_width is not None else Decimal(0)
    if distance <= width:
        return Rag.GREEN
    if f is not None and distance > abs(f - t):
        return Rag.RED
    return Rag.AMBER


def direction(
    polarity: Polarity,
    current,
    previous,
    decimals: int,
    current_target=None,
    previous_target=None,
) -> Direction | None:
    """Direction of travel against the previous period, judged by the polarity.

    Compared on rounded figures, so 'unchanged' means the page shows the same figure.
    'band' indicators improve by moving closer to their target (each period against its
    own target, falling back to the current one). 'none' polarity has no direction.
    """
    if polarity == Polarity.NONE or current is None or previous is None:
        return None
    c = round_figure(current, decimals)
    p = round_figure(previous, decimals)
    if polarity == Polarity.BAND:
        if current_target is None:
            return None
        ct = round_figure(current_target, decimals)
        pt = round_figure(previous_target, decimals) if previous_target is not None else ct
        c, p = -abs(c - ct), -abs(p - pt)  # nearer the target is "higher"
    if c == p:
        return Direction.UNCHANGED
    better = c > p if polarity in (Polarity.HIGHER, Polarity.BAND) else c < p
    return Direction.IMPROVED if better else Direction.WORSENED


def range_status(value, lower, upper, decimals: int) -> RangeStatus | None:
    """Activity indicators: within, above or below the expected range (bounds are within)."""
    if value is None or (lower is None and upper is None):
        return None
    v = round_figure(value, decimals)
    if lower is not None and v < round_figure(lower, decimals):
        return RangeStatus.BELOW
    if upper is not None and v > round_figure(upper, decimals):
        return RangeStatus.ABOVE
    return RangeStatus.WITHIN
