"""The Word report's package: what python-docx makes and writes around the body.

python-docx's api layer makes the document from its template and sets the Word styles
from the house style (pipeline.style.house, which the PDF reads too): the built-in
Heading 1-3, Normal, Quote, Caption, List Bullet, Header, Footer, TOC Heading and toc 1-3
styles, the named table style "Report Table", the house's Word font throughout (Arial;
Liberation Sans stands in where Arial is absent). Then the sections (a portrait one for
the cover report, landscape ones for the appendices) with the house margins, their
running headers and footers laid out as the house style says (PAGE and NUMPAGES fields
for the page number), and the document's properties (title, language, dates, no
python-docx leftovers). The package is then zipped here, with fixed timestamps and order,
so two builds of the same inputs are byte-identical (:func:`package_bytes`). The body's
paragraphs and tables are pipeline.docx.body's.
"""
from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

from pipeline.document.model import Document, Part
from pipeline.style.house import house_style

TABLE_STYLE = "Report Table"
A4 = (210.0, 297.0)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def new_document(model: Document):
    """python-docx's document from its template, with the report's styles set."""
    import docx

    doc = docx.Document()
    _styles(doc, model)
    return doc


def add_section(doc, model: Document, index: int, part: Part) -> float:
    """The part's section (the first part takes the template's own): orientation, A4, the
    house margins, its running header and footer laid out as the house style says (each
    section its own, as the tab stops follow its width). Returns the width of its text (mm)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    house = house_style()
    section = doc.sections[0] if index == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
    landscape = part.orientation == "landscape"
    page = house.page(part.orientation)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (A4[1], A4[0]) if landscape else A4
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
    section.top_margin, section.bottom_margin = Mm(page.top), Mm(page.bottom)
    # Word places the header's top and the footer's bottom; the house style gives their
    # baselines (as the PDF draws them): less the font's ascent, plus its descent
    size_mm = house.sizes.furniture * 25.4 / 72
    section.header_distance = Mm(page.header - _ASCENT * size_mm)
    section.footer_distance = Mm(page.footer - _DESCENT * size_mm)
    text_width_mm = width - page.left - page.right
    texts = {"": "", "running_header": part.running_header, "footer_text": model.footer_text, "title": model.title}
    header = section.header
    header.is_linked_to_previous = False
    _furniture_line(doc, header.paragraphs[0], house.furniture.header, texts, text_width_mm, "Header")
    footer = section.footer
    footer.is_linked_to_previous = False
    _furniture_line(doc, footer.paragraphs[0], house.furniture.footer, texts, text_width_mm, "Footer")
    return text_width_mm


# Liberation Sans's ascent and descent, in ems (as the PDF draws it)
_ASCENT, _DESCENT = 0.905, 0.212


def _furniture_line(doc, p, fields: tuple[str, str, str], texts: dict, width_mm: float, style: str):
    """The running header's or footer's paragraph: left, centre and right (tab stops at the
    middle and the end of the text width), the page number as PAGE / NUMPAGES fields."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm

    shown = [name for name in fields if name and (name.startswith("page") or texts[name])]
    p.style = doc.styles[style if shown else "Normal"]
    if not shown:
        return
    stops = p.paragraph_format.tab_stops
    if fields[1]:
        stops.add_tab_stop(Mm(width_mm / 2), WD_TAB_ALIGNMENT.CENTER)
    if fields[2]:
        stops.add_tab_stop(Mm(width_mm), WD_TAB_ALIGNMENT.RIGHT)
    # (Word ignores its default tab stops left of a set one: one tab reaches each)
    for position, name in enumerate(fields):
        if position and name:
            p.add_run("\t")
        if name == "page":
            p.add_run("Page ")
            _add_field(p, "PAGE", "1")
        elif name == "page_of":
            p.add_run("Page ")
            _add_field(p, "PAGE", "1")
            p.add_run(" of ")
            _add_field(p, "NUMPAGES", "1")
        elif name:
            p.add_run(texts[name])


