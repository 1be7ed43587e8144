"""The pack's own pages as :class:`pipeline.document.model.Document` objects: the agenda front
sheet, the notice standing in for an exempt document in the public pack, and Democratic
Services' covering letter of a supplementary pack (seed 004).

Pure: page ranges come in as arguments (computed by pipeline.pack.agenda from real page counts).
"""
from __future__ import annotations

import datetime as dt

from pipeline.document import model as d
from pipeline.pack.manifest import SCHEDULE_12A, DocumentRef, Item, Manifest
from pipeline.pack.stamp import page_label

Ranges = dict  # (item number, DocumentRef.identity) -> (first, last) pack page numbers


def long_date(day: dt.date) -> str:
    """'Thursday, 5 December 2013' (seed 004: 'THURSDAY, 5 DECEMBER 2013')."""
    return f"{day:%A}, {day.day} {day:%B %Y}"


def plain_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def clock(time: dt.time) -> str:
    """'10.00 am', as council agendas write it."""
    hour = time.hour % 12 or 12
    return f"{hour}.{time.minute:02d} {'am' if time.hour < 12 else 'pm'}"


def pages_text(span) -> str:
    """'Pages 3 - 30' (the letter's and the front sheet's wording)."""
    if span is None:
        return "to follow"
    return page_label(*span)


def item_span(item: Item, ranges: Ranges):
    spans = [ranges[(item.number, doc.identity)] for doc in item.documents if ranges.get((item.number, doc.identity))]
    if not spans:
        return None
    return (min(s[0] for s in spans), max(s[1] for s in spans))


def exemption_text(paragraph: int) -> str:
    return (f"paragraph {paragraph} of Part 1 of Schedule 12A to the Local Government Act 1972: "
            f"{SCHEDULE_12A[paragraph]}")


def _cell(text: str, **kw) -> d.Cell:
    return d.Cell(d.runs(text), **kw)


def front_sheet(manifest: Manifest, ranges: Ranges, included: set) -> d.Document:
    """The agenda front sheet. ``included``: identities of documents in this pack (the others
    are late and listed as 'to follow')."""
    details = []
    details.append((_cell("Date and time", header=True, scope="row"),
                    _cell(f"{long_date(manifest.date)} at {clock(manifest.time)}")))
    details.append((_cell("Venue", header=True, scope="row"), _cell(manifest.venue)))
    if manifest.contact:
        details.append((_cell("Ask for", header=True, scope="row"), _cell(manifest.contact)))
    if manifest.telephone:
        details.append((_cell("Telephone", header=True, scope="row"), _cell(manifest.telephone)))
    if manifest.email:
        details.append((_cell("Email", header=True, scope="row"), _cell(manifest.email)))
    blocks: list = [
        d.Heading(1, manifest.committee, anchor="front-sheet"),
        d.Table(columns=(1, 3), header_rows=(), rows=tuple(details), kind="memo",
                caption="Date, time and venue of the meeting", repeat_header=False),
        d.Rule(),
    ]
    if manifest.members:
        blocks.append(d.Heading(2, "Membership"))
        blocks.append(d.Paragraph(d.runs("; ".join(manifest.members))))
    blocks.append(d.Heading(2, "Agenda"))
    rows = []
    exempt_any = False
    for item in manifest.items:
        span = item_span(item, ranges)
        docs = item.documents
        late = [doc for doc in docs if doc.identity not in included]
        pages = pages_text(span) if span else ("to follow" if late else "")
        rows.append((_cell(item.number, bold=True), _cell(item.title, bold=True), _cell(pages, align="right")))
        if len(docs) > 1 or any(doc.exempt or doc.identity not in included for doc in docs):
            for doc in docs:
                note = doc.title
                if doc.exempt:
                    exempt_any = True
                    note += f" (exempt: paragraph {doc.exempt_paragraph} of Schedule 12A)"
                span = ranges.get((item.number, doc.identity)) if doc.identity in included else None
                rows.append((_cell(""), _cell(note), _cell(pages_text(span), align="right")))
    header = ((_cell("Item", header=True, scope="col"), _cell("Title", header=True, scope="col"),
               _cell("Pages", header=True, scope="col", align="right")),)
    blocks.append(d.Table(columns=(1, 7, 2.2), header_rows=header, rows=tuple(rows), kind="data",
                          caption="Agenda items and their pages in this pack"))
    if exempt_any:
        blocks.append(d.Paragraph(d.runs(
            "Documents marked exempt contain exempt information under Schedule 12A to the Local Government "
            "Act 1972. They are circulated to members of the Committee only; the public pack carries a "
            "notice in their place. The press and public are likely to be excluded from the meeting while "
            "they are discussed."), style="small"))
    return d.Document(
        title=f"{manifest.committee}, {long_date(manifest.date)}: agenda",
        subject="Agenda front sheet", author="Democratic Services",
        parts=(d.Part(title="Agenda", orientation="portrait", blocks=tuple(blocks), anchor="agenda"),),
        keywords=("agenda", manifest.committee), date=manifest.date.isoformat(),
        footer_text=f"{manifest.committee}, {plain_date(manifest.date)}", page_numbers=False,
    )


