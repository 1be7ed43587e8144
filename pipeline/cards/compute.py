"""Indicator cards: every figure, rating and direction a report shows. Pure computation.

For each indicator and each period in its values, the figure is worked out by the
indicator's data period:

- where a period's row gives ``numerator`` and ``denominator``, quarter, year to date
  (financial year, April to March) and rolling 12 months are recomputed from the sums
  over that window (sum of numerators / sum of denominators, x100 for percentages, x
  ``rate_per`` for rates; counts with a numerator only are summed). A window with a
  month missing falls back to the ``actual`` the officer gave, if any;
- otherwise the ``actual`` is used as given (month, snapshot, cumulative);
- annual indicators show the actual when there is one, else the forecast, and are rated
  against the period's target or, failing that, the year-end target (seed 003 para 11).

The card for a report period shows the latest figure at or before that period (a
quarterly indicator reported in a monthly report shows its last quarter).

The period guard (:func:`check_period`, run by :func:`compute_cards` for every command
that takes a period: ``cards``, ``build``, the agenda pack, ``send``, commentary forms)
refuses a period no report can honestly be about, and says when many figures are older
than it. An indicator *has a figure for the period* (:func:`has_figure_for_period`) when
its card's figure (the latest at or before the period) is recent enough for its data
period: the period's own month for Month, Year to date, Rolling 12 months, Cumulative and
Snapshot; one of the three months ending with the period for Quarter (the last quarter
published); one of the twelve months ending with the period for Annual (the last year's
outturn or this year's forecast).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.errors import EXIT_PROBLEMS, PipelineError
from pipeline.input.tables import Commentary, DataPeriod, Dataset, Indicator, ValueRow
from pipeline.rules.figures import format_figure, format_target, plain_number, round_figure, to_decimal
from pipeline.rules.periods import Month
from pipeline.rules.rating import Direction, Polarity, Rag, RangeStatus, direction, range_status, rate, resolve_floor
from pipeline.rules.spc import SpcOptions, SpcPoint, SpcResult, xmr


@dataclass(frozen=True)
class PeriodFigure:
    """One period of one indicator, rounded to the indicator's decimal places."""

    period: Month
    actual: Decimal | None
    target: Decimal | None
    floor: Decimal | None
    rag: Rag | None
    forecast: Decimal | None = None
    is_forecast: bool = False
    stat_neighbours: Decimal | None = None
    england: Decimal | None = None
    supplementary: Decimal | None = None
    lower_threshold: Decimal | None = None
    upper_threshold: Decimal | None = None
    range_status: RangeStatus | None = None
    numerator: float | None = None
    denominator: float | None = None

    @property
    def has_value(self) -> bool:
        return self.actual is not None


@dataclass(frozen=True)
class CardSpc:
    """The card's XmR chart (docs/spc.md): ``status`` "on" (limits for the latest figure),
    "off" (SPC off for the report or the indicator) or "not_enough_data" (the latest
    figure's segment has fewer than 12 figures); ``periods`` are the months of
    ``result.points``: the figures up to the report period, forecasts left out."""

    status: str
    result: SpcResult | None = None
    periods: tuple[Month, ...] = ()

    def point(self, period: Month) -> SpcPoint | None:
        if self.result is None or period not in self.periods:
            return None
        return self.result.points[self.periods.index(period)]


SPC_OFF = CardSpc("off")


@dataclass(frozen=True)
class Card:
    indicator: Indicator
    report_period: Month
    history: tuple[PeriodFigure, ...]
    current: PeriodFigure | None
    previous: PeriodFigure | None
    direction: Direction | None
    previous_outturn: PeriodFigure | None
    year_end_target: Decimal | None
    commentary: Commentary | None
    previous_commentary: Commentary | None
    spc: CardSpc = SPC_OFF

    @property
    def rag(self) -> Rag | None:
        return self.current.rag if self.current else None

    @property
    def previous_rag(self) -> Rag | None:
        return self.previous.rag if self.previous else None

    @property
    def range_status(self) -> RangeStatus | None:
        return self.current.range_status if self.current else None

    @property
    def period(self) -> Month | None:
        return self.current.period if self.current else None

    def fmt(self, value) -> str:
        """Format a figure of this indicator: the one formatter every renderer uses."""
        return format_figure(value, self.indicator.unit, self.indicator.decimals)

    def fmt_target(self, value) -> str:
        """Format a target of this indicator: the one target formatter every renderer uses."""
        return format_target(value, self.indicator.unit, self.indicator.decimals)

    def window(self, count: int | None = None) -> tuple[PeriodFigure, ...]:
        """The periods a trend table or chart shows: up to ``count`` ending at the report period,
        plus later periods of the same financial year that already carry a target (phased)."""
        count = count or self.indicator.trend_periods or 13
        upto = [f for f in self.history if f.period <= self.report_period]
        ahead = [
            f for f in self.history
            if f.period > self.report_period and f.period.fy_start == self.report_period.fy_start
        ]
        return tuple(upto[-count:] + ahead)


