"""Where an indicator's minimum standard (its floor) appears in the report.

A floor the council publishes (``floor_published`` Y on the indicators sheet) is shown
as the trend table's "Minimum standard" row and as the chart's dotted line. Any other
floor is internal: it rates (the rules do not change), but the report must not present
it as the council's published standard, so it is in neither the table nor the chart and
the data notes say, in plain words, that the rating uses it (docs/workbook.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.cards.compute import Card, PeriodFigure
from pipeline.rules.figures import format_target, round_figure
from pipeline.rules.rating import Polarity, resolve_floor

if TYPE_CHECKING:
    from pipeline.document.common import Wording


def _floors(card: Card) -> tuple[PeriodFigure, ...]:
    return tuple(f for f in card.window() if f.floor is not None) if card.indicator.rated else ()


def shows_floor(card: Card) -> bool:
    """Whether the trend table and the chart show the card's minimum standard."""
    return card.indicator.floor_published and bool(_floors(card))


def internal_floor_note(card: Card, wording: Wording) -> str | None:
    """The data note of an internal minimum standard: the standard the rating uses now
    (the report period's, else the latest shown), as every set figure is written
    (``format_target``), or None when the card shows its floor or has none."""
    floors = _floors(card)
    if card.indicator.floor_published or not floors:
        return None
    ind = card.indicator
    cur = card.current
    if cur is not None and cur.floor is not None:
        chosen = cur
    else:
        chosen = ([f for f in floors if f.period <= card.report_period] or list(floors))[-1]
    varies = len({f.floor for f in floors}) > 1
    values = {
        "floor": card.fmt_target(chosen.floor),
        "when": f" in {chosen.period.label}" if varies else "",
        "basis": _basis(card, chosen),
    }
    if ind.polarity == Polarity.BAND:
        if chosen.target is None or chosen.floor is None:
            return None  # (a band's standard is a distance from its target)
        values["distance"] = _distance(abs(chosen.target - chosen.floor), ind.unit, ind.decimals)
        return wording.text("appendix", "internal_floor", "band", **values)
    return wording.text("appendix", "internal_floor", ind.polarity.value, **values)


def _basis(card: Card, figure: PeriodFigure) -> str:
    """" (10% above the target)" when the floor is the one the indicator's tolerance sets
    (it then moves with a phased target, and the distance is what stays the same)."""
    ind = card.indicator
    if figure.target is None or ind.polarity == Polarity.BAND:
        return ""
    from_tolerance = resolve_floor(ind.polarity, figure.target, None, ind.tolerance, ind.tolerance_percent)
    if from_tolerance is None or round_figure(from_tolerance, ind.decimals) != figure.floor:
        return ""
    side = "above" if ind.polarity == Polarity.LOWER else "below"
    if ind.tolerance is not None:
        return f" ({_distance(ind.tolerance, ind.unit, ind.decimals)} {side} the target)"
    return f" ({format_target(ind.tolerance_percent, 'percent', 1)} {side} the target)"


def _distance(value, unit: str, decimals: int) -> str:
    """A distance in the indicator's units; for a percentage, in points ("2 points")."""
    text = format_target(value, unit, decimals)
    if unit != "percent":
        return text
    number = text[:-1]
    return f"{number} point" if number == "1" else f"{number} points"
