"""The Word report, written from the document model alone (python-docx).

Democratic Services edit these documents, so they are made of real Word parts: the
built-in Heading 1-3, Normal, Quote and List Bullet styles, a named table style
("Report Table"), Arial throughout (Liberation Sans stands in where Arial is absent),
a PAGE field in the footer, a portrait section for the cover report and landscape
sections for the appendices, table header rows that repeat on each page, RAG cells
shaded and carrying the word, pictures with alt text (title and description), the
document's title and language set, and no python-docx leftovers in its properties.

The file is reproducible: its dates are the report's date, and the zip is rewritten
with fixed timestamps and order, so two builds of the same inputs are byte-identical.
It is written atomically (pipeline.atomic).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
import zipfile
from typing import Mapping

from lxml.etree import SubElement as _sub  # python-docx's own XML library

from pipeline.atomic import write_bytes
from pipeline.document import (
    BulletList,
    ChartSpec,
    Columns,
    Document,
    Figure,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Part,
    Rule,
    Run,
    Table,
)
from pipeline.errors import PipelineError
from pipeline.rating import Rag

FONT = "Arial"
RAG_FILL = {Rag.GREEN: "00B050", Rag.AMBER: "FFC000", Rag.RED: "FF0000"}  # black text >= 5:1 contrast
HEADER_FILL = "D9D9D9"
LINK_COLOUR = "0B4F9C"
TABLE_STYLE = "Report Table"
MARGIN_MM = 18.0
A4 = (210.0, 297.0)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def render_docx(document: Document, path, images: Mapping[ChartSpec, bytes]) -> None:
    """Write ``document`` as a .docx at ``path`` (atomically)."""
    write_bytes(path, docx_bytes(document, images))


def docx_bytes(document: Document, images: Mapping[ChartSpec, bytes]) -> bytes:
    writer = _Writer(document, images)
    return writer.build()


# ---------------------------------------------------------------------------------


class _Writer:
    """python-docx makes the package (template, styles, sections, headers and footers,
    image parts, properties); the body is built here as lxml elements directly. Going
    through python-docx's proxies per paragraph, run and cell cost about 80 ms an
    indicator page (each child was placed by scanning its parent for the elements that
    must follow it, every style looked up by an XPath over styles.xml, every image's
    SHA-1 recomputed for each new picture), so a 320-indicator month took 30 s. The
    elements written are the ones python-docx's proxies wrote, in the same order, with
    the same attributes: the .docx is byte-identical to theirs (checked on the sample,
    a generated 320-indicator month and hand-built documents with every block type)."""

    def __init__(self, document: Document, images: Mapping[ChartSpec, bytes]):
        import docx

        self.model = document
        self.images = images
        self.doc = docx.Document()
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

    # -- setup ------------------------------------------------------------------------
    def build(self) -> bytes:
        self._styles()
        for index, part in enumerate(self.model.parts):
            self._part(index, part)
        self._properties()
        return _package_bytes(self.doc)

    def _styles(self):
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        styles = self.doc.styles
        _set_doc_defaults(self.doc, self.model.language)
        normal = styles["Normal"]
        normal.font.size = Pt(11)
        _set_font(normal)
        normal.paragraph_format.space_after = Pt(6)
        for level, size in ((1, 14), (2, 12), (3, 11)):
            style = styles[f"Heading {level}"]
            _set_font(style)
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
            style.paragraph_format.space_after = Pt(4)
            style.paragraph_format.keep_with_next = True
        quote = styles["Quote"]
        _set_font(quote)
        quote.font.italic = True
        quote.font.color.rgb = RGBColor(0, 0, 0)
        from docx.shared import Mm

        quote.paragraph_format.left_indent = Mm(12)
        quote.paragraph_format.right_indent = Mm(12)
        for name, size, base in (("Small", 9, "Normal"), ("Table Text", 9, "Normal"), ("Table Text Small", 8, "Normal")):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles[base]
            style.font.size = Pt(size)
            style.paragraph_format.space_after = Pt(2 if name == "Small" else 0)
            style.paragraph_format.space_before = Pt(0)
        bullet = styles["List Bullet"]
        _set_font(bullet)
        table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
        table.base_style = styles["Table Grid"]
        _set_font(table)

    def _properties(self):
        cp = self.doc.core_properties
        day = _dt.date.fromisoformat(self.model.date) if self.model.date else _dt.date(2000, 1, 1)
        stamp = _dt.datetime(day.year, day.month, day.day, 9, 0, 0)
        cp.title = self.model.title
        cp.subject = self.model.subject
        cp.author = self.model.author
        cp.last_modified_by = self.model.author
        cp.keywords = "; ".join(self.model.keywords)
        cp.language = self.model.language
        cp.comments = ""
        cp.category = "Committee report"
        cp.content_status = self.model.classification
        cp.identifier = ""
        cp.version = ""
        cp.revision = 1
        cp.created = stamp
        cp.modified = stamp
        cp.last_printed = stamp

    # -- parts --------------------------------------------------------------------------
    def _part(self, index: int, part: Part):
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Mm

        section = self.doc.sections[0] if index == 0 else self.doc.add_section(WD_SECTION.NEW_PAGE)
        landscape = part.orientation == "landscape"
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        width, height = (A4[1], A4[0]) if landscape else A4
        section.page_width, section.page_height = Mm(width), Mm(height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(MARGIN_MM))
        section.header_distance = section.footer_distance = Mm(8)
        self.text_width_mm = width - 2 * MARGIN_MM
        header = section.header
        header.is_linked_to_previous = False
        hp = header.paragraphs[0]
        hp.text = part.running_header
        hp.style = self.doc.styles["Small"]
        if index == 0:
            self._footer(section)
        self.pending_break = False
        # the body ends with the document's last w:sectPr: held aside while the part's
        # blocks are appended, so each one is an append, not a search for the sectPr
        sect_pr = self.body.sectPr
        self.body.remove(sect_pr)
        try:
            for block in part.blocks:
                self._block(block)
        finally:
            self.body.append(sect_pr)

    def _footer(self, section):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        footer = section.footer
        p = footer.paragraphs[0]
        p.style = self.doc.styles["Small"]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.model.footer_text:
            p.add_run(f"{self.model.footer_text} – ")
        p.add_run("Page ")
        _add_field(p, "PAGE", "1")
        p.add_run(" of ")
        _add_field(p, "NUMPAGES", "1")

    # -- blocks -------------------------------------------------------------------------
    def _block(self, block):
        if isinstance(block, PageBreak):
            self.pending_break = True
        elif isinstance(block, Heading):
            p = self._paragraph(f"Heading {min(max(block.level, 1), 3)}")
            if block.anchor:
                self._bookmark(p, block.anchor, block.text)
            else:
                _text_run(p, block.text)
        elif isinstance(block, Paragraph):
            self._para(block)
        elif isinstance(block, BulletList):
            for item in block.items:
                # indented under the text of numbered paragraphs
                p = self._paragraph("List Bullet", indent=(_BULLET_INDENT, _BULLET_HANGING))
                self._runs(p, item)
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

    def _paragraph(self, style: str, *, align: str | None = None, indent: tuple[str, str] | None = None,
                   tab: str | None = None, space_before: str | None = None, space_after: str | None = None,
                   border: bool = False):
        """A new w:p with its w:pPr (always present, as python-docx writes it once a style
        is set): the children in the schema's order, measures in twips."""
        p = _sub(self._parent(), _P)
        ppr = _sub(p, _PPR)
        style_id = self._style_id(style)
        if style_id is not None:
            _sub(ppr, _PSTYLE, {_VAL: style_id})
        if self.pending_break:
            _sub(ppr, _PAGE_BREAK_BEFORE)
            self.pending_break = False
        if border:
            _sub(_sub(ppr, _PBDR), _BOTTOM, _RULE_ATTRS)
        if tab is not None:
            _sub(_sub(ppr, _TABS), _TAB, {_POS: tab, _VAL: "left"})
        spacing = {}
        if self.after_table:  # breathing space between a table and what follows it
            spacing[_BEFORE] = _AFTER_TABLE_SPACE
            self.after_table = False
        if space_before is not None:
            spacing[_BEFORE] = space_before
        if space_after is not None:
            spacing[_AFTER] = space_after
        if spacing:
            _sub(ppr, _SPACING, spacing)
        if indent is not None:
            _sub(ppr, _IND, {_LEFT: indent[0], _HANGING: indent[1]})
        if align is not None:
            _sub(ppr, _JC, {_VAL: align})
        return p

    def _para(self, block: Paragraph):
        style = {"body": "Normal", "quote": "Quote", "small": "Small", "lead": "Normal",
                 "signature": "Normal"}[block.style]
        if block.number:
            p = self._paragraph(style, tab=_NUMBER_INDENT, indent=(_NUMBER_INDENT, _NUMBER_INDENT),
                                space_before=_SIGNATURE_SPACE if block.style == "signature" else None)
            _text_run(p, f"{block.number}\t")
        else:
            p = self._paragraph(style, space_before=_SIGNATURE_SPACE if block.style == "signature" else None)
        if block.style == "lead":
            for run in block.content:
                self._run(p, Run(run.text, True, run.italic, run.href))
            return
        self._runs(p, block.content)

    def _runs(self, p, content: tuple[Run, ...], bold: bool = False):
        for run in content:
            self._run(p, run, bold)

    def _run(self, p, run: Run, bold: bool = False):
        if run.href:
            if run.href.startswith("#"):
                link = _sub(p, _HYPERLINK, {_ANCHOR: run.href[1:]})
            else:
                from docx.opc.constants import RELATIONSHIP_TYPE as RT

                link = _sub(p, _HYPERLINK, {_RID: self.doc.part.relate_to(run.href, RT.HYPERLINK, is_external=True)})
            r = _sub(link, _R)
            rpr = _sub(r, _RPR)
            if run.bold or bold:
                _sub(rpr, _B)
            if run.italic:
                _sub(rpr, _I)
            _sub(rpr, _COLOR, {_VAL: LINK_COLOUR})
            _sub(rpr, _U, {_VAL: "single"})
            _fill_run(r, run.text)
            return
        r = _sub(p, _R)
        if run.bold or bold or run.italic:
            rpr = _sub(r, _RPR)
            if run.bold or bold:
                _sub(rpr, _B)
            if run.italic:
                _sub(rpr, _I)
        _fill_run(r, run.text)

    def _bookmark(self, p, name: str, text: str):
        self.bookmark_id += 1
        _sub(p, _BOOKMARK_START, {_ID: str(self.bookmark_id), _NAME: _bookmark_name(name)})
        _text_run(p, text)
        _sub(p, _BOOKMARK_END, {_ID: str(self.bookmark_id)})

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
        p = self._paragraph("Normal", align="center")
        width = min(block.width_mm, self.text_width_mm)
        height = block.height_mm * width / block.width_mm
        run = _sub(p, _R)
        rid, image = self._picture(data)
        cx, cy = image.scaled_dimensions(Mm(width), Mm(height))
        if self.shape_id is None:  # counted from the first free id, not searched for per picture
            self.shape_id = self.doc.part.next_id
        inline = CT_Inline.new_pic_inline(self.shape_id, rid, image.filename, cx, cy)
        self.shape_id += 1
        _sub(run, _DRAWING).append(inline)
        doc_pr = inline.docPr
        doc_pr.set("descr", block.alt_text)
        doc_pr.set("title", block.chart.title)
        if block.caption:
            cap = self._paragraph("Caption")
            _text_run(cap, block.caption)

    # -- tables ---------------------------------------------------------------------------
    def _table(self, block: Table):
        from docx.shared import Mm

        if self.pending_break:  # a table cannot carry 'page break before': an empty breaking paragraph
            self._paragraph("Small", space_after="0")
        ncols = len(block.columns)
        total = sum(block.columns)
        width_mm = self.text_width_mm * (0.7 if block.kind == "key" else 1.0)
        widths = [Mm(width_mm * w / total) for w in block.columns]
        tbl = _sub(self._parent(), _TBL)
        tblpr = _sub(tbl, _TBLPR)
        style_id = self._table_style_id(TABLE_STYLE if block.kind != "memo" else "Normal Table")
        if style_id is not None:
            _sub(tblpr, _TBLSTYLE, {_VAL: style_id})
        _table_width_and_grid(tbl, tblpr, widths, align="left")
        _sub(tblpr, _TBLLOOK, _DEFAULT_LOOK)
        if block.caption:
            _sub(tblpr, _TBLCAPTION, {_VAL: block.caption[:255]})
        cell_widths = [w.twips for w in widths]
        text_style = self._style_id("Normal" if block.kind == "memo" else
                                    "Table Text Small" if block.font_size == "small" else "Table Text")
        v_align = {_VAL: "top" if block.kind == "memo" else "center"}
        n_header = len(block.header_rows) if block.repeat_header else 0
        for r, cells in enumerate((*block.header_rows, *block.rows)):
            tr = _sub(tbl, _TR)
            trpr = _sub(tr, _TRPR)
            _sub(trpr, _CANT_SPLIT)
            if r < n_header:
                _sub(trpr, _TBL_HEADER)
            c = 0
            for cell in cells:
                if c >= ncols:
                    raise PipelineError(f"table {block.caption!r}: row {r + 1} has more cells than columns")
                end = min(c + max(1, cell.colspan), ncols)  # a span stops at the last column
                tc = _sub(tr, _TC)
                tcpr = _sub(tc, _TCPR)
                _sub(tcpr, _TCW, {_TYPE: "dxa", _W_ATTR: str(sum(cell_widths[c:end]))})
                if end - c > 1:
                    _sub(tcpr, _GRID_SPAN, {_VAL: str(end - c)})
                if cell.rag is not None:
                    _sub(tcpr, _SHD, {_VAL: "clear", _COLOR_ATTR: "auto", _FILL: RAG_FILL[cell.rag]})
                elif cell.header and block.kind != "memo":
                    _sub(tcpr, _SHD, _HEADER_SHADING)
                _sub(tcpr, _VALIGN, v_align)
                p = _sub(tc, _P)
                ppr = _sub(p, _PPR)
                if text_style is not None:
                    _sub(ppr, _PSTYLE, {_VAL: text_style})
                _sub(ppr, _JC, {_VAL: cell.align})
                # header cells are bold (the memo's labels too)
                self._runs(p, cell.content, bold=cell.bold or cell.header)
                c += max(1, cell.colspan)
            for empty in range(c, ncols):  # a row short of cells: the rest of its grid, empty
                tc = _sub(tr, _TC)
                _sub(_sub(tc, _TCPR), _TCW, {_TYPE: "dxa", _W_ATTR: str(cell_widths[empty])})
                _sub(tc, _P)
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
        tbl = _sub(self.body, _TBL)
        tblpr = _sub(tbl, _TBLPR)
        _table_width_and_grid(tbl, tblpr, widths, align=None)
        _layout_table(tblpr)
        tr = _sub(tbl, _TR)
        _sub(_sub(tr, _TRPR), _CANT_SPLIT)
        cells = []
        for width in widths:
            tc = _sub(tr, _TC)
            _sub(_sub(tc, _TCPR), _TCW, {_TYPE: "dxa", _W_ATTR: str(width.twips)})
            cells.append((tc, _sub(tc, _P)))  # the empty paragraph every new cell has
        try:
            for (tc, first), column, width in zip(cells, block.columns, block.widths):
                self.container = tc
                self.text_width_mm = outer * width / total - 2 * LAYOUT_CELL_MARGIN_MM
                self.after_table = False
                for child in column:
                    self._block(child)
                _tidy_cell(tc, first)
        finally:
            self.container = None
            self.text_width_mm = outer
        self.after_table = True


