"""``validate`` and ``cards``: read a workbook and say what it holds."""
from __future__ import annotations

import json

import click

from pipeline.commands.options import period_option


@click.command()
@click.argument("workbook", type=click.Path())  # a workbook, or a folder of files (docs/workbook.md)
@period_option("Month the data-quality checks judge the figures for (default: the month build would report).")
@click.option("--strict", is_flag=True,
              help="Exit with status 1 when there are data-quality warnings, not only errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True,
              help="text: problems and warnings on stderr; json / xlsx: the data-quality listing for officers "
                   "(every finding, one per row).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="File the json or xlsx listing is written to (json: default stdout; xlsx: required).")
def validate(workbook, period, strict, fmt, out_file):
    """Check WORKBOOK (or a report definition, .toml) and list every problem at once (exit status 1 if
    there is any).

    Then the data-quality checks (docs/workbook.md): errors (values the unit cannot have)
    make the exit status 1; warnings are listed, and --strict makes them count too.
    """
    from pipeline.errors import InputProblems
    from pipeline.input.report_definition import read_input
    from pipeline.quality import checks

    if fmt == "xlsx" and not out_file:
        raise click.UsageError("--format xlsx needs --out FILE")
    if out_file and fmt == "text":
        raise click.UsageError("--out is for --format json or xlsx")
    try:
        dataset = read_input(workbook, period)  # InputProblems -> listed by the CLI edge, exit 1
    except InputProblems as exc:
        if fmt == "text":
            raise
        _write_listing(checks.from_problems(exc.problems), workbook, None, {}, fmt, out_file)
        raise
    from pipeline.cards.compute import default_period

    period = period or default_period(dataset)
    findings = checks.check_dataset(dataset, period)
    errors, open_warnings = checks.errors(findings), checks.warnings(findings)
    if fmt != "text":
        titles = {ind.id: ind.title for ind in dataset.indicators}
        _write_listing(findings, workbook, period, titles, fmt, out_file)
    if errors:
        raise checks.as_problems(workbook, errors, dataset.origins)
    failing = strict and bool(open_warnings)  # (then listed once, as problems)
    for finding in findings:
        if finding.severity == checks.WARNING and (finding.confirmed or not failing):
            origin = dataset.origins.get(finding.indicator_id)  # (a report read from several files)
            click.echo(f"{'confirmed' if finding.confirmed else 'warning'}: {origin + ': ' if origin else ''}{finding}",
                       err=True)
    if failing:
        raise checks.as_problems(workbook, open_warnings, dataset.origins)
    values = sum(len(v) for v in dataset.values.values())
    warned = (f"; {len(open_warnings)} data-quality warning{'s' if len(open_warnings) != 1 else ''} (on stderr)"
              if open_warnings else "")
    click.echo(
        f"{workbook}: no problems found ({len(dataset.indicators)} indicators in "
        f"{len(dataset.sections)} sections, {values} values, {len(dataset.commentary)} commentaries; "
        f"latest period {dataset.latest_period.label if dataset.latest_period else 'none'}){warned}",
        err=fmt == "json" and not out_file,  # (stdout holds the JSON)
    )


def _write_listing(findings, workbook, period, titles, fmt, out_file):
    from pipeline.infra import atomic
    from pipeline.quality.listing import listing_json, listing_xlsx

    if fmt == "json":
        text = json.dumps(listing_json(findings, str(workbook), period, titles), indent=2, ensure_ascii=False)
        if out_file:
            atomic.write_text(out_file, text + "\n")
        else:
            click.echo(text)
    else:
        atomic.write_bytes(out_file, listing_xlsx(findings, str(workbook), period, titles))


@click.command()
@click.argument("workbook", type=click.Path())  # a workbook, or a folder of files (docs/workbook.md)
@period_option("Reporting month (default: the latest month with figures, whatever the report sheet says).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default="table",
              show_default=True, help="table: for reading; json: docs/cards-json.md; csv / xlsx: one row per card "
                                      "(docs/cards.md).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="File the csv or xlsx is written to (csv: default stdout; xlsx: required).")
def cards(workbook, period, fmt, out_file):
    """Print the indicator cards of WORKBOOK (or a report definition, .toml) for one period."""
    from pipeline.cards.compute import cards_to_json, compute_cards
    from pipeline.input.report_definition import read_input

    if fmt == "xlsx" and not out_file:
        raise click.UsageError("--format xlsx needs --out FILE")
    if out_file and fmt not in ("csv", "xlsx"):
        raise click.UsageError("--out is for --format csv or xlsx")
    dataset = read_input(workbook, period)
    # the rule for this command: the latest month with figures unless --period says
    # otherwise (build uses the report sheet's period, the month the report is about)
    cardset = compute_cards(dataset, period or dataset.latest_period)  # the period guard refuses: exit 1
    if cardset.period_warning:
        click.echo(f"WARNING: {cardset.period_warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(cards_to_json(cardset), indent=2, ensure_ascii=False))
        return
    if fmt in ("csv", "xlsx"):
        from pipeline.cards.table_export import cards_csv, cards_xlsx
        from pipeline.infra import atomic

        data = cards_csv(cardset) if fmt == "csv" else cards_xlsx(cardset)
        if out_file:
            atomic.write_bytes(out_file, data)  # (a reader never sees half a file)
            click.echo(f"{out_file}: {len(cardset.cards)} cards for {cardset.period.long_label}", err=True)
        else:
            stdout = click.get_binary_stream("stdout")
            stdout.write(data)
            stdout.flush()
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
            card.fmt_target(cur.target) if cur else "–",
            card.fmt_target(cur.floor) if cur else "–",
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
