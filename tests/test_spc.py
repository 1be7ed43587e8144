"""The XmR rules of pipeline/rules/spc.py: every rule at and either side of its boundary,
recalculation and baseline, screening, assurance for each polarity, the workbook options,
the cards and their JSON, and docs/spc.md's worked example.

Most boundary series below fix the limits with a baseline of 12 alternating figures
(12, 10, 12, 10...: mean 11, every moving range 2, so mR-bar 2, limits 11 -/+ 5.32 =
5.68 and 16.32, near limits 11 -/+ 3.5467 = 7.4533 and 14.5467; it ends with 10, below the
mean) and then append the figures under test, so that they can sit exactly where a
boundary is without moving it."""
from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest

from pipeline.rules.rating import Polarity
from pipeline.rules.spc import Assurance, PointType, Rule, SpcOptions, xmr

D = Decimal
BASE = [12, 10] * 6  # mean 11, mR-bar 2


def fixed(tail, polarity=Polarity.HIGHER, **kw):
    """xmr of BASE + tail with the limits fixed by BASE; the results for the tail."""
    result = xmr(BASE + list(tail), polarity, baseline=12, **kw)
    return result, result.points[12:]


def rules(points):
    return [p.rule for p in points]


# --- limits ------------------------------------------------------------------------------------------


def test_base_limits():
    result, _ = fixed([])
    lim = result.limits
    assert (lim.mean, lim.mr_bar, lim.lower, lim.upper) == (D(11), D(2), D("5.68"), D("16.32"))
    assert lim.near_upper == D(11) + D("10.64") / 3 and lim.near_lower == D(11) - D("10.64") / 3
    assert all(p.point_type == PointType.COMMON_CAUSE for p in result.points)


def test_a_figure_exactly_on_a_limit_is_not_outside():
    _, on = fixed(["16.32"])
    _, over = fixed(["16.33"])
    _, on_low = fixed(["5.68"])
    _, under = fixed(["5.67"])
    assert rules(on) == [None] and rules(on_low) == [None]   # on the limit: close, and alone: common cause
    assert rules(over) == [Rule.ABOVE_UPPER_LIMIT] and over[0].point_type == PointType.IMPROVEMENT
    assert rules(under) == [Rule.BELOW_LOWER_LIMIT] and under[0].point_type == PointType.CONCERN


def test_outside_by_polarity():
    for polarity, high, low in ((Polarity.HIGHER, PointType.IMPROVEMENT, PointType.CONCERN),
                                (Polarity.LOWER, PointType.CONCERN, PointType.IMPROVEMENT),
                                (Polarity.BAND, PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW),
                                (Polarity.NONE, PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW)):
        _, pts = fixed([20, 11.5, 2], polarity)
        assert [p.point_type for p in pts] == [high, PointType.COMMON_CAUSE, low], polarity


# --- shift: a run on one side of the mean ----------------------------------------------------------------


def test_shift_of_six_is_common_and_of_seven_is_special():
    _, six = fixed([11.5] * 6)
    _, seven = fixed([11.5] * 7)
    _, eight = fixed([11.5] + [10.5] * 8)
    _, six_below = fixed([11.5] + [10.5] * 6)
    assert rules(six) == [None] * 6 and rules(six_below) == [None] * 7
    assert rules(seven) == [Rule.SHIFT_ABOVE_MEAN] * 7   # every figure of the run, not only the 7th
    assert rules(eight) == [None] + [Rule.SHIFT_BELOW_MEAN] * 8
    assert {p.point_type for p in seven} == {PointType.IMPROVEMENT}
    assert {p.point_type for p in eight[1:]} == {PointType.CONCERN}


def test_a_figure_on_the_mean_breaks_a_run():
    _, pts = fixed([11.5] * 3 + [11] + [11.5] * 3)
    assert rules(pts) == [None] * 7


def test_run_length_option_six():
    _, six = fixed([11.5] * 6, options=SpcOptions(run_length=6))
    _, five = fixed([11.5] * 5, options=SpcOptions(run_length=6))
    assert rules(six) == [Rule.SHIFT_ABOVE_MEAN] * 6 and rules(five) == [None] * 5