# ---------------------------------------------------------------------------------- XML helpers
LAYOUT_CELL_MARGIN_MM = 1.9  # Word's default left/right cell margin (108 twips)
LAYOUT_CELL_SPACE_TWIPS = 113  # 2 mm above and below a layout row's content

_WNS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
(_P, _PPR, _PSTYLE, _PAGE_BREAK_BEFORE, _PBDR, _BOTTOM, _TABS, _TAB, _SPACING, _IND, _JC, _KEEP_NEXT,
 _R, _RPR, _B, _I, _COLOR, _U, _T, _BR, _HYPERLINK, _BOOKMARK_START, _BOOKMARK_END, _DRAWING,
 _TBL, _TBLPR, _TBLSTYLE, _TBLW, _TBLLAYOUT, _TBLBORDERS, _TBLCELLMAR, _TBLLOOK, _TBLCAPTION, _TBLGRID,
 _GRIDCOL, _TR, _TRPR, _CANT_SPLIT, _TBL_HEADER, _TC, _TCPR, _TCW, _GRID_SPAN, _SHD, _VALIGN) = (
    _WNS + name for name in (
        "p", "pPr", "pStyle", "pageBreakBefore", "pBdr", "bottom", "tabs", "tab", "spacing", "ind", "jc",
        "keepNext", "r", "rPr", "b", "i", "color", "u", "t", "br", "hyperlink", "bookmarkStart", "bookmarkEnd",
        "drawing", "tbl", "tblPr", "tblStyle", "tblW", "tblLayout", "tblBorders", "tblCellMar", "tblLook",
        "tblCaption", "tblGrid", "gridCol", "tr", "trPr", "cantSplit", "tblHeader", "tc", "tcPr", "tcW",
        "gridSpan", "shd", "vAlign"))
