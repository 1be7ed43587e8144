"""Alt text for a chart, generated from the chart's own data (never empty).

"Line chart of Percentage of People receiving Self Directed Support, Sep-12 to Sep-13,
against target (dashed). Sep-12: 65% (target 61%). Sep-13: 73% (target 80%), rated AMBER."

An activity indicator's says where its expected range lies and whether the latest figure is in it:
"... with the expected range between the upper threshold (long dashes) and lower threshold
(short dashes). ... Sep-13: 4,851 (expected range 4,600 to 6,400), within the expected range."

Figures are written by :func:`pipeline.rules.figures.format_figure` with the chart's unit and
decimals, so the alt text reads exactly like the trend table under the chart.
"""
from __future__ import annotations

from pipeline.document.model import ChartSpec, Series
from pipeline.rules.figures import format_figure, format_target


def _fmt(spec: ChartSpec, value) -> str:
    return format_figure(value, spec.unit, spec.decimals)


def _first(spec: ChartSpec, role: str) -> Series | None:
    return next((s for s in spec.series if s.role == role), None)


def _on(series: Series, other: Series | None) -> bool:
    """Every value of ``series`` lies on ``other``."""
    if other is None:
        return False
    points = [(v, w) for v, w in zip(series.values, other.values) if v is not None]
    return bool(points) and all(w is not None and v == w for v, w in points)


def expected_range(spec: ChartSpec, low, high) -> str:
    """'expected range 4,600 to 6,400' (thresholds written as set figures, as the trend
    table writes them); with one threshold only, the side it bounds."""
    def fmt(value) -> str:
        return format_target(value, spec.unit, spec.decimals)

    if low is not None and high is not None:
        return f"expected range {fmt(low)} to {fmt(high)}"
    if high is not None:
        return f"expected range up to {fmt(high)}"
    return f"expected range {fmt(low)} or more"


def chart_alt_text(spec: ChartSpec, rating: str | None = None) -> str:
    """Describe ``spec``: what it shows, the period range, the first and latest values
    against target (or expected range), and ``rating`` (e.g. 'rated AMBER', 'within the
    expected range') for the latest value."""
    kind = "Bar chart" if spec.kind == "bar" else "Line chart"
    periods = spec.periods
    span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else (periods[0] if periods else "no periods")
    actual = _first(spec, "actual")
    target = _first(spec, "target")
    compared = []
    if target is not None:
        compared.append("against target (dashed)")
    floor = _first(spec, "floor")
    if floor is not None:
        # the chart does not draw a floor lying wholly on the target (pipeline.charts.draw)
        compared.append("minimum standard equal to the target" if _on(floor, target) else "minimum standard (dotted)")
    comparators = [s.name for s in spec.series if s.role == "comparator"]
    if comparators:
        compared.append("comparators: " + ", ".join(comparators))
    thresholds = [name for name, band in (("upper", spec.band_upper), ("lower", spec.band_lower))
                  if band is not None and any(v is not None for v in band)]
    if thresholds:
        # drawn as labelled lines (pipeline.charts.draw): long dashes upper, short dashes lower
        compared.append("with the expected range between the "
                        + " and ".join(f"{t} threshold ({'long' if t == 'upper' else 'short'} dashes)"
                                       for t in thresholds))
    if spec.spc_mean is not None:
        compared.append("with the mean (solid grey line) and process limits (long grey dashes)")
    head = f"{kind} of {spec.title}, {span}"
    if compared:
        head += ", " + "; ".join(compared)
    sentences = [head.rstrip(".") + "."]
    points = [i for i, v in enumerate(actual.values) if v is not None] if actual else []
    if actual is None or not points:
        sentences.append("No values are available for these periods.")
        if rating:
            sentences.append(rating[0].upper() + rating[1:] + ".")
        return " ".join(sentences)
    chosen = [points[0], points[-1]] if len(points) > 1 else [points[0]]
    for n, i in enumerate(chosen):
        text = f"{periods[i]}: {_fmt(spec, actual.values[i])}"
        extra = []
        if target is not None and target.values[i] is not None:
            extra.append(f"target {format_target(target.values[i], spec.unit, spec.decimals)}")
        low = spec.band_lower[i] if spec.band_lower is not None else None
        high = spec.band_upper[i] if spec.band_upper is not None else None
        if low is not None or high is not None:
            extra.append(expected_range(spec, low, high))
        if extra:
            text += f" ({'; '.join(extra)})"
        if n == len(chosen) - 1 and rating:
            text += f", {rating}"
        sentences.append(text + ".")
    sentences += spc_sentences(spec)
    return " ".join(sentences)


SPC_SIGNAL_WORDS = (("improvement", "improvement"), ("concern", "concern"),
                    ("neutral", "a change where neither direction is better"))


def spc_sentences(spec: ChartSpec) -> list[str]:
    """What the chart's statistical process control shows, in words: the latest mean and
    process limits (as ``cards --format json`` gives them: two more places than the
    figures) and the months marked as special cause, by kind."""
    if spec.spc_mean is None:
        return []
    latest = next((i for i in range(len(spec.periods) - 1, -1, -1) if spec.spc_mean[i] is not None), None)
    if latest is None:
        return []
    places = spec.decimals + 2

    def fmt(values) -> str:
        return format_figure(values[latest] if values else None, spec.unit, places)

    out = [f"Statistical process control: mean {fmt(spec.spc_mean)}, process limits {fmt(spec.spc_lower)} "
           f"to {fmt(spec.spc_upper)}."]
    points = spec.spc_points or ()
    signals = []
    for kind, words in SPC_SIGNAL_WORDS:
        months = [spec.periods[i] for i, p in enumerate(points) if p == kind]
        if months:
            signals.append(f"special cause {words} in {', '.join(months)}")
    out.append(("Marked: " + "; ".join(signals) + ".") if signals else "No special cause in these months.")
    return out
