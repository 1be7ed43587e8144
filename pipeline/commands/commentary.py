"""``commentary export`` and ``commentary import``: officers' commentary forms out and back in.

The workflow is described step by step in docs/commentary.md.
"""
from __future__ import annotations

import datetime as _dt

import click

from pipeline.commands.options import period_option


@click.group()
def commentary():
    """Export commentary forms to officers and merge the returned forms into the master."""


@commentary.command("export")
@click.argument("workbook", type=click.Path(dir_okay=False))
@period_option("Reporting month (default: the workbook's report period, else its latest month).")
@click.option("--by", "by", type=click.Choice(["owner", "division"]), default="owner", show_default=True,
              help="One form per officer (indicators.owner) or per division.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the forms into.")
def export_cmd(workbook, period, by, out):
    """Write one commentary form (.xlsx) per officer or division from WORKBOOK (or a report definition)."""
    from pipeline.commentary.forms import export_forms

    paths = export_forms(workbook, out, period=period, by=by, now=_dt.datetime.now())
    click.echo(f"Wrote {len(paths)} commentary {'form' if len(paths) == 1 else 'forms'} to {out}:")
    for path in paths:
        click.echo(f"  {path.name}")


@commentary.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--into", "master", required=True, type=click.Path(dir_okay=False),
              help="The master workbook (or report definition, .toml) the forms were exported from.")
@period_option("Reporting month the forms are for (default: as for export).")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
def import_cmd(files, master, period, dry_run):
    """Merge returned commentary forms FILE... into the master workbook.

    Exit status 1, with nothing written, if any file is refused or two files (or a file
    and the master) changed the same commentary differently; 3 if the master cannot be
    written (read-only, open in Excel, disk full, another import holding it too long).
    """
    from pipeline.commentary.merge import import_forms, preview_warning

    plan, _backup = import_forms(master, list(files), now=_dt.datetime.now(), dry_run=dry_run, period=period,
                                on_plan=lambda plan: click.echo(plan.report()))
    if dry_run:
        warning = preview_warning(master) if plan.changes else None
        if warning:
            click.echo(f"Note: the real import would be refused now: {warning}", err=True)
        click.echo("Dry run: nothing was written." if plan.changes else "Dry run.")
        return
    for file, copy in plan.written:  # (a report definition: each file that keeps commentary it changed)
        click.echo(f"Backed up {'the master' if file == plan.master else file} to {copy}; wrote {file}.")