(_VAL, _POS, _BEFORE, _AFTER, _LEFT, _HANGING, _ID, _NAME, _ANCHOR, _TYPE, _W_ATTR, _COLOR_ATTR, _FILL) = (
    _WNS + name for name in ("val", "pos", "before", "after", "left", "hanging", "id", "name", "anchor",
                             "type", "w", "color", "fill"))
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# measures as python-docx writes them (twips, rounded from whole EMUs)
_AFTER_TABLE_SPACE = "160"  # 8 pt
_SIGNATURE_SPACE = "240"  # 12 pt
_NUMBER_INDENT = "567"  # 10 mm: numbered paragraphs hang their number in it
_BULLET_INDENT, _BULLET_HANGING = "907", "340"  # 16 mm, hanging 6 mm
_RULE_ATTRS = {_VAL: "single", _WNS + "sz": "8", _WNS + "space": "1", _COLOR_ATTR: "000000"}
_HEADER_SHADING = {_VAL: "clear", _COLOR_ATTR: "auto", _FILL: HEADER_FILL}
# python-docx's new table: header-row and first-column formatting, no vertical banding
_DEFAULT_LOOK = {_WNS + name: value for name, value in (
    ("firstColumn", "1"), ("firstRow", "1"), ("lastColumn", "0"), ("lastRow", "0"), ("noHBand", "0"),
    ("noVBand", "1"), ("val", "04A0"))}
