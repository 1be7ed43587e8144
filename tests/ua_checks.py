"""Matterhorn-protocol checks (PDF/UA-1) made with pikepdf, used on the report PDFs and on
the merged agenda pack. Each function returns a list of problems (empty = passes), so a
failing test shows every problem at once.

What they check (Matterhorn checkpoint numbers in brackets):
- the catalogue: /MarkInfo Marked, /Lang, DisplayDocTitle, XMP dc:title and pdfuaid:part 1
  (06, 07, 11);
- every page's content stream: each painting or text operator is inside real content (a
  BDC with an MCID) or inside an Artifact, never both, never neither; marked content does
  not nest inside an MCID (01-001..01-004);
- the ParentTree: each page's /StructParents array has one element per MCID used on the
  page, that element lists the MCID (directly or by an MCR to that page); every link
  annotation's /StructParent maps to a Link element holding an OBJR to it (28-002,
  28-011); link annotations carry /Contents (PDF/UA 7.18.1); pages with annotations
  have /Tabs /S (PDF/UA 7.18.3);
- figures have non-empty /Alt (13-004); tables have TH cells, every TH a /Scope, and every
  row the same number of columns counting /ColSpan (15-003); heading levels start at 1 and
  never skip (14-003);
- fonts: embedded, with a ToUnicode CMap that maps no code to U+0000 and maps every code
  the content shows (31-009, 31-027 / 7.21.7).
"""
from __future__ import annotations

import re

import pikepdf

PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "BI", "INLINE IMAGE"}
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


# --------------------------------------------------------------------------- tree walking
def kids(elem) -> list:
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def elements(pdf):
    """(element, depth) of every structure element, in reading order."""
    root = pdf.Root.StructTreeRoot
    stack = [(k, 0) for k in reversed(kids(root))]
    while stack:
        elem, depth = stack.pop()
        if not isinstance(elem, pikepdf.Dictionary) or elem.get("/Type") in ("/MCR", "/OBJR"):
            continue
        yield elem, depth
        stack += [(k, depth + 1) for k in reversed(kids(elem)) if isinstance(k, pikepdf.Dictionary)]


def role(pdf, elem) -> str:
    s = str(elem.S)[1:]
    role_map = pdf.Root.StructTreeRoot.get("/RoleMap")
    seen = set()
    while role_map is not None and "/" + s in role_map and s not in seen:
        seen.add(s)
        s = str(role_map["/" + s])[1:]
    return s


# --------------------------------------------------------------------------- checks
def check_catalog(pdf) -> list[str]:
    problems = []
    root = pdf.Root
    if "/StructTreeRoot" not in root:
        problems.append("no StructTreeRoot")
    mark = root.get("/MarkInfo")
    if not (isinstance(mark, pikepdf.Dictionary) and bool(mark.get("/Marked", False))):
        problems.append("MarkInfo /Marked is not true")
    if not str(root.get("/Lang", "")):
        problems.append("no /Lang")
    prefs = root.get("/ViewerPreferences")
    if not (isinstance(prefs, pikepdf.Dictionary) and bool(prefs.get("/DisplayDocTitle", False))):
        problems.append("DisplayDocTitle is not true")
    with pdf.open_metadata() as xmp:
        if not str(xmp.get("dc:title", "")).strip():
            problems.append("XMP has no dc:title")
        if str(xmp.get("pdfuaid:part", "")) != "1":
            problems.append("XMP has no pdfuaid:part 1")
    return problems


