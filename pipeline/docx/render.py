"""The Word report, written from the document model alone (python-docx), by stage:
pipeline.docx.package makes the python-docx document (styles, sections, headers and
footers, properties) and zips it; pipeline.docx.body writes each part's blocks into its
body as XML.

The file is reproducible: its dates are the report's date, and the zip is written with
fixed timestamps and order, so two builds of the same inputs are byte-identical. It is
written atomically (pipeline.infra.atomic).
"""
from __future__ import annotations

from collections.abc import Mapping

from pipeline.document.model import ChartSpec, Document
from pipeline.infra.atomic import write_bytes


def render_docx(document: Document, path, images: Mapping[ChartSpec, bytes]) -> None:
    """Write ``document`` as a .docx at ``path`` (atomically)."""
    write_bytes(path, docx_bytes(document, images))


def docx_bytes(document: Document, images: Mapping[ChartSpec, bytes]) -> bytes:
    from pipeline.docx import package
    from pipeline.docx.body import BodyWriter

    doc = package.new_document(document)
    body = BodyWriter(doc, images)
    for index, part in enumerate(document.parts):
        body.write_part(part, package.add_section(doc, document, index, part))
    package.set_properties(doc, document)
    return package.package_bytes(doc)
