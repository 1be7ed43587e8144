"""What the cover report and the appendices share: the report's standard wording
(``report_templates/committee_report.toml``, installed as ``pipeline.report_templates``),
rating and direction labels, and the chart of an indicator. Every figure goes through ``Card.fmt`` /
``format_figure``."""
from __future__ import annotations

import datetime as _dt
import re
import string
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from pipeline.cards.compute import Card, CardSet
from pipeline.document.alt_text import chart_alt_text
from pipeline.document.floors import shows_floor
from pipeline.document.model import CHART_HEIGHT_MM, CHART_WIDTH_MM, Cell, ChartSpec, Figure, Series, runs
from pipeline.errors import PipelineError
from pipeline.input.tables import Dataset
from pipeline.rules.periods import MONTH_NAMES
from pipeline.rules.rating import Direction, Polarity, RangeStatus

# The wording ships inside the package (pyproject.toml maps the top-level report_templates/
# folder to pipeline.report_templates): found through the import system, so a wheel, a
# plain ``pip install .`` and an editable install all find it, wherever they are installed.
TEMPLATE_PATH = files("pipeline.report_templates") / "committee_report.toml"

# Symbols present in Arial and Liberation Sans that survive PDF text extraction; the word
# always follows, so the direction never rests on the symbol alone.
DIRECTION_SYMBOL = {Direction.IMPROVED: "▲", Direction.WORSENED: "▼", Direction.UNCHANGED: "►"}
RANGE_TEXT = {
    RangeStatus.WITHIN: "Within expected range",
    RangeStatus.ABOVE: "Above expected range",
    RangeStatus.BELOW: "Below expected range",
}
NOT_RATED = "not rated"

# chart size on the indicator page (mm): the chart column beside the data notes
FIGURE_WIDTH_MM, FIGURE_HEIGHT_MM = CHART_WIDTH_MM, CHART_HEIGHT_MM


@dataclass(frozen=True)
class Wording:
    """The loaded template and the values its placeholders take."""

    data: dict
    values: dict
    source: str

    def get(self, *path: str):
        node = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                raise PipelineError(f"{self.source}: missing entry {'.'.join(path)}")
            node = node[key]
        return node

    def fill(self, text: str, **extra) -> str:
        values = {**self.values, **extra}
        for _, name, _, _ in string.Formatter().parse(text):
            if name is not None and name not in values:
                raise PipelineError(f"{self.source}: unknown placeholder {{{name}}} in {text[:60]!r}")
        return text.format_map(values)

    def text(self, *path: str, **extra) -> str:
        return self.fill(self.get(*path), **extra)


