"""``validate`` and ``cards``: read a workbook and say what it holds."""
from __future__ import annotations

import json

import click

from pipeline.commands.options import period_option


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
def validate(workbook):
    """Check WORKBOOK and list every problem at once (exit status 1 if there is any)."""
    from pipeline.input.workbook import read_workbook

    dataset = read_workbook(workbook)  # InputProblems -> listed by the CLI edge, exit 1
    values = sum(len(v) for v in dataset.values.values())
    click.echo(
        f"{workbook}: no problems found ({len(dataset.indicators)} indicators in "
        f"{len(dataset.sections)} sections, {values} values, {len(dataset.commentary)} commentaries; "
        f"latest period {dataset.latest_period.label if dataset.latest_period else 'none'})"
    )


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@period_option("Reporting month (default: the latest month with figures, whatever the report sheet says).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def cards(workbook, period, fmt):
    """Print the indicator cards of WORKBOOK for one period."""
    from pipeline.cards.compute import cards_to_json, compute_cards
    from pipeline.input.workbook import read_workbook

    dataset = read_workbook(workbook)
    # the rule for this command: the latest month with figures unless --period says
    # otherwise (build uses the report sheet's period, the month the report is about)
    cardset = compute_cards(dataset, period or dataset.latest_period)  # the period guard refuses: exit 1
    if cardset.period_warning:
        click.echo(f"WARNING: {cardset.period_warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(cards_to_json(cardset), indent=2, ensure_ascii=False))
        return
    click.echo(render_table(cardset))


def render_table(cardset) -> str:
    headers = ("ID", "Indicator", "Period", "Actual", "Target", "Floor", "RAG", "Direction")
    rows = []
    for card in cardset.cards:
        cur = card.current
        if card.indicator.activity and card.range_status:
            rating = f"{card.range_status.value} range"
        else:
            rating = card.rag.value if card.rag else "not rated"
        title = card.indicator.short_title or card.indicator.title
        rows.append((
            card.indicator.id,
            title if len(title) <= 48 else title[:47] + "…",
            cur.period.label if cur else "–",
            card.fmt(cur.actual) + (" (f)" if cur and cur.is_forecast else "") if cur else "–",
            card.fmt(cur.target) if cur else "–",
            card.fmt(cur.floor) if cur else "–",
            rating,
            card.direction.value if card.direction else "–",
        ))
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    right = {3, 4, 5}

    def line(cells):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [f"Indicator cards for {cardset.period.long_label}", line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)
