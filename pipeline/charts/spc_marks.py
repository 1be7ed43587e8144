"""Statistical process control on an indicator's chart (docs/spc.md): the mean, the
process limits and the special-cause figures, drawn from the ChartSpec's ``spc_*`` fields
(pipeline.document.spc fills them when the indicator's chart is switched to show them).

Read without colour: the mean is a thin solid line, the limits a long-dashed line (the
target is short-dashed, the minimum standard dotted), and a special-cause figure is ringed
by a larger marker whose shape says which kind it is: a diamond for improvement, a cross
for concern, a square for a change where neither direction is better. Each has its entry
in the chart's key. Colours are the house style's ``[spc]`` ones, the same as the icons'.
"""
from __future__ import annotations

from pipeline.document.model import ChartSpec

LIMIT_DASH = (0, (7, 2.5))
# kind -> (matplotlib marker, size, legend words)
POINT_MARKS = {
    "improvement": ("D", 7.5, "Special cause – improvement"),
    "concern": ("X", 8.5, "Special cause – concern"),
    "neutral": ("s", 7.0, "Special cause – change"),
}


def spc_values(spec: ChartSpec) -> list[float | None]:
    """The values the SPC lines add to the chart (the value axis must hold them)."""
    return [*(spec.spc_mean or ()), *(spec.spc_lower or ()), *(spec.spc_upper or ())]


def draw_spc(ax, spec: ChartSpec, x: list[int]) -> None:
    """The mean, the limits and the special-cause marks on ``ax``; nothing when the spec
    has no SPC."""
    if spec.spc_mean is None:
        return
    from pipeline.style.house import house_style

    colours = house_style().spc

    def line(values):
        return [v if v is not None else float("nan") for v in values]

    ax.plot(x, line(spec.spc_mean), color=colours.mean, linestyle="-", linewidth=0.9, label="Mean", zorder=2,
            clip_on=False)
    ax.plot(x, line(spec.spc_upper or ()), color=colours.limits, linestyle=LIMIT_DASH, linewidth=1.0,
            label="Process limits", zorder=2, clip_on=False)
    ax.plot(x, line(spec.spc_lower or ()), color=colours.limits, linestyle=LIMIT_DASH, linewidth=1.0,
            label="_process limits (lower)", zorder=2, clip_on=False)
    actual = next((s for s in spec.series if s.role == "actual"), None)
    if actual is None or spec.spc_points is None:
        return
    colour_of = {"improvement": colours.improvement, "concern": colours.concern, "neutral": colours.neutral}
    for kind, (marker, size, label) in POINT_MARKS.items():
        found = [(i, v) for i, (v, p) in enumerate(zip(actual.values, spec.spc_points)) if p == kind and v is not None]
        if not found:
            continue
        ax.plot([i for i, _ in found], [v for _, v in found], linestyle="none", marker=marker, markersize=size,
                markerfacecolor=colour_of[kind], markeredgecolor="#FFFFFF", markeredgewidth=0.8, label=label,
                zorder=6, clip_on=False)
