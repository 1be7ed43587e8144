"""The Word report's package: what python-docx makes and writes around the body.

python-docx's api layer makes the document from its template and sets the Word styles
(the built-in Heading 1-3, Normal, Quote and List Bullet, the named table style "Report
Table", Arial throughout: Liberation Sans stands in where Arial is absent), the sections
(a portrait one for the cover report, landscape ones for the appendices), their headers
and footers (a PAGE field in the footer) and the document's properties (title, language,
dates, no python-docx leftovers). The package is then zipped here, with fixed timestamps
and order, so two builds of the same inputs are byte-identical
(:func:`package_bytes`). The body's paragraphs and tables are pipeline.docx.body's.
"""
from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

from pipeline.document.model import Document, Part

FONT = "Arial"
TABLE_STYLE = "Report Table"
MARGIN_MM = 18.0
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
    margins, its running header, the footer (the first section's, which the others
    inherit). Returns the width of its text (mm)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    section = doc.sections[0] if index == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
    landscape = part.orientation == "landscape"
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (A4[1], A4[0]) if landscape else A4
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    section.header_distance = section.footer_distance = Mm(8)
    text_width_mm = width - 2 * MARGIN_MM
    header = section.header
    header.is_linked_to_previous = False
    hp = header.paragraphs[0]
    hp.text = part.running_header
    hp.style = doc.styles["Small"]
    if index == 0:
        _footer(doc, model, section)
    return text_width_mm


def _footer(doc, model: Document, section):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = section.footer
    p = footer.paragraphs[0]
    p.style = doc.styles["Small"]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if model.footer_text:
        p.add_run(f"{model.footer_text} – ")
    p.add_run("Page ")
    _add_field(p, "PAGE", "1")
    p.add_run(" of ")
    _add_field(p, "NUMPAGES", "1")


def _styles(doc, model: Document):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    _set_doc_defaults(doc, model.language)
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
