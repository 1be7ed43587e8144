"""Statistical process control in the report: the variation and assurance columns of the
summary table, the SPC key beside the RAG key, the cover report's count of signals, and
the mean, limits and special-cause points of an indicator's chart (docs/spc.md).

Everything here reads the cards' SPC results (``Card.spc``, pipeline.cards.compute) and
turns them into model elements: icons (:class:`~pipeline.document.model.Icon`, a kind
and its meaning in words) beside the same words as text, so no edition carries a meaning
by colour or shape alone. The words are the report wording's ``[spc]`` tables
(report_templates/committee_report.toml); a wording file written before SPC existed falls
back to the shipped words for them.

SPC is an addition to the council's RAG format: with ``spc = N`` on the report sheet none
of it appears (every card's SPC is then "off", and :func:`report_shows_spc` is False).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from pipeline.cards.compute import Card
from pipeline.document.model import Block, Cell, Heading, Icon, Paragraph, Table, flowing_rows, runs
from pipeline.errors import PipelineError
from pipeline.rules.spc import Assurance, PointType

# the drawings' names (pipeline.style.icons.ICON_KINDS: a test keeps the two in step)
VARIATION_ICON = {
    (PointType.COMMON_CAUSE, None): "common_cause",
    (PointType.IMPROVEMENT, True): "improvement_high",
    (PointType.IMPROVEMENT, False): "improvement_low",
    (PointType.CONCERN, True): "concern_high",
    (PointType.CONCERN, False): "concern_low",
    (PointType.NEUTRAL_HIGH, True): "neutral_high",
    (PointType.NEUTRAL_LOW, False): "neutral_low",
}
ASSURANCE_ICON = {
    Assurance.CONSISTENT_PASS: "assurance_pass",
    Assurance.CONSISTENT_FAIL: "assurance_fail",
    Assurance.INCONSISTENT: "assurance_inconsistent",
}
# a chart's special-cause points by their kind of change (pipeline.charts.draw marks them)
CHART_POINT = {
    PointType.IMPROVEMENT: "improvement",
    PointType.CONCERN: "concern",
    PointType.NEUTRAL_HIGH: "neutral",
    PointType.NEUTRAL_LOW: "neutral",
}


def report_shows_spc(dataset) -> bool:
    """SPC is on for the report (the report sheet's ``spc``; default on)."""
    return bool(getattr(dataset.report, "spc", True))


def section_shows_spc(dataset, cards: tuple[Card, ...]) -> bool:
    """An appendix shows the SPC key and columns when SPC is on for the report and for at
    least one of its indicators (with enough figures or not)."""
    return report_shows_spc(dataset) and any(c.spc.status != "off" for c in cards)


def chart_shows_limits(dataset, card: Card) -> bool:
    """The indicator's chart shows the mean, process limits and special-cause points: the
    indicator's ``spc_chart`` (blank: the report sheet's ``spc_chart``, default on), when
    the card has limits for its latest figure. A lead (activity) indicator's chart shows
    them only when its own ``spc_chart`` says so: its chart is read against its expected
    range's threshold lines (seed 004), which the limits would crowd."""
    if card.spc.status != "on" or not report_shows_spc(dataset):
        return False
    own = getattr(card.indicator, "spc_chart", None)
    if card.indicator.activity:
        return bool(own)
    return bool(own if own is not None else getattr(dataset.report, "spc_chart", True))


# ----------------------------------------------------------------------------- words


@cache
def _shipped() -> dict:
    from pipeline.document.common import TEMPLATE_PATH

    with TEMPLATE_PATH.open("rb") as fh:
        return tomllib.load(fh)


def words(wording, *path: str, **values) -> str:
    """The ``[spc]`` wording at ``path``: the report's wording file's, else the shipped one's
    (a wording file made before SPC has none)."""
    try:
        return wording.text("spc", *path, **values)
    except PipelineError:
        node = _shipped()["spc"]
        for key in path:
            node = node[key]
        return wording.fill(node, **values)


# ----------------------------------------------------------------------------- one card


@dataclass(frozen=True)
class SpcView:
    """What the report says of one card's SPC: the icon kinds (None: no icon) and the words
    of the variation and assurance cells."""

    variation_icon: str | None
    variation_text: str
    assurance_icon: str | None
    assurance_text: str


def variation_kind(card: Card) -> str | None:
    """The icon of the card's latest figure's variation (None: no limits)."""
    result = card.spc.result
    latest = result.latest if result else None
    if card.spc.status != "on" or latest is None or latest.point_type is None:
        return None
    high = None if latest.rule is None else latest.rule.high
    return VARIATION_ICON.get((latest.point_type, high))


def view(card: Card, wording) -> SpcView:
    if card.spc.status == "off":
        text = words(wording, "not_used")
        return SpcView(None, text, None, text)
    if card.spc.status != "on" or card.spc.result is None:
        text = words(wording, "not_enough_data")
        return SpcView(None, text, None, text)
    variation = variation_kind(card)
    assurance = card.spc.result.assurance
    assurance_kind = ASSURANCE_ICON[assurance] if assurance else None
    return SpcView(
        variation, words(wording, "variation", variation) if variation else words(wording, "not_enough_data"),
        assurance_kind, words(wording, "assurance", assurance_kind or "none"))


def _icon_cell(kind: str | None, text: str, **kw) -> Cell:
    return Cell(runs(text), icons=(Icon(kind, text),) if kind else (), **kw)


def summary_cells(card: Card, wording) -> tuple[Cell, Cell]:
    """The summary table's variation and assurance cells of one indicator: its icon (if it
    has one) and, always, its meaning in words."""
    seen = view(card, wording)
    return (_icon_cell(seen.variation_icon, seen.variation_text),
            _icon_cell(seen.assurance_icon, seen.assurance_text))


def summary_headers(wording) -> tuple[Cell, Cell]:
    return (Cell(runs(words(wording, "variation_header")), header=True, scope="col"),
            Cell(runs(words(wording, "assurance_header")), header=True, scope="col"))


# ----------------------------------------------------------------------------- the key


def key_blocks(cards: tuple[Card, ...], wording) -> tuple[Block, ...]:
    """The SPC key that follows the RAG key: every icon the report can show, with what it
    means in words (the neutral icons only where an indicator of the section can show them)."""
    from pipeline.rules.rating import Polarity

    neutral = any(c.indicator.polarity in (Polarity.BAND, Polarity.NONE) and c.spc.status == "on" for c in cards)
    variation = words(wording, "variation_header")
    assurance = words(wording, "assurance_header")
    groups: list[tuple[str, tuple[str, ...], str]] = [
        (variation, ("common_cause",), "common_cause"),
        (variation, ("improvement_high", "improvement_low"), "improvement"),
        (variation, ("concern_high", "concern_low"), "concern"),
    ]
    if neutral:
        groups.append((variation, ("neutral_high", "neutral_low"), "neutral"))
    groups += [(assurance, (kind,), kind) for kind in ("assurance_pass", "assurance_fail", "assurance_inconsistent")]
    rows = []
    for label, kinds, meaning in groups:
        group = "variation" if label == variation else "assurance"
        names = [words(wording, group, kind) for kind in kinds]
        icons = tuple(Icon(kind, name) for kind, name in zip(kinds, names))
        rows.append((Cell(runs("\n".join(names)), icons=icons), Cell(runs(words(wording, "key", meaning)))))
    rows.append((Cell(runs(words(wording, "not_enough_data"))), Cell(runs(words(wording, "key", "not_enough_data")))))
    rows.append((Cell(runs(words(wording, "not_used")), align="center"), Cell(runs(words(wording, "key", "not_used")))))
    table = Table(
        columns=(0.32, 0.68),
        header_rows=((Cell(runs("Icon"), header=True, scope="col"), Cell(runs("Meaning"), header=True, scope="col")),),
        rows=flowing_rows(rows),
        caption="Key to the variation and assurance icons (statistical process control)",
        kind="key",
        repeat_header=False,
    )
    return (Heading(3, words(wording, "key_heading"), outline=False),
            Paragraph(runs(words(wording, "key_intro")), style="small"), table)


# ----------------------------------------------------------------------------- the cover


@dataclass(frozen=True)
class SignalCount:
    """The cover report's count: indicators whose latest figure has SPC limits, and of them
    those showing improvement, concern, a neutral change or common cause."""

    assessed: tuple[Card, ...]
    improvement: tuple[Card, ...]
    concern: tuple[Card, ...]
    neutral: tuple[Card, ...]
    common_cause: tuple[Card, ...]


def count_signals(cards: tuple[Card, ...]) -> SignalCount:
    assessed = tuple(c for c in cards if c.spc.status == "on" and c.spc.result and c.spc.result.variation)

    def having(*types: PointType) -> tuple[Card, ...]:
        return tuple(c for c in assessed if c.spc.result and c.spc.result.variation in types)

    return SignalCount(assessed, having(PointType.IMPROVEMENT), having(PointType.CONCERN),
                       having(PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW), having(PointType.COMMON_CAUSE))


def cover_blocks(cards: tuple[Card, ...], wording, number) -> list[Block]:
    """The cover report's count of signals (``generated = "spc_summary"``): one numbered
    paragraph, ending with which indicators show improvement and which concern."""
    count = count_signals(cards)
    if not count.assessed:
        return []
    text = words(wording, "cover_count", assessed=len(count.assessed), improvement=len(count.improvement),
                 concern=len(count.concern), common_cause=len(count.common_cause), neutral=len(count.neutral))
    if count.neutral:
        text += " " + words(wording, "cover_neutral", assessed=len(count.assessed),
                            improvement=len(count.improvement), concern=len(count.concern),
                            common_cause=len(count.common_cause), neutral=len(count.neutral))
    for key, found in (("cover_improvement_list", count.improvement), ("cover_concern_list", count.concern)):
        if found:
            text += " " + words(wording, key, indicators="; ".join(c.indicator.title for c in found))
    return [Paragraph(runs(text), number=number.next())]


# ----------------------------------------------------------------------------- the chart


def chart_overlay(card: Card, window) -> dict:
    """The ChartSpec fields of the card's SPC over the chart's ``window`` (its periods):
    each period's mean and limits, rounded as ``cards --format json`` gives them (those of
    its figure's part, when recalculated; a
    period without a figure of its own takes those of the figure before it, until the
    report period; later periods none) and its figure's special cause, if any."""
    result = card.spc.result
    if result is None:
        return {}
    from pipeline.rules.figures import round_figure

    places = card.indicator.decimals + 2  # as cards --format json gives them

    def at(value) -> float:
        return float(round_figure(value, places))

    mean: list[float | None] = []
    lower: list[float | None] = []
    upper: list[float | None] = []
    points: list[str | None] = []
    last = None
    for figure in window:
        point = None if figure.is_forecast else card.spc.point(figure.period)
        if point is not None:
            last = result.segments[point.segment].limits
        limits = last if figure.period <= card.report_period else None
        mean.append(at(limits.mean) if limits else None)
        lower.append(at(limits.lower) if limits else None)
        upper.append(at(limits.upper) if limits else None)
        points.append(CHART_POINT.get(point.point_type) if point is not None and point.point_type else None)
    return {"spc_mean": tuple(mean), "spc_lower": tuple(lower), "spc_upper": tuple(upper),
            "spc_points": tuple(points)}
