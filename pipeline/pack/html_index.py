"""The meeting's index pages (HTML): the front sheet's agenda as a web page, each paper linked
to its file, in a members' and a public version, as for the PDF packs.

Made from the same front sheet (pipeline.pack.frontsheet, a document model) as the PDF pack,
rendered by the HTML edition's renderer (pipeline.html), so the agenda reads the same in both.
The public page is made from the manifest with every exempt document taken out (an item left
with none is left out too): an exempt paper's title, note and file name never reach it, not
even as a notice. Page numbers are the members' pack's, which the public pack keeps.
Links are relative (the files of the set sit beside the page): nothing is fetched.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.document import model as d
from pipeline.pack.frontsheet import front_sheet
from pipeline.pack.manifest import Manifest

VARIANTS = ("members", "public")


def public_manifest(manifest: Manifest) -> Manifest:
    """``manifest`` without its exempt documents, and without an item left with none."""
    items = []
    for item in manifest.items:
        docs = tuple(doc for doc in item.documents if not doc.exempt)
        if docs:
            items.append(dataclasses.replace(item, documents=docs))
    return dataclasses.replace(manifest, items=tuple(items))


def index_document(manifest: Manifest, ranges: dict, chosen, variant: str, pack_pdf: Path,
                   reports: dict) -> d.Document:
    """The index page's document: the front sheet of ``variant`` (the public one without
    exempt papers) followed by a part listing each paper with links to its files.
    ``chosen``: the (item, document) pairs of the pack; ``reports``: document identity -> the
    report PDF the pack built; ``pack_pdf``: this variant's pack."""
    if variant not in VARIANTS:
        raise ValueError(variant)
    public = variant == "public"
    shown = public_manifest(manifest) if public else manifest
    pairs = [(item, doc) for item, doc in chosen if not (public and doc.exempt)]
    included = {doc.identity for _, doc in pairs}
    sheet = front_sheet(shown, {k: v for k, v in ranges.items() if k[1] in included}, included=included)
    blocks: list = [d.Heading(1, "Papers for this meeting", anchor="papers"),
                    d.Paragraph(d.runs("The whole pack: ", d.Run(f"{pack_pdf.name} (PDF)", href=pack_pdf.name)))]
    for item, doc in pairs:
        links: list = [d.Run(f"{item.number} {item.title}: ", bold=True), d.Run(doc.title)]
        span = ranges.get((item.number, doc.identity))
        if span:
            links.append(d.Run(f", pages {span[0]} to {span[1]}" if span[1] != span[0] else f", page {span[0]}"))
        report = reports.get(doc.identity)
        if report is not None:
            links += [d.Run(" - "), d.Run(f"{report.name} (PDF)", href=report.name)]
            edition = report.with_suffix(".html")
            links += [d.Run(", "), d.Run(f"{edition.name} (web page)", href=edition.name)]
        blocks.append(d.BulletList((tuple(links),)))
    papers = d.Part(title="Papers for this meeting", orientation="portrait", blocks=tuple(blocks))
    title = sheet.title + (" (public)" if public else " (members)")
    return dataclasses.replace(sheet, title=title, parts=(*sheet.parts, papers))


def index_page(manifest: Manifest, ranges: dict, chosen, variant: str, pack_pdf: Path, reports: dict) -> bytes:
    from pipeline.html.render import html_bytes

    return html_bytes(index_document(manifest, ranges, chosen, variant, pack_pdf, reports), {})
