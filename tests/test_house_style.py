"""The house style (report_templates/house_style.toml): one file, read by both writers.

The PDF and the Word report are reopened and their colours read back (pdfplumber's fills
and character colours; the DOCX's styles.xml and cell XML); an edited copy of the file,
loaded by a second process, must change both documents; a broken file is refused with a
message naming the key."""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.style.house import HOUSE_STYLE_PATH, contrast_ratio, house_style, load_house_style

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DEFAULT_TEXT = Path(str(HOUSE_STYLE_PATH)).read_text(encoding="utf-8")

# a build in a fresh process whose loader reads another house style file
BUILD_WITH_STYLE = """
import sys
from pathlib import Path

import pipeline.style.house as house

house.HOUSE_STYLE_PATH = Path(sys.argv[1])
if sys.argv[2] == "cli":
    from pipeline.cli import main

    main(["build", sys.argv[3], "--out", sys.argv[4], "--no-cache"])
else:
    from pipeline.build import build_report

    build_report(sys.argv[3], sys.argv[4], use_cache=False)
"""


def _build(style_path, workbook, out, cli=False) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BUILD_WITH_STYLE, str(style_path), "cli" if cli else "api",
                           str(workbook), str(out)], capture_output=True, text=True, timeout=300)


def _edited(tmp_path, *changes: tuple[str, str]) -> Path:
    """A copy of the house style with each (pattern, replacement) made exactly once."""
    text = DEFAULT_TEXT
    for pattern, replacement in changes:
        text, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
        assert n == 1, pattern
    path = tmp_path / f"house_style_{len(list(tmp_path.glob('house_style_*.toml')))}.toml"  # read once per path
    path.write_text(text, encoding="utf-8")
    return path


def _rgb(hex_value: str) -> tuple[float, float, float]:
    value = hex_value.lstrip("#")
    return tuple(round(int(value[i:i + 2], 16) / 255, 2) for i in (0, 2, 4))


def _colour(value) -> tuple | None:
    if value is None or len(value) != 3:
        return None
    return tuple(round(float(v), 2) for v in value)


# ------------------------------------------------------------------------------ reading back
def pdf_looks(path) -> dict:
    """Fill colours drawn behind cells, by the text drawn on them, and the colours and
    sizes of bold text, read back with pdfplumber."""
    import pdfplumber

    fills: dict[str, set] = {}  # word in the cell -> its fill colours
    heading_colours: dict[float, set] = {}  # size -> colours of bold text that size
    footers: list = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            rects = [r for r in page.rects if r.get("fill") and _colour(r.get("non_stroking_color"))]
            for word in page.extract_words(extra_attrs=["non_stroking_color"]):
                cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
                for r in rects:
                    if r["x0"] <= cx <= r["x1"] and r["top"] <= cy <= r["bottom"]:
                        fills.setdefault(word["text"], set()).add(
                            (_colour(r["non_stroking_color"]), _colour(word["non_stroking_color"])))
            for ch in page.chars:
                if "Bold" in ch["fontname"] and ch["text"].strip():
                    heading_colours.setdefault(round(ch["size"], 1), set()).add(_colour(ch["non_stroking_color"]))
            footer = [w for w in page.extract_words() if w["bottom"] > page.height - 16 * 72 / 25.4]
            footers.append((page.width, footer))
    return {"fills": fills, "bold": heading_colours, "footers": footers}


def docx_looks(path) -> dict:
    """Heading colours and sizes from styles.xml; each table cell's shading and run colours
    and weights by its text; the footers' XML."""
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        document = etree.fromstring(z.read("word/document.xml"))
        footers = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("word/footer")]
    headings = {}
    for style in styles.iter(f"{W}style"):
        name = style.find(f"{W}name").get(f"{W}val")
        if name in ("heading 1", "heading 2", "heading 3"):
            colour = style.find(f"{W}rPr/{W}color")
            size = style.find(f"{W}rPr/{W}sz")
            headings[name] = (colour.get(f"{W}val"), int(size.get(f"{W}val")) / 2)
    cells: dict[str, set] = {}
    for tc in document.iter(f"{W}tc"):
        text = "".join(t.text or "" for t in tc.iter(f"{W}t"))
        shd = tc.find(f"{W}tcPr/{W}shd")
        fill = shd.get(f"{W}fill") if shd is not None else None
        for r in tc.iter(f"{W}r"):
            colour = r.find(f"{W}rPr/{W}color")
            bold = r.find(f"{W}rPr/{W}b") is not None
            cells.setdefault(text, set()).add((fill, colour.get(f"{W}val") if colour is not None else None, bold))
    return {"headings": headings, "cells": cells, "footers": footers, "document": document}


