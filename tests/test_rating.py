"""THE rating rules, at and either side of every boundary, for each polarity.

One rounding unit either side of a boundary is 0.1 for these 1-decimal-place examples.
"""
from decimal import Decimal

import pytest

from pipeline.rules.rating import (
    POLARITY_ALIASES,
    Direction,
    Polarity,
    Rag,
    RangeStatus,
    direction,
    range_status,
    rate,
    resolve_floor,
)

G, A, R = Rag.GREEN, Rag.AMBER, Rag.RED
H, L, B, N = Polarity.HIGHER, Polarity.LOWER, Polarity.BAND, Polarity.NONE


@pytest.mark.parametrize("value, expected", [
    (80.1, G), (80.0, G), (79.9, A),          # target 80.0: equal is achieved
    (75.1, A), (75.0, A), (74.9, R),          # floor 75.0: equal is still Amber
    (79.95, G), (79.94, A),                   # rated as displayed: 79.95 shows as 80.0
    (74.95, A), (74.94, R),                   # ... and 74.95 shows as 75.0, at the floor
    (200, G), (0, R),
])
def test_higher_is_better(value, expected):
    assert rate(H, value, 80.0, 75.0, 1) == expected


@pytest.mark.parametrize("value, expected", [
    (9.9, G), (10.0, G), (10.1, A),           # target 10.0
    (11.9, A), (12.0, A), (12.1, R),          # floor 12.0
    (10.04, G), (10.05, A),                   # 10.05 shows as 10.1
    (12.04, A), (12.05, R),
    (0, G),
])
def test_lower_is_better(value, expected):
    assert rate(L, value, 10.0, 12.0, 1) == expected


@pytest.mark.parametrize("value, expected", [
    (10.0, G),                                # on target
    (10.5, G), (10.6, A), (9.5, G), (9.4, A),  # band width 0.5 either side
    (11.0, A), (11.1, R), (9.0, A), (8.9, R),  # floor 9.0 = 1.0 from target, symmetric
    (10.54, G), (10.55, A),                    # rounding before rating
])
def test_band_rates_distance_from_target_on_both_sides(value, expected):
    assert rate(B, value, 10.0, 9.0, 1, band_width=0.5) == expected


@pytest.mark.parametrize("value, expected", [(10.0, G), (10.1, A), (9.9, A), (11.0, A), (11.1, R), (8.9, R)])
def test_band_without_width_is_green_only_on_target(value, expected):
    assert rate(B, value, 10.0, 9.0, 1) == expected


@pytest.mark.parametrize("polarity, far_off", [(H, 0), (L, 1000), (B, 1000)])
def test_no_floor_means_never_red(polarity, far_off):
    assert rate(polarity, far_off, 50, None, 1) == A


@pytest.mark.parametrize("polarity", [H, L, B, N])
def test_missing_value_or_target_is_not_rated(polarity):
    assert rate(polarity, None, 80, 75, 1) is None
    assert rate(polarity, 80, None, 75, 1) is None


@pytest.mark.parametrize("value", [0, 50, 80, 100])
def test_polarity_none_is_never_rated(value):
    assert rate(N, value, 80, 75, 1) is None


@pytest.mark.parametrize("value, expected", [(90.0, G), (90.1, G), (89.9, R), (89.95, G), (89.94, R)])
def test_floor_equal_to_target_has_no_amber(value, expected):
    # seed 004, SCS02 2013-14: "the Amber RAG rating has been removed"
    assert rate(H, value, 90, 90, 1) == expected


def test_rounding_to_whole_numbers():
    assert rate(H, 79.5, 80, 75, 0) == G      # shows 80%
    assert rate(H, 79.49, 80, 75, 0) == A     # shows 79%
    assert rate(H, 74.5, 80, 75, 0) == A      # shows 75%
    assert rate(H, 74.49, 80, 75, 0) == R     # shows 74%


# --- floors from tolerance --------------------------------------------------------


@pytest.mark.parametrize("polarity, target, floor, tol, tol_pct, expected", [
    (H, 80, 70, 2, None, Decimal(70)),           # a floor given for the period wins
    (H, 13, None, 2, None, Decimal(11)),         # tolerance in the indicator's units
    (L, 6, None, 2, None, Decimal(8)),           # ... on the bad side
    (B, 10, None, 1, None, Decimal(9)),          # band: the lower floor (symmetric rule)
    (L, 130, None, None, 10, Decimal(143)),      # tolerance_percent of the (phased) target
    (L, 145, None, None, 10, Decimal("159.5")),
    (H, 80, None, None, 10, Decimal(72)),
    (H, 80, None, None, None, None),             # no floor, no tolerance: no floor
    (H, None, None, 2, None, None),              # no target: nothing to measure from
    (N, 80, None, 2, None, None),                # not rated: no floor
])
def test_resolve_floor(polarity, target, floor, tol, tol_pct, expected):
    assert resolve_floor(polarity, target, floor, tol, tol_pct) == expected