# --- trend: each figure higher (lower) than the last ----------------------------------------------------


RISING7 = [9.5, 10, 10.5, 11.5, 12, 12.5, 13]   # 6 rises; 3 below and 4 above the mean; none close


def test_trend_of_seven_points_six_rises():
    _, seven = fixed(RISING7)
    _, six = fixed(RISING7[:-1])
    assert rules(seven) == [Rule.TREND_INCREASING] * 7
    assert rules(six) == [None] * 6
    _, falling = fixed(list(reversed(RISING7)))   # the base ends at 10, below 13: the fall starts at 13
    assert rules(falling) == [Rule.TREND_DECREASING] * 7
    assert {p.point_type for p in falling} == {PointType.CONCERN}
    _, lower_is_better = fixed(list(reversed(RISING7)), Polarity.LOWER)
    assert {p.point_type for p in lower_is_better} == {PointType.IMPROVEMENT}


def test_an_equal_pair_breaks_a_trend():
    _, pts = fixed([9.5, 10, 10, 10.5, 11.5, 12, 12.5, 13])
    assert rules(pts) == [None] * 8


def test_run_length_six_trend_is_five_rises():
    _, pts = fixed(RISING7[1:], options=SpcOptions(run_length=6))
    assert rules(pts) == [Rule.TREND_INCREASING] * 6


def test_trend_comes_before_shift():
    # seven falling figures, all above the mean: a shift above and a decreasing trend at once
    _, pts = fixed([14, 13.5, 13, 12.5, 12, 11.8, 11.6])
    assert rules(pts) == [Rule.TREND_DECREASING] * 7
    assert {p.point_type for p in pts} == {PointType.CONCERN}   # higher is better: falling is concern


def test_outside_comes_before_trend():
    _, pts = fixed(RISING7[:-1] + [17])
    assert rules(pts) == [Rule.TREND_INCREASING] * 6 + [Rule.ABOVE_UPPER_LIMIT]


def test_a_figure_in_two_trends_takes_the_later_one():
    # up 7 (ending at the peak), then down 7 from the peak: the peak is in both
    up = [9.5, 10, 10.5, 11, 11.5, 12, 14]
    down = [13.5, 13, 12.5, 12.2, 12.1, 11.9]
    _, pts = fixed(up + down)
    assert rules(pts)[:6] == [Rule.TREND_INCREASING] * 6
    assert rules(pts)[6] == Rule.TREND_DECREASING   # the peak 14
    assert rules(pts)[7:] == [Rule.TREND_DECREASING] * 6


def test_a_zero_step_between_two_trends_reads_as_falling_as_in_the_reference():
    up = [9.5, 10, 10.5, 11, 11.5, 12, 12.2]
    _, pts = fixed(up + [12.2, 12.4, 12.6, 12.8, 13, 13.2, 13.4])
    # 12.2 ends the first rise and the equal 12.2 starts the second: the step between them is zero
    assert rules(pts)[:6] == [Rule.TREND_INCREASING] * 6
    assert rules(pts)[6] == Rule.TREND_DECREASING
    assert rules(pts)[7:] == [Rule.TREND_INCREASING] * 7
    reference, _ = _reference([D(x) for x in BASE + up + [12.2, 12.4, 12.6, 12.8, 13, 13.2, 13.4]],
                              Polarity.HIGHER, [], 12, True)
    assert reference[12 + 6] == PointType.CONCERN == pts[6].point_type


# --- two in three ------------------------------------------------------------------------------------------


def test_two_of_three_close_is_special_one_of_three_is_not():
    _, two = fixed([15, 11.5, 15])
    _, one = fixed([15, 11.5, 11.5])
    _, adjacent = fixed([11.5, 15, 15])
    assert rules(two) == [Rule.TWO_IN_THREE_HIGH, None, Rule.TWO_IN_THREE_HIGH]  # the third is not marked
    assert rules(one) == [None] * 3
    assert rules(adjacent) == [None, Rule.TWO_IN_THREE_HIGH, Rule.TWO_IN_THREE_HIGH]
    _, low = fixed([7, 10.5, 7], Polarity.LOWER)
    assert rules(low) == [Rule.TWO_IN_THREE_LOW, None, Rule.TWO_IN_THREE_LOW]
    assert low[0].point_type == PointType.IMPROVEMENT


