"""Believability checks: is each figure one the indicator can have, and does it look like
the figure the service meant to send? Pure functions over the validated tables.

Reading a workbook (pipeline.input) proves every cell is a figure; these checks ask
whether the figures are believable, the ordinary ways a figure goes wrong between a
service's spreadsheet and a public paper: a negative count, a target typed 8 for 80, a
month copied forward, a figure far outside the indicator's usual movement. Each check,
its threshold and why are in docs/workbook.md ("Data-quality checks"); every threshold is
a named constant here, tested at and either side.

Two severities:

- ``error``: a value the unit cannot have. ``build`` and ``validate`` stop (exit 1).
- ``warning``: listed by ``validate`` and ``build``; ``--strict`` makes them errors.

The series checks (gaps, repeats, jumps) judge the figures of the report period's
financial year up to the report period, the figures the service is sending now; the
baseline they compare with (the series' cadence, how often it moves, its usual
month-to-month change) is the whole series up to the report period. Earlier years were
published already: a change to one of those is the register's business (docs/register.md).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from pipeline.cards.compute import FIGURE_AGE_LIMIT, default_period, period_value
from pipeline.errors import InputProblems, Problem
from pipeline.input.tables import Dataset, Indicator, ValueRow
from pipeline.rules.figures import format_figure, format_target, round_figure, to_decimal
from pipeline.rules.periods import Month

ERROR, WARNING = "error", "warning"

# --- thresholds (docs/workbook.md, "Data-quality checks") ---------------------------------

# units whose figures cannot be negative: a number of people, a rate per population, a
# number of days. (currency and number can: an overspend, a net change.)
NON_NEGATIVE_UNITS = ("count", "rate", "days")
# a percentage of a whole lies from 0 to 100 inclusive; the indicator's may_exceed_100
# lifts the upper bound for the rare measure that is not a share (a percentage of a
# target, a ratio of this year to last)
PERCENT_MIN, PERCENT_MAX = Decimal(0), Decimal(100)
# the columns holding the indicator's own figures, in its unit (supplementary is left out:
# beside a percentage it may be a count, see pipeline.document.appendix)
FIGURE_COLUMNS = ("actual", "target", "floor", "forecast", "stat_neighbours", "england",
                  "lower_threshold", "upper_threshold")

# a figure may lag its data period's allowance (FIGURE_AGE_LIMIT) by this many months
# before it is stale: partners' data a month in arrears is normal (seed 004 reports
# delayed transfers for August in the September report); the build's notice still names it
STALE_GRACE_MONTHS = 1

# this many equal figures in a row (three repeats) in a series that usually moves
REPEAT_RUN = 4
# "usually moves": more than this share of the series' consecutive figures differ
USUALLY_MOVES = Fraction(1, 2)

# a month-to-month change larger than this many mean moving ranges (the XmR chart's upper
# range limit, D4 for subgroups of two) is far outside the indicator's usual variation
MOVING_RANGE_LIMIT = Decimal("3.267")
# the mean moving range is not judged from fewer changes than this
MIN_MOVING_RANGES = 6

# a target (or floor) this many times larger or smaller than every neighbour it has in the
# same financial year: a slipped decimal point is ten; real phasing never moves fivefold
# from one period to the next
NEIGHBOUR_FACTOR = Decimal(5)


@dataclass(frozen=True)
class Finding:
    """One thing about one figure that a person should look at."""

    severity: str  # ERROR or WARNING
    check: str  # the check's name (docs/workbook.md)
    indicator_id: str
    period: Month | None
    sheet: str | None
    row: int | None
    column: str | None
    message: str  # plain words, for an officer
    confirmed: bool = False  # a warning about a row the values sheet marks confirmed: settled

    @property
    def location(self) -> str:
        where = " ".join(x for x in (self.sheet or "", f"row {self.row}" if self.row else "") if x)
        if self.column:
            where = f"{where}, column {self.column}" if where else f"column {self.column}"
        return where

    def __str__(self) -> str:
        what = " ".join(x for x in (self.indicator_id, self.period.label if self.period else "") if x)
        located = self.location
        return f"{located}: {what}: {self.message}" if located else f"{what}: {self.message}"

    def to_json(self) -> dict:
        return {"severity": self.severity, "check": self.check, "indicator": self.indicator_id or None,
                "period": self.period.iso if self.period else None, "sheet": self.sheet, "row": self.row,
                "column": self.column, "message": self.message, "confirmed": self.confirmed}


def check_dataset(dataset: Dataset, period: Month | None = None) -> list[Finding]:
    """Every finding for ``dataset`` reported for ``period`` (default: the month a build
    would report, :func:`pipeline.cards.compute.default_period`), in the indicators'
    order, then by period and check."""
    period = period or default_period(dataset)
    out: list[Finding] = []
    for ind in dataset.indicators:
        rows = dataset.values.get(ind.id, ())
        found = impossible_values(ind, rows)
        if period is not None:
            figures = _figures(ind, rows, period)  # (once: each series check reads them)
            found += stale(ind, rows, period, figures)
            found += gaps(ind, rows, period, figures)
            found += repeats(ind, rows, period, figures)
            found += jumps(ind, rows, period, figures)
            for column in ("target", "floor"):
                found += neighbour_factor(ind, rows, period, column)
            found += target_profile(ind, rows, period)
        # by month, not by row: with months across (docs/workbook.md) an indicator's months share rows
        confirmed = {r.period for r in rows if r.confirmed}
        found = [replace(f, confirmed=True) if f.severity == WARNING and f.period in confirmed else f for f in found]
        out += sorted(found, key=lambda f: (f.period or Month(1900, 1), f.row or 0, f.check, f.column or ""))
    return out


def errors(findings) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def warnings(findings) -> list[Finding]:
    """The warnings still open: those about a row marked ``confirmed`` are settled (the data
    owner said the figure is right) and are only listed."""
    return [f for f in findings if f.severity == WARNING and not f.confirmed]


# --- helpers ---------------------------------------------------------------------------------


def _fmt(ind: Indicator, value) -> str:
    """A figure as the report prints it (to the indicator's decimal places)."""
    return format_figure(value, ind.unit, ind.decimals)


# the columns that hold set figures, which the report writes with format_target ("80%", not "80.0%")
SET_FIGURE_COLUMNS = frozenset({"target", "floor", "lower_threshold", "upper_threshold"})


def _fmt_set(ind: Indicator, value) -> str:
    """A target, minimum standard or threshold as the report prints it (whole percentages
    without the places the figures carry), so a message quotes what the page shows."""
    return format_target(value, ind.unit, ind.decimals)


def _name(ind: Indicator) -> str:
    return ind.short_title or ind.title


def _figures(ind: Indicator, rows: tuple[ValueRow, ...], period: Month) -> list[tuple[ValueRow, Decimal]]:
    """(row, figure) of every period up to ``period`` that has a figure, in order: the
    figure the card shows (computed from numerators where the rows give them), unrounded."""
    by_period = {r.period: r for r in rows}
    out = []
    for row in rows:
        if row.period > period:
            continue
        value = period_value(ind, by_period, row.period)
        if value is not None:
            out.append((row, to_decimal(value)))
    return out


def _figure_column(row: ValueRow) -> str:
    return "actual" if row.actual is not None else "numerator"


def _this_year(period: Month, when: Month) -> bool:
    return period.fy_start <= when <= period


# --- errors ----------------------------------------------------------------------------------


def impossible_values(ind: Indicator, rows) -> list[Finding]:
    """Values the unit cannot have, in any period: negative counts, rates and days (and
    numerators, which are counts); a percentage below 0 or, unless the indicator says
    ``may_exceed_100``, above 100, given or worked out from numerator and denominator."""
    out = []

    def add(row, column, message):
        out.append(Finding(ERROR, "impossible-value", ind.id, row.period, "values", row.row, column, message))

    for row in rows:
        for column in FIGURE_COLUMNS:
            value = getattr(row, column)
            if value is None:
                continue
            v = to_decimal(value)
            shown = _fmt_set(ind, v) if column in SET_FIGURE_COLUMNS else _fmt(ind, v)
            if ind.unit in NON_NEGATIVE_UNITS and v < 0:
                add(row, column, f"{column} {shown} is negative, which a {ind.unit} cannot be: check the sign")
            elif ind.unit == "percent" and v < PERCENT_MIN:
                add(row, column, f"{column} {shown} is below 0%, which a percentage of a whole cannot be: "
                                 "check the sign")
            elif ind.unit == "percent" and v > PERCENT_MAX and not ind.may_exceed_100:
                add(row, column, f"{column} {shown} is above 100%, which a percentage of a whole cannot be: "
                                 "check the figure (if this measure can exceed 100%, say may_exceed_100 = Y "
                                 "on the indicators sheet)")
        if row.numerator is not None and row.numerator < 0:
            add(row, "numerator", f"numerator {row.numerator:g} is negative, which a count cannot be")
        elif (ind.unit == "percent" and not ind.may_exceed_100 and row.numerator is not None
              and row.denominator is not None and row.denominator > 0
              and to_decimal(row.numerator) > to_decimal(row.denominator)):
            add(row, "numerator", f"numerator {row.numerator:g} is more than the denominator "
                                  f"{row.denominator:g}, so the percentage would be above 100%")
    return out


# --- warnings --------------------------------------------------------------------------------


def stale(ind: Indicator, rows, period: Month, figures=None) -> list[Finding]:
    """The latest figure is older than the data period allows for ``period`` (the card
    rule, FIGURE_AGE_LIMIT) plus STALE_GRACE_MONTHS."""
    figures = _figures(ind, rows, period) if figures is None else figures
    allowed = FIGURE_AGE_LIMIT[ind.data_period] + STALE_GRACE_MONTHS
    if not figures:
        return [Finding(WARNING, "stale", ind.id, period, "values", None, "actual",
                        f"has no figure at or before {period.label}: add its figures, or take it out of "
                        "the indicators sheet")]
    row, value = figures[-1]
    age = period.index - row.period.index + 1  # months, counting the report's own as 1
    if age <= allowed:
        return []
    return [Finding(WARNING, "stale", ind.id, row.period, "values", row.row, _figure_column(row),
                    f"the latest figure ({_fmt(ind, value)}) is for {row.period.label}, {age - 1} months before "
                    f"the report's month {period.label}; a {ind.data_period.long_label.lower()} figure should "
                    f"be at most {allowed - 1} months old: is the {period.label} figure missing?")]


def _cadence(figures) -> int | None:
    """The series' usual step: the smallest distance in months between two figures."""
    steps = [b.period.index - a.period.index for (a, _), (b, _) in zip(figures, figures[1:])]
    return min(steps) if steps else None


def gaps(ind: Indicator, rows, period: Month, figures=None) -> list[Finding]:
    """A period missing inside the series: a period of this financial year (up to the
    report period) between two figures, at the series' cadence (monthly series: each
    month; quarterly: each quarter), with no figure."""
    figures = _figures(ind, rows, period) if figures is None else figures
    cadence = _cadence(figures)
    if not cadence:
        return []
    by_period = {r.period: r for r in rows}
    out = []
    for (a, _), (b, _) in zip(figures, figures[1:]):
        for index in range(a.period.index + cadence, b.period.index, cadence):
            month = Month.from_index(index)
            if not _this_year(period, month):
                continue
            row = by_period.get(month)
            out.append(Finding(
                WARNING, "gap", ind.id, month, "values", row.row if row else None, "actual",
                f"has no figure for {month.label}, between {a.period.label} and {b.period.label}"
                + ("" if row else f" (there is no row for {month.label})")
                + ": fill it in, or say in the data notes why it is missing"))
    return out


def repeats(ind: Indicator, rows, period: Month, figures=None) -> list[Finding]:
    """REPEAT_RUN equal figures in a row, ending this financial year, in a series that
    usually moves (more than USUALLY_MOVES of its consecutive figures differ): the last
    figure may have been copied forward instead of updated."""
    figures = _figures(ind, rows, period) if figures is None else figures
    if len(figures) < 2:
        return []
    pairs = list(zip(figures, figures[1:]))
    moves = Fraction(sum(1 for (_, x), (_, y) in pairs if x != y), len(pairs))
    if moves <= USUALLY_MOVES:
        return []
    out = []
    run = 1
    for i in range(1, len(figures)):
        run = run + 1 if figures[i][1] == figures[i - 1][1] else 1
        ends_here = i == len(figures) - 1 or figures[i + 1][1] != figures[i][1]
        row = figures[i][0]
        if run >= REPEAT_RUN and ends_here and _this_year(period, row.period):
            first = figures[i - run + 1][0]
            out.append(Finding(
                WARNING, "repeated", ind.id, row.period, "values", row.row, _figure_column(row),
                f"the same figure, {_fmt(ind, figures[i][1])}, for {run} periods in a row ({first.period.label} "
                f"to {row.period.label}), though the figure usually changes "
                f"({moves.numerator * 100 // moves.denominator}% "
                "of its periods differ from the one before): was it copied forward instead of updated?"))
    return out


def jumps(ind: Indicator, rows, period: Month, figures=None) -> list[Finding]:
    """A change from the previous figure larger than MOVING_RANGE_LIMIT times the series'
    mean moving range (the mean of the absolute changes between consecutive figures up to
    the report period: the statistic the XmR chart uses), for figures of this financial
    year. Needs MIN_MOVING_RANGES changes to judge; a series that never changed has no
    usual variation to be outside, and is left to the repeats check."""
    figures = _figures(ind, rows, period) if figures is None else figures
    changes = [(b, y - x) for (_, x), (b, y) in zip(figures, figures[1:])]
    if len(changes) < MIN_MOVING_RANGES:
        return []
    mean_mr = sum(abs(c) for _, c in changes) / len(changes)
    if mean_mr == 0:
        return []
    limit = MOVING_RANGE_LIMIT * mean_mr
    out = []
    previous = {b.period: a for (a, _), (b, _) in zip(figures, figures[1:])}
    values = {r.period: v for r, v in figures}
    for row, change in changes:
        if not _this_year(period, row.period) or abs(change) <= limit:
            continue
        before = previous[row.period]
        word = "rise" if change > 0 else "fall"
        out.append(Finding(
            WARNING, "jump", ind.id, row.period, "values", row.row, _figure_column(row),
            f"{_fmt(ind, values[row.period])} is a {word} of {_fmt_change(ind, abs(change))} from "
            f"{_fmt(ind, values[before.period])} ({before.period.label}), more than {MOVING_RANGE_LIMIT} times the "
            f"usual change of {_fmt_change(ind, mean_mr)} (mean moving range): check the figure"))
    return out


def _fmt_change(ind: Indicator, value: Decimal) -> str:
    text = _fmt(ind, value)
    return f"{text[:-1]} points" if ind.unit == "percent" else text


def neighbour_factor(ind: Indicator, rows, period: Month, column: str) -> list[Finding]:
    """A target (or floor) NEIGHBOUR_FACTOR times or more larger or smaller than every
    neighbour it has (the previous and next given in the same financial year), in the
    report period's financial year. A year's targets start afresh (a cumulative target
    falls from March to April), so a neighbour across the year's start is not compared;
    zeros and figures of opposite signs are not compared either."""
    year = [r for r in rows if r.period.fy_start == period.fy_start and getattr(r, column) is not None]
    out = []
    for i, row in enumerate(year):
        value = to_decimal(getattr(row, column))
        # the one before and the one after; at either end of the year, the two on its one side
        # (so one odd figure never makes its neighbour at the end look odd too)
        near = [year[j] for j in (i - 1, i + 1) if 0 <= j < len(year)]
        if len(near) == 1 and len(year) > 2:
            near.append(year[i + 2] if i == 0 else year[i - 2])
        neighbours = [to_decimal(getattr(r, column)) for r in near]
        if not neighbours or value == 0:
            continue
        ratios = []
        for other in neighbours:
            if other == 0 or (other < 0) != (value < 0):
                break
            big, small = max(abs(value), abs(other)), min(abs(value), abs(other))
            ratios.append(big / small)
        else:
            if all(r >= NEIGHBOUR_FACTOR for r in ratios):
                word = "minimum standard" if column == "floor" else column
                around = " and ".join(_fmt_set(ind, n) for n in neighbours)
                out.append(Finding(
                    WARNING, "target-factor" if column == "target" else "floor-factor", ind.id, row.period,
                    "values", row.row, column,
                    f"the {word} {_fmt_set(ind, value)} is {NEIGHBOUR_FACTOR} times or more away from the "
                    f"{word}{'s' if len(neighbours) > 1 else ''} nearest it ({around}): a decimal point or a "
                    "digit may have slipped"))
    return out


def target_profile(ind: Indicator, rows, period: Month) -> list[Finding]:
    """Phased targets move one way through a financial year, towards the year-end target
    (or stay level): a target that turns back (higher after falling, or lower after
    rising, as the report shows them) is outside the year's profile."""
    odd = {f.row for f in neighbour_factor(ind, rows, period, "target")}  # (reported by that check)
    year = [r for r in rows if r.period.fy_start == period.fy_start and r.target is not None and r.row not in odd]
    out = []
    trend = 0  # +1 rising, -1 falling, 0 level so far
    for a, b in zip(year, year[1:]):
        x, y = round_figure(a.target, ind.decimals), round_figure(b.target, ind.decimals)
        step = (y > x) - (y < x)
        if step == 0:
            continue
        if trend and step != trend:
            word = "rises" if step > 0 else "falls"
            way = "risen" if trend > 0 else "fallen"
            out.append(Finding(
                WARNING, "target-profile", ind.id, b.period, "values", b.row, "target",
                f"the target {word} from {_fmt_set(ind, x)} ({a.period.label}) to {_fmt_set(ind, y)}, but it had "
                f"{way} earlier in the {b.period.financial_year} financial year: phased targets move one way "
                "towards the year-end target; check the profile"))
            continue  # one finding per turn; the new direction is what the next step is judged by
        trend = step
    return out


# --- turning findings into the package's errors -----------------------------------------------


def as_problems(source: str, findings, origins: dict[str, str] | None = None) -> InputProblems:
    """Findings as input problems (listed, exit status 1), each with its cell; ``origins``
    (a report read from several files, ``Dataset.origins``): the file each indicator is in."""
    origins = origins or {}
    return InputProblems(source, [Problem(origins.get(f.indicator_id, source), f.sheet, f.row, f.column,
                                          _problem_text(f)) for f in findings])


def _problem_text(f: Finding) -> str:
    what = " ".join(x for x in (f.indicator_id, f.period.label if f.period else "") if x)
    return f"{what}: {f.message}" if what else f.message


def from_problems(problems) -> list[Finding]:
    """The input problems of a workbook that cannot be read, as findings for the listing."""
    return [Finding(ERROR, "readable", "", None, p.sheet, p.row, p.column, p.message) for p in problems]