@pytest.fixture(scope="module")
def default_build(tmp_path_factory, sample_path):
    from pipeline.build import build_report

    out = tmp_path_factory.mktemp("house")
    result = build_report(sample_path, out, use_cache=False)
    return pdf_looks(result.paths["pdf"]), docx_looks(result.paths["docx"])


# ------------------------------------------------------------------------------ same colours
def test_pdf_and_docx_draw_the_house_colours(default_build):
    pdf, word = default_build
    house = house_style()
    c = house.colours
    # headings: the PDF's bold text at the heading sizes, Word's heading styles
    for level in (1, 2):
        size = getattr(house.sizes, f"h{level}")
        assert pdf["bold"][size] == {_rgb(c.headings)}, level
        assert word["headings"][f"heading {level}"] == (c.headings.lstrip("#"), size)
    # the data tables' header rows: fill and text colour
    for word_text in ("RAG", "Indicator"):
        assert (_rgb(c.table_header_fill), _rgb(c.table_header_text)) in pdf["fills"][word_text]
    assert (c.table_header_fill.lstrip("#"), c.table_header_text.lstrip("#"), True) in word["cells"]["RAG"]
    # row labels (the trend table's row headers)
    assert (_rgb(c.row_label_fill), _rgb(c.row_label_text)) in pdf["fills"]["Percentage"]
    assert (c.row_label_fill.lstrip("#"), None, True) in word["cells"]["Percentage"]  # bold, as in the PDF
    # RAG cells: fill, text colour, weight
    for name in ("GREEN", "AMBER", "RED"):
        look = house.rag_look(name)
        assert pdf["fills"][name] == {(_rgb(look.fill), _rgb(look.text))}, name
        assert word["cells"][name] == {(look.fill.lstrip("#"), look.text.lstrip("#"), look.bold)}, name
    # the three fills differ from each other and from the header fill (a test that can fail)
    assert len({house.rag_look(n).fill for n in ("GREEN", "AMBER", "RED")} | {c.table_header_fill}) == 4


def test_footer_layout_is_the_same_in_both(default_build):
    pdf, word = default_build
    house = house_style()
    assert house.furniture.footer == ("footer_text", "", "page_of")
    for index, page in ((0, house.portrait), (3, house.landscape)):
        width, footer = pdf["footers"][index]
        text = " ".join(w["text"] for w in footer)
        assert text.startswith("Social Care and Public Health Cabinet Committee")
        assert text.endswith(f"Page {index + 1} of {len(pdf['footers'])}")  # (one footer a page)
        assert footer[-1]["x1"] == pytest.approx(width - page.right * 72 / 25.4, abs=1)
        assert footer[0]["x0"] == pytest.approx(page.left * 72 / 25.4, abs=1)
    # every Word section its own footer: committee at the left, then a right tab, "Page", PAGE of NUMPAGES
    assert len(word["footers"]) == 1 + 2  # the cover report and the two appendices
    for xml in word["footers"]:
        assert 'w:val="right"' in xml and 'w:val="center"' not in xml
        assert re.search(r"Social Care and Public Health Cabinet Committee.*<w:tab/>.*Page .* PAGE .* of .* NUMPAGES ",
                         xml, re.S)


def test_docx_has_the_contents_list_the_pdf_has(tmp_path, sample_path):
    """Each appendix of the Word report opens with a Contents list: a TOC field collecting
    that appendix's headings, pre-filled with one linked entry per heading the PDF lists,
    each link pointing to a bookmark on its heading."""
    import docx
    import pdfplumber
    from docx.text.paragraph import Paragraph

    from pipeline.build import build_report

    result = build_report(sample_path, tmp_path, use_cache=False)
    word = docx.Document(str(result.paths["docx"]))
    body = word.element.body
    bookmarks = {b.get(f"{W}name"): b for b in body.iter(f"{W}bookmarkStart")}
    fields = [t.text for t in body.iter(f"{W}instrText") if " TOC " in t.text]
    assert len(fields) == 2  # one per appendix
    for code in fields:
        # levels 2 and, where an appendix has lead indicators (their headings are level 3), 3
        match = re.fullmatch(r' TOC \\o "2-[23]" \\b (\S+) \\h \\z \\u ', code)
        assert match and match.group(1) in bookmarks
    toc_ids = {word.styles[f"toc {level}"].style_id for level in (1, 2, 3)}
    entries = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}pStyle") is not None
               and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") in toc_ids]
    texts = ["".join(t.text for t in p.iter(f"{W}t")) for p in entries]
    assert [p.text for p in word.paragraphs if p.style.name.startswith("toc ")] == texts  # python-docx sees them
    anchors = [h.get(f"{W}anchor") for p in entries for h in p.iter(f"{W}hyperlink")]
    assert len(anchors) == len(entries) and all(a in bookmarks for a in anchors)
    for text, anchor in zip(texts, anchors):  # each link lands on the heading of that text
        heading = bookmarks[anchor].getparent()
        assert "".join(t.text for t in heading.iter(f"{W}t")) == text
        assert Paragraph(heading, word).style.name in ("Heading 2", "Heading 3")
    titles = [p.text for p in word.paragraphs if p.style.name == "TOC Heading"]
    assert titles == ["Contents", "Contents"]
    # the same entries as the PDF's contents lists, in order
    with pdfplumber.open(str(result.paths["pdf"])) as pdf:
        listed = []
        for page in pdf.pages:
            text = page.extract_text() or ""
            if "\nContents\n" in text:
                listed += [m.group(1) for m in re.finditer(r"^(.*?) \u2014 page \d+$", text, re.M)]
    assert texts == listed and len(listed) > 10


