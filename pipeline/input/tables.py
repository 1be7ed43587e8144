"""The validated tables: what the input workbook says, typed and checked.

Produced by :mod:`pipeline.input.workbook`; read by the cards engine and the document
assembler. Nothing here does I/O.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum

from pipeline.rules.periods import Month
from pipeline.rules.rating import Polarity


class DataPeriod(str, Enum):
    """How an indicator's figure for a period is measured (the summary's 'Data Period')."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR_TO_DATE = "year_to_date"
    ROLLING_12 = "rolling_12_months"
    CUMULATIVE = "cumulative"
    SNAPSHOT = "snapshot"
    ANNUAL = "annual"

    @property
    def short_label(self) -> str:
        """As the seeds' summary tables write it."""
        return _SHORT[self]

    @property
    def long_label(self) -> str:
        return _LONG[self]


_SHORT = {
    DataPeriod.MONTH: "Month",
    DataPeriod.QUARTER: "Quarterly",
    DataPeriod.YEAR_TO_DATE: "YTD",
    DataPeriod.ROLLING_12: "12M",
    DataPeriod.CUMULATIVE: "Cumulative",
    DataPeriod.SNAPSHOT: "Snapshot",
    DataPeriod.ANNUAL: "Annual",
}
_LONG = {
    DataPeriod.MONTH: "Month",
    DataPeriod.QUARTER: "Quarter",
    DataPeriod.YEAR_TO_DATE: "Year to date",
    DataPeriod.ROLLING_12: "Rolling 12 months",
    DataPeriod.CUMULATIVE: "Cumulative",
    DataPeriod.SNAPSHOT: "Snapshot",
    DataPeriod.ANNUAL: "Annual",
}

DATA_PERIOD_ALIASES = {
    "month": DataPeriod.MONTH,
    "monthly": DataPeriod.MONTH,
    "quarter": DataPeriod.QUARTER,
    "quarterly": DataPeriod.QUARTER,
    "year to date": DataPeriod.YEAR_TO_DATE,
    "ytd": DataPeriod.YEAR_TO_DATE,
    "financial year to date": DataPeriod.YEAR_TO_DATE,
    "rolling 12 months": DataPeriod.ROLLING_12,
    "rolling 12 month": DataPeriod.ROLLING_12,
    "12m": DataPeriod.ROLLING_12,
    "r12m": DataPeriod.ROLLING_12,
    "rolling": DataPeriod.ROLLING_12,
    "cumulative": DataPeriod.CUMULATIVE,
    "snapshot": DataPeriod.SNAPSHOT,
    "quarter end": DataPeriod.SNAPSHOT,
    "month end": DataPeriod.SNAPSHOT,
    "annual": DataPeriod.ANNUAL,
    "annually": DataPeriod.ANNUAL,
    "yearly": DataPeriod.ANNUAL,
}


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    section: str
    polarity: Polarity
    unit: str
    data_period: DataPeriod
    decimals: int
    row: int
    order: int
    tolerance: float | None = None
    tolerance_percent: float | None = None
    band_width: float | None = None
    year_end_target: float | None = None
    rate_per: float | None = None
    activity: bool = False
    bold_steps: bool = False
    qpr: bool = False
    may_exceed_100: bool = False  # a percentage that is not a share of a whole (pipeline.quality)
    # the minimum standard is the council's published one, shown in the trend table and chart;
    # blank (the default) is internal: it rates, and the data notes say so (docs/workbook.md)
    floor_published: bool = False
    short_title: str = ""
    priority: str = ""
    ambition: str = ""
    cabinet_member: str = ""
    director: str = ""
    portfolio: str = ""
    division: str = ""
    owner: str = ""
    units_of_measure: str = ""
    data_source: str = ""
    data_notes: str = ""
    chart_title: str = ""
    actual_label: str = ""
    target_label: str = ""
    numerator_label: str = ""
    denominator_label: str = ""
    stat_neighbours_label: str = ""
    england_label: str = ""
    supplementary_label: str = ""
    trend_periods: int | None = None
    # SPC (docs/spc.md): None = the default for the data period; months where the process
    # changed (limits recomputed from there); limits fixed after this many figures
    spc: bool | None = None
    spc_recalculate: tuple[Month, ...] = ()
    spc_baseline: int | None = None
    spc_chart: bool | None = None  # mean and limits on the chart; None = the report's spc_chart

    @property
    def rated(self) -> bool:
        return self.polarity != Polarity.NONE and not self.activity

    @property
    def tolerance_text(self) -> str:
        """The seeds' 'Tolerance:' data note."""
        return {
            Polarity.HIGHER: "Higher values are better",
            Polarity.LOWER: "Lower values are better",
            Polarity.BAND: "As close to target as possible",
            Polarity.NONE: "Not rated",
        }[self.polarity]


