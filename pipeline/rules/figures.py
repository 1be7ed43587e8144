"""How a figure is rounded and written, decided once for every document and chart.

A figure is rounded half away from zero (the way Excel and the council's papers round,
not Python's round-half-to-even) to the indicator's decimal places, and every rating is
made on that rounded figure, so a reader can check each rating from the page.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import overload

UNITS = ("percent", "count", "rate", "currency", "days", "number")

DEFAULT_DECIMALS = {
    "percent": 1,
    "count": 0,
    "rate": 2,
    "currency": 0,
    "days": 1,
    "number": 1,
}

UNIT_ALIASES = {
    **{unit: unit for unit in UNITS},
    "%": "percent",
    "percentage": "percent",
    "pct": "percent",
    "number": "number",
    "numbers": "count",
    "count": "count",
    "rate": "rate",
    "ratio": "rate",
    "currency": "currency",
    "money": "currency",
    "£": "currency",
    "gbp": "currency",
    "days": "days",
    "day": "days",
    "weeks": "number",
}

DASH = "–"  # shown where a figure does not exist


def to_decimal(value) -> Decimal:
    """An exact decimal of the number as written (``repr``), so 2.675 stays 2.675."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


@overload
def round_figure(value: None, decimals: int) -> None: ...
@overload
def round_figure(value: Decimal | float | int | str, decimals: int) -> Decimal: ...
def round_figure(value, decimals: int) -> Decimal | None:
    """Round half away from zero to ``decimals`` places; None stays None."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-decimals)
    return to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def format_figure(value, unit: str, decimals: int, *, thousands: bool | None = None) -> str:
    """The figure as every document and chart writes it: '73%', '24.9%', '1,249', '5.84', '£1,250'.

    Counts and currency take thousands separators; the trend tables of the seeds write
    small counts without them (1249) but the charts' axes with them (1,249): we use
    separators everywhere so a figure reads the same in the table and on the chart.
    """
    if value is None:
        return DASH
    rounded = round_figure(value, decimals)
    if thousands is None:
        thousands = unit in ("count", "currency", "number", "rate", "days")
    body = f"{abs(rounded):,.{decimals}f}" if thousands else f"{abs(rounded):.{decimals}f}"
    sign = "-" if rounded < 0 else ""
    if unit == "percent":
        return f"{sign}{body}%"
    if unit == "currency":
        return f"{sign}£{body}"
    return f"{sign}{body}"


def format_target(value, unit: str, decimals: int) -> str:
    """A set figure (a target, the year-end target, a minimum standard or a threshold) as
    every page writes it: the indicator's format, except that a whole percentage drops the
    places the actuals carry.

    The council sets percentage targets in whole points and writes them so beside actuals
    with a decimal (seed 004: "46%" beside "47.6%", "Target 40% 40% 42% 44% 46%", "an end
    year target of 60%"), while a rate keeps its places ("5.40" beside "5.84"). Whole is
    judged on the figure rounded to the indicator's places, so 45.96 with one place is
    46.0, written "46%", and 45.94 stays "45.9%".
    """
    if value is None:
        return DASH
    rounded = round_figure(value, decimals)
    if unit == "percent" and rounded == rounded.to_integral_value():
        return format_figure(rounded, unit, 0)
    return format_figure(value, unit, decimals)


def plain_number(value: Decimal | None):
    """A rounded Decimal as a JSON-friendly int or float (None stays None)."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent  # a letter for NaN and infinities, which no figure is
    if value == value.to_integral_value() and isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)