def _styles(doc, model: Document):
    """The Word styles, from the house style: the same sizes, colours and spacing as the
    PDF's (Word keeps its own line spacing: single, which editors expect)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Mm, Pt, RGBColor

    house = house_style()
    size, space, colours = house.sizes, house.spacing, house.colours

    def rgb(value: str) -> RGBColor:
        return RGBColor.from_string(value.lstrip("#"))

    styles = doc.styles
    _set_doc_defaults(doc, model.language)
    normal = styles["Normal"]
    normal.font.size = Pt(size.body)
    _set_font(normal)
    normal.font.color.rgb = rgb(colours.text)
    normal.paragraph_format.space_after = Pt(space.paragraph_after)
    for level in (1, 2, 3):
        style = styles[f"Heading {level}"]
        _set_font(style)
        style.font.size = Pt(getattr(size, f"h{level}"))
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = rgb(colours.headings)
        style.paragraph_format.space_before = Pt(getattr(space, f"h{level}_before"))
        style.paragraph_format.space_after = Pt(getattr(space, f"h{level}_after"))
        style.paragraph_format.keep_with_next = True
    quote = styles["Quote"]
    _set_font(quote)
    quote.font.italic = True
    quote.font.color.rgb = rgb(colours.text)
    quote.paragraph_format.left_indent = Mm(12)
    quote.paragraph_format.right_indent = Mm(12)
    for name, points, after in (("Small", size.small, space.small_after), ("Table Text", size.table, 0),
                                ("Table Text Small", size.table_small, 0)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(points)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.space_before = Pt(0)
    caption = styles["Caption"]
    _set_font(caption)
    caption.font.size = Pt(size.caption)
    caption.font.bold = False
    caption.font.italic = True
    caption.font.color.rgb = rgb(colours.text)
    caption.paragraph_format.space_after = Pt(space.caption_after)
    bullet = styles["List Bullet"]
    _set_font(bullet)
    bullet.paragraph_format.space_after = Pt(space.bullet_after)
    # the contents list: its title looks like a Heading 2 but stays out of the outline
    # (Word's TOC Heading); its entries are Word's "toc 1-3" styles
    contents = styles["TOC Heading"]
    _set_font(contents)
    contents.font.size = Pt(size.h2)
    contents.font.color.rgb = rgb(colours.headings)
    contents.paragraph_format.space_before = Pt(space.h2_before)
    contents.paragraph_format.space_after = Pt(space.h2_after)
    for level, indent in ((1, 0), (2, 6), (3, 12)):
        style = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.paragraph_format.left_indent = Mm(indent)
        style.paragraph_format.space_after = Pt(2 if level == 1 else 1 if level == 2 else 0)
        if level == 1:
            style.font.bold = True
        if level == 3:
            style.font.size = Pt(size.contents_3)
    for name, rule in (("Header", "bottom"), ("Footer", "top")):
        style = styles[name]
        _set_font(style)
        style.font.size = Pt(size.furniture)
        style.font.color.rgb = rgb(colours.furniture_text)
        style.paragraph_format.tab_stops.clear_all()  # each paragraph sets its own, for its width
        drawn = house.furniture.header_rule if name == "Header" else house.furniture.footer_rule
        if drawn:
            _paragraph_border(style, rule, colours.rules)
    table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Table Grid"]
    _set_font(table)
    _table_borders(table, colours.grid)


def _paragraph_border(style, side: str, colour: str):
    """A rule above or below a paragraph style's text, 0.5 pt in ``colour``, where the PDF
    draws its line under the running header and above the footer."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = style.element.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:{side} w:val="single" w:sz="4" w:space="4" '
                         f'w:color="{colour.lstrip("#")}"/></w:pBdr>'))


def _table_borders(style, colour: str):
    """The table style's lines (0.5 pt) in the house grid colour; Table Grid's are black."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    lines = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{colour.lstrip("#")}"/>'
                    for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tblpr = style.element.find(f'{{{_W}}}tblPr')
    if tblpr is None:
        tblpr = parse_xml(f'<w:tblPr {nsdecls("w")}/>')
        ppr = style.element.find(f'{{{_W}}}pPr')
        # CT_Style's order: ... pPr, rPr, tblPr
        rpr = style.element.find(f'{{{_W}}}rPr')
        (rpr if rpr is not None else ppr if ppr is not None else style.element[-1]).addnext(tblpr)
    tblpr.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>{lines}</w:tblBorders>'))


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def set_properties(doc, model: Document) -> None:
    """The core properties, dated the report's date (so they do not change between builds)."""
    cp = doc.core_properties
    day = _dt.date.fromisoformat(model.date) if model.date else _dt.date(2000, 1, 1)
    stamp = _dt.datetime(day.year, day.month, day.day, 9, 0, 0)
    cp.title = model.title
    cp.subject = model.subject
    cp.author = model.author
    cp.last_modified_by = model.author
    cp.keywords = "; ".join(model.keywords)
    cp.language = model.language
    cp.comments = ""
    cp.category = "Committee report"
    cp.content_status = model.classification
    cp.identifier = ""
    cp.version = ""
    cp.revision = 1
    cp.created = stamp
    cp.modified = stamp
    cp.last_printed = stamp


def _set_font(style):
    from docx.oxml.ns import qn

    font = house_style().fonts.word_family
    style.font.name = font
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts is not None and fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), font)


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
        fonts.set(qn(attr), house_style().fonts.word_family)
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



_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<TotalTime>0</TotalTime><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)
_THUMBNAIL = "docProps/thumbnail.jpeg"


def package_bytes(doc) -> bytes:
    """The package python-docx saves (the same parts in the same order), zipped once with
    fixed timestamps and attributes, less the template's thumbnail and its 'Microsoft
    Macintosh Word' app properties. (Saving with python-docx and rewriting that zip
    deflated every part twice, the pictures too.)"""
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