@pytest.mark.parametrize("value, expected", [(130, G), (131, A), (142, A), (143, A), (144, R), (143.4, A), (143.5, R)])
def test_tolerance_percent_floor_boundaries(value, expected):
    floor = resolve_floor(L, 130, None, None, 10)   # 143
    assert rate(L, value, 130, floor, 0) == expected


@pytest.mark.parametrize("value, expected", [(13.0, G), (12.9, A), (11.0, A), (10.9, R)])
def test_tolerance_floor_boundaries(value, expected):
    floor = resolve_floor(H, 13, None, 2, None)     # 11
    assert rate(H, value, 13, floor, 1) == expected


# --- direction of travel ---------------------------------------------------------


@pytest.mark.parametrize("polarity, current, previous, expected", [
    (H, 74, 73, Direction.IMPROVED), (H, 72, 73, Direction.WORSENED), (H, 73, 73, Direction.UNCHANGED),
    (L, 5.5, 5.6, Direction.IMPROVED), (L, 5.7, 5.6, Direction.WORSENED), (L, 5.6, 5.6, Direction.UNCHANGED),
    (H, 73.04, 72.96, Direction.UNCHANGED),    # both show as 73.0
    (L, 73.04, 72.96, Direction.UNCHANGED),
    (H, 73.05, 73.04, Direction.IMPROVED),     # 73.1 against 73.0
])
def test_direction_by_polarity_on_rounded_figures(polarity, current, previous, expected):
    assert direction(polarity, current, previous, 1) == expected


@pytest.mark.parametrize("current, previous, expected", [
    (10.2, 10.5, Direction.IMPROVED),           # nearer the target 10
    (9.8, 9.5, Direction.IMPROVED),
    (10.6, 10.5, Direction.WORSENED),
    (9.5, 10.5, Direction.UNCHANGED),           # same distance, other side
    (9.7, 10.4, Direction.IMPROVED),            # crossing the target, closer
])
def test_band_direction_is_distance_from_target(current, previous, expected):
    assert direction(B, current, previous, 1, 10, 10) == expected


def test_band_direction_follows_each_periods_own_target():
    # previous 11 against 10 (1 off), now 11 against a new target 11 (on target): improved
    assert direction(B, 11, 11, 1, current_target=11, previous_target=10) == Direction.IMPROVED
    assert direction(B, 11, 11, 1, current_target=11) == Direction.UNCHANGED   # falls back to current target
    assert direction(B, 11, 10, 1, current_target=None) is None


def test_no_direction_without_both_figures_or_for_polarity_none():
    assert direction(H, 5, None, 1) is None
    assert direction(H, None, 5, 1) is None
    assert direction(N, 5, 4, 1) is None


# --- activity indicators -----------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    (9, RangeStatus.BELOW), (10, RangeStatus.WITHIN), (15, RangeStatus.WITHIN),
    (20, RangeStatus.WITHIN), (21, RangeStatus.ABOVE),
    (20.4, RangeStatus.WITHIN), (20.5, RangeStatus.ABOVE), (9.5, RangeStatus.WITHIN), (9.49, RangeStatus.BELOW),
])
def test_activity_range_bounds_are_inclusive_and_rounded(value, expected):
    assert range_status(value, 10, 20, 0) == expected


def test_activity_range_with_one_bound_or_none():
    assert range_status(1000, 10, None, 0) == RangeStatus.WITHIN
    assert range_status(5, 10, None, 0) == RangeStatus.BELOW
    assert range_status(101, None, 100, 0) == RangeStatus.ABOVE
    assert range_status(5, None, None, 0) is None
    assert range_status(None, 10, 20, 0) is None


def test_polarity_words_officers_may_write():
    assert POLARITY_ALIASES["higher values are better"] == H
    assert POLARITY_ALIASES["lower is better"] == L
    assert POLARITY_ALIASES["as close to target as possible"] == B
    assert POLARITY_ALIASES["not rated"] == N