def test_two_in_three_needs_all_three_on_one_side():
    _, pts = fixed([15, 10.5, 15])   # the middle figure is below the mean
    assert rules(pts) == [None] * 3
    _, opposite = fixed([15, 7, 11.5])   # close to different limits
    assert rules(opposite) == [None] * 3


def test_near_limit_boundary():
    near = D(11) + D("10.64") / 3   # 14.54666...
    _, just_inside = fixed([near, 11.5, near])            # exactly on the near limit: not close
    _, just_beyond = fixed([near + D("1e-20"), 11.5, near + D("1e-20")])
    assert rules(just_inside) == [None] * 3
    assert rules(just_beyond) == [Rule.TWO_IN_THREE_HIGH, None, Rule.TWO_IN_THREE_HIGH]


def test_a_figure_beyond_the_limit_is_not_close_as_in_the_reference():
    _, pts = fixed([17, 11.5, 15])
    assert rules(pts) == [Rule.ABOVE_UPPER_LIMIT, None, None]
    _, on_limit = fixed(["16.32", 11.5, 15])   # on the limit is close: two in three
    assert rules(on_limit) == [Rule.TWO_IN_THREE_HIGH, None, Rule.TWO_IN_THREE_HIGH]


def test_two_in_three_comes_before_shift():
    _, pts = fixed([11.5, 11.5, 15, 15, 11.5, 11.5, 11.5])
    assert rules(pts) == [Rule.SHIFT_ABOVE_MEAN] * 2 + [Rule.TWO_IN_THREE_HIGH] * 2 + [Rule.SHIFT_ABOVE_MEAN] * 3


# --- screening of large moving ranges --------------------------------------------------------------------


def _screen_series(jump):
    """11 moving ranges: ten of 7.733 and one of ``jump`` (with 32.67, mR-bar is exactly 10
    and the jump exactly 3.267 x mR-bar)."""
    ys = [D(0), D("7.733")] * 3
    top = ys[-1] + D(jump)
    return ys + [top, top - D("7.733"), top, top - D("7.733"), top, top - D("7.733")]


def test_a_range_of_exactly_3_267_mr_bar_is_screened():
    ys = _screen_series("32.67")
    lim = xmr(ys, Polarity.HIGHER).limits
    assert (lim.mr_bar, lim.screened) == (D("7.733"), 1)
    off = xmr(ys, Polarity.HIGHER, options=SpcOptions(screen_moving_ranges=False)).limits
    assert (off.mr_bar, off.screened) == (D(10), 0)
    assert off.upper == off.mean + D("26.6")


def test_a_range_just_below_3_267_mr_bar_is_kept():
    lim = xmr(_screen_series("32.66"), Polarity.HIGHER).limits
    assert lim.screened == 0 and lim.mr_bar == D("109.99") / 11


def test_a_flat_series_has_zero_spread_and_no_special_cause():
    result = xmr([5] * 15, Polarity.HIGHER, target=6)
    assert (result.limits.mr_bar, result.limits.lower, result.limits.upper) == (0, 5, 5)
    assert {p.point_type for p in result.points} == {PointType.COMMON_CAUSE}
    assert result.assurance == Assurance.CONSISTENT_FAIL   # 6 is above a process that always gives 5


# --- minimum, recalculation and baseline ----------------------------------------------------------------


def test_eleven_figures_are_not_enough_and_twelve_are():
    eleven = xmr(BASE[:11], Polarity.HIGHER, target=11)
    assert eleven.limits is None and eleven.variation is None and eleven.assurance is None
    assert {p.point_type for p in eleven.points} == {None}
    twelve = xmr(BASE, Polarity.HIGHER, target=11)
    assert twelve.limits is not None and twelve.variation == PointType.COMMON_CAUSE