def exempt_notice(manifest: Manifest, item: Item, doc: DocumentRef, span) -> d.Document:
    """One page standing in, in the public pack, for an exempt document."""
    paragraph = doc.exempt_paragraph
    blocks = (
        d.Heading(1, f"Item {item.number}: {item.title}"),
        d.Paragraph(d.runs(d.Run("Document: ", bold=True), doc.title)),
        d.Heading(2, "Not for publication"),
        d.Paragraph(d.runs(
            f"This document ({pages_text(span)} of the members' pack) is not for publication by virtue of "
            f"paragraph {paragraph} of Part 1 of Schedule 12A to the Local Government Act 1972:")),
        d.Paragraph(d.runs(SCHEDULE_12A[paragraph]), style="quote"),
        d.Paragraph(d.runs(
            f"It has been circulated to members of the {manifest.committee} only. The press and public are "
            f"likely to be excluded from the meeting while this item is discussed.")),
    )
    return d.Document(
        title=f"Item {item.number}: exempt document not for publication",
        subject="Exempt information notice", author="Democratic Services",
        parts=(d.Part(title="Exempt", orientation="portrait", blocks=blocks),),
        date=manifest.date.isoformat(), footer_text=f"{manifest.committee}, {plain_date(manifest.date)}",
        page_numbers=False,
    )


def covering_letter(manifest: Manifest, late: list[tuple[Item, DocumentRef]], ranges: Ranges,
                    parts: dict | None = None) -> d.Document:
    """Democratic Services' letter enclosing late documents (seed 004's wording). ``parts``:
    for a report that holds several documents (its cover report and appendices), keyed as
    ``ranges``, each one's (title, first, last) pack pages: the letter names each with its
    own pages, so a member looking for Appendix A is not sent to the cover report."""
    sup = manifest.supplement
    memo = []
    for label, value in (("Direct Dial/Ext", sup.telephone or manifest.telephone), ("Fax", sup.fax),
                         ("e-mail", sup.email or manifest.email), ("Ask for", sup.contact or manifest.contact),
                         ("Date", plain_date(sup.date))):
        if value:
            memo.append((_cell(label, header=True, scope="row"), _cell(value)))
    when = ("tomorrow’s meeting" if (manifest.date - sup.date).days == 1
            else "today’s meeting" if manifest.date == sup.date
            else f"the meeting on {long_date(manifest.date)}")
    item_numbers = []
    for item, _ in late:
        if item.number not in item_numbers:
            item_numbers.append(item.number)
    items_text = (f"item {item_numbers[0]}" if len(item_numbers) == 1
                  else "items " + ", ".join(item_numbers[:-1]) + f" and {item_numbers[-1]}")
    noun = sup.enclosure or ("paper" if len(late) == 1 else "papers")
    rows = []
    for item, doc in late:
        key = (item.number, doc.identity)
        own = (parts or {}).get(key)
        if not own:
            rows.append((_cell(item.number), _cell(f"{item.title} : {doc.title} ({pages_text(ranges[key])})")))
            continue
        rows.append((_cell(item.number), _cell(f"{item.title} : {doc.title}")))
        rows += [(_cell(""), _cell(f"{title} ({pages_text((first, last))})")) for title, first, last in own]
    blocks = (
        d.Table(columns=(1, 2.2), header_rows=(), rows=tuple(memo), kind="memo",
                caption="Contact details and date of this letter", repeat_header=False),
        d.Paragraph(d.runs("Dear Member")),
        d.Heading(1, f"{manifest.committee.upper()} - {long_date(manifest.date).upper()}"),
        d.Paragraph(d.runs(
            f"I am now able to enclose, for consideration at {when} of the {manifest.committee}, the following "
            f"{noun} to {items_text}, {sup.reason}.")),
        d.Table(columns=(1, 6), header_rows=((_cell("Agenda No", header=True, scope="col"),
                                              _cell("Item", header=True, scope="col")),),
                rows=tuple(rows), kind="data", caption="Enclosed documents and their pages"),
        d.Paragraph(d.runs("Yours sincerely")),
        d.Paragraph(d.runs(d.Run(sup.signatory, bold=True), "\n", sup.signatory_title), style="signature"),
    )
    return d.Document(
        title=f"{manifest.committee}, {long_date(manifest.date)}: supplementary agenda",
        subject="Covering letter for late documents", author="Democratic Services",
        parts=(d.Part(title="Covering letter", orientation="portrait", blocks=blocks),),
        date=sup.date.isoformat(), page_numbers=False,
    )