# ------------------------------------------------------------------------------ another style
def test_an_edited_house_style_changes_both_documents(tmp_path, sample_path):
    style = _edited(
        tmp_path,
        (r'^headings = "#1F3864"', 'headings = "#6B1D5E"'),
        (r'^table_header_fill = "#1F3864"', 'table_header_fill = "#004D40"'),
        (r'^(\[rag\.red\]\nfill = )"#C00000"', r'\1"#9E1B32"'),
        (r'^(\[rag\.amber\]\nfill = "#FFC000"\ntext = "#000000"\nbold = )true', r"\1false"),
        (r"^h2 = 13$", "h2 = 14"),
        (r'^footer_left = "footer_text"', 'footer_left = "title"'),
        (r'^footer_centre = ""', 'footer_centre = "page"'),
        (r'^footer_right = "page_of"', 'footer_right = ""'),
    )
    out = tmp_path / "out"
    done = _build(style, sample_path, out)
    assert done.returncode == 0, done.stderr
    pdf = pdf_looks(out / "fsc_performance_2013-09.pdf")
    word = docx_looks(out / "fsc_performance_2013-09.docx")
    assert pdf["bold"][14.0] == {_rgb("#6B1D5E")}
    assert 13.0 not in pdf["bold"]
    assert word["headings"]["heading 2"] == ("6B1D5E", 14.0)
    header_fills = {fill for fill, _text in pdf["fills"]["RAG"]}  # the header "RAG", the label "RAG rating"
    assert _rgb("#004D40") in header_fills and _rgb("#1F3864") not in header_fills
    assert ("004D40", "FFFFFF", True) in word["cells"]["RAG"]
    assert not any(fill == "1F3864" for fill, _c, _b in word["cells"]["RAG"])
    assert pdf["fills"]["RED"] == {(_rgb("#9E1B32"), _rgb("#FFFFFF"))}
    assert word["cells"]["RED"] == {("9E1B32", "FFFFFF", True)}
    # amber no longer forced bold: the summary's rating cells are bold (the model says so),
    # the trend table's are not
    assert {bold for _f, _c, bold in word["cells"]["AMBER"]} == {True, False}
    # the footer: the title at the left, "Page N" centred, nothing at the right
    width, footer = pdf["footers"][3]  # (a landscape page)
    page_word = next(w for w in footer if w["text"] == "Page")
    page_line = [w for w in footer if abs(w["top"] - page_word["top"]) < 1 and w["x0"] >= page_word["x0"]]
    centre = (page_word["x0"] + page_line[1]["x1"]) / 2
    assert centre == pytest.approx(width / 2, abs=1)
    assert " ".join(w["text"] for w in footer).startswith("Families and Social Care Performance Dashboard")
    assert f"of {len(pdf['footers'])}" not in " ".join(w["text"] for w in footer)
    for xml in word["footers"]:
        assert 'w:val="center"' in xml and 'w:val="right"' not in xml and " NUMPAGES " not in xml
        assert "Families and Social Care Performance Dashboard for September 2013" in xml


def test_a_broken_house_style_stops_the_build_with_a_message(tmp_path, sample_path):
    style = _edited(tmp_path, (r'^headings = "#1F3864"', 'headings = "navy"'))
    done = _build(style, sample_path, tmp_path / "out", cli=True)
    assert done.returncode == 3, done.stderr
    assert "colours.headings = 'navy' is not a colour" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "out").glob("*.pdf")) if (tmp_path / "out").exists() else True


# ------------------------------------------------------------------------------ the loader
def _load(tmp_path, *changes) -> object:
    return load_house_style(str(_edited(tmp_path, *changes)))


def test_the_shipped_style_loads_and_is_the_one_read():
    style = load_house_style(str(HOUSE_STYLE_PATH))
    assert style is house_style()
    assert style.colours.headings == "#1F3864" and style.rag_look("not rated").fill is None


