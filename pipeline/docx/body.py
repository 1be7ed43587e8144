"""The Word report's body: the document model's blocks as WordprocessingML, written as XML
text (paragraphs, runs, tables, figures, side-by-side columns) and appended to the body
that pipeline.docx.package's python-docx document holds.

Democratic Services edit these documents, so the body uses the real Word parts the package
sets up: the styles, table header rows that repeat on each page, RAG cells shaded and
carrying the word, pictures with alt text (title and description), bookmarks on the
headings that links point to.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from pipeline.document.common import NOT_RATED
from pipeline.document.model import (
    CONTENTS_TITLE,
    BulletList,
    ChartSpec,
    Columns,
    Figure,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Part,
    Rule,
    Run,
    Table,
    walk,
)
from pipeline.docx.package import TABLE_STYLE
from pipeline.errors import PipelineError
from pipeline.style.house import RagLook, house_style


class BodyWriter:
    """Writes the parts' blocks into ``doc``'s body. pipeline.docx.package's python-docx
    makes the package (template, styles, sections, headers and footers, properties); the
    body's paragraphs and tables are written here as XML text, parsed and appended whole
    (image parts and hyperlink relationships are added to the document part on the way).
    Going through python-docx's proxies per paragraph, run and cell grew with the document
    (each child was placed by scanning its parent for the elements that must follow it,
    every table style looked up by an XPath over styles.xml, every image's SHA-1 recomputed
    for each new picture), and making the elements one by one with lxml was still slow per
    table cell (the README's Performance section has the figures). The elements are the
    ones python-docx's proxies wrote, in the same order, with the same attributes: the .docx is byte-identical to theirs
    (checked on the sample, a generated 320-indicator month and hand-built documents
    with every block type, markup characters and line breaks in text and attributes)."""

    def __init__(self, doc, images: Mapping[ChartSpec, bytes]):
        self.images = images
        self.doc = doc
        self.text_width_mm = 0.0
        self.body = self.doc.element.body
        self.bookmark_id = 0
        self.pending_break = False
        self._style_ids: dict[str, str | None] = {}
        self._table_style_ids: dict[str, str | None] = {}
        self._pictures: dict[str, tuple] = {}  # sha1 of the bytes -> (rId, Image)
        self.after_table = False
        self.shape_id: int | None = None  # the next picture's id (docPr), counted here
        self.container = None  # the layout table cell (w:tc) being filled (a Columns block), else None
        house = house_style()
        # the house colours as Word writes them (RRGGBB, no '#')
        self.colours = type(house.colours)(**{k: v.lstrip("#") for k, v in vars(house.colours).items()})
        self.house = house
        self.rule_border = _RULE_BORDER.format(colour=self.colours.rules)
        self.signature_space = str(round(house.spacing.signature_before * 20))  # twips
        self.contents: dict[int, str] = {}  # id(heading) -> its bookmark, for the part's contents list
        self.contents_after = None  # the heading the contents list follows (None: at the part's start)
        self.contents_entries: list = []
        self.contents_range = ""  # the bookmark around the part, which its contents field reads
        self.contents_range_id = 0
        self.parts_with_contents = 0
        self.toc_bookmarks = 0

    def _parent(self):
        """Where the next paragraph or table goes: the cell being filled, else the body
        (whose closing w:sectPr is held aside while a part's blocks are written)."""
        return self.container if self.container is not None else self.body

    def _style_id(self, name: str) -> str | None:
        """A paragraph style's id, looked up once (None for Normal, as python-docx writes it)."""
        if name not in self._style_ids:
            self._style_ids[name] = None if name == "Normal" else self.doc.styles[name].style_id
        return self._style_ids[name]

    def _table_style_id(self, name: str) -> str | None:
        """A table style's id, looked up once (None for the default table style)."""
        if name not in self._table_style_ids:
            from docx.enum.style import WD_STYLE_TYPE

            self._table_style_ids[name] = self.doc.part.get_style_id(self.doc.styles[name], WD_STYLE_TYPE.TABLE)
        return self._table_style_ids[name]

    # -- parts --------------------------------------------------------------------------
    def write_part(self, part: Part, text_width_mm: float) -> None:
        """Append a part's blocks; its section (already added) has ``text_width_mm`` of text."""
        self.text_width_mm = text_width_mm
        self.pending_break = False
        plan = contents_plan(part)
        # the body ends with the document's last w:sectPr: held aside while the part's
        # blocks are appended, so each one is an append, not a search for the sectPr
        sect_pr = self.body.sectPr
        self.body.remove(sect_pr)
        try:
            if plan is not None:
                title, entries = plan
                self.parts_with_contents += 1
                self.contents_range = f"_TocPart{self.parts_with_contents}"
                self.contents = {}
                for entry in entries:
                    if entry.anchor:
                        self.contents[id(entry)] = _bookmark_name(entry.anchor)
                    else:
                        self.toc_bookmarks += 1
                        self.contents[id(entry)] = f"_Toc{self.toc_bookmarks:08d}"
                self.contents_entries = entries
                self.contents_after = title
                if title is None:
                    self._contents()
            for block in part.blocks:
                self._block(block)
            if plan is not None:  # the range the contents field collects its headings from
                self._append(f'<w:bookmarkEnd {_NSDECLS} w:id="{self.contents_range_id}"/>')
        finally:
            self.contents, self.contents_after = {}, None
            self.body.append(sect_pr)

    def _contents(self):
        """The part's contents list, as in the PDF: a "Contents" title (Word's TOC Heading:
        out of the outline) and a TOC field whose result is filled with the entries, each
        a link to its heading's bookmark, so the list shows before anyone updates fields.
        Page numbers are left for Word to put in when it updates the field (F9): Word lays
        the pages out itself, and the PDF's page numbers are not Word's. The field collects
        the headings of this part only (the \\b range bookmark) at the entries' levels, so an
        updated list is the same list."""
        self.bookmark_id += 1
        self.contents_range_id = self.bookmark_id
        self._paragraph("TOC Heading", f'<w:bookmarkStart w:id="{self.contents_range_id}" '
                                       f'w:name="{self.contents_range}"/>' + _text_run(CONTENTS_TITLE))
        entries = self.contents_entries
        deepest = max(min(max(entry.level, 2), 3) for entry in entries)
        code = f' TOC \\o "2-{deepest}" \\b {self.contents_range} \\h \\z \\u '
        for i, entry in enumerate(entries):
            level = min(max(entry.level, 1), 3)
            begin = (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
                     f'{_escape(code)}</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                     if i == 0 else "")
            end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>' if i == len(entries) - 1 else ""
            link = (f'<w:hyperlink w:anchor={_attr(self.contents[id(entry)])} w:history="1">'
                    f'<w:r><w:rPr><w:color w:val="{self.colours.links}"/></w:rPr>{_run_text(entry.text)}</w:r>'
                    f'</w:hyperlink>')
            self._paragraph(f"toc {level}", begin + link + end)

    # -- blocks -------------------------------------------------------------------------
    def _block(self, block):
        if isinstance(block, PageBreak):
            self.pending_break = True
        elif isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            name = self.contents.get(id(block)) or (_bookmark_name(block.anchor) if block.anchor else None)
            if name:
                self.bookmark_id += 1
                mark = f'w:id="{self.bookmark_id}"'
                content = (f'<w:bookmarkStart {mark} w:name={_attr(name)}/>'
                           f'{_text_run(block.text)}<w:bookmarkEnd {mark}/>')
            else:
                content = _text_run(block.text)
            self._paragraph(f"Heading {level}", content)
            if self.contents_after is block:
                self.contents_after = None
                self._contents()
        elif isinstance(block, Paragraph):
            self._para(block)
        elif isinstance(block, BulletList):
            for item in block.items:
                # indented under the text of numbered paragraphs
                self._paragraph("List Bullet", self._runs(item), indent=(_BULLET_INDENT, _BULLET_HANGING))
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Figure):
            self._figure(block)
        elif isinstance(block, Rule):
            self._paragraph("Normal", border=True)
        elif isinstance(block, KeepTogether):
            if self.container is not None:  # (as before: only blocks in the body are kept together)
                for inner in block.blocks:
                    self._block(inner)
                return
            start = len(self.body)
            for inner in block.blocks:
                self._block(inner)
            # The writer has always left out the block's first element here (it counted the
            # body's closing sectPr as one of the block's): an indicator page's heading,
            # whose Heading 2 style keeps it with the next paragraph anyway.
            _keep_together(self.body[start + 1:])
        elif isinstance(block, Columns):
            self._columns(block)
        else:  # pragma: no cover - the model has no other blocks
            raise PipelineError(f"unknown block {type(block).__name__}")

    def _append(self, xml: str):
        """Parse a paragraph or table written as XML (its root declaring _NSDECLS) and
        append it where the next block goes; the declarations already made by the
        document's root are dropped on the way in. Parsing a whole table's text is
        several times faster than making its elements one by one (lxml looks up the
        namespace of each attribute it sets)."""
        from lxml.etree import fromstring  # python-docx's own XML library

        el = fromstring(xml)
        self._parent().append(el)
        return el

    def _paragraph(self, style: str, content: str = "", *, align: str | None = None,
                   indent: tuple[str, str] | None = None, tab: str | None = None,
                   space_before: str | None = None, space_after: str | None = None, border: bool = False):
        """A w:p holding ``content`` (runs, as XML) after its w:pPr (always there, as
        python-docx writes it once a style is set): the children in the schema's order,
        measures in twips."""
        ppr = []
        style_id = self._style_id(style)
        if style_id is not None:
            ppr.append(f'<w:pStyle w:val="{style_id}"/>')
        if self.pending_break:
            ppr.append("<w:pageBreakBefore/>")
            self.pending_break = False
        if border:
            ppr.append(self.rule_border)
        if tab is not None:
            ppr.append(f'<w:tabs><w:tab w:pos="{tab}" w:val="left"/></w:tabs>')
        spacing = {}
        if self.after_table:  # breathing space between a table and what follows it
            spacing["before"] = _AFTER_TABLE_SPACE
            self.after_table = False
        if space_before is not None:
            spacing["before"] = space_before
        if space_after is not None:
            spacing["after"] = space_after
        if spacing:
            ppr.append("<w:spacing" + "".join(f' w:{k}="{v}"' for k, v in spacing.items()) + "/>")
        if indent is not None:
            ppr.append(f'<w:ind w:left="{indent[0]}" w:hanging="{indent[1]}"/>')
        if align is not None:
            ppr.append(f'<w:jc w:val="{align}"/>')
        return self._append(f'<w:p {_NSDECLS}><w:pPr>{"".join(ppr)}</w:pPr>{content}</w:p>')

    def _para(self, block: Paragraph):
        style = {"body": "Normal", "quote": "Quote", "small": "Small", "lead": "Normal",
                 "signature": "Normal"}[block.style]
        space_before = self.signature_space if block.style == "signature" else None
        if block.style == "lead":
            content = "".join(self._run(Run(run.text, True, run.italic, run.href)) for run in block.content)
        else:
            content = self._runs(block.content)
        if block.number:
            self._paragraph(style, _text_run(f"{block.number}\t") + content, tab=_NUMBER_INDENT,
                            indent=(_NUMBER_INDENT, _NUMBER_INDENT), space_before=space_before)
        else:
            self._paragraph(style, content, space_before=space_before)

    def _runs(self, content: tuple[Run, ...], bold: bool = False, colour: str | None = None) -> str:
        return "".join([self._run(run, bold, colour) for run in content])

    def _run(self, run: Run, bold: bool = False, colour: str | None = None) -> str:
        """A model run as XML: w:b, w:i as set, w:color when ``colour`` (RRGGBB) is given;
        links underlined in the link colour."""
        text = _run_text(run.text)
        bold = run.bold or bold
        if run.href:
            if run.href.startswith("#"):
                target = f"w:anchor={_attr(run.href[1:])}"
            else:
                from docx.opc.constants import RELATIONSHIP_TYPE as RT

                target = f'r:id="{self.doc.part.relate_to(run.href, RT.HYPERLINK, is_external=True)}"'
            return (f'<w:hyperlink {target}><w:r><w:rPr>{"<w:b/>" if bold else ""}{"<w:i/>" if run.italic else ""}'
                    f'<w:color w:val="{self.colours.links}"/><w:u w:val="single"/></w:rPr>{text}</w:r></w:hyperlink>')
        if bold or run.italic or colour:
            shade = f'<w:color w:val="{colour}"/>' if colour else ""
            return f'<w:r><w:rPr>{"<w:b/>" if bold else ""}{"<w:i/>" if run.italic else ""}{shade}</w:rPr>{text}</w:r>'
        return f"<w:r>{text}</w:r>"

    def _picture(self, data: bytes):
        """(rId, Image) of a picture's bytes: one image part per distinct picture. (python-docx
        recomputed the SHA-1 of every image part in the package for each new picture.)"""
        key = hashlib.sha1(data).hexdigest()
        if key not in self._pictures:
            from docx.image.image import Image
            from docx.opc.constants import RELATIONSHIP_TYPE as RT
            from docx.opc.packuri import PackURI
            from docx.parts.image import ImagePart

            image = Image.from_blob(data)
            parts = self.doc.part.package.image_parts
            # python-docx's numbering: the first unused number, and the writer adds parts only
            part = ImagePart.from_image(image, PackURI(f"/word/media/image{len(parts) + 1}.{image.ext}"))
            parts.append(part)
            self._pictures[key] = (self.doc.part.relate_to(part, RT.IMAGE), image)
        return self._pictures[key]

    def _figure(self, block: Figure):
        from docx.oxml.shape import CT_Inline
        from docx.shared import Mm

        data = self.images.get(block.chart)
        if data is None:
            raise PipelineError(f"no picture was drawn for the chart {block.chart.title!r}")
        width = min(block.width_mm, self.text_width_mm)
        height = block.height_mm * width / block.width_mm
        rid, image = self._picture(data)
        cx, cy = image.scaled_dimensions(Mm(width), Mm(height))
        if self.shape_id is None:  # counted from the first free id, not searched for per picture
            self.shape_id = self.doc.part.next_id
        inline = CT_Inline.new_pic_inline(self.shape_id, rid, image.filename, cx, cy)
        self.shape_id += 1
        inline.docPr.set("descr", block.alt_text)
        inline.docPr.set("title", block.chart.title)
        p = self._paragraph("Normal", "<w:r><w:drawing/></w:r>", align="center")
        p[-1][-1].append(inline)  # (python-docx's inline, with its own namespace declarations)
        if block.caption:
            self._paragraph("Caption", _text_run(block.caption))

    # -- tables ---------------------------------------------------------------------------
    def _table(self, block: Table):
        from docx.shared import Mm

        if self.pending_break:  # a table cannot carry 'page break before': an empty breaking paragraph
            self._paragraph("Small", space_after="0")
        ncols = len(block.columns)
        total = sum(block.columns)
        width_mm = self.text_width_mm * (0.7 if block.kind == "key" else 1.0)
        widths = [Mm(width_mm * w / total) for w in block.columns]
        style_id = self._table_style_id(TABLE_STYLE if block.kind != "memo" else "Normal Table")
        xml = [f"<w:tbl {_NSDECLS}><w:tblPr>"]
        if style_id is not None:
            xml.append(f'<w:tblStyle w:val="{style_id}"/>')
        xml.append(_table_width_and_layout(widths, align="left"))
        xml.append(_DEFAULT_LOOK)
        if block.caption:
            xml.append(f"<w:tblCaption w:val={_attr(block.caption[:255])}/>")
        xml.append(f"</w:tblPr>{_table_grid(widths)}")
        cell_widths = [w.twips for w in widths]
        text_style = self._style_id("Normal" if block.kind == "memo" else
                                    "Table Text Small" if block.font_size == "small" else "Table Text")
        p_style = "" if text_style is None else f'<w:pStyle w:val="{text_style}"/>'
        v_align = f'<w:vAlign w:val="{"top" if block.kind == "memo" else "center"}"/>'
        n_header = len(block.header_rows) if block.repeat_header else 0
        n_rows = len(block.header_rows) + len(block.rows)
        # the last rows travel together: a page never carries only the last row or two of
        # a table begun on the page before (Word keeps a row with the next when its
        # paragraphs are 'keep with next'; docs/build.md, "Pages")
        kept_from = n_rows - KEEP_LAST_ROWS if len(block.rows) > KEEP_LAST_ROWS else n_rows
        for r, cells in enumerate((*block.header_rows, *block.rows)):
            keep = "<w:keepNext/>" if kept_from <= r < n_rows - 1 else ""
            xml.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if r < n_header
                       else "<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            c = 0
            for cell in cells:
                if c >= ncols:
                    raise PipelineError(f"table {block.caption!r}: row {r + 1} has more cells than columns")
                end = min(c + max(1, cell.colspan), ncols)  # a span stops at the last column
                xml.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{sum(cell_widths[c:end])}"/>')
                if end - c > 1:
                    xml.append(f'<w:gridSpan w:val="{end - c}"/>')
                fill, colour, bold = self._cell_look(block, cell, r < len(block.header_rows))
                if fill is not None:
                    xml.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
                xml.append(f'{v_align}</w:tcPr><w:p><w:pPr>{p_style}{keep}<w:jc w:val="{_ALIGN[cell.align]}"/></w:pPr>'
                           f'{self._runs(cell.content, bold=bold, colour=colour)}</w:p></w:tc>')
                c += max(1, cell.colspan)
            for empty in range(c, ncols):  # a row short of cells: the rest of its grid, empty
                xml.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{cell_widths[empty]}"/></w:tcPr><w:p/></w:tc>')
            xml.append("</w:tr>")
        xml.append("</w:tbl>")
        self._append("".join(xml))
        self.after_table = True

    def _cell_look(self, table: Table, cell, header_row: bool) -> tuple[str | None, str | None, bool]:
        """(fill, text colour, bold) of a table cell, as the PDF draws it (pipeline.pdf.styles):
        a rating's look from the house style; data tables' header rows in the header colours;
        row labels (and the key's header) on the label fill; the rest unshaded in the text
        colour. Colours as RRGGBB; None: no shading, the style's text colour."""
        colours = self.colours
        look = _rag_look(self.house, cell)
        bold = cell.bold or (cell.header and table.kind in ("data", "key"))
        if look is not None:
            text = look.text.lstrip("#")
            colour = text if cell.rag is not None or text != colours.text else None
            return (look.fill.lstrip("#") if look.fill else None), colour, bold or look.bold
        if cell.header and header_row and table.kind == "data":
            return colours.table_header_fill, colours.table_header_text, bold
        if cell.header and table.kind in ("details", "key", "data"):
            text = colours.row_label_text
            return colours.row_label_fill, (text if text != colours.text else None), bold
        return None, None, bold

    def _columns(self, block: Columns):
        """Side by side as a one-row layout table: no borders, no header row, no caption
        or description, w:tblLook without header/first-column formatting, the row never
        split across pages. Word has no better side-by-side construct that survives
        editing (section columns would need section breaks in the middle of a page and
        reflow as newspaper columns; floating frames leave the reading order to chance).
        A screen reader reads the cells in order: the chart's alt text, then the notes."""
        from docx.shared import Mm

        if self.container is not None:
            raise PipelineError("Columns inside Columns is not supported in the Word report")
        if self.pending_break:  # a table cannot carry 'page break before'
            self._paragraph("Small", space_after="0")
        outer = self.text_width_mm
        total = sum(block.widths) or 1
        widths = [Mm(outer * w / total) for w in block.widths]
        # each cell starts with an empty paragraph, as a new cell does
        tbl = self._append(
            f"<w:tbl {_NSDECLS}><w:tblPr>{_table_width_and_layout(widths, align=None, layout=True)}</w:tblPr>"
            f"{_table_grid(widths)}<w:tr><w:trPr><w:cantSplit/></w:trPr>"
            + "".join(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w.twips}"/></w:tcPr><w:p/></w:tc>' for w in widths)
            + "</w:tr></w:tbl>")
        try:
            for tc, column, width in zip(tbl[-1][1:], block.columns, block.widths):
                self.container = tc
                self.text_width_mm = outer * width / total - 2 * LAYOUT_CELL_MARGIN_MM
                self.after_table = False
                first = tc[1]
                for child in column:
                    self._block(child)
                _tidy_cell(tc, first)
        finally:
            self.container = None
            self.text_width_mm = outer
        self.after_table = True




LAYOUT_CELL_MARGIN_MM = 1.9  # Word's default left/right cell margin (108 twips)
LAYOUT_CELL_SPACE_TWIPS = 113  # 2 mm above and below a layout row's content

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NSDECLS = f'xmlns:w="{_W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_P, _PPR, _PSTYLE, _R, _TBL, _KEEP_NEXT = (f"{{{_W}}}{name}" for name in ("p", "pPr", "pStyle", "r", "tbl", "keepNext"))
_ALIGN = {"left": "left", "right": "right", "center": "center"}

# measures as python-docx writes them (twips, rounded from whole EMUs)
_AFTER_TABLE_SPACE = "160"  # 8 pt
_NUMBER_INDENT = "567"  # 10 mm: numbered paragraphs hang their number in it
_BULLET_INDENT, _BULLET_HANGING = "907", "340"  # 16 mm, hanging 6 mm
_RULE_BORDER = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="{colour}"/></w:pBdr>'  # 0.75 pt
# python-docx's new table: header-row and first-column formatting, no vertical banding
_DEFAULT_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
                 'w:noVBand="1" w:val="04A0"/>')
# a layout table: no borders, 2 mm above and below the row's content, no header-row or
# first-column formatting and no banding
_LAYOUT_BORDERS = ("<w:tblBorders>" + "".join(f'<w:{side} w:val="nil"/>' for side in (
    "top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>")
_LAYOUT_MARGINS = (f'<w:tblCellMar><w:top w:w="{LAYOUT_CELL_SPACE_TWIPS}" w:type="dxa"/>'
                   f'<w:bottom w:w="{LAYOUT_CELL_SPACE_TWIPS}" w:type="dxa"/></w:tblCellMar>')
_LAYOUT_LOOK = ('<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
                'w:noHBand="1" w:noVBand="1"/>')
_LAYOUT_TYPE = '<w:tblLayout w:type="fixed"/>'  # once: CT_TblPr allows a single w:tblLayout


def _table_width_and_layout(widths, align: str | None, layout: bool = False) -> str:
    """A fixed-layout table's w:tblW, w:jc and w:tblLayout (a layout table's borders and
    cell margins around the layout, its w:tblLook after), from its columns' widths (EMU)."""
    width = f'<w:tblW w:type="dxa" w:w="{int(sum(w for w in widths) / 635)}"/>'  # EMU -> twips
    if layout:
        return width + _LAYOUT_BORDERS + _LAYOUT_TYPE + _LAYOUT_MARGINS + _LAYOUT_LOOK
    return width + (f'<w:jc w:val="{align}"/>' if align else "") + _LAYOUT_TYPE


def _table_grid(widths) -> str:
    return "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{int(width / 635)}"/>' for width in widths) + "</w:tblGrid>"




def contents_plan(part: Part):
    """(the part's title heading or None, its contents list's entries), or None for a part
    without one. The PDF's rule (pipeline.pdf.story's contents_plan), so the two editions
    list the same headings: a landscape part (an appendix) whose assembler did not write
    its own contents, with two or more outline headings below its title."""
    if part.orientation != "landscape":
        return None
    headings = [b for b in walk(part.blocks) if isinstance(b, Heading)]
    if any(h.text.strip().lower() == CONTENTS_TITLE.lower() for h in headings):
        return None
    entries = [h for h in headings if h.outline and h.level >= 2]
    if len(entries) < 2:
        return None
    title = next((b for b in part.blocks if isinstance(b, Heading) and b.level == 1), None)
    return title, entries


def _rag_look(house, cell) -> RagLook | None:
    """The house look of a cell's rating: a RAG cell, or one reading "not rated" (the
    model marks those by their word only, as the PDF reads them: pipeline.pdf.styles)."""
    if cell.rag is not None:
        return house.rag_look(cell.rag.value)
    if cell.text == NOT_RATED:
        return house.rag_look(NOT_RATED)
    return None


def _tidy_cell(tc, first_paragraph):
    """Drop the empty paragraph a new cell starts with once the cell has other content,
    and end the cell with a paragraph (Word requires one after a nested table)."""
    content = [el for el in tc if el.tag in (_P, _TBL)]
    if len(content) > 1 and first_paragraph in content and first_paragraph.find(_R) is None:
        tc.remove(first_paragraph)
        content.remove(first_paragraph)
    if content and content[-1].tag == _TBL:
        from lxml.etree import SubElement

        SubElement(tc, _P)


def _bookmark_name(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean[:1].isalpha():
        clean = "b" + clean
    return clean[:40]


def _run_text(text: str) -> str:
    """A model run's text as XML: a w:br for each line break."""
    if "\n" not in text:
        return _t(text) if text else ""
    return "<w:br/>".join(_t(line) if line else "" for line in text.split("\n"))


def _text_run(text: str) -> str:
    """A run holding ``text`` as python-docx's run.text writes it: a w:tab for each tab,
    a w:br for each line break or carriage return."""
    pieces = re.split(r"([\t\r\n])", text)
    return "<w:r>" + "".join(("<w:tab/>" if piece == "\t" else "<w:br/>") if i % 2 else _t(piece) if piece else ""
                             for i, piece in enumerate(pieces)) + "</w:r>"


def _t(text: str) -> str:
    """A w:t, with xml:space="preserve" when the text starts or ends with white space."""
    if text != text.strip():
        return f'<w:t xml:space="preserve">{_escape(text)}</w:t>'
    return f"<w:t>{_escape(text)}</w:t>"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _escape(text: str) -> str:
    """Text as XML character data (a carriage return kept as one: a parser would read it as
    a line feed)."""
    if _NOT_XML.search(text):  # as lxml says when such text is set on an element
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def _attr(value: str) -> str:
    """A quoted XML attribute value (tabs and line breaks kept as character references: a
    parser would read them as spaces)."""
    value = _escape(value).replace('"', "&quot;")
    return '"' + value.replace("\n", "&#10;").replace("\t", "&#9;") + '"'



KEEP_LAST_ROWS = 3  # a table's last rows kept on one page (no orphaned last row or two)


def _keep_together(elements):
    """Keep each paragraph of a block with the next (tables: their rows don't split)."""
    from lxml.etree import SubElement

    paragraphs = []
    for el in elements:
        if el.tag == _P:
            paragraphs.append(el)
        elif el.tag == _TBL:
            paragraphs += el.iter(_P)
    for p in paragraphs[:-1]:
        ppr = p[0] if len(p) and p[0].tag == _PPR else None
        if ppr is None:
            ppr = SubElement(p, _PPR)
            p.insert(0, ppr)
        if ppr.find(_KEEP_NEXT) is None:  # second in w:pPr, after w:pStyle only
            keep = SubElement(ppr, _KEEP_NEXT)
            ppr.insert(1 if ppr[0].tag == _PSTYLE else 0, keep)