@dataclass(frozen=True)
class CardSet:
    period: Month
    cards: tuple[Card, ...]
    # the period guard's loud warning (more than a quarter of the rated indicators have no
    # figure for the period), or None; see check_period
    period_warning: str | None = None

    def section(self, name: str) -> tuple[Card, ...]:
        return tuple(c for c in self.cards if c.indicator.section == name)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.indicator.section for c in self.cards))


# ---------------------------------------------------------------------------------


class PeriodRefused(PipelineError):
    """The reporting period cannot be reported on (no figures for it), or the report
    sheet states another period: the user must choose another period or fix the sheet."""

    exit_code = EXIT_PROBLEMS


# how many months old (counting the period itself as 1) a card's figure may be and still be
# the figure "for" the period, by data period (see the module's docstring)
FIGURE_AGE_LIMIT = {
    DataPeriod.MONTH: 1,
    DataPeriod.YEAR_TO_DATE: 1,
    DataPeriod.ROLLING_12: 1,
    DataPeriod.CUMULATIVE: 1,
    DataPeriod.SNAPSHOT: 1,
    DataPeriod.QUARTER: 3,
    DataPeriod.ANNUAL: 12,
}

# more than this share of the rated indicators without a figure for the period: a loud
# warning (exactly a quarter does not warn)
MISSING_SHARE_WARNING = Decimal(1) / 4


def compute_cards(dataset: Dataset, period: Month | None = None, *, guard: bool = True) -> CardSet:
    """The cards for ``period`` (default: the report sheet's own month, else the latest
    month with figures). ``guard``: apply :func:`check_period` (refuses with
    :class:`PeriodRefused`); only tests of the card rules themselves turn it off."""
    report_period = period or default_period(dataset)
    if report_period is None:
        raise PipelineError("the workbook has no figures yet: there is no period to report")
    commentary = {(c.indicator_id, c.period): c for c in dataset.commentary}
    spc = spc_options(dataset.report)
    cards = tuple(
        compute_card(ind, dataset.values.get(ind.id, ()), report_period, commentary, spc=spc)
        for ind in dataset.indicators
    )
    cardset = CardSet(report_period, cards)
    if guard:
        cardset = CardSet(report_period, cards, check_period(cardset))
    return cardset


def default_period(dataset: Dataset) -> Month | None:
    """The month a report is about when no period is asked for: the report sheet's
    ``period``, else the month its subject (or title) names, else the latest with figures."""
    stated = stated_periods(dataset.report)
    if stated:
        return stated[0][1]
    return dataset.latest_period


def has_figure_for_period(card: Card) -> bool:
    """Whether the card's figure is the indicator's figure for the card's period (see the
    module's docstring for each data period)."""
    current = card.current
    if current is None:
        return False
    age = card.report_period.index - current.period.index + 1
    return age <= FIGURE_AGE_LIMIT[card.indicator.data_period]


