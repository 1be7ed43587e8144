"""``build``: the committee report as DOCX, PDF and/or HTML."""
from __future__ import annotations

import click

from pipeline.commands.options import period_option


@click.command()
@click.argument("workbook", type=click.Path())  # a workbook, or a folder of files (docs/workbook.md)
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder the report is written to.")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "html", "all"]), default="all", show_default=True)
@period_option("Reporting month (default: the report sheet's period, else the month its subject names, "
               "else the latest month with figures). Refused when the report sheet states another month.")
@click.option("--strict", is_flag=True,
              help="Stop, writing nothing, if an indicator rated RED has no commentary, a commentary "
                   "is older than its figures, or a data-quality check warns (docs/workbook.md).")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Folder where chart pictures are kept between builds, by content  [default: OUT/.cache/charts]")
@click.option("--no-cache", is_flag=True,
              help="Draw every chart and lay out every PDF page again, and keep none (OUT/.cache).")
@click.option("--jobs", type=click.IntRange(min=1), help="Processes to use  [default: every core]")
@click.option("--register", "register", type=click.Path(dir_okay=False),
              help="The register of published figures to compare with: a figure revised since a meeting was "
                   "given it gets a data note (docs/register.md)  [default: OUT/published.sqlite]")
def build(workbook, out_dir, fmt, period, strict, cache_dir, no_cache, jobs, register):
    """Build the committee report from WORKBOOK (or a report definition, .toml): cover report and appendices."""
    from pipeline.build import FORMATS, build_report
    from pipeline.register.store import default_path

    formats = FORMATS if fmt == "all" else (fmt,)
    result = build_report(workbook, out_dir, formats=formats, period=period, strict=strict, cache_dir=cache_dir,
                          use_cache=not no_cache, workers=jobs, register=register or default_path(out_dir))
    loud = (result.document.meta.get("period_warning") if result.document is not None else None)
    if loud:  # more than a quarter of the rated indicators have no figure for the period
        click.echo(f"WARNING: {loud}", err=True)
    for notice in result.notices:
        if notice != loud:
            click.echo(f"note: {notice}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in result.paths.values():
        click.echo(str(path))
    click.echo(result.timing_line(), err=True)
