"""Tagged PDF / PDF/UA-1 (issue 5): every PDF the pipeline writes, and the merged agenda
pack, checked by two independent checkers:

- page-validation's PDF/UA-1 profile (a Rust implementation of veraPDF's PDF/UA-1 rules,
  from PyPI): zero failed rules;
- our own pikepdf walk of the structure tree and content streams (tests/ua_checks.py):
  catalogue, every operator tagged or an artifact, ParentTree consistent with the MCIDs,
  link annotations in Link elements, figure alt text, table header cells with scope,
  heading levels, fonts' ToUnicode.

Plus the structure matches the model: the figures' /Alt are the model's alt texts in order,
one Table element per model table, a repeated header row is tagged once, a paragraph split
across pages is one element, a Columns block is a Div (never a table), and each check is
shown to catch the defect it is for.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
import ua_checks
from pdf_documents import make_document, sample_document_and_images

from pipeline.document.model import (
    Cell,
    Columns,
    Document,
    Figure,
    Heading,
    Paragraph,
    Part,
    Table,
    figures,
    runs,
    walk,
)

ROOT = Path(__file__).resolve().parent.parent


class Built:
    def __init__(self, path: Path, document: Document | None = None):
        self.path = path
        self.document = document


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from pipeline.pdf.render import render_pdf

    document, images = sample_document_and_images()
    path = tmp_path_factory.mktemp("ua") / "sample.pdf"
    render_pdf(document, path, images)
    return Built(path, document)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    from pipeline.charts.draw import render_all
    from pipeline.pdf.render import render_pdf

    document = make_document()
    path = tmp_path_factory.mktemp("ua") / "hand.pdf"
    render_pdf(document, path, render_all([f.chart for f in figures(document)]))
    return Built(path, document)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """Seed 004's supplementary pack: the covering letter and the sample report, merged and
    page-stamped."""
    from pipeline.pack.agenda import build_pack
    from pipeline.pack.manifest import read_manifest

    manifest = read_manifest(ROOT / "inputs" / "meeting_2013-12-05.toml")
    result = build_pack(manifest, tmp_path_factory.mktemp("ua-pack"), supplement=True)
    assert result.tagged == {"members": True, "public": True}
    return result


@pytest.fixture(params=["sample", "hand", "pack-members", "pack-public"])
def any_pdf(request) -> Path:
    if request.param.startswith("pack-"):
        return request.getfixturevalue("pack").paths[request.param[5:]]
    return request.getfixturevalue(request.param).path


# ------------------------------------------------------------------------------ checkers
def test_page_validation_pdf_ua1_profile_passes(any_pdf):
    assert ua_checks.checker_failures(any_pdf) == []


def test_our_matterhorn_checks_pass(any_pdf):
    with pikepdf.open(any_pdf) as pdf:
        assert ua_checks.all_problems(pdf) == []


def test_pdfinfo_says_tagged(any_pdf):
    out = subprocess.run(["pdfinfo", str(any_pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", out, re.M), out


# ------------------------------------------------------------------------------ structure = model
def _roles(pdf, name):
    return [e for e, _ in ua_checks.elements(pdf) if ua_checks.role(pdf, e) == name]


def test_figures_carry_the_models_alt_text_in_order(sample, hand):
    for built in (sample, hand):
        with pikepdf.open(built.path) as pdf:
            # (the SPC icons are figures inside table cells: tests/test_spc_report.py)
            alts = [str(e.Alt) for e in _roles(pdf, "Figure") if ua_checks.role(pdf, e.P) not in ("TD", "TH")]
        assert alts == [f.alt_text for f in figures(built.document)]
        assert all(alts)


def test_one_table_element_per_model_table_with_its_header_cells(sample, hand):
    for built in (sample, hand):
        tables = [b for p in built.document.parts for b in walk(p.blocks) if isinstance(b, Table)]
        with pikepdf.open(built.path) as pdf:
            elems = _roles(pdf, "Table")
            assert [str(e.T) for e in elems] == [t.caption for t in tables]
            for table, elem in zip(tables, elems):
                cells = [c for _, c in _cells(pdf, elem)]
                model = [c for row in table.header_rows + table.rows for c in row]
                assert [ua_checks.role(pdf, c) for c in cells] == ["TH" if c.header else "TD" for c in model]
                scopes = [str(c.A.Scope)[1:] for c in cells if ua_checks.role(pdf, c) == "TH"]
                expected = [{"col": "Column", "row": "Row"}[c.scope or ("col" if i < _header_count(table) else "row")]
                            for i, c in _numbered_headers(table)]
                assert scopes == expected


def _cells(pdf, table):
    for group in ua_checks.kids(table):
        rows = ua_checks.kids(group) if ua_checks.role(pdf, group) in ("THead", "TBody") else [group]
        for r, tr in enumerate(rows):
            for cell in ua_checks.kids(tr):
                yield r, cell


def _header_count(table):
    return sum(len(row) for row in table.header_rows)


def _numbered_headers(table):
    i = 0
    for row in table.header_rows + table.rows:
        for cell in row:
            if cell.header:
                yield i, cell
            i += 1


def test_headings_follow_the_model_levels(hand):
    with pikepdf.open(hand.path) as pdf:
        levels = ua_checks.heading_levels(pdf)
    model = [b.level for p in hand.document.parts for b in walk(p.blocks) if isinstance(b, Heading)]
    # the renderer adds a "Contents" H2 after the H1 of each landscape part it lists
    assert levels == _with_contents(hand.document, model)


def _with_contents(document, model):
    from pipeline.pdf.story import has_contents

    out, i = [], 0
    for part in document.parts:
        heads = [b for b in walk(part.blocks) if isinstance(b, Heading)]
        listed = [h for h in heads if h.outline and h.level >= 2]
        contents = part.orientation == "landscape" and not has_contents(part.blocks) and len(listed) >= 2
        for n, h in enumerate(heads):
            out.append(h.level)
            if contents and n == 0:
                out.append(2)
        i += len(heads)
    assert i == len(model)
    return out


def test_sections_contents_and_links(hand):
    with pikepdf.open(hand.path) as pdf:
        document = pdf.Root.StructTreeRoot.K
        assert document.S == pikepdf.Name.Document
        assert [str(s.T) for s in ua_checks.kids(document)] == [p.title for p in hand.document.parts]
        tocs = _roles(pdf, "TOC")
        assert tocs, "the landscape appendix has a contents list"
        for toc in tocs:
            for item in ua_checks.kids(toc):
                assert ua_checks.role(pdf, item) == "TOCI"
                (link,) = ua_checks.kids(item)
                assert ua_checks.role(pdf, link) == "Link"
                objrs = [k for k in ua_checks.kids(link) if isinstance(k, pikepdf.Dictionary)]
                assert objrs and all(o.Type == pikepdf.Name.OBJR for o in objrs)
                assert str(objrs[0].Obj.Contents).startswith("Go to ")
        contents = [str(a.Contents) for page in pdf.pages for a in page.obj.get("/Annots", [])]
    assert "Email performance@example.gov.uk" in contents
    assert "Go to Appendix B: Specialist Children’s Services" in contents
    assert "Go to Summary of Performance" in contents


def test_lists_are_l_li_lbody(hand):
    with pikepdf.open(hand.path) as pdf:
        lists = _roles(pdf, "L")
        from pipeline.document.model import BulletList

        model = [b for p in hand.document.parts for b in walk(p.blocks) if isinstance(b, BulletList)]
        assert [len(ua_checks.kids(lst)) for lst in lists] == [len(b.items) for b in model]
        for lst in lists:
            for item in ua_checks.kids(lst):
                assert ua_checks.role(pdf, item) == "LI"
                assert [ua_checks.role(pdf, k) for k in ua_checks.kids(item)] == ["LBody"]


# ------------------------------------------------------------------------------ pages
def _render(blocks, tmp_path, images=None, orientation="portrait") -> Path:
    from pipeline.pdf.render import render_pdf

    document = Document(title="Tagging test", subject="s", author="Tests", date="2013-12-05",
                        parts=(Part(title="Part", orientation=orientation, blocks=tuple(blocks)),))
    path = tmp_path / "t.pdf"
    render_pdf(document, path, images or {})
    return path


def test_repeated_header_row_is_tagged_once_and_drawn_as_artifact(tmp_path):
    header = (Cell(runs("Indicator name"), header=True, scope="col"), Cell(runs("Value"), header=True, scope="col"))
    rows = tuple((Cell(runs(f"Row {i}"), header=True, scope="row"), Cell(runs(f"{i}.5%"), align="right"))
                 for i in range(120))
    path = _render([Heading(1, "Long table"), Table(columns=(3, 1), header_rows=(header,), rows=rows, caption="long")],
                   tmp_path)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 3
        assert ua_checks.all_problems(pdf) == []
        (table,) = _roles(pdf, "Table")
        head, body = ua_checks.kids(table)
        assert ua_checks.role(pdf, head) == "THead" and len(ua_checks.kids(head)) == 1
        assert ua_checks.role(pdf, body) == "TBody" and len(ua_checks.kids(body)) == 120
        # one table across pages: later cells point at later pages
        pages = {c.Pg.objgen for _, c in _cells(pdf, table)}
        assert len(pages) == len(pdf.pages)
        # the header text is on every page, but only the first page's draw is real content
        for index, page in enumerate(pdf.pages):
            ops = _text_by_mark(page)
            header_draws = [kind for kind, text in ops if "Indicator name" in text]
            assert header_draws == (["mcid"] if index == 0 else ["artifact"])
    assert ua_checks.checker_failures(path) == []


def _text_by_mark(page):
    """(innermost mark kind, text shown) for each text operator."""
    stack, out = [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC":
            stack.append("artifact" if str(operands[0]) == "/Artifact" else "mcid")
        elif op == "EMC":
            stack.pop()
        elif op in ("Tj", "TJ"):
            strings = operands[0] if op == "TJ" else [operands[0]]
            text = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String)).decode("latin-1")
            out.append((stack[-1] if stack else None, text))
    return out


def test_paragraph_split_across_pages_is_one_element(tmp_path):
    long = Paragraph(runs("A long paragraph of committee text that goes on. " * 140))
    path = _render([Heading(1, "Split"), long], tmp_path)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 2
        (p,) = _roles(pdf, "P")
        k = ua_checks.kids(p)
        assert not isinstance(k[0], pikepdf.Dictionary) and p.Pg.objgen == pdf.pages[0].obj.objgen
        mcrs = [x for x in k if isinstance(x, pikepdf.Dictionary)]
        assert mcrs and {m.Pg.objgen for m in mcrs} == {pg.obj.objgen for pg in pdf.pages[1:]}
        assert ua_checks.all_problems(pdf) == []


def test_columns_are_a_div_never_a_table(tmp_path):
    from pipeline.charts.draw import render_all
    from pipeline.document.model import ChartSpec, Series

    chart = ChartSpec(title="Chart", periods=("Jul-13", "Aug-13", "Sep-13"),
                      series=(Series("Actual", (1.0, 2.0, 3.0)),), unit="count", decimals=0)
    figure = Figure(chart, alt_text="Line chart of Chart: 1, 2 and 3.", width_mm=90, height_mm=50)
    block = Columns(((figure,), (Heading(2, "Data Notes"), Paragraph(runs("Higher values are better.")))),
                    widths=(3, 2))
    path = _render([Heading(1, "Columns"), block], tmp_path, render_all([chart]))
    with pikepdf.open(path) as pdf:
        assert not _roles(pdf, "Table")
        (div,) = _roles(pdf, "Div")
        assert [ua_checks.role(pdf, k) for k in ua_checks.kids(div)] == ["Figure", "H2", "P"]
        assert ua_checks.all_problems(pdf) == []
    assert ua_checks.checker_failures(path) == []


def test_text_extracts_as_the_model_wrote_it(hand):
    """Every used glyph maps to its character: the extracted text has every heading and
    table cell of the model (curly quotes, arrows and dashes included)."""
    import pdfplumber

    with pdfplumber.open(hand.path) as pdf:
        text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in pdf.pages))
    squashed = text.replace(" ", "")
    for part in hand.document.parts:
        for block in walk(part.blocks):
            if isinstance(block, Heading):
                assert block.text.replace(" ", "") in squashed
            elif isinstance(block, Table):
                for row in block.header_rows + block.rows:
                    for cell in row:
                        assert cell.text.replace(" ", "") in squashed
    assert "\x00" not in text and "\ufffd" not in text


def test_untagged_build_is_the_same_picture(tmp_path, hand):
    """Tagging changes no pixel (the untagged build exists only to measure the cost)."""
    from pipeline.charts.draw import render_all
    from pipeline.pdf.render import render_pdf

    plain = tmp_path / "plain.pdf"
    render_pdf(hand.document, plain, render_all([f.chart for f in figures(hand.document)]), tagged=False)
    with pikepdf.open(plain) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
    pictures = []
    for path, stem in ((hand.path, "t"), (plain, "u")):
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / stem)], check=True)
        pictures.append(sorted(tmp_path.glob(f"{stem}-*.png")))
    assert len(pictures[0]) == len(pictures[1])
    for a, b in zip(*pictures):
        assert a.read_bytes() == b.read_bytes(), a.name


# ------------------------------------------------------------------------------ the checks can fail
def _mutated(source: Path, tmp_path: Path, change) -> Path:
    with pikepdf.open(source) as pdf:
        change(pdf)
        out = tmp_path / "mutated.pdf"
        pdf.save(out)
    return out


def test_checks_catch_an_untagged_drawing(hand, tmp_path):
    def add_text(pdf):
        font = next(iter(pdf.pages[0].obj.Resources.Font.keys()))
        pdf.pages[0].contents_add(pikepdf.Stream(pdf, f"BT {font} 10 Tf 72 72 Td (x) Tj ET".encode()))

    path = _mutated(hand.path, tmp_path, add_text)
    with pikepdf.open(path) as pdf:
        assert any("outside tagged content" in p for p in ua_checks.check_content_and_parent_tree(pdf))
    assert any("CONTENT-TAGGING" in f for f in ua_checks.checker_failures(path))


def test_checks_catch_a_figure_without_alt_and_a_header_without_scope(hand, tmp_path):
    def strip(pdf):
        del _roles(pdf, "Figure")[0]["/Alt"]
        th = _roles(pdf, "TH")[0]
        del th["/A"]

    path = _mutated(hand.path, tmp_path, strip)
    with pikepdf.open(path) as pdf:
        assert ua_checks.check_figures(pdf) == ["figure 1 has no alternative text"]
        assert any("without /Scope" in p for p in ua_checks.check_tables(pdf))
    failures = ua_checks.checker_failures(path)
    assert any("FIGURE" in f or "ALT" in f for f in failures)


def test_checks_catch_a_skipped_heading_and_a_zero_unicode(hand, tmp_path):
    def damage(pdf):
        _roles(pdf, "H2")[0].S = pikepdf.Name.H3
        font = next(iter(pdf.pages[0].obj.Resources.Font.values()))
        cmap = font.ToUnicode.read_bytes().replace(b"1 beginbfchar", b"2 beginbfchar\n<00> <0000>", 1)
        cmap = re.sub(rb"(\d+) beginbfchar", lambda m: b"%d beginbfchar\n<00> <0000>" % (int(m[1]) + 1), cmap, count=1)
        font.ToUnicode = pikepdf.Stream(pdf, cmap)

    path = _mutated(hand.path, tmp_path, damage)
    with pikepdf.open(path) as pdf:
        assert "H1 is followed by H3" in ua_checks.check_headings(pdf)
        assert any("U+0000" in p for p in ua_checks.check_fonts(pdf))
    assert any("UNICODE" in f for f in ua_checks.checker_failures(path))


def test_checks_catch_a_broken_parent_tree_and_missing_metadata(hand, tmp_path):
    def damage(pdf):
        del pdf.Root["/MarkInfo"]
        with pdf.open_metadata() as xmp:
            del xmp["pdfuaid:part"]
        page = pdf.pages[0].obj
        page.StructParents = int(page.StructParents) + 1  # points at page 2's array

    path = _mutated(hand.path, tmp_path, damage)
    with pikepdf.open(path) as pdf:
        catalog = ua_checks.check_catalog(pdf)
        assert "MarkInfo /Marked is not true" in catalog and "XMP has no pdfuaid:part 1" in catalog
        assert any(p.startswith("page 1:") for p in ua_checks.check_content_and_parent_tree(pdf))
    failures = ua_checks.checker_failures(path)
    assert any("TAGGED-DOCUMENT" in f for f in failures) and any("ID-PART" in f for f in failures)


# ------------------------------------------------------------------------------ the pack
def test_pack_keeps_each_documents_tree_under_its_part(pack):
    with pikepdf.open(pack.paths["public"]) as pdf:
        parts = ua_checks.kids(pdf.Root.StructTreeRoot.K)
        assert [str(p.S) for p in parts] == ["/Part", "/Part"]
        assert [str(p.T) for p in parts] == ["Covering letter", "Appendices A and B"]
        sects = [ua_checks.role(pdf, k) for k in ua_checks.kids(parts[1])]
        assert sects and set(sects) == {"Sect"}
        assert len(_roles(pdf, "Figure")) > 0 and len(_roles(pdf, "Table")) > 0