def load_wording(dataset: Dataset, cardset: CardSet, path: str | Path | None = None) -> Wording:
    source = Path(path) if path else TEMPLATE_PATH
    try:
        with source.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise PipelineError(f"cannot read the report wording {source}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"{source}: {exc}") from None
    period = cardset.period
    report = dataset.report
    values = {
        "committee": report.committee or report.to,
        "directorate": report.directorate or "",
        "period": period.long_label,
        "financial_year": period.financial_year,
        "previous_financial_year": (period - 12).financial_year,
    }
    return Wording(data, values, str(source))


def long_date(day: _dt.date | None) -> str:
    if day is None:
        return ""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def direction_text(direction: Direction | None) -> str:
    if direction is None:
        return "–"
    return f"{DIRECTION_SYMBOL[direction]} {direction.value.capitalize()}"


def rating_text(card: Card) -> str:
    """The word a reader sees for the card's current rating."""
    if card.indicator.activity:
        status = card.range_status
        return RANGE_TEXT[status] if status else "No expected range"
    return card.rag.value if card.rag else NOT_RATED


def rating_cell(card: Card, **kw) -> Cell:
    return Cell(runs(rating_text(card)), rag=None if card.indicator.activity else card.rag, bold=True, **kw)


def figure_rag_text(figure, activity: bool) -> str:
    if figure.actual is None:
        return "–"
    if activity:
        return figure.range_status.value.capitalize() if figure.range_status else "–"
    return figure.rag.value if figure.rag else NOT_RATED


def has_phased_targets(card: Card) -> bool:
    """Targets that change within the current financial year, or a year-end target that
    differs from the current one."""
    fy = card.report_period.fy_start
    targets = {f.target for f in card.history if f.period.fy_start == fy and f.target is not None}
    current = card.current.target if card.current else None
    return len(targets) > 1 or (card.year_end_target is not None and current is not None
                                and card.year_end_target != current)


def indicator_title(card: Card) -> str:
    return card.indicator.title


def anchor_for(card: Card) -> str:
    return f"ind-{card.indicator.id.lower()}"


def _floats(values) -> tuple[float | None, ...]:
    return tuple(float(v) if v is not None else None for v in values)


# The value axis's label by unit: what the numbers on it are, in a word.
AXIS_LABEL = {"percent": "Percentage", "count": "Number", "rate": "Rate", "currency": "£",
              "days": "Days", "number": "Number"}
_RATE_BASE = re.compile(r"\bper\s+(\d[\d,]*)", re.IGNORECASE)


def axis_label(ind) -> str:
    """The chart's value-axis label: the unit in a word, and for a rate the population it
    is per when the units of measure name one (ASC07: 'a rate per 100,000 population' ->
    'Rate per 100,000'); the full units of measure are in the data notes beside the chart."""
    label = AXIS_LABEL.get(ind.unit, "")
    if ind.unit == "rate":
        base = _RATE_BASE.search(ind.units_of_measure or "")
        if base:
            label += f" per {base.group(1).rstrip(',')}"
    return label


def chart_spec(card: Card, spc: bool = False) -> ChartSpec:
    """The chart of one indicator: actual against target, minimum standard, comparators,
    forecasts and the expected range, over the card's trend window; with ``spc``, the
    mean, process limits and special-cause points too (pipeline.document.spc)."""
    ind = card.indicator
    window = card.window()
    actual = [None if f.is_forecast else f.actual for f in window]
    series = [Series(ind.actual_label or "Actual", _floats(actual), "actual")]
    if any(f.is_forecast for f in window):
        series.append(Series("Forecast", _floats(f.actual if f.is_forecast else None for f in window), "forecast"))
    if any(f.target is not None for f in window):
        series.append(Series(ind.target_label or "Target", _floats(f.target for f in window), "target"))
    if shows_floor(card):  # only a published minimum standard is drawn (pipeline.document.floors)
        if ind.polarity == Polarity.BAND:
            lower = [f.floor if f.target is not None else None for f in window]
            upper = [(2 * f.target - f.floor) if f.floor is not None and f.target is not None else None
                     for f in window]
            series.append(Series("Minimum standard (lower)", _floats(lower), "floor"))
            series.append(Series("Minimum standard (upper)", _floats(upper), "floor"))
        else:
            series.append(Series("Minimum standard", _floats(f.floor for f in window), "floor"))
    if any(f.stat_neighbours is not None for f in window):
        series.append(Series(ind.stat_neighbours_label or "Statistical neighbours",
                             _floats(f.stat_neighbours for f in window), "comparator"))
    if any(f.england is not None for f in window):
        series.append(Series(ind.england_label or "England", _floats(f.england for f in window), "comparator"))
    band_lower = band_upper = None
    if ind.activity and any(f.lower_threshold is not None or f.upper_threshold is not None for f in window):
        band_lower = _floats(f.lower_threshold for f in window)
        band_upper = _floats(f.upper_threshold for f in window)
    return ChartSpec(
        title=ind.chart_title or ind.short_title or ind.title,
        periods=tuple(f.period.label for f in window),
        series=tuple(series),
        unit=ind.unit,
        decimals=ind.decimals,
        y_label=axis_label(ind),
        band_lower=band_lower,
        band_upper=band_upper,
        **(_spc_overlay(card, window) if spc else {}),
    )


def _spc_overlay(card: Card, window) -> dict:
    from pipeline.document.spc import chart_overlay

    return chart_overlay(card, window)


def alt_rating(card: Card) -> str:
    if card.indicator.activity:
        status = card.range_status
        return {RangeStatus.WITHIN: "within the expected range", RangeStatus.ABOVE: "above the expected range",
                RangeStatus.BELOW: "below the expected range"}[status] if status else "no expected range set"
    return f"rated {card.rag.value}" if card.rag else NOT_RATED


def indicator_figure(card: Card, spc: bool = False) -> Figure:
    spec = chart_spec(card, spc)
    return Figure(spec, chart_alt_text(spec, alt_rating(card)), width_mm=FIGURE_WIDTH_MM,
                  height_mm=FIGURE_HEIGHT_MM, caption="")


def current_target_header(cardset: CardSet) -> str:
    return f"Current {cardset.period.financial_year} Target"


def outturn_header(cardset: CardSet) -> str:
    return f"{(cardset.period - 12).financial_year} Outturn"


def data_period_short(card: Card) -> str:
    return card.indicator.data_period.short_label

