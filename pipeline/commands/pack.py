"""``pack``: build a meeting's agenda pack (members' and public) from its manifest."""
from __future__ import annotations

import click


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="output", show_default=True,
              help="Folder for the packs (the same default as build's).")
@click.option("--supplement", is_flag=True,
              help="Build the supplementary pack: the covering letter and the documents marked late.")
@click.option("--register", type=click.Path(dir_okay=False),
              help="The register of published figures: each report's figures are recorded in it once the packs "
                   "are written, and compared with it first (docs/register.md)  [default: OUT/published.sqlite]")
def pack(manifest, out_dir, supplement, register):
    """Build the agenda pack described by MANIFEST (TOML; see docs/pack.md).

    Writes the members' pack (everything) and the public pack (exempt documents replaced
    by a notice), with the PDF of each report built from a workbook beside them (what
    `send` attaches). Every problem in the manifest is listed before anything is written.
    """
    from pipeline.pack.agenda import pack_meeting

    result = pack_meeting(manifest, out_dir, supplement=supplement, register=register)
    for variant in ("members", "public"):
        click.echo(f"{result.paths[variant]}: {pages_text(result.pages[variant])}"
                   f"{', tagged' if result.tagged[variant] else ''} ({variant})")
    for path in result.reports.values():
        click.echo(f"{path}: report built for the pack")
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    click.echo(f"Built in {result.seconds:.2f} s")


def pages_text(count: int) -> str:
    """'1 page', '2 pages' (never '1 pages')."""
    return f"{count} page" if count == 1 else f"{count} pages"