@pytest.mark.parametrize("pattern, replacement, message", [
    (r'^headings = "#1F3864"', 'headings = "#1F386"', "colours.headings = '#1F386' is not a colour"),
    (r'^headings = "#1F3864"', 'headings = "1F3864"', "colours.headings = '1F3864' is not a colour"),
    (r'^grid = "#7F7F7F"', "grid = 7", "colours.grid = 7 is not a colour"),
    (r'^(\[rag\.green\]\nfill = )"#00B050"', r'\1"green"', "rag.green.fill = 'green' is not a colour"),
    (r'^links = "#0B4F9C"\n', "", "missing key colours.links"),
    (r"^h3 = 11\n", "", "missing key sizes.h3"),
    (r"^\[furniture\]", "[furnishings]", "unknown table [furnishings]"),
    (r"^headings = ", "heading = ", "unknown key colours.heading"),
    (r'^footer_right = "page_of"', 'footer_right = "page of"', "furniture.footer_right = 'page of' must be one of"),
    (r"^header_rule = true", 'header_rule = "yes"', "furniture.header_rule = 'yes' must be true or false"),
    (r"^body = 10.5", "body = 0", "sizes.body = 0 is outside 4 to 72"),
    (r"^body = 14", "body = 10", "leading.body (10) is less than sizes.body (10.5)"),
    (r'^regular = "LiberationSans-Regular.ttf"', 'regular = "../fonts/LiberationSans-Regular.ttf"',
     "fonts.regular = '../fonts/LiberationSans-Regular.ttf' is not a font file"),
    (r'^regular = "LiberationSans-Regular.ttf"', 'regular = "Arial.ttf"', "fonts.regular = 'Arial.ttf' is not a font"),
    (r"^(\[page\.landscape\]\n(?:.*\n){5})footer = 14", r"\1footer = 11.5",
     "page.landscape.footer (11.5 mm) must be 12"),
    (r"^(\[page\.portrait\]\n(?:.*\n){4})header = 14", r"\1header = 22", "page.portrait.header (22 mm) must be"),
    (r'^headings = "#1F3864', 'headings = "#1F3864" oops', "house style"),
])
def test_a_bad_file_is_refused_naming_the_key(tmp_path, pattern, replacement, message):
    with pytest.raises(PipelineError) as caught:
        _load(tmp_path, (pattern, replacement))
    assert message in str(caught.value)
    assert str(tmp_path) in str(caught.value)


def test_a_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(PipelineError, match="cannot read the house style .*nothing.toml"):
        load_house_style(str(tmp_path / "nothing.toml"))


def test_contrast_is_checked_at_the_boundary(tmp_path):
    """#767676 on white is 4.54:1 (accepted), #777777 4.48:1 (refused)."""
    assert contrast_ratio("#767676", "#FFFFFF") >= 4.5 > contrast_ratio("#777777", "#FFFFFF")
    accepted = _load(tmp_path, (r'^furniture_text = "#404040"', 'furniture_text = "#767676"'))
    assert accepted.colours.furniture_text == "#767676"
    with pytest.raises(PipelineError, match=r"colours.furniture_text #777777 on colours.page #FFFFFF has a "
                                            r"contrast of 4.48:1; WCAG 2.2 AA needs at least 4.5:1"):
        _load(tmp_path, (r'^furniture_text = "#404040"', 'furniture_text = "#777777"'))


@pytest.mark.parametrize("pattern, replacement, pair", [
    (r'^table_header_text = "#FFFFFF"', 'table_header_text = "#4472C4"',
     "colours.table_header_text #4472C4 on colours.table_header_fill #1F3864"),
    (r'^(\[rag\.red\]\nfill = "#C00000"\ntext = )"#FFFFFF"', r'\1"#000000"',
     "rag.red.text #000000 on rag.red.fill #C00000"),
    (r'^(\[rag\.red\]\nfill = )"#C00000"', r'\1"#FF0000"', "rag.red.text #FFFFFF on rag.red.fill #FF0000"),
    (r'^(\[rag\.not_rated\]\nfill = "none"\ntext = )"#000000"', r'\1"#FFFFFF"',
     "rag.not_rated.text #FFFFFF on colours.page"),
    (r'^row_label_fill = "#DCE3EF"', 'row_label_fill = "#A0A0A0"', "colours.links #0B4F9C on colours.row_label_fill"),
])
def test_low_contrast_is_refused(tmp_path, pattern, replacement, pair):
    with pytest.raises(PipelineError, match="WCAG 2.2 AA") as caught:
        _load(tmp_path, (pattern, replacement))
    assert pair in str(caught.value)
