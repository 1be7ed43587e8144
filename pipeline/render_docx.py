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
import io
import re
import zipfile
from typing import Mapping

from pipeline.atomic import write_bytes
from pipeline.document import (
    BulletList,
    Cell,
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
    def __init__(self, document: Document, images: Mapping[ChartSpec, bytes]):
        import docx

        self.model = document
        self.images = images
        self.doc = docx.Document()
        self.bookmark_id = 0
        self.pending_break = False
        self._style_ids: dict[str, str] = {}
        self.after_table = False
        self.shape_id: int | None = None  # the next picture's id (docPr), counted here
        self.container = None  # the table cell being filled (a Columns block), else the body

    def _target(self):
        return self.container if self.container is not None else self.doc

    def _set_style(self, p, name: str):
        """Set a paragraph style by id (python-docx's lookup by name is slow on big tables)."""
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        p._p.style = None if name == "Normal" else self._style_ids[name]

    # -- setup ------------------------------------------------------------------------
    def build(self) -> bytes:
        self._styles()
        for index, part in enumerate(self.model.parts):
            self._part(index, part)
        self._properties()
        raw = io.BytesIO()
        self.doc.save(raw)
        return _normalise_zip(raw.getvalue())

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
        for block in part.blocks:
            self._block(block)

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
                p.add_run(block.text)
        elif isinstance(block, Paragraph):
            self._para(block)
        elif isinstance(block, BulletList):
            from docx.shared import Mm

            for item in block.items:
                p = self._paragraph("List Bullet")
                p.paragraph_format.left_indent = Mm(16)  # under the text of numbered paragraphs
                p.paragraph_format.first_line_indent = Mm(-6)
                self._runs(p, item)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Figure):
            self._figure(block)
        elif isinstance(block, Rule):
            p = self._paragraph("Normal")
            _bottom_border(p)
        elif isinstance(block, KeepTogether):
            body = self.doc.element.body
            start = len(body)
            for inner in block.blocks:
                self._block(inner)
            _keep_together([el for el in list(body)[start:]])
        elif isinstance(block, Columns):
            self._columns(block)
        else:  # pragma: no cover - the model has no other blocks
            raise PipelineError(f"unknown block {type(block).__name__}")

    def _paragraph(self, style: str):
        p = self._target().add_paragraph()
        self._set_style(p, style)
        if self.after_table:  # breathing space between a table and what follows it
            from docx.shared import Pt

            p.paragraph_format.space_before = Pt(8)
            self.after_table = False
        if self.pending_break:
            p.paragraph_format.page_break_before = True
            self.pending_break = False
        return p

    def _para(self, block: Paragraph):
        from docx.shared import Mm, Pt

        style = {"body": "Normal", "quote": "Quote", "small": "Small", "lead": "Normal",
                 "signature": "Normal"}[block.style]
        p = self._paragraph(style)
        if block.number:
            p.paragraph_format.left_indent = Mm(10)
            p.paragraph_format.first_line_indent = Mm(-10)
            p.paragraph_format.tab_stops.add_tab_stop(Mm(10))
            p.add_run(f"{block.number}\t")
        if block.style == "lead":
            for run in block.content:
                self._run(p, Run(run.text, True, run.italic, run.href))
            return
        if block.style == "signature":
            p.paragraph_format.space_before = Pt(12)
        self._runs(p, block.content)

    def _runs(self, p, content: tuple[Run, ...], bold: bool = False):
        for run in content:
            self._run(p, run, bold)

    def _run(self, p, run: Run, bold: bool = False):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        if run.href:
            link = OxmlElement("w:hyperlink")
            if run.href.startswith("#"):
                link.set(qn("w:anchor"), run.href[1:])
            else:
                from docx.opc.constants import RELATIONSHIP_TYPE as RT

                link.set(qn("r:id"), p.part.relate_to(run.href, RT.HYPERLINK, is_external=True))
            p._p.append(link)
            r = p.add_run()
            link.append(r._r)  # moves the run inside the hyperlink
            _fill_run(r, run.text)
            r.bold = run.bold or bold or None
            r.italic = run.italic or None
            from docx.shared import RGBColor

            r.font.underline = True
            r.font.color.rgb = RGBColor.from_string(LINK_COLOUR)
            return
        r = p.add_run()
        _fill_run(r, run.text)
        if run.bold or bold:
            r.bold = True
        if run.italic:
            r.italic = True

    def _bookmark(self, p, name: str, text: str):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.bookmark_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmark_id))
        start.set(qn("w:name"), _bookmark_name(name))
        p._p.append(start)
        p.add_run(text)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmark_id))
        p._p.append(end)

    def _figure(self, block: Figure):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        data = self.images.get(block.chart)
        if data is None:
            raise PipelineError(f"no picture was drawn for the chart {block.chart.title!r}")
        p = self._paragraph("Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        width = min(block.width_mm, self.text_width_mm)
        height = block.height_mm * width / block.width_mm
        run = p.add_run()
        # run.add_picture, less its search of the whole document for the next free id
        # (quadratic in the number of charts: 10 s of a 320-chart report)
        from docx.oxml.shape import CT_Inline

        rid, image = p.part.get_or_add_image(io.BytesIO(data))
        cx, cy = image.scaled_dimensions(Mm(width), Mm(height))
        if self.shape_id is None:
            self.shape_id = p.part.next_id
        inline = CT_Inline.new_pic_inline(self.shape_id, rid, image.filename, cx, cy)
        self.shape_id += 1
        run._r.add_drawing(inline)
        doc_pr = inline.docPr
        doc_pr.set("descr", block.alt_text)
        doc_pr.set("title", block.chart.title)
        if block.caption:
            cap = self._paragraph("Caption")
            cap.add_run(block.caption)

    # -- tables ---------------------------------------------------------------------------
    def _table(self, block: Table):
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.shared import Mm

        if self.pending_break:  # a table cannot carry 'page break before': an empty breaking paragraph
            self._paragraph("Small").paragraph_format.space_after = 0
        all_rows = list(block.header_rows) + list(block.rows)
        ncols = len(block.columns)
        table = self._add_table(len(all_rows), ncols)
        table.style = self.doc.styles[TABLE_STYLE if block.kind != "memo" else "Normal Table"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        total = sum(block.columns)
        width_mm = self.text_width_mm * (0.7 if block.kind == "key" else 1.0)
        widths = [Mm(width_mm * w / total) for w in block.columns]
        _table_layout_fixed(table, widths)
        text_style = "Table Text Small" if block.font_size == "small" else "Table Text"
        if block.kind == "memo":
            text_style = "Normal"
        rows = list(table.rows)  # (python-docx rebuilds the list of rows, and of a row's cells, on each access)
        for r, cells in enumerate(all_rows):
            is_header_row = r < len(block.header_rows)
            row = rows[r]
            _row_props(row, header=is_header_row and block.repeat_header)
            row_cells = row.cells  # by grid column; a merge only removes cells left of the next one used
            c = 0
            for cell in cells:
                span = max(1, cell.colspan)
                if c >= ncols:
                    raise PipelineError(f"table {block.caption!r}: row {r + 1} has more cells than columns")
                target = row_cells[c]
                if span > 1:
                    target = target.merge(row_cells[min(c + span - 1, ncols - 1)])
                self._cell(target, cell, text_style, block.kind)
                c += span
        _table_caption(table, block.caption)
        self.after_table = True

    def _add_table(self, rows: int, cols: int):
        from docx.blkcntnr import BlockItemContainer
        from docx.shared import Mm

        if self.container is None:
            return self.doc.add_table(rows=rows, cols=cols)
        # (a cell's own add_table appends an empty paragraph; _columns tidies cells itself)
        return BlockItemContainer.add_table(self.container, rows, cols, Mm(self.text_width_mm))

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
            self._paragraph("Small").paragraph_format.space_after = 0
        outer = self.text_width_mm
        total = sum(block.widths) or 1
        widths = [Mm(outer * w / total) for w in block.widths]
        table = self._add_table(1, len(block.columns))
        table.style = self.doc.styles["Normal Table"]
        table.autofit = False
        _table_layout_fixed(table, widths)
        _layout_table(table)
        _row_props(table.rows[0], header=False)
        try:
            for cell, column, width in zip(table.rows[0].cells, block.columns, block.widths):
                self.container = cell
                self.text_width_mm = outer * width / total - 2 * LAYOUT_CELL_MARGIN_MM
                self.after_table = False
                first = cell.paragraphs[0]._p  # the empty paragraph every new cell has
                for child in column:
                    self._block(child)
                _tidy_cell(cell._tc, first)
        finally:
            self.container = None
            self.text_width_mm = outer
        self.after_table = True

    def _cell(self, target, cell: Cell, text_style: str, kind: str):
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = target.paragraphs[0]
        self._set_style(p, text_style)
        p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "center": WD_ALIGN_PARAGRAPH.CENTER}[cell.align]
        bold = cell.bold or (cell.header and kind != "memo") or (kind == "memo" and cell.header)
        self._runs(p, cell.content, bold=bold)
        target.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.TOP if kind == "memo"
                                     else WD_CELL_VERTICAL_ALIGNMENT.CENTER)
        if cell.rag is not None:
            _shade(target, RAG_FILL[cell.rag])
        elif cell.header and kind != "memo":
            _shade(target, HEADER_FILL)


