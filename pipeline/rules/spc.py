"""Statistical process control beside RAG: the XmR chart of NHS England's "Making Data Count".

A RAG rating says where one month's figure stands against its target. An XmR chart says
whether the *process* behind the figures has changed (variation) and whether, as it runs,
it can be relied on to meet the target (assurance). Written once, here, for every document.

The rules follow NHSRplotthedots (NHS-R Community, MIT licence), read in its files
``R/ptd_spc_standard.R`` (mean, moving ranges, screening, limits, "close to limits"),
``R/ptd_calculate_point_type.R`` (the four rules, what "part of" a run means, which rule
names a point that meets several, improvement or concern) and
``R/ptd_calculate_assurance_type.R`` (assurance from the target against the limits). This is
our own code, not a translation; where it does what the reference does, the reference's
comparison is kept exactly (``>`` or ``>=``). On one segment of ``n`` figures ``y``:

- mean: the mean of the figures (with a baseline of ``N``, of the first ``N`` only);
- moving ranges ``|y[i] - y[i-1]|`` (within the baseline) and their mean mR-bar; when
  screening is on, a moving range **of 3.267 x mR-bar or more** is set aside and mR-bar
  recomputed once from the rest (a range strictly below is kept);
- process limits mean -/+ 2.66 x mR-bar; "near" limits mean -/+ (2 x 2.66 / 3) x mR-bar;
- a figure is **outside the limits** only when strictly above the upper or strictly below
  the lower limit: a figure exactly on a limit is not outside (it is "close to the limit");
- a figure is **close to a limit** when it is not outside and strictly beyond a near limit;
- its side of the mean is the sign of ``y - mean``: a figure exactly on the mean is on
  neither side and breaks a run.

A figure is special cause when it is outside the limits, or part of any of these runs
(``L`` is the run length, 7 by default as in the reference):

- **shift**: ``L`` consecutive figures on the same side of the mean (every figure of a
  longer run is part of it);
- **trend**: ``L`` consecutive figures each strictly higher (or each strictly lower) than
  the one before, i.e. ``L - 1`` rises or falls in a row; an equal pair breaks the trend;
  decreasing trends count as well as increasing ones (the reference's current version);
- **two in three**: three consecutive figures all strictly on one side of the mean, at
  least two of them close to the limit on that side; the figures *close to the limit* are
  special cause, the third is not (it may be special for another rule). As in the
  reference, a figure beyond the limit does **not** count as "close": it is special cause
  on its own, but it does not make a two-in-three with one close figure.

A figure that meets several rules is named by the first of: outside the limits (high when
above the mean, low when below), trend (by the trend's direction: for a figure in two
trends, the later one, as the reference reads the step to the next figure when both it and
the next are in a trend, else the step from the previous figure; a step of zero reads as
decreasing, as in the reference), two in three (by side), shift (by side). High or
increasing is *improvement* when higher is better and *concern* when lower is better;
``band`` and ``none`` indicators are neutral (high / low).

Assurance, from the latest figure's target against the latest segment's limits (strictly):
a target above the upper limit cannot be reached by the process as it runs, so when higher
is better it will *consistently fail* (when lower is better, *consistently pass*); a target
below the lower limit the reverse; a target between or on the limits: *inconsistent*, the
process will sometimes meet it and sometimes not. No target, no limits, or a neutral
polarity: no assurance.

Where we go beyond the reference (documented in docs/spc.md):

- a segment (the figures between two recalculation points) of fewer than
  ``minimum_points`` (12) figures gets no limits and its figures no type: the reference
  computes them and only warns;
- with every moving range zero (a flat series), the reference's screened mR-bar is not a
  number; here it is zero, the limits are the mean, and every figure is common cause;
- run length and screening are options (the reference fixes 7 and screens).

All arithmetic is in :class:`~decimal.Decimal` at 28 significant digits, as the cards
figures are, so a figure exactly on a limit is found exactly where the decimal arithmetic
is exact (mean and mR-bar are quotients, so in general it is not).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import Enum

from pipeline.rules.figures import to_decimal
from pipeline.rules.rating import Polarity

LIMIT = Decimal("2.66")  # process limits: mean -/+ 2.66 x mR-bar (3 sigma for individuals)
SCREEN = Decimal("3.267")  # a moving range of 3.267 x mR-bar or more is screened out
MINIMUM_POINTS = 12
DEFAULT_RUN_LENGTH = 7
RUN_LENGTHS = (5, 10)  # the run lengths a report may choose (inclusive)
PRECISION = 28


class PointType(str, Enum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class Assurance(str, Enum):
    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"


class Rule(str, Enum):
    """Which rule names a special-cause figure (the first that applies, in this order)."""

    ABOVE_UPPER_LIMIT = "above_upper_limit"
    BELOW_LOWER_LIMIT = "below_lower_limit"
    TREND_INCREASING = "trend_increasing"
    TREND_DECREASING = "trend_decreasing"
    TWO_IN_THREE_HIGH = "two_in_three_high"
    TWO_IN_THREE_LOW = "two_in_three_low"
    SHIFT_ABOVE_MEAN = "shift_above_mean"
    SHIFT_BELOW_MEAN = "shift_below_mean"

    @property
    def high(self) -> bool:
        return self in (Rule.ABOVE_UPPER_LIMIT, Rule.TREND_INCREASING, Rule.TWO_IN_THREE_HIGH,
                        Rule.SHIFT_ABOVE_MEAN)


@dataclass(frozen=True)
class SpcOptions:
    """A report's choices (the ``report`` sheet): run length of the shift and trend rules,
    and whether large moving ranges are screened out."""

    run_length: int = DEFAULT_RUN_LENGTH
    screen_moving_ranges: bool = True
    minimum_points: int = MINIMUM_POINTS


@dataclass(frozen=True)
class Limits:
    """One segment's centre line and limits (unrounded), and what they were computed from."""

    mean: Decimal
    mr_bar: Decimal
    lower: Decimal
    upper: Decimal
    near_lower: Decimal
    near_upper: Decimal
    basis: int  # how many figures the mean and moving ranges were computed from
    screened: int  # how many moving ranges were set aside