def content_marks(page) -> tuple[list[int], list[str]]:
    """(MCIDs in the order they appear, problems) of one page's content stream."""
    problems: list[str] = []
    mcids: list[int] = []
    stack: list[str] = []  # "mcid" | "artifact" | "other" per open BMC/BDC
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            if tag == "/Artifact":
                kind = "artifact"
            elif isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                kind = "mcid"
                if "mcid" in stack:
                    problems.append(f"MCID {int(props.MCID)} nested inside another MCID")
                if "artifact" in stack:
                    problems.append(f"MCID {int(props.MCID)} inside an artifact")
                mcids.append(int(props.MCID))
            else:
                kind = "other"
            stack.append(kind)
        elif op == "EMC":
            if not stack:
                problems.append("EMC without BDC")
            else:
                stack.pop()
        elif op in PAINTING:
            if "mcid" not in stack and "artifact" not in stack:
                problems.append(f"{op} outside tagged content and artifacts")
    if stack:
        problems.append("marked content left open at the end of the page")
    return mcids, problems


def check_content_and_parent_tree(pdf) -> list[str]:
    problems = []
    tree = pdf.Root.StructTreeRoot
    parent_tree = dict(pikepdf.NumberTree(tree.ParentTree).items())
    next_key = int(tree.get("/ParentTreeNextKey", 0))
    if parent_tree and next_key <= max(parent_tree):
        problems.append("ParentTreeNextKey is not above every key")
    for index, page in enumerate(pdf.pages):
        where = f"page {index + 1}"
        mcids, found = content_marks(page)
        problems += [f"{where}: {p}" for p in found]
        if len(set(mcids)) != len(mcids):
            problems.append(f"{where}: an MCID is used twice")
        if mcids:
            if "/StructParents" not in page.obj:
                problems.append(f"{where}: MCIDs but no /StructParents")
                continue
            entry = parent_tree.get(int(page.obj.StructParents))
            if not isinstance(entry, pikepdf.Array) or len(entry) != max(mcids) + 1:
                problems.append(f"{where}: ParentTree entry does not cover its MCIDs")
                continue
            for mcid in mcids:
                elem = entry[mcid]
                if not _lists_mcid(elem, mcid, page.obj):
                    problems.append(f"{where}: MCID {mcid}'s parent element {elem.get('/S')} does not list it")
        annots = page.obj.get("/Annots")
        if annots is not None and len(annots):
            if page.obj.get("/Tabs") != pikepdf.Name.S:
                problems.append(f"{where}: annotations but no /Tabs /S")
            for annot in annots:
                if annot.get("/Subtype") != pikepdf.Name.Link:
                    continue
                if not str(annot.get("/Contents", "")).strip():
                    problems.append(f"{where}: a link annotation has no /Contents")
                if "/StructParent" not in annot:
                    problems.append(f"{where}: a link annotation has no /StructParent")
                    continue
                link = parent_tree.get(int(annot.StructParent))
                if link is None or link.get("/S") != pikepdf.Name.Link or not any(
                        isinstance(k, pikepdf.Dictionary) and k.get("/Type") == pikepdf.Name.OBJR
                        and k.Obj.objgen == annot.objgen for k in kids(link)):
                    problems.append(f"{where}: a link annotation is not in a Link element with its OBJR")
    return problems


def _lists_mcid(elem, mcid: int, page) -> bool:
    own_page = elem.get("/Pg")
    for kid in kids(elem):
        if isinstance(kid, int):  # pikepdf gives integers in arrays as Python ints
            if int(kid) == mcid and own_page is not None and own_page.objgen == page.objgen:
                return True
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
            pg = kid.get("/Pg", own_page)
            if int(kid.MCID) == mcid and pg is not None and pg.objgen == page.objgen:
                return True
    return False


def check_figures(pdf) -> list[str]:
    figures = [e for e, _ in elements(pdf) if role(pdf, e) == "Figure"]
    return [f"figure {i + 1} has no alternative text" for i, e in enumerate(figures)
            if not str(e.get("/Alt", "")).strip()]