_LAYOUT_LOOK = {_WNS + name: value for name, value in (
    ("val", "0000"), ("firstRow", "0"), ("lastRow", "0"), ("firstColumn", "0"), ("lastColumn", "0"),
    ("noHBand", "1"), ("noVBand", "1"))}


def _table_width_and_grid(tbl, tblpr, widths, align: str | None):
    """A fixed-layout table's w:tblW (and w:jc), its w:tblLayout and its w:tblGrid, from
    its columns' widths (EMU). (The layout type is written twice, as the writer always has.)"""
    _sub(tblpr, _TBLW, {_TYPE: "dxa", _W_ATTR: str(int(sum(w for w in widths) / 635))})  # EMU -> twips
    if align is not None:
        _sub(tblpr, _JC, {_VAL: align})
    _sub(tblpr, _TBLLAYOUT, {_TYPE: "fixed"})
    _sub(tblpr, _TBLLAYOUT, {_TYPE: "fixed"})
    grid = _sub(tbl, _TBLGRID)
    for width in widths:
        _sub(grid, _GRIDCOL, {_W_ATTR: str(int(width / 635))})


def _layout_table(tblpr):
    """Mark a table as layout: no borders, tblLook without header-row or first-column
    formatting and no banding, no caption/description (a data table's markers).
    ``tblpr`` holds w:tblW and the w:tblLayout: the borders go before the layout, the
    cell margins and the look after it."""
    borders = _sub(tblpr, _TBLBORDERS)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _sub(borders, _WNS + side, {_VAL: "nil"})
    tblpr.insert(1, borders)
    margins = _sub(tblpr, _TBLCELLMAR)  # breathing space above and below the row
    for side in ("top", "bottom"):
        _sub(margins, _WNS + side, {_W_ATTR: str(LAYOUT_CELL_SPACE_TWIPS), _TYPE: "dxa"})
    _sub(tblpr, _TBLLOOK, _LAYOUT_LOOK)