def test_recalculation_gives_each_segment_its_own_limits():
    ys = BASE + [x + 10 for x in BASE]
    whole = xmr(ys, Polarity.HIGHER)
    split = xmr(ys, Polarity.HIGHER, recalculate=[12])
    assert whole.limits.mean == 16 and len(whole.segments) == 1
    assert [s.limits.mean for s in split.segments] == [11, 21]
    assert [s.limits.mr_bar for s in split.segments] == [2, 2]   # the jump between them is no range of either
    assert {p.point_type for p in split.points} == {PointType.COMMON_CAUSE}
    assert {p.segment for p in split.points[12:]} == {1}
    # one segment (the jump of 12 screened out, mR-bar 2, limits 10.68 and 21.32): every
    # figure is special: beyond a limit (10, 22), or close to it (12, 20, beyond the near
    # limits 12.4533 and 19.5467) two in three
    assert [p.rule for p in whole.points[:2]] == [Rule.TWO_IN_THREE_LOW, Rule.BELOW_LOWER_LIMIT]
    assert [p.rule for p in whole.points[-2:]] == [Rule.ABOVE_UPPER_LIMIT, Rule.TWO_IN_THREE_HIGH]
    assert {p.point_type for p in whole.points} == {PointType.CONCERN, PointType.IMPROVEMENT}


def test_runs_do_not_cross_a_recalculation():
    a = [10, 12, 10, 12, 10, 12, 10, 12, 9.5, 10, 10.5, 11]      # ends with 4 rising figures
    b = [11.5, 12, 12.5, 10, 12, 10, 12, 10, 12, 10, 12, 10]     # starts with 3 more
    whole = xmr(a + b, Polarity.HIGHER)
    split = xmr(a + b, Polarity.HIGHER, recalculate=[12])
    assert rules(whole.points[8:15]) == [Rule.TREND_INCREASING] * 7
    assert not {Rule.TREND_INCREASING, Rule.TREND_DECREASING} & set(rules(split.points))


def test_a_short_last_segment_has_no_limits():
    short = xmr(BASE + [11.5] * 11, Polarity.HIGHER, recalculate=[12], target=11)
    assert short.segments[1].limits is None   # 11 figures after the recalculation: not enough
    assert {p.point_type for p in short.points[12:]} == {None}
    assert {p.point_type for p in short.points[:12]} == {PointType.COMMON_CAUSE}
    assert short.variation is None and short.limits is None and short.assurance is None


def test_a_recalculation_at_the_start_or_past_the_end_changes_nothing():
    plain = xmr(BASE, Polarity.HIGHER)
    assert xmr(BASE, Polarity.HIGHER, recalculate=[0, 12, 40]) == plain


def test_baseline_fixes_the_limits():
    tail = [30, 31, 29, 30]
    fixed_result = xmr(BASE + tail, Polarity.HIGHER, baseline=12)
    free = xmr(BASE + tail, Polarity.HIGHER)
    assert (fixed_result.limits.mean, fixed_result.limits.mr_bar, fixed_result.limits.basis) == (11, 2, 12)
    assert free.limits.mean != 11 and free.limits.basis == 16
    assert rules(fixed_result.points[12:]) == [Rule.ABOVE_UPPER_LIMIT] * 4
    longer = xmr(BASE, Polarity.HIGHER, baseline=20)   # a baseline longer than the series: all of it
    assert longer.limits == xmr(BASE, Polarity.HIGHER).limits


# --- assurance ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("polarity,target,expected", [
    (Polarity.HIGHER, "16.33", Assurance.CONSISTENT_FAIL),   # target above the upper limit: never reached
    (Polarity.HIGHER, "16.32", Assurance.INCONSISTENT),      # on the limit
    (Polarity.HIGHER, 11, Assurance.INCONSISTENT),
    (Polarity.HIGHER, "5.68", Assurance.INCONSISTENT),
    (Polarity.HIGHER, "5.67", Assurance.CONSISTENT_PASS),    # target below the lower limit: always met
    (Polarity.LOWER, "16.33", Assurance.CONSISTENT_PASS),
    (Polarity.LOWER, "16.32", Assurance.INCONSISTENT),
    (Polarity.LOWER, "5.68", Assurance.INCONSISTENT),
    (Polarity.LOWER, "5.67", Assurance.CONSISTENT_FAIL),
    (Polarity.BAND, 30, None),
    (Polarity.NONE, 30, None),
    (Polarity.HIGHER, None, None),
])
def test_assurance(polarity, target, expected):
    assert xmr(BASE, polarity, target=target).assurance == expected


