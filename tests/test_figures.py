"""THE rounding and formatting rule: half away from zero, on the figure as written."""
from decimal import Decimal

import pytest

from pipeline.rules.figures import format_figure, format_target, plain_number, round_figure


@pytest.mark.parametrize("value, decimals, expected", [
    (2.675, 2, "2.68"),     # binary float 2.67499999..., rounded as written
    (2.665, 2, "2.67"),     # Python's round() would give 2.67/2.66 (half-even on binary floats)
    (0.5, 0, "1"), (1.5, 0, "2"), (2.5, 0, "3"),   # never half-to-even
    (-2.5, 0, "-3"),        # half away from zero
    (79.95, 1, "80.0"), (79.94, 1, "79.9"),
    (72.45, 1, "72.5"), (5.845, 2, "5.85"),
    (73, 0, "73"), (73.0, 1, "73.0"),
])
def test_round_half_up_on_the_written_figure(value, decimals, expected):
    assert round_figure(value, decimals) == Decimal(expected)
    assert str(round_figure(value, decimals)) == expected


def test_none_stays_none():
    assert round_figure(None, 1) is None
    assert format_figure(None, "percent", 1) == "–"


@pytest.mark.parametrize("value, unit, decimals, expected", [
    (73, "percent", 0, "73%"),
    (72.5, "percent", 0, "73%"),
    (24.94, "percent", 1, "24.9%"),
    (46, "percent", 1, "46.0%"),
    (1249, "count", 0, "1,249"),
    (1249.5, "count", 0, "1,250"),
    (5.844, "rate", 2, "5.84"),
    (1250, "currency", 0, "£1,250"),
    (-1250, "currency", 0, "-£1,250"),
    (-0.04, "percent", 1, "0.0%"),  # no "-0.0%": rounds to zero, shows no sign
    (12.25, "days", 1, "12.3"),
])
def test_format_figure(value, unit, decimals, expected):
    assert format_figure(value, unit, decimals) == expected


def test_thousands_separator_can_be_forced_either_way():
    assert format_figure(1249, "count", 0, thousands=False) == "1249"
    assert format_figure(1249.5, "percent", 1, thousands=True) == "1,249.5%"


def test_plain_number_gives_json_friendly_values():
    assert plain_number(Decimal("73")) == 73 and isinstance(plain_number(Decimal("73")), int)
    assert plain_number(Decimal("46.0")) == 46.0 and isinstance(plain_number(Decimal("46.0")), float)
    assert plain_number(Decimal("5.84")) == 5.84
    assert plain_number(None) is None


@pytest.mark.parametrize("value, unit, decimals, expected", [
    (46, "percent", 1, "46%"),          # seed 004: "46%" beside "47.6%"
    (46.0, "percent", 1, "46%"),
    (45.96, "percent", 1, "46%"),       # rounds to 46.0 at the indicator's places: whole
    (45.94, "percent", 1, "45.9%"),     # just below: keeps its place
    (46.05, "percent", 1, "46.1%"),     # half away from zero, not whole
    (46.04, "percent", 1, "46%"),       # rounds to 46.0: whole
    (28.5, "percent", 1, "28.5%"),
    (28.5, "percent", 0, "29%"),        # no places: the usual rounding
    (80, "percent", 0, "80%"),
    (0, "percent", 1, "0%"),
    (-2, "percent", 1, "-2%"),
    (12.25, "percent", 2, "12.25%"), (12.0, "percent", 2, "12%"),
    (5.4, "rate", 2, "5.40"),           # seed 004: a rate keeps its places ("5.40")
    (20, "days", 1, "20.0"),            # only percentages drop the places
    (1750, "count", 0, "1,750"),
    (None, "percent", 1, "–"),
])
def test_format_target(value, unit, decimals, expected):
    assert format_target(value, unit, decimals) == expected