# ---------------------------------------------------------------------------------- XML helpers
LAYOUT_CELL_MARGIN_MM = 1.9  # Word's default left/right cell margin (108 twips)
LAYOUT_CELL_SPACE_TWIPS = 113  # 2 mm above and below a layout row's content


def _layout_table(table):
    """Mark a table as layout: no borders, tblLook without header-row or first-column
    formatting and no banding, no caption/description (a data table's markers)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblpr = table._tbl.tblPr
    for tag in ("w:tblBorders", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"):
        for el in tblpr.findall(qn(tag)):
            tblpr.remove(el)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    tblpr.append(borders)
    margins = OxmlElement("w:tblCellMar")  # breathing space above and below the row
    for side in ("top", "bottom"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(LAYOUT_CELL_SPACE_TWIPS))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    tblpr.append(margins)
    look = OxmlElement("w:tblLook")
    for key, value in (("w:val", "0000"), ("w:firstRow", "0"), ("w:lastRow", "0"), ("w:firstColumn", "0"),
                       ("w:lastColumn", "0"), ("w:noHBand", "1"), ("w:noVBand", "1")):
        look.set(qn(key), value)
    tblpr.append(look)
    _order_tblpr(tblpr)


def _tidy_cell(tc, first_paragraph):
    """Drop the empty paragraph a new cell starts with once the cell has other content,
    and end the cell with a paragraph (Word requires one after a nested table)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    content = [el for el in tc if el.tag in (qn("w:p"), qn("w:tbl"))]
    if len(content) > 1 and first_paragraph in content and not len(first_paragraph.findall(qn("w:r"))):
        tc.remove(first_paragraph)
        content.remove(first_paragraph)
    if content and content[-1].tag == qn("w:tbl"):
        tc.append(OxmlElement("w:p"))