# --- against a literal reading of the reference ------------------------------------------------------------


def _reference(ys, polarity, rebase_at, fix_after, screen):
    """NHSRplotthedots' vector steps, transcribed step by step for this test only (padded
    vectors, windows ending at each point, "part of" by looking ahead), so that the module's
    own code, written differently, is checked against the reference's reading on many series."""
    groups, start = [], 0
    for cut in sorted(set(rebase_at)) + [len(ys)]:
        if cut > start:
            groups.append(ys[start:cut])
            start = cut
    types, last = [], None
    for y in groups:
        n = len(y)
        if n < 12:
            types += [None] * n
            last = None
            continue
        fix = y[:fix_after] if fix_after else y
        mean = sum(fix, D(0)) / len(fix)
        mr = [abs(b - a) for a, b in zip(fix, fix[1:])]
        amr = sum(mr, D(0)) / len(mr)
        if screen:
            mr = [m for m in mr if m < D("3.267") * amr]
            amr = sum(mr, D(0)) / len(mr) if mr else D(0)
        lpl, upl = mean - D("2.66") * amr, mean + D("2.66") * amr
        nlpl, nupl = mean - D("2.66") * 2 * amr / 3, mean + D("2.66") * 2 * amr / 3
        outside = [v > upl or v < lpl for v in y]
        rtm = [(v > mean) - (v < mean) for v in y]
        close = [not o and (v < nlpl or v > nupl) for v, o in zip(y, outside)]
        vp = [0] * 6 + rtm
        seven_side = [int(all(vp[i] == vp[i - k] for k in range(1, 7)) and vp[i] != 0) for i in range(6, n + 6)]
        trend = [0] * 6
        for i in range(6, n):
            d = [(y[i - k] > y[i - k - 1]) - (y[i - k] < y[i - k - 1]) for k in range(6)]
            trend.append(1 if all(x == 1 for x in d) else -1 if all(x == -1 for x in d) else 0)

        def part(v, n=n):
            padded = v + [0] * 6
            return [any(abs(padded[i + k]) == 1 for k in range(7)) for i in range(n)]

        part_side, part_trend = part(seven_side), part(trend)
        cp, rp = [0, 0] + [int(c) for c in close] + [0, 0], [0, 0] + rtm + [0, 0]
        two = [any(sum(cp[i + k:i + k + 3]) >= 2 and abs(sum(rp[i + k:i + k + 3])) == 3 for k in range(3))
               for i in range(n)]
        part_two = [t and c for t, c in zip(two, close)]
        sdy = [(b > a) - (b < a) for a, b in zip(y, y[1:])]
        for i in range(n):
            right = part_trend[i + 1] if i + 1 < n else False
            step = (sdy + sdy[-1:])[i] if (right and part_trend[i]) else ([0] + sdy)[i]
            if outside[i]:
                v = 1 if rtm[i] == 1 else -1
            elif part_trend[i]:
                v = 1 if step == 1 else -1
            elif part_two[i] or part_side[i]:
                v = 1 if rtm[i] > 0 else -1
            else:
                v = 0
            if v == 0:
                types.append(PointType.COMMON_CAUSE)
            elif polarity in (Polarity.BAND, Polarity.NONE):
                types.append(PointType.NEUTRAL_HIGH if v > 0 else PointType.NEUTRAL_LOW)
            else:
                good = v * (1 if polarity == Polarity.HIGHER else -1) > 0
                types.append(PointType.IMPROVEMENT if good else PointType.CONCERN)
        last = (lpl, upl)
    return types, last