def check_period(cardset: CardSet) -> str | None:
    """The period guard. Refuses (:class:`PeriodRefused`) a period after the latest figure
    of every indicator, before the first figure of every indicator, or for which no rated
    indicator (every indicator, when none is rated) has a figure. Returns a warning when
    more than a quarter of them have no figure for it, else None."""
    period = cardset.period
    months = [f.period for card in cardset.cards for f in card.history if f.has_value]
    if not months:
        raise PipelineError("the workbook has no figures yet: there is no period to report")
    first, latest = min(months), max(months)
    if period > latest:
        raise PeriodRefused(
            f"the reporting period {period.long_label} is after the latest figure in the workbook "
            f"({latest.long_label}): there is nothing to report for it. Choose {latest.iso} or earlier, "
            f"or add the figures for {period.long_label} to the values sheet")
    if period < first:
        raise PeriodRefused(
            f"the reporting period {period.long_label} is before the first figure in the workbook "
            f"({first.long_label}): there is nothing to report for it")
    rated = [c for c in cardset.cards if c.indicator.rated] or list(cardset.cards)
    kind = "rated indicator" if any(c.indicator.rated for c in cardset.cards) else "indicator"
    without = [c for c in rated if not has_figure_for_period(c)]
    if len(without) == len(rated):
        raise PeriodRefused(
            f"no {kind} has a figure for {period.long_label} (latest figures: "
            f"{_latest_figures(without)}): choose a period the figures are for")
    if Decimal(len(without)) / len(rated) > MISSING_SHARE_WARNING:
        share = round(Decimal(100) * len(without) / len(rated))
        return (f"{len(without)} of {len(rated)} {kind}s ({share}%) have no figure for {period.long_label}; "
                f"the report shows their older figures: {_latest_figures(without)}")
    return None


def _latest_figures(cards) -> str:
    return ", ".join(f"{c.indicator.id} {c.current.period.label if c.current else 'none'}" for c in cards)


# ---------------------------------------------------------------------------------
# the period the report sheet states

