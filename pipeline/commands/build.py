"""``build``: the committee report as DOCX and/or PDF."""
from __future__ import annotations

import click

from pipeline.commands.options import period_option


@click.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder the report is written to.")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True)
@period_option("Reporting month (default: the report sheet's period, else the latest month with figures).")
@click.option("--strict", is_flag=True,
              help="Stop, writing nothing, if an indicator rated RED has no commentary or a commentary "
                   "is older than its figures.")
def build(workbook, out_dir, fmt, period, strict):
    """Build the committee report from WORKBOOK: cover report and appendices."""
    from pipeline.build import FORMATS, build_report

    formats = FORMATS if fmt == "all" else (fmt,)
    result = build_report(workbook, out_dir, formats=formats, period=period, strict=strict)
    for notice in result.notices:
        click.echo(f"note: {notice}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in result.paths.values():
        click.echo(str(path))
    click.echo(result.timing_line(), err=True)