def test_agrees_with_the_reference_on_many_series():
    rng = random.Random(19)
    checked = special = 0
    for _ in range(1500):
        n = rng.randint(12, 40)
        levels = rng.choice([3, 5, 9, 20])
        ys = [D(rng.randint(0, levels)) for _ in range(n)]
        if rng.random() < 0.3:   # a drift, for trends and shifts
            ys = [y + D(i) / rng.choice([2, 4, 8]) for i, y in enumerate(ys)]
        rebase = [rng.randint(1, n - 1)] if rng.random() < 0.3 else []
        fix_after = rng.choice([None, None, 12, 15])
        screen = rng.random() < 0.7
        polarity = rng.choice(list(Polarity))
        expected, last = _reference(ys, polarity, rebase, fix_after, screen)
        result = xmr(ys, polarity, recalculate=rebase, baseline=fix_after,
                     options=SpcOptions(screen_moving_ranges=screen))
        assert [p.point_type for p in result.points] == expected, (ys, rebase, fix_after, screen, polarity)
        lim = result.limits
        assert (None if lim is None else (lim.lower, lim.upper)) == last
        checked += 1
        special += sum(t not in (None, PointType.COMMON_CAUSE) for t in expected)
    assert checked == 1500 and special > 1000   # the series exercise the rules, not only common cause


# --- the workbook's options, the cards and `cards --format json` -------------------------------------------