@dataclass(frozen=True)
class Segment:
    start: int  # index of its first figure in the series
    end: int  # one past its last
    limits: Limits | None  # None: fewer than the minimum number of figures

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class SpcPoint:
    value: Decimal
    segment: int  # index into SpcResult.segments
    point_type: PointType | None  # None where its segment has no limits
    rule: Rule | None  # the rule that names it; None for common cause or no limits


@dataclass(frozen=True)
class SpcResult:
    points: tuple[SpcPoint, ...]
    segments: tuple[Segment, ...]
    assurance: Assurance | None

    @property
    def latest(self) -> SpcPoint | None:
        return self.points[-1] if self.points else None

    @property
    def limits(self) -> Limits | None:
        """The latest figure's segment's limits (None: not enough figures in it)."""
        return self.segments[-1].limits if self.segments else None

    @property
    def variation(self) -> PointType | None:
        return self.latest.point_type if self.latest else None


def xmr(
    values: Sequence,
    polarity: Polarity,
    *,
    target=None,
    recalculate: Iterable[int] = (),
    baseline: int | None = None,
    options: SpcOptions = SpcOptions(),
) -> SpcResult:
    """The XmR chart of ``values`` (in time order, no blanks).

    ``recalculate``: indexes of the figures where the process changed; each starts a new
    segment with its own limits (0 and indexes past the end are ignored). ``baseline``:
    each segment's limits come from its first ``baseline`` figures only (all when None or
    when the segment is shorter). ``target``: the latest figure's target, for assurance."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ys = [to_decimal(v) for v in values]
        starts = sorted({0, *(i for i in recalculate if 0 < i < len(ys))}) if ys else []
        bounds = list(zip(starts, starts[1:] + [len(ys)]))
        points: list[SpcPoint] = []
        segments: list[Segment] = []
        for number, (start, end) in enumerate(bounds):
            seg = ys[start:end]
            limits = None
            if len(seg) >= options.minimum_points:
                limits = _limits(seg[:baseline] if baseline else seg, options.screen_moving_ranges)
            segments.append(Segment(start, end, limits))
            if limits is None:
                points.extend(SpcPoint(y, number, None, None) for y in seg)
                continue
            for y, rule in zip(seg, _rules(seg, limits, options.run_length)):
                points.append(SpcPoint(y, number, _point_type(rule, polarity), rule))
        assurance = _assurance(polarity, target, segments[-1].limits if segments else None)
        return SpcResult(tuple(points), tuple(segments), assurance)


def _mean(numbers: Sequence[Decimal]) -> Decimal:
    return sum(numbers, Decimal(0)) / len(numbers)


def _limits(basis: Sequence[Decimal], screen: bool) -> Limits:
    mean = _mean(basis)
    ranges = [abs(b - a) for a, b in zip(basis, basis[1:])]
    mr_bar = _mean(ranges) if ranges else Decimal(0)
    screened = 0
    if screen and ranges:
        kept = [r for r in ranges if r < SCREEN * mr_bar]
        screened = len(ranges) - len(kept)
        # kept is empty only when every range is zero (then 0 < 0 fails for each): mR-bar stays 0
        mr_bar = _mean(kept) if kept else Decimal(0)
    spread = LIMIT * mr_bar
    near = LIMIT * 2 * mr_bar / 3
    return Limits(mean, mr_bar, mean - spread, mean + spread, mean - near, mean + near, len(basis), screened)


def _sign(number: Decimal) -> int:
    return (number > 0) - (number < 0)


def _runs(flags: Sequence[bool], length: int) -> list[bool]:
    """Which items are part of a run of ``length`` or more consecutive True flags."""
    out = [False] * len(flags)
    count = 0
    for i, flag in enumerate(flags):
        count = count + 1 if flag else 0
        if count >= length:
            for j in range(i - length + 1, i + 1):
                out[j] = True
    return out


def _rules(seg: Sequence[Decimal], limits: Limits, run_length: int) -> list[Rule | None]:
    n = len(seg)
    side = [_sign(y - limits.mean) for y in seg]
    outside = [y > limits.upper or y < limits.lower for y in seg]
    close = [not out and (y < limits.near_lower or y > limits.near_upper) for y, out in zip(seg, outside)]

    # shift: run_length figures on one side (a run of the same non-zero side)
    above = _runs([s > 0 for s in side], run_length)
    below = _runs([s < 0 for s in side], run_length)
    shift = [a or b for a, b in zip(above, below)]

    # trend: run_length figures each strictly higher (lower) than the last = run_length - 1
    # rises (falls) in a row; a step is "in" a trend when the two figures it joins are
    steps = [_sign(b - a) for a, b in zip(seg, seg[1:])]
    rising = _runs([s > 0 for s in steps], run_length - 1)
    falling = _runs([s < 0 for s in steps], run_length - 1)
    trend = [False] * n
    for k, (up, down) in enumerate(zip(rising, falling)):
        if up or down:
            trend[k] = trend[k + 1] = True

    # two in three: a window of three figures all strictly on one side with two or more of
    # them close to the limit; its close figures are special cause
    two_in_three = [False] * n
    for k in range(n - 2):
        window = range(k, k + 3)
        if abs(sum(side[i] for i in window)) == 3 and sum(close[i] for i in window) >= 2:
            for i in window:
                two_in_three[i] = two_in_three[i] or close[i]

    out: list[Rule | None] = []
    for i in range(n):
        if outside[i]:
            out.append(Rule.ABOVE_UPPER_LIMIT if side[i] == 1 else Rule.BELOW_LOWER_LIMIT)
        elif trend[i]:
            # the step to the next figure when both are in a trend, else the step from the last
            step = steps[i] if i + 1 < n and trend[i + 1] else (steps[i - 1] if i > 0 else 0)
            out.append(Rule.TREND_INCREASING if step == 1 else Rule.TREND_DECREASING)
        elif two_in_three[i]:
            out.append(Rule.TWO_IN_THREE_HIGH if side[i] > 0 else Rule.TWO_IN_THREE_LOW)
        elif shift[i]:
            out.append(Rule.SHIFT_ABOVE_MEAN if side[i] > 0 else Rule.SHIFT_BELOW_MEAN)
        else:
            out.append(None)
    return out


def _point_type(rule: Rule | None, polarity: Polarity) -> PointType:
    if rule is None:
        return PointType.COMMON_CAUSE
    if polarity in (Polarity.BAND, Polarity.NONE):
        return PointType.NEUTRAL_HIGH if rule.high else PointType.NEUTRAL_LOW
    good = rule.high == (polarity == Polarity.HIGHER)
    return PointType.IMPROVEMENT if good else PointType.CONCERN


def _assurance(polarity: Polarity, target, limits: Limits | None) -> Assurance | None:
    if target is None or limits is None or polarity not in (Polarity.HIGHER, Polarity.LOWER):
        return None
    t = to_decimal(target)
    higher = polarity == Polarity.HIGHER
    if t > limits.upper:
        return Assurance.CONSISTENT_FAIL if higher else Assurance.CONSISTENT_PASS
    if t < limits.lower:
        return Assurance.CONSISTENT_PASS if higher else Assurance.CONSISTENT_FAIL
    return Assurance.INCONSISTENT
