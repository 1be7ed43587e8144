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
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pipeline.figures import format_figure, plain_number, round_figure, to_decimal
from pipeline.periods import Month
from pipeline.rating import Direction, Polarity, Rag, RangeStatus, direction, range_status, rate, resolve_floor
from pipeline.tables import Commentary, DataPeriod, Dataset, Indicator, ValueRow


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

    def section(self, name: str) -> tuple[Card, ...]:
        return tuple(c for c in self.cards if c.indicator.section == name)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.indicator.section for c in self.cards))


# ---------------------------------------------------------------------------------


def compute_cards(dataset: Dataset, period: Month | None = None) -> CardSet:
    report_period = period or dataset.report.period or dataset.latest_period
    if report_period is None:
        from pipeline.errors import PipelineError

        raise PipelineError("the workbook has no figures yet: there is no period to report")
    commentary = {(c.indicator_id, c.period): c for c in dataset.commentary}
    cards = tuple(
        compute_card(ind, dataset.values.get(ind.id, ()), report_period, commentary)
        for ind in dataset.indicators
    )
    return CardSet(report_period, cards)


def compute_card(
    indicator: Indicator,
    rows: tuple[ValueRow, ...],
    report_period: Month,
    commentary: dict | None = None,
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
    return Card(indicator, report_period, history, current, previous, travel, outturn, year_end_target, this, last)


def compute_history(indicator: Indicator, rows: tuple[ValueRow, ...]) -> tuple[PeriodFigure, ...]:
    by_period = {r.period: r for r in rows}
    dp = indicator.decimals
    out = []
    for row in rows:
        value = period_value(indicator, by_period, row.period)
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
        window = [by_period.get(m) for m in window_months(indicator.data_period, period)]
        if all(r is not None and r.numerator is not None for r in window):
            numerator = sum(to_decimal(r.numerator) for r in window)
            if row.denominator is None:
                return numerator
            if all(r.denominator is not None for r in window):
                denominator = sum(to_decimal(r.denominator) for r in window)
                return numerator / denominator * _scale(indicator)
    return to_decimal(row.actual) if row.actual is not None else None


# ---------------------------------------------------------------------------------
# the stable JSON form (documented in docs/cards-json.md)


def _num(value):
    return plain_number(value) if isinstance(value, Decimal) else value


def _rag(value: Rag | None):
    return value.value if value else None


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
            }
            for f in card.history
        ],
    }


def cards_to_json(cardset: CardSet) -> dict:
    return {"period": cardset.period.iso, "cards": [card_to_json(c) for c in cardset.cards]}