MONTHS = [f"{2012 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(10, 10 + 24)]   # 2012-10 onwards
EXAMPLE = [49, 47, 48, 46, 47, 53, 51, 54, 55, 53, 52, 51]   # docs/spc.md's worked example


def _cards(run_cli, path, *extra):
    result = run_cli("cards", path, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return {c["id"]: c for c in json.loads(result.stdout)["cards"]}


def _values(ident, figures, target=None, start=0):
    from workbooks import series

    return series(ident, MONTHS[start:start + len(figures)], list(figures), target)


def test_worked_example_of_docs_spc_md(run_cli, make_book):
    """docs/spc.md's worked example, exactly as written there."""
    path = make_book(indicators=[{"id": "W1", "polarity": "higher", "unit": "percent", "decimals": 0}],
                     values=_values("W1", EXAMPLE, 57))
    card = _cards(run_cli, path)["W1"]
    assert card["spc_status"] == "on"
    assert card["spc"] == {"mean": 50.5, "lower": 45.18, "upper": 55.82,
                           "variation": "special_cause_improvement", "assurance": "consistent_fail"}
    assert [h["spc_point"] for h in card["history"]] == ["common_cause"] * 5 + ["special_cause_improvement"] * 7
    result = xmr(EXAMPLE, Polarity.HIGHER, target=57)
    assert result.limits.mr_bar == 2 and result.limits.screened == 0
    assert [p.rule for p in result.points] == [None] * 5 + [Rule.SHIFT_ABOVE_MEAN] * 7
    # the same series, lower is better and a target of 50: concern, and inconsistent
    lower = make_book(indicators=[{"id": "W1", "polarity": "lower", "unit": "percent", "decimals": 0}],
                      values=_values("W1", EXAMPLE, 50))
    spc = _cards(run_cli, lower)["W1"]["spc"]
    assert (spc["variation"], spc["assurance"]) == ("special_cause_concern", "inconsistent")


def test_eleven_figures_say_not_enough_data(run_cli, make_book):
    path = make_book(indicators=[{"id": "A"}, {"id": "B"}],
                     values=_values("A", EXAMPLE[:11], 50) + _values("B", EXAMPLE, 50))
    cards = _cards(run_cli, path)
    assert (cards["A"]["spc_status"], cards["A"]["spc"]) == ("not_enough_data", None)
    assert {h["spc_point"] for h in cards["A"]["history"]} == {None}
    assert cards["B"]["spc_status"] == "on"


def test_spc_off_for_the_report_and_for_an_indicator(run_cli, make_book):
    from workbooks import REPORT_DEFAULTS

    inds = [{"id": "A"}, {"id": "B", "spc": "N"}]
    values = _values("A", EXAMPLE, 50) + _values("B", EXAMPLE, 50)
    cards = _cards(run_cli, make_book(indicators=inds, values=values))
    assert (cards["A"]["spc_status"], cards["B"]["spc_status"]) == ("on", "off")
    assert cards["B"]["spc"] is None and {h["spc_point"] for h in cards["B"]["history"]} == {None}
    off = make_book(indicators=inds, values=values, report=list(REPORT_DEFAULTS) + [("spc", "no")])
    assert {c["spc_status"] for c in _cards(run_cli, off).values()} == {"off"}


def test_accumulating_data_periods_are_off_unless_asked_for(run_cli, make_book):
    inds = [{"id": p.replace(" ", ""), "data_period": p} for p in ("Year to date", "Cumulative",
                                                                     "Rolling 12 months", "Quarter", "Snapshot")]
    inds.append({"id": "YTDon", "data_period": "Year to date", "spc": "Y"})
    values = [row for ind in inds for row in _values(ind["id"], EXAMPLE, 50)]
    cards = _cards(run_cli, make_book(indicators=inds, values=values))
    assert {k: c["spc_status"] for k, c in cards.items()} == {
        "Yeartodate": "off", "Cumulative": "off", "Rolling12months": "off", "Quarter": "on", "Snapshot": "on",
        "YTDon": "on"}


def test_report_run_length_and_screening(run_cli, make_book):
    from workbooks import REPORT_DEFAULTS

    # limits fixed by 12 alternating figures, then 6 on one side: a shift only with run length 6
    run = dict(indicators=[{"id": "R", "unit": "count", "spc_baseline": 12}],
               values=_values("R", BASE + [11.5] * 6, 30))
    seven = _cards(run_cli, make_book(**run))["R"]
    six = _cards(run_cli, make_book(**run, report=list(REPORT_DEFAULTS) + [("spc_run_length", 6)]))["R"]
    assert seven["spc"]["variation"] == "common_cause" and six["spc"]["variation"] == "special_cause_improvement"
    assert [h["spc_point"] for h in six["history"]][12:] == ["special_cause_improvement"] * 6
    # a jump to 40 and back: two moving ranges of 30, screened (mR-bar 2) unless screening is off
    jump = dict(indicators=[{"id": "J", "unit": "count"}],
                values=_values("J", [12, 10, 12, 10, 12, 10, 40, 10, 12, 10, 12, 10], 30))
    screened = _cards(run_cli, make_book(**jump))["J"]["spc"]
    kept = _cards(run_cli, make_book(**jump, report=list(REPORT_DEFAULTS) + [("spc_screen_moving_ranges", "N")]))
    mean = D(160) / 12
    assert screened["upper"] == float(round(mean + D("5.32"), 2))
    assert kept["J"]["spc"]["upper"] == float(round(mean + D("2.66") * 78 / 11, 2))


def test_recalculation_months_and_baseline_from_the_workbook(run_cli, make_book):
    figures = [x + 30 for x in EXAMPLE] + EXAMPLE   # 24 months; the process fell by 30 in the 13th
    path = make_book(indicators=[{"id": "P", "spc_recalculate": f"{MONTHS[12]}; {MONTHS[3]}"}],
                     values=_values("P", figures, 40))
    card = _cards(run_cli, path)["P"]
    assert card["spc"]["mean"] == 50.5 and card["spc"]["variation"] == "special_cause_improvement"
    # recalculating in the 4th month too leaves segments of 3 and 9 figures: no types there
    points = [h["spc_point"] for h in card["history"]]
    assert points[:12] == [None] * 12 and None not in points[12:]
    single = make_book(indicators=[{"id": "P", "spc_recalculate": excel_date(MONTHS[12])}],
                       values=_values("P", figures, 40))
    assert _cards(run_cli, single)["P"]["spc"]["mean"] == 50.5


def excel_date(iso):
    import datetime as dt

    year, month = map(int, iso.split("-"))
    return dt.datetime(year, month, 1)   # an Excel date cell


def test_forecasts_and_later_months_are_left_out(run_cli, make_book):
    from workbooks import series

    rows = _values("F", EXAMPLE, 50) + series("F", [MONTHS[12]], [None], [50], forecast=[60])
    path = make_book(indicators=[{"id": "F", "data_period": "Annual", "spc": "Y"}], values=rows)
    card = _cards(run_cli, path, "--period", MONTHS[12])["F"]
    assert card["is_forecast"] and card["spc"]["mean"] == 50.5 and card["history"][-1]["spc_point"] is None
    earlier = _cards(run_cli, make_book(indicators=[{"id": "M"}], values=_values("M", EXAMPLE + [90], 50)),
                     "--period", MONTHS[11])["M"]
    assert earlier["spc"]["mean"] == 50.5 and earlier["history"][-1]["spc_point"] is None


def test_months_without_a_figure_are_skipped(run_cli, make_book):
    from workbooks import series

    months = MONTHS[::2]   # every other month
    path = make_book(indicators=[{"id": "G"}], values=series("G", months[:12], EXAMPLE, 50))
    card = _cards(run_cli, path)["G"]
    assert card["spc"]["mean"] == 50.5 and card["spc"]["variation"] == "special_cause_improvement"


@pytest.mark.parametrize("column,value,message", [
    ("spc", "maybe", 'indicators row 2, column spc: "maybe" is not Y or N'),
    ("spc_baseline", 11, "indicators row 2, column spc_baseline: 11 is not a whole number from 12 to 240"),
    ("spc_baseline", 12.5, "indicators row 2, column spc_baseline: 12.5 is not a whole number from 12 to 240"),
    ("spc_recalculate", "2013-13", "indicators row 2, column spc_recalculate: '2013-13' is not a month"),
    ("spc_recalculate", "2013-01; Sept", "indicators row 2, column spc_recalculate: 'Sept' is not a month"),
    ("spc_recalculate", "2014-05",
     "indicators row 2, column spc_recalculate: May-14: indicator I1 has no row on the values sheet for this month"),
])
def test_indicator_options_are_validated(run_cli, make_book, column, value, message):
    path = make_book(indicators=[{"id": "I1", column: value}], values=_values("I1", EXAMPLE, 50))
    result = run_cli("validate", path)
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("key,value,message", [
    ("spc_run_length", 4, "column value: spc_run_length: 4 is not a whole number from 5 to 10"),
    ("spc_run_length", 11, "column value: spc_run_length: 11 is not a whole number from 5 to 10"),
    ("spc", "perhaps", 'column value: spc: "perhaps" is not Y or N'),
    ("spc_screen_moving_ranges", "sometimes", 'column value: spc_screen_moving_ranges: "sometimes" is not Y or N'),
])
def test_report_options_are_validated(run_cli, make_book, key, value, message):
    from workbooks import REPORT_DEFAULTS

    path = make_book(values=_values("I1", EXAMPLE, 50), report=list(REPORT_DEFAULTS) + [(key, value)])
    result = run_cli("validate", path)
    assert result.exit_code == 1 and f"report row 6, {message}" in result.stderr, result.stderr


@pytest.mark.parametrize("value", [5, 10])
def test_report_run_length_bounds_are_accepted(run_cli, make_book, value):
    from workbooks import REPORT_DEFAULTS

    path = make_book(values=_values("I1", EXAMPLE, 50), report=list(REPORT_DEFAULTS) + [("spc_run_length", value)])
    assert run_cli("validate", path).exit_code == 0


def test_sample_cards_carry_spc(sample_cards):
    cards = {c.indicator.id: c for c in sample_cards.cards}
    asc09 = cards["ASC09"].spc   # lower is better; the last three months fell below the lower limit
    assert asc09.status == "on" and asc09.result.variation == PointType.IMPROVEMENT
    assert [p.rule for p in asc09.result.points[-3:]] == [Rule.BELOW_LOWER_LIMIT] * 3
    assert cards["ASC01"].spc.status == "off" and cards["SCS02"].spc.status == "not_enough_data"