_MONTH_WORDS = (r"january|february|march|april|may|june|july|august|september|october|november|december"
                r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec")
_NAMED_MONTH = re.compile(rf"\b({_MONTH_WORDS})\.?(?:\s+|\s*[-']\s*)(\d{{4}}|\d{{2}})\b", re.IGNORECASE)


def named_months(text: str) -> list[Month]:
    """The months a text names as month and year ("September 2013", "Sep 2013", "Sep-13"),
    in order. A month without a year ("April to September 2013": April) is not a period."""
    from pipeline.rules.periods import parse_month

    out = []
    for match in _NAMED_MONTH.finditer(text or ""):
        word, year = match.group(1), match.group(2)
        if len(year) == 2 and not re.search(r"[-']", match.group(0)):
            continue  # "Sep 13" may be a day: only "Sep-13" is the sheets' short form
        try:
            out.append(parse_month(f"{word[:3]}-{year}" if len(year) == 2 else f"{word[:3]} {year}"))
        except ValueError:
            continue
    return out


def stated_periods(report) -> list[tuple[str, Month]]:
    """Where the report sheet states the report's month: ("period", its value), and
    ("subject" / "report_title", the latest month the text names). The first is the
    report's own month."""
    out = []
    if report.period is not None:
        out.append(("period", report.period))
    for name in ("subject", "report_title"):
        months = named_months(getattr(report, name, "") or "")
        if months:
            out.append((name, max(months)))
    return out


def check_report_agrees(dataset: Dataset, period: Month) -> None:
    """Refuse (:class:`PeriodRefused`) to build a report for ``period`` when the report
    sheet states another month in its ``period``, ``subject`` or ``report_title``: the
    memo would say one month and the figures be for another."""
    for name, stated in stated_periods(dataset.report):
        if stated != period:
            raise PeriodRefused(
                f"the report sheet's {name} is for {stated.long_label} but the report is being built for "
                f"{period.long_label}: change the report sheet's period and subject to {period.long_label}, "
                f"or build for {stated.iso}")


DEFAULT_SPC = SpcOptions()  # (the report's defaults; None turns SPC off)


def compute_card(
    indicator: Indicator,
    rows: tuple[ValueRow, ...],
    report_period: Month,
    commentary: dict | None = None,
    *,
    spc: SpcOptions | None = DEFAULT_SPC,
) -> Card:
    history = compute_history(indicator, rows)
    with_value = [f for f in history if f.has_value and f.period <= report_period]
    current = with_value[-1] if with_value else None
    previous = with_value[-2] if len(with_value) > 1 else None
    travel = None
    if current is not None and previous is not None and not indicator.activity:
        travel = direction(indicator.polarity, current.actual, previous.actual, indicator.decimals,
                           current.target, previous.target)
    anchor = current.period if current else report_period
    by_period = {f.period: f for f in history}
    outturn_month = Month(anchor.fy_start_year, 3)
    outturn = by_period.get(outturn_month)
    if outturn is not None and not outturn.has_value:
        outturn = None
    year_end_target = None
    if indicator.year_end_target is not None:
        year_end_target = round_figure(indicator.year_end_target, indicator.decimals)
    else:
        fy_end = by_period.get(anchor.fy_end)
        if fy_end is not None:
            year_end_target = fy_end.target
    notes = commentary or {}
    this = notes.get((indicator.id, report_period))
    earlier = [c for (ident, p), c in notes.items() if ident == indicator.id and p < report_period]
    last = max(earlier, key=lambda c: c.period) if earlier else None
    return Card(indicator, report_period, history, current, previous, travel, outturn, year_end_target, this, last,
                card_spc(indicator, history, report_period, spc))


# ---------------------------------------------------------------------------------
# SPC beside RAG (pipeline/rules/spc.py; docs/spc.md)

# figures that accumulate (year to date, cumulative) or overlap (rolling 12 months) rise and
# fall in runs by construction, which the shift and trend rules would read as special
# cause: no SPC for them unless the indicator's spc column says yes
SPC_DEFAULT_OFF = frozenset({DataPeriod.YEAR_TO_DATE, DataPeriod.CUMULATIVE, DataPeriod.ROLLING_12})


def spc_options(report) -> SpcOptions | None:
    """The report sheet's SPC choices; None when SPC is off for the whole report."""
    if not getattr(report, "spc", True):
        return None
    return SpcOptions(run_length=getattr(report, "spc_run_length", 7),
                      screen_moving_ranges=getattr(report, "spc_screen_moving_ranges", True))


def spc_applies(indicator: Indicator) -> bool:
    return indicator.spc if indicator.spc is not None else indicator.data_period not in SPC_DEFAULT_OFF


def card_spc(indicator: Indicator, history, report_period: Month, options: SpcOptions | None) -> CardSpc:
    """The XmR chart of the figures the card reports (rounded as printed), in month order
    up to the report period; months without a figure are skipped, not a break."""
    if options is None or not spc_applies(indicator):
        return SPC_OFF
    series = [f for f in history if f.has_value and f.period <= report_period and not f.is_forecast]
    restart = {next((i for i, f in enumerate(series) if f.period >= m), len(series)) for m in indicator.spc_recalculate}
    result = xmr([f.actual for f in series], indicator.polarity, target=series[-1].target if series else None,
                 recalculate=restart, baseline=indicator.spc_baseline, options=options)
    status = "on" if result.limits is not None else "not_enough_data"
    return CardSpc(status, result, tuple(f.period for f in series))


def compute_history(indicator: Indicator, rows: tuple[ValueRow, ...]) -> tuple[PeriodFigure, ...]:
    by_period = {r.period: r for r in rows}
    dp = indicator.decimals
    out = []
    for row in rows:
        value: Decimal | float | None = period_value(indicator, by_period, row.period)
        is_forecast = False
        target = row.target
        if indicator.data_period == DataPeriod.ANNUAL:
            if value is None and row.forecast is not None:
                value, is_forecast = row.forecast, True
            if target is None:
                target = indicator.year_end_target
        floor = resolve_floor(indicator.polarity, target, row.floor, indicator.tolerance, indicator.tolerance_percent)
        rag = rate(indicator.polarity, value, target, floor, dp, indicator.band_width) if indicator.rated else None
        status = range_status(value, row.lower_threshold, row.upper_threshold, dp) if indicator.activity else None
        out.append(PeriodFigure(
            period=row.period,
            actual=round_figure(value, dp),
            target=round_figure(target, dp),
            floor=round_figure(floor, dp) if indicator.rated else None,
            rag=rag,
            forecast=round_figure(row.forecast, dp),
            is_forecast=is_forecast,
            stat_neighbours=round_figure(row.stat_neighbours, dp),
            england=round_figure(row.england, dp),
            supplementary=round_figure(row.supplementary, dp),
            lower_threshold=round_figure(row.lower_threshold, dp),
            upper_threshold=round_figure(row.upper_threshold, dp),
            range_status=status,
            numerator=row.numerator,
            denominator=row.denominator,
        ))
    return tuple(out)


def window_months(data_period: DataPeriod, period: Month) -> list[Month]:
    """The months whose numerators and denominators make up one period's figure."""
    if data_period == DataPeriod.QUARTER:
        start = period.quarter_start
    elif data_period == DataPeriod.YEAR_TO_DATE:
        start = period.fy_start
    elif data_period == DataPeriod.ROLLING_12:
        start = period - 11
    else:
        start = period
    return [Month.from_index(i) for i in range(start.index, period.index + 1)]


def _scale(indicator: Indicator) -> Decimal:
    if indicator.unit == "percent":
        return Decimal(100)
    if indicator.unit == "rate" and indicator.rate_per:
        return to_decimal(indicator.rate_per)
    return Decimal(1)


def period_value(indicator: Indicator, by_period: dict[Month, ValueRow], period: Month) -> Decimal | None:
    """The unrounded figure for one period (see the module's docstring for the rules)."""
    row = by_period.get(period)
    if row is None:
        return None
    if row.numerator is not None:
        months = window_months(indicator.data_period, period)
        window = [r for r in (by_period.get(m) for m in months) if r is not None]
        if len(window) == len(months) and all(r.numerator is not None for r in window):
            numerator = sum((to_decimal(r.numerator) for r in window), Decimal(0))
            if row.denominator is None:
                return numerator
            if all(r.denominator is not None for r in window):
                denominator = sum((to_decimal(r.denominator) for r in window), Decimal(0))
                return numerator / denominator * _scale(indicator)
    return to_decimal(row.actual) if row.actual is not None else None


# ---------------------------------------------------------------------------------
# the stable JSON form (documented in docs/cards-json.md)


def _num(value):
    return plain_number(value) if isinstance(value, Decimal) else value


def _rag(value: Rag | None):
    return value.value if value else None


def _spc_json(card: Card) -> dict | None:
    """mean and limits of the latest figure's segment, to two more places than the figures."""
    result = card.spc.result
    limits = result.limits if result else None
    if result is None or limits is None or result.variation is None:
        return None
    places = card.indicator.decimals + 2
    assurance = result.assurance
    return {"mean": _num(round_figure(limits.mean, places)), "lower": _num(round_figure(limits.lower, places)),
            "upper": _num(round_figure(limits.upper, places)), "variation": result.variation.value,
            "assurance": assurance.value if assurance else None}


def _spc_point(card: Card, period: Month):
    point = card.spc.point(period)
    return point.point_type.value if point and point.point_type else None


def card_to_json(card: Card) -> dict:
    ind = card.indicator
    cur = card.current
    floor = cur.floor if cur else None
    ceiling = None
    if ind.polarity == Polarity.BAND and cur and floor is not None and cur.target is not None:
        distance = abs(cur.target - floor)
        floor, ceiling = cur.target - distance, cur.target + distance
    return {
        "id": ind.id,
        "title": ind.title,
        "section": ind.section,
        "polarity": ind.polarity.value,
        "unit": ind.unit,
        "decimals": ind.decimals,
        "data_period": ind.data_period.long_label,
        "period": cur.period.iso if cur else None,
        "rag": _rag(card.rag),
        "previous_rag": _rag(card.previous_rag),
        "direction": card.direction.value if card.direction else None,
        "actual": _num(cur.actual) if cur else None,
        "actual_display": card.fmt(cur.actual) if cur else None,
        "is_forecast": bool(cur and cur.is_forecast),
        "target": _num(cur.target) if cur else None,
        "floor": _num(floor),
        "ceiling": _num(ceiling),
        "year_end_target": _num(card.year_end_target),
        "previous_outturn": _num(card.previous_outturn.actual) if card.previous_outturn else None,
        "activity": ind.activity,
        "range_status": card.range_status.value if card.range_status else None,
        "spc": _spc_json(card),
        "spc_status": card.spc.status,
        "history": [
            {
                "period": f.period.iso,
                "actual": _num(f.actual),
                "target": _num(f.target),
                "floor": _num(f.floor),
                "rag": _rag(f.rag),
                "forecast": _num(f.forecast),
                "stat_neighbours": _num(f.stat_neighbours),
                "england": _num(f.england),
                "range_status": f.range_status.value if f.range_status else None,
                "spc_point": _spc_point(card, f.period),
            }
            for f in card.history
        ],
    }


def cards_to_json(cardset: CardSet) -> dict:
    return {"period": cardset.period.iso, "cards": [card_to_json(c) for c in cardset.cards]}
