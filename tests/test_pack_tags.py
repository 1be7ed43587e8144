"""Merging tagged PDFs keeps one valid structure tree: one /Document with a /Part per
source, StructParents renumbered so every page's and annotation's key maps to its own
elements, /Pg pointing at the merged pages, MarkInfo and /Lang kept; the stamped page
numbers are artifacts (no MCID). An untagged source makes the pack untagged."""
from __future__ import annotations

import contextlib

import pikepdf
from packpdfs import report_pdf, tagged_pdf

from pipeline.pack.merge import Source, merge
from pipeline.pack.stamp import stamp_pages


def source(path, title, item, first, count):
    return Source(path, title, item, [f"Page {first + i}" for i in range(count)],
                  [str(first + i) for i in range(count)])


def test_structure_trees_merge_under_one_document(tmp_path):
    a = tagged_pdf(tmp_path / "a.pdf", "Alpha", 2)
    b = tagged_pdf(tmp_path / "b.pdf", "Beta", 3)
    with contextlib.ExitStack() as stack:
        pdf, tagged = merge([source(a, "Report A", "E3 Item", 1, 2), source(b, "Report B", "E3 Item", 3, 3)],
                            title="Pack", stack=stack)
        stamp_pages(pdf, [f"Page {i}" for i in range(1, 6)], tmp_path / "stamps.pdf")
        pdf.save(tmp_path / "merged.pdf", deterministic_id=True)
    assert tagged
    with pikepdf.open(tmp_path / "merged.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked and str(pdf.Root.Lang) == "en-GB"
        tree = pdf.Root.StructTreeRoot
        document = tree.K
        assert document.S == pikepdf.Name.Document and document.P.objgen == tree.objgen
        parts = list(document.K)
        assert [str(p.T) for p in parts] == ["Report A", "Report B"] and all(p.S == "/Part" for p in parts)
        assert [len(p.K) for p in parts] == [4, 6]  # H1 + P per page, the source's /Document unwrapped
        assert all(kid.P.objgen == part.objgen for part in parts for kid in part.K)
        assert tree.RoleMap.Heading1 == pikepdf.Name.H1
        parent = dict(pikepdf.NumberTree(tree.ParentTree).items())
        keys = [int(p.obj.StructParents) for p in pdf.pages]
        assert len(set(keys)) == 5  # renumbered: no two pages share a key
        assert int(tree.ParentTreeNextKey) > max(parent)
        for page in pdf.pages:
            elems = parent[int(page.obj.StructParents)]
            assert [str(e.S) for e in elems] == ["/H1", "/P"]
            assert all(e.Pg.objgen == page.obj.objgen for e in elems)  # points at the merged page
            annot = page.obj.Annots[0]
            link = parent[int(annot.StructParent)]
            assert link.S == pikepdf.Name.Link and link.K.Obj.objgen == annot.objgen
            text = b"".join(s.read_bytes() for s in page.obj.Contents)
            assert b"/Artifact <</Type /Pagination" in text
            # the stamp is outside every MCID: its BDC has no /MCID
            assert text.count(b"/MCID") == 2
        with pdf.open_outline() as outline:
            assert [o.title for o in outline.root] == ["E3 Item"]
            assert [c.title for c in outline.root[0].children] == ["Report A", "Report B"]


def test_an_untagged_source_makes_an_untagged_pack(tmp_path):
    a = tagged_pdf(tmp_path / "a.pdf", "Alpha", 1)
    b = report_pdf(tmp_path / "b.pdf", "Plain", 1, tagged=False)
    with contextlib.ExitStack() as stack:
        pdf, tagged = merge([source(a, "A", None, 1, 1), source(b, "B", None, 2, 1)], title="Pack", stack=stack)
        assert not tagged and "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root


def test_rotated_pages_get_the_number_on_the_edge_the_reader_sees_at_the_bottom(tmp_path):
    import pdfplumber

    path = report_pdf(tmp_path / "r.pdf", "Rotated", 1)
    with pikepdf.open(path) as pdf:
        pdf.pages[0].rotate(90, relative=True)
        pdf.save(tmp_path / "rot.pdf")
    with contextlib.ExitStack() as stack:
        pdf, _ = merge([source(tmp_path / "rot.pdf", "R", None, 7, 1)], title="Pack", stack=stack)
        stamp_pages(pdf, ["Page 7"], tmp_path / "s.pdf")
        pdf.save(tmp_path / "out.pdf")
    # render as the reader sees it: the number is upright, centred, in the bottom 10 mm
    with pdfplumber.open(tmp_path / "out.pdf") as doc:
        page = doc.pages[0]
        assert page.width > page.height  # shown landscape
        zone = [w for w in page.extract_words() if w["top"] >= page.height - 10 * 72 / 25.4]
        assert " ".join(w["text"] for w in zone) == "Page 7"
        assert all(w["upright"] and w["direction"] == "ltr" for w in zone)
        middle = (zone[0]["x0"] + zone[-1]["x1"]) / 2
        assert abs(middle - page.width / 2) < 2
