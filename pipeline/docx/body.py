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
from typing import Mapping

from pipeline.document.model import (
    BulletList,
    ChartSpec,
    Columns,
    Figure,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Rule,
    Run,
    Table,
)
from pipeline.docx.package import TABLE_STYLE
from pipeline.errors import PipelineError
from pipeline.rules.rating import Rag

RAG_FILL = {Rag.GREEN: "00B050", Rag.AMBER: "FFC000", Rag.RED: "FF0000"}  # black text >= 5:1 contrast
HEADER_FILL = "D9D9D9"
LINK_COLOUR = "0B4F9C"


class BodyWriter:
    """Writes the parts' blocks into ``doc``'s body. pipeline.docx.package's python-docx
    makes the package (template, styles, sections, headers and footers, properties); the
    body's paragraphs and tables are written here as XML text, parsed and appended whole
    (image parts and hyperlink relationships are added to the document part on the way).
    Going through python-docx's proxies per paragraph, run and cell cost about 80 ms an indicator page (each child was placed by scanning
    its parent for the elements that must follow it, every table style looked up by an
    XPath over styles.xml, every image's SHA-1 recomputed for each new picture), so a
    320-indicator month took 30 s; making the elements one by one with lxml still cost
    30 us a table cell. The elements are the ones python-docx's proxies wrote, in the
    same order, with the same attributes: the .docx is byte-identical to theirs
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
    def write_part(self, blocks, text_width_mm: float) -> None:
        """Append a part's blocks; its section (already added) has ``text_width_mm`` of text."""
        self.text_width_mm = text_width_mm
        self.pending_break = False
        # the body ends with the document's last w:sectPr: held aside while the part's
        # blocks are appended, so each one is an append, not a search for the sectPr
        sect_pr = self.body.sectPr
        self.body.remove(sect_pr)
        try:
            for block in blocks:
                self._block(block)
        finally:
            self.body.append(sect_pr)

    # -- blocks -------------------------------------------------------------------------
    def _block(self, block):
        if isinstance(block, PageBreak):
            self.pending_break = True
        elif isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            if block.anchor:
                self.bookmark_id += 1
                mark = f'w:id="{self.bookmark_id}"'
                content = (f'<w:bookmarkStart {mark} w:name={_attr(_bookmark_name(block.anchor))}/>'
                           f'{_text_run(block.text)}<w:bookmarkEnd {mark}/>')
            else:
                content = _text_run(block.text)
            self._paragraph(f"Heading {level}", content)
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
            ppr.append(_RULE_BORDER)
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
        space_before = _SIGNATURE_SPACE if block.style == "signature" else None
        if block.style == "lead":
            content = "".join(self._run(Run(run.text, True, run.italic, run.href)) for run in block.content)
        else:
            content = self._runs(block.content)
        if block.number:
            self._paragraph(style, _text_run(f"{block.number}\t") + content, tab=_NUMBER_INDENT,
                            indent=(_NUMBER_INDENT, _NUMBER_INDENT), space_before=space_before)
        else:
            self._paragraph(style, content, space_before=space_before)

    def _runs(self, content: tuple[Run, ...], bold: bool = False) -> str:
        return "".join([self._run(run, bold) for run in content])

    def _run(self, run: Run, bold: bool = False) -> str:
        """A model run as XML: w:b, w:i as set; links underlined in the link colour."""
        text = _run_text(run.text)
        bold = run.bold or bold
        if run.href:
            if run.href.startswith("#"):
                target = f"w:anchor={_attr(run.href[1:])}"
            else:
                from docx.opc.constants import RELATIONSHIP_TYPE as RT

                target = f'r:id="{self.doc.part.relate_to(run.href, RT.HYPERLINK, is_external=True)}"'
            return (f'<w:hyperlink {target}><w:r><w:rPr>{"<w:b/>" if bold else ""}{"<w:i/>" if run.italic else ""}'
                    f'<w:color w:val="{LINK_COLOUR}"/><w:u w:val="single"/></w:rPr>{text}</w:r></w:hyperlink>')
        if bold or run.italic:
            return f'<w:r><w:rPr>{"<w:b/>" if bold else ""}{"<w:i/>" if run.italic else ""}</w:rPr>{text}</w:r>'
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
        for r, cells in enumerate((*block.header_rows, *block.rows)):
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
                if cell.rag is not None:
                    xml.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{RAG_FILL[cell.rag]}"/>')
                elif cell.header and block.kind != "memo":
                    xml.append(_HEADER_SHADING)
                # header cells are bold (the memo's labels too)
                xml.append(f'{v_align}</w:tcPr><w:p><w:pPr>{p_style}<w:jc w:val="{_ALIGN[cell.align]}"/></w:pPr>'
                           f'{self._runs(cell.content, bold=cell.bold or cell.header)}</w:p></w:tc>')
                c += max(1, cell.colspan)
            for empty in range(c, ncols):  # a row short of cells: the rest of its grid, empty
                xml.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{cell_widths[empty]}"/></w:tcPr><w:p/></w:tc>')
            xml.append("</w:tr>")
        xml.append("</w:tbl>")
        self._append("".join(xml))
        self.after_table = True

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
_SIGNATURE_SPACE = "240"  # 12 pt
_NUMBER_INDENT = "567"  # 10 mm: numbered paragraphs hang their number in it
_BULLET_INDENT, _BULLET_HANGING = "907", "340"  # 16 mm, hanging 6 mm
_RULE_BORDER = '<w:pBdr><w:bottom w:val="single" w:sz="8" w:space="1" w:color="000000"/></w:pBdr>'
_HEADER_SHADING = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>'
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

