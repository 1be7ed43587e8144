"""``register``: what the register of published figures holds (docs/register.md)."""
from __future__ import annotations

import json

import click


@click.group()
def register():
    """The register of published figures (written by pack, read by build)."""


@register.command()
@click.argument("indicator")
@click.option("--register", "path", type=click.Path(dir_okay=False), default="output/published.sqlite",
              show_default=True, help="The register file.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def history(indicator, path, fmt):
    """List every publication of INDICATOR's figures, oldest meeting first, marking each
    figure that differs from what an earlier meeting was given for the same month."""
    from pipeline.errors import PipelineError
    from pipeline.register.store import exists
    from pipeline.register.store import history as read_history

    if not exists(path):
        raise PipelineError(f"there is no register at {path}: it is written by pack (see --register)")
    rows = read_history(path, indicator)
    if not rows:
        raise PipelineError(f"the register {path} holds no figure of {indicator}")
    seen: dict = {}
    out = []
    for row in rows:
        before = seen.get(row.period)
        changed = [c for c in ("actual", "target", "floor")
                   if before is not None and getattr(before, c) is not None and getattr(row, c) is not None
                   and getattr(before, c) != getattr(row, c) and before.meeting_date < row.meeting_date]
        seen[row.period] = row
        out.append((row, changed))
    if fmt == "json":
        click.echo(json.dumps([{
            "meeting_date": r.meeting_date.isoformat(), "committee": r.committee, "kind": r.kind, "access": r.access,
            "report_period": r.report_period.iso if r.report_period else None, "period": r.period.iso,
            "actual": r.shown("actual"), "target": r.shown("target"), "floor": r.shown("floor"), "rating": r.rating,
            "forecast": r.is_forecast, "revised": changed, "published_at": r.published_at, "workbook": r.workbook,
        } for r, changed in out], indent=2, ensure_ascii=False))
        return
    headers = ("Meeting", "Committee", "Report", "Period", "Figure", "Target", "Floor", "RAG", "Revised")
    lines = [(r.meeting_date.isoformat(), r.committee, r.report_period.label if r.report_period else "",
              r.period.label, r.shown("actual") + (" (f)" if r.is_forecast else ""), r.shown("target"),
              r.shown("floor"), r.rating or "–", ", ".join(changed)) for r, changed in out]
    widths = [max(len(str(x[i])) for x in lines + [headers]) for i in range(len(headers))]
    click.echo(f"Published figures of {indicator} in {path}")
    for line in [headers, tuple("-" * w for w in widths)] + lines:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