def _tidy_cell(tc, first_paragraph):
    """Drop the empty paragraph a new cell starts with once the cell has other content,
    and end the cell with a paragraph (Word requires one after a nested table)."""
    content = [el for el in tc if el.tag in (_P, _TBL)]
    if len(content) > 1 and first_paragraph in content and first_paragraph.find(_R) is None:
        tc.remove(first_paragraph)
        content.remove(first_paragraph)
    if content and content[-1].tag == _TBL:
        _sub(tc, _P)


def _bookmark_name(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean[:1].isalpha():
        clean = "b" + clean
    return clean[:40]


def _fill_run(r, text: str):
    """A model run's text: a w:br for each line break."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            _sub(r, _BR)
        if line:
            _text_el(r, line)


def _text_run(p, text: str):
    """A run holding ``text`` as python-docx's run.text writes it: a w:tab for each tab,
    a w:br for each line break or carriage return."""
    r = _sub(p, _R)
    for i, piece in enumerate(re.split(r"([\t\r\n])", text)):
        if i % 2:
            _sub(r, _TAB if piece == "\t" else _BR)
        elif piece:
            _text_el(r, piece)
    return r


def _text_el(r, text: str):
    t = _sub(r, _T)
    t.text = text
    if text != text.strip():
        t.set(_XML_SPACE, "preserve")
    return t


def _set_font(style):
    from docx.oxml.ns import qn

    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts is not None and fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _set_doc_defaults(doc, language: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), "ar-SA")
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), language)


def _add_field(p, code: str, placeholder: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind):
        r = p.add_run()
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r._r.append(fc)

    char("begin")
    r = p.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    r._r.append(instr)
    char("separate")
    p.add_run(placeholder)
    char("end")


def _keep_together(elements):
    """Keep each paragraph of a block with the next (tables: their rows don't split)."""
    paragraphs = []
    for el in elements:
        if el.tag == _P:
            paragraphs.append(el)
        elif el.tag == _TBL:
            paragraphs += el.iter(_P)
    for p in paragraphs[:-1]:
        ppr = p[0] if len(p) and p[0].tag == _PPR else None
        if ppr is None:
            ppr = _sub(p, _PPR)
            p.insert(0, ppr)
        if ppr.find(_KEEP_NEXT) is None:  # second in w:pPr, after w:pStyle only
            keep = _sub(ppr, _KEEP_NEXT)
            ppr.insert(1 if ppr[0].tag == _PSTYLE else 0, keep)


_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<TotalTime>0</TotalTime><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)
_THUMBNAIL = "docProps/thumbnail.jpeg"


def _package_bytes(doc) -> bytes:
    """The package python-docx saves (the same parts in the same order), zipped once with
    fixed timestamps and attributes, less the template's thumbnail and its 'Microsoft
    Macintosh Word' app properties. (Saving with python-docx and rewriting that zip
    deflated every part twice, the pictures too: 0.8 s of a 320-chart report.)"""
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        writer = _NormalisedZip(dst)
        # PackageWriter.write's three steps, into this zip rather than one of its own
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)
    return out.getvalue()


class _NormalisedZip:
    """python-docx's physical package writer interface (write(pack_uri, blob)) over a zip
    whose entries all carry the same date and attributes."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf

    def write(self, pack_uri, blob: bytes):
        name = pack_uri.membername
        if name == _THUMBNAIL:
            return
        if name == "_rels/.rels":
            blob = re.sub(rb"<Relationship [^>]*Target=\"docProps/thumbnail\.jpeg\"[^>]*/>", b"", blob)
        elif name == "docProps/app.xml":
            blob = _APP_XML
        elif name == "[Content_Types].xml":
            blob = re.sub(rb"<Override [^>]*PartName=\"/docProps/thumbnail\.jpeg\"[^>]*/>", b"", blob)
        info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.create_system = 0
        self.zf.writestr(info, blob)