def _bookmark_name(name: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean[:1].isalpha():
        clean = "b" + clean
    return clean[:40]


def _fill_run(r, text: str):
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            r.add_break()
        if line:
            r._r.append(_text_el(line))


def _text_el(text: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip():
        t.set(qn("xml:space"), "preserve")
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


def _bottom_border(p):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    # pBdr goes after keepNext/pageBreakBefore etc.; python-docx's insert order helper handles it
    ppr.insert_element_before(bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                              "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                              "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                              "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _shade(cell, fill: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.insert_element_before(shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                               "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


def _row_props(row, header: bool):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _table_layout_fixed(table, widths):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(int(sum(w for w in widths) / 635)))  # EMU -> twips
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(width / 635)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    _order_tblpr(tblpr)


_TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                "tblLook", "tblCaption", "tblDescription"]


def _order_tblpr(tblpr):
    from docx.oxml.ns import qn

    rank = {qn(f"w:{name}"): i for i, name in enumerate(_TBLPR_ORDER)}
    children = list(tblpr)
    for child in children:
        tblpr.remove(child)
    for child in sorted(children, key=lambda el: rank.get(el.tag, len(rank))):
        tblpr.append(child)


def _table_caption(table, caption: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if not caption:
        return
    tblpr = table._tbl.tblPr
    el = OxmlElement("w:tblCaption")
    el.set(qn("w:val"), caption[:255])
    tblpr.append(el)
    _order_tblpr(tblpr)


def _keep_together(elements):
    """Keep each paragraph of a block with the next (tables: their rows don't split)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraphs = []
    for el in elements:
        if el.tag == qn("w:p"):
            paragraphs.append(el)
        elif el.tag == qn("w:tbl"):
            paragraphs += el.iter(qn("w:p"))
    for p in paragraphs[:-1]:
        ppr = p.get_or_add_pPr()
        if ppr.find(qn("w:keepNext")) is None:
            ppr.insert_element_before(OxmlElement("w:keepNext"), *[
                "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
                "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                "w:pPrChange"])


_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<TotalTime>0</TotalTime><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)
_THUMBNAIL = "docProps/thumbnail.jpeg"


def _normalise_zip(data: bytes) -> bytes:
    """Same entries, fixed timestamps and attributes; the template's thumbnail and its
    'Microsoft Macintosh Word' app properties dropped."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name == _THUMBNAIL:
                continue
            blob = src.read(name)
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
            dst.writestr(info, blob)
    return out.getvalue()