@dataclass(frozen=True)
class ValueRow:
    indicator_id: str
    period: Month
    row: int
    actual: float | None = None
    target: float | None = None
    floor: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    forecast: float | None = None
    stat_neighbours: float | None = None
    england: float | None = None
    supplementary: float | None = None
    lower_threshold: float | None = None
    upper_threshold: float | None = None
    confirmed: bool = False  # the data owner confirmed these figures: the quality warnings about them are settled


@dataclass(frozen=True)
class Commentary:
    indicator_id: str
    period: Month
    text: str
    row: int
    author: str = ""
    updated: _dt.datetime | None = None
    # "Actions being taken" (seed 004's lead indicators): one action per line, optionally
    # led by a line ending in ':' that introduces them (pipeline.document.lead)
    actions: str = ""


@dataclass(frozen=True)
class Narrative:
    """Section-level commentary (seed 002's commentary by area, seed 004's programme update)."""

    section: str
    period: Month
    heading: str
    text: str
    row: int
    placement: str = "before"  # before or after the section's indicator pages


# The responsibilities a section's opening states once (seed 004's Specialist Children's
# Services: priority, cabinet member, portfolio, director, division); the same names as the
# indicators sheet's columns of these.
SECTION_FIELDS = ("priority", "ambition", "cabinet_member", "portfolio", "director", "division")


@dataclass(frozen=True)
class SectionDetails:
    """One row of the ``sections`` sheet: a section's responsibilities, stated for the section
    (blank = not printed). A row overrides what the section's indicators say (docs/workbook.md)."""

    section: str
    row: int
    priority: str = ""
    ambition: str = ""
    cabinet_member: str = ""
    portfolio: str = ""
    director: str = ""
    division: str = ""


@dataclass(frozen=True)
class BusinessPlanItem:
    section: str
    priority: str
    action: str
    status: str
    row: int
    commentary: str = ""
    owner: str = ""
    due: str = ""

    @property
    def is_exception(self) -> bool:
        """Seed 002: 'an exception report, covering those elements that have been delayed or cancelled'."""
        return self.status.strip().lower() in {"delayed", "cancelled", "canceled"}


@dataclass(frozen=True)
class Contact:
    name: str
    row: int
    title: str = ""
    team: str = ""
    tel: str = ""
    email: str = ""


@dataclass(frozen=True)
class ReportFields:
    """The cover memo's fields, from the workbook's ``report`` sheet."""

    from_lines: tuple[str, ...]
    to: str
    date: _dt.date
    subject: str
    classification: str = "Unrestricted"
    committee: str = ""
    meeting_date: _dt.date | None = None
    summary: str = ""
    recommendation: str = ""
    recommendations: tuple[str, ...] = ()
    background_documents: tuple[str, ...] = ()
    directorate: str = ""
    report_title: str = ""
    agenda_item: str = ""
    period: Month | None = None
    intro_paragraphs: tuple[str, ...] = ()
    # SPC for the whole report (docs/spc.md): on/off, run length of the shift and trend
    # rules, screening of large moving ranges
    spc: bool = True
    spc_run_length: int = 7
    spc_screen_moving_ranges: bool = True
    spc_chart: bool = True  # charts show the mean, limits and special-cause points


@dataclass(frozen=True)
class Dataset:
    """One report's validated input."""

    source: str
    report: ReportFields
    indicators: tuple[Indicator, ...]
    values: dict[str, tuple[ValueRow, ...]]
    commentary: tuple[Commentary, ...] = ()
    narrative: tuple[Narrative, ...] = ()
    business_plan: tuple[BusinessPlanItem, ...] = ()
    contacts: tuple[Contact, ...] = ()
    sections: tuple[str, ...] = field(default=())
    section_details: tuple[SectionDetails, ...] = ()  # the sections sheet
    # a report read from several files (pipeline.input.report_definition): indicator id -> the
    # file its indicators and values rows are in; empty when they are all in ``source``
    origins: dict[str, str] = field(default_factory=dict)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def latest_period(self) -> Month | None:
        """The latest month for which any indicator has a figure."""
        months = [
            v.period
            for rows in self.values.values()
            for v in rows
            if v.actual is not None or v.numerator is not None or v.forecast is not None
        ]
        return max(months) if months else None
