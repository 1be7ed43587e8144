"""The PDF's last stage: ReportLab's bytes made into the finished file (pikepdf / qpdf).

* the structure tree when the drawing pass was tagged (:func:`pipeline.pdf.tagging.tagged_pdf`:
  StructTreeRoot, ParentTree, /MarkInfo, /Lang), and the XMP metadata with the PDF/UA-1
  identifier;
* the document dates from ``Document.date`` (never 'now'), producer and creator in the
  info dictionary, no ReportLab leftovers;
* ReportLab's one-element filter arrays written as names, so that qpdf passes the
  compressed streams through instead of inflating and deflating them again;
* a deterministic file ID and generated object streams: the same inputs give a
  byte-identical file.
"""
from __future__ import annotations

import io

from pipeline.document.model import Document

PRODUCER = "committee-pipeline PDF renderer"


def finish_pdf(data: bytes, document: Document, tags=None) -> bytes:
    """Dates from the model, XMP metadata, a deterministic ID; no ReportLab leftovers; the
    structure tree when the final pass was tagged."""
    import pikepdf

    date = _pdf_date(document.date)
    xmp = _xmp(document, date, tagged=tags is not None)
    if tags is not None:
        from pipeline.pdf.tagging import tagged_pdf

        opened = tagged_pdf(data, tags, lang=document.language, metadata=xmp)
    else:
        opened = pikepdf.open(io.BytesIO(data))
        opened.Root.Metadata = pikepdf.Stream(opened, xmp)
        opened.Root.Metadata.Type = pikepdf.Name.Metadata
        opened.Root.Metadata.Subtype = pikepdf.Name.XML
    with opened as pdf:
        info = pdf.docinfo
        for key in ("/CreationDate", "/ModDate"):
            if key in info:
                del info[key]
        if date:
            info["/CreationDate"] = date
            info["/ModDate"] = date
        info["/Producer"] = PRODUCER
        info["/Creator"] = document.author
        out = io.BytesIO()
        _flate_filters_as_names(pdf, _object_count(data))
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _xmp(document: Document, date: str, *, tagged: bool) -> bytes:
    """The XMP metadata packet, as pikepdf writes it. (Made on an empty PDF and added to
    the report's as a stream: in a PDF just read with tens of thousands of new objects,
    qpdf's first new object costs a walk through all of them, about half a second.)"""
    import pikepdf

    with pikepdf.new() as scratch:
        with scratch.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = document.title
            xmp["dc:creator"] = [document.author]
            xmp["dc:description"] = document.subject
            xmp["dc:language"] = [document.language]
            xmp["pdf:Producer"] = PRODUCER
            if document.keywords:
                xmp["pdf:Keywords"] = ", ".join(document.keywords)
            if date:
                iso = document.date[:10] + "T00:00:00Z"
                xmp["xmp:CreateDate"] = iso
                xmp["xmp:ModifyDate"] = iso
                xmp["xmp:MetadataDate"] = iso
            xmp["xmp:CreatorTool"] = document.author
            if tagged:
                xmp["pdfuaid:part"] = "1"  # PDF/UA-1 identification (ISO 14289-1, 5)
        return scratch.Root.Metadata.read_bytes()


def _object_count(data: bytes) -> int | None:
    """/Size of the trailer ReportLab wrote (its objects are 1 to /Size - 1), or None."""
    import re

    found = re.search(rb"/Size (\d+)", data[-512:])
    return int(found.group(1)) if found else None


def _flate_filters_as_names(pdf, count: int | None = None) -> None:
    """ReportLab writes ``/Filter [/FlateDecode]`` (an array of one). qpdf leaves a
    Flate stream alone when saving only if its filter is the *name* /FlateDecode; an
    array makes it inflate and deflate every page, font and picture again (most of the
    time the save took) and drop the charts' PNG predictor. The same filter written as a
    name means the same thing (PDF 1.7, 7.3.8.2) and is left as it is."""
    import pikepdf

    flate = pikepdf.Name.FlateDecode
    # only ReportLab's objects (1 to count - 1) can have such arrays: the structure tree
    # added after them has no stream, and visiting its objects would parse them all
    objects = pdf.objects if count is None else (pdf.get_object((n, 0)) for n in range(1, count))
    for obj in objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters = obj.get("/Filter")
        if isinstance(filters, pikepdf.Array) and len(filters) == 1 and filters[0] == flate:
            obj.Filter = flate
            parms = obj.get("/DecodeParms")
            if isinstance(parms, pikepdf.Array) and len(parms) == 1:
                obj.DecodeParms = parms[0]


def _pdf_date(iso: str) -> str:
    digits = iso[:10].replace("-", "")
    if len(digits) == 8 and digits.isdigit():
        return f"D:{digits}000000Z"
    return ""