def check_tables(pdf) -> list[str]:
    problems = []
    for n, (table, _) in enumerate(e for e in elements(pdf) if role(pdf, e[0]) == "Table"):
        rows = []
        for kid in kids(table):
            r = role(pdf, kid)
            if r in ("THead", "TBody", "TFoot"):
                rows += [k for k in kids(kid) if role(pdf, k) == "TR"]
            elif r == "TR":
                rows.append(kid)
            elif r != "Caption":
                problems.append(f"table {n + 1}: {r} directly inside a table")
        cells = [[c for c in kids(tr)] for tr in rows]
        if not any(role(pdf, c) == "TH" for row in cells for c in row):
            problems.append(f"table {n + 1} ({table.get('/T', '')}) has no header cells")
        widths = set()
        for row in cells:
            width = 0
            for cell in row:
                r = role(pdf, cell)
                if r not in ("TH", "TD"):
                    problems.append(f"table {n + 1}: {r} inside a row")
                attrs = cell.get("/A")
                attrs = attrs if isinstance(attrs, pikepdf.Dictionary) else pikepdf.Dictionary()
                if r == "TH" and attrs.get("/Scope") not in (pikepdf.Name.Row, pikepdf.Name.Column, pikepdf.Name.Both):
                    problems.append(f"table {n + 1}: a header cell without /Scope")
                width += int(attrs.get("/ColSpan", 1))
            widths.add(width)
        if len(widths) > 1:
            problems.append(f"table {n + 1}: rows of different widths {sorted(widths)}")
    return problems


def heading_levels(pdf) -> list[int]:
    return [int(role(pdf, e)[1]) for e, _ in elements(pdf) if re.fullmatch(r"H[1-6]", role(pdf, e))]


def check_headings(pdf) -> list[str]:
    levels = heading_levels(pdf)
    problems = []
    if levels and levels[0] != 1:
        problems.append(f"the first heading is H{levels[0]}")
    for before, after in zip(levels, levels[1:]):
        if after > before + 1:
            problems.append(f"H{before} is followed by H{after}")
    return problems


_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def to_unicode_map(font) -> dict[int, str]:
    data = font.ToUnicode.read_bytes()
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, value in _BFCHAR.findall(block):
            mapping[int(code, 16)] = bytes.fromhex(value.decode()).decode("utf-16-be")
    return mapping


def check_fonts(pdf) -> list[str]:
    """Every font embedded with a ToUnicode that has no U+0000 and covers every code shown."""
    problems = []
    maps = {}
    for page_index, page in enumerate(pdf.pages):
        fonts = page.obj.Resources.get("/Font", pikepdf.Dictionary())
        for font in fonts.values():
            if font.objgen not in maps:
                if "/ToUnicode" not in font:
                    problems.append(f"{font.get('/BaseFont')}: no ToUnicode")
                    maps[font.objgen] = None
                    continue
                mapping = to_unicode_map(font)
                if any(v == "\x00" for v in mapping.values()):
                    problems.append(f"{font.get('/BaseFont')}: a code maps to U+0000")
                descriptor = font.get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"{font.get('/BaseFont')}: not embedded")
                maps[font.objgen] = mapping
        current = None
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "Tf":
                font = fonts.get(str(operands[0]))
                current = maps.get(font.objgen) if font is not None else None
            elif op in TEXT_SHOWING and current is not None:
                strings = operands[0] if op == "TJ" else [operands[-1]]
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        missing = {b for b in bytes(s) if b not in current}
                        if missing:
                            problems.append(f"page {page_index + 1}: codes {sorted(missing)} have no Unicode")
    return sorted(set(problems))


def all_problems(pdf) -> list[str]:
    return (check_catalog(pdf) + check_content_and_parent_tree(pdf) + check_figures(pdf) + check_tables(pdf)
            + check_headings(pdf) + check_fonts(pdf))


def checker_failures(path) -> list[str]:
    """page-validation's PDF/UA-1 profile (a Rust implementation of veraPDF's rules)."""
    import page

    report = page.validate_pdf(str(path), profile=page.ValidationProfile.PDF_UA_1)
    return [f"{f.rule_id}: {f.message}" for f in report.failures] + ([] if report.is_compliant else ["non-conformant"])
