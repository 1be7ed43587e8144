"""The agenda pack, read back: front-sheet page ranges match where each document really
starts, every page carries its "Page N" in the bottom 10 mm as an artifact, bookmarks nest
item > document > the document's own outline, exempt documents never reach the public
pack, and the build is reproducible and atomic."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from packpdfs import MEETING, SUPPLEMENT, document, item, report_pdf

from pipeline.pack.agenda import ExemptLeak, build_pack
from pipeline.pack.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[1]
MM = 72 / 25.4
SECRET = "Zanzibar confidential"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("meeting")
    report_pdf(folder / "report.pdf", "Cover report", 3)
    report_pdf(folder / "appendix.pdf", "Appendix wide", 2, landscape=True)
    report_pdf(folder / "secret.pdf", SECRET, 2)
    report_pdf(folder / "late.pdf", "Late appendix", 2)
    return folder


@pytest.fixture(scope="module")
def pack(project):
    # the exempt document is listed first, as "EXEMPT", and again under a second item
    manifest = project / "meeting.toml"
    manifest.write_text(MEETING
                        + item("A1", "Introduction/Webcasting")
                        + item("E2", "Contract award", document("Commercial details", "secret.pdf", "EXEMPT", 3))
                        + item("E3", "Families and Social Care Performance",
                               document("Report", "report.pdf"), document("Appendix A", "appendix.pdf"),
                               document("Appendices B and C", "late.pdf", late=True))
                        + item("E4", "Contract follow-up", document("Commercial details", "secret.pdf", "exempt", 3))
                        + SUPPLEMENT.format(first_page=20))
    m = read_manifest(manifest)
    result = build_pack(m, project / "out")
    return m, result


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def footer_words(path: Path):
    """Per page: the words wholly inside the bottom 10 mm, and the lowest other text (mm)."""
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            zone = [w for w in words if w["top"] >= page.height - 10 * MM]
            rest = [w for w in words if w["top"] < page.height - 10 * MM]
            assert all(w["bottom"] <= page.height - 8 * MM or w in zone for w in words)
            lowest = min((page.height - w["bottom"]) / MM for w in rest) if rest else None
            out.append((page.width, zone, lowest))
    return out


def test_front_sheet_ranges_are_where_the_documents_really_are(pack):
    m, result = pack
    texts = page_texts(result.paths["members"])
    front = texts[0]
    assert "Thursday, 5 December 2013 at 10.00 am" in front
    assert "Darent Room, Sessions House, County Hall, Maidstone" in front
    assert "Member One; Member Two" in front
    ranges = {}
    for title, marker in (("Report", "Cover report"), ("Appendix A", "Appendix wide")):
        match = re.search(rf"{title} Pages (\d+) - (\d+)", front)
        assert match, front
        first, last = int(match[1]), int(match[2])
        ranges[title] = (first, last)
        assert f"{marker} page 1." in texts[first - 1] and f"Page {first}" in texts[first - 1]
        assert f"{marker} page {last - first + 1}." in texts[last - 1]
    front_pages = [t for t in texts if "Social Care and Public Health Cabinet Committee" in t[:60]]
    assert ranges["Report"][0] == len(front_pages) + 3
    assert re.search(r"E3 Families and Social Care Performance Pages (\d+) - (\d+)", front)
    assert "Appendices B and C to follow" in front
    assert "Late appendix" not in "".join(texts)  # late documents wait for the supplement


def test_every_page_has_its_number_centred_in_the_bottom_10mm(pack):
    _, result = pack
    for variant in ("members", "public"):
        pages = footer_words(result.paths[variant])
        numbers = []
        for width, zone, lowest in pages:
            text = " ".join(w["text"] for w in zone)
            assert re.fullmatch(r"Pages? \d+( - \d+)?", text), text
            numbers.append(text)
            middle = (min(w["x0"] for w in zone) + max(w["x1"] for w in zone)) / 2
            assert abs(middle - width / 2) < 2
            # the documents' own footers sit on a 14 mm baseline: their descenders reach ~13.4 mm,
            # the pack's number stays below 8 mm, so the two never touch
            assert lowest is None or lowest >= 13
        assert numbers[0] == "Page 1"
    members = [" ".join(w["text"] for w in z) for _, z, _ in footer_words(result.paths["members"])]
    assert members == [f"Page {i}" for i in range(1, len(members) + 1)]
    assert any(width > 800 for width, _, _ in footer_words(result.paths["members"]))  # landscape page centred too


def test_page_numbers_are_artifacts_in_the_embedded_bundled_font(pack):
    _, result = pack
    with pikepdf.open(result.paths["members"]) as pdf:
        for page in pdf.pages:
            last = page.obj.Contents[-1].read_bytes() if isinstance(page.obj.Contents, pikepdf.Array) else b""
            assert b"/Artifact <</Type /Pagination" in last and b"Do" in last and b"EMC" in last
    fonts = subprocess.run(["pdffonts", str(result.paths["members"])], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all("LiberationSans" in r and " yes " in r for r in rows), fonts


def test_page_labels_follow_the_pack(pack):
    _, result = pack
    with pikepdf.open(result.paths["members"]) as pdf:
        assert [p.label for p in pdf.pages] == [str(i) for i in range(1, len(pdf.pages) + 1)]


def test_bookmarks_nest_item_document_and_own_outline(pack):
    m, result = pack
    with pikepdf.open(result.paths["members"]) as pdf, pdf.open_outline() as outline:
        top = [o.title for o in outline.root]
        assert top == ["Agenda front sheet", "E2 Contract award", "E3 Families and Social Care Performance",
                       "E4 Contract follow-up"]
        e3 = outline.root[2]
        assert [c.title for c in e3.children] == ["Report", "Appendix A"]
        own = [c.title for c in e3.children[0].children]
        assert own[:3] == ["Cover report section 1", "Cover report section 2", "Cover report section 3"]
        page_of = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        report_first = page_of[e3.children[0].destination[0].objgen] + 1
        second_section = page_of[e3.children[0].children[1].destination[0].objgen] + 1
        assert second_section == report_first + 1


def test_public_pack_never_contains_the_exempt_document(pack, project):
    _, result = pack
    public = page_texts(result.paths["public"])
    members = page_texts(result.paths["members"])
    assert any(SECRET in t for t in members)
    assert not any(SECRET in t for t in public)
    notices = [t for t in public if "Not for publication" in t]
    assert len(notices) == 2  # one per listing: under E2 and under E4
    assert "Item E2: Contract award" in notices[0] and "paragraph 3 of" in notices[0]
    assert "Schedule 12A to the Local Government Act 1972" in notices[0]
    assert "financial or business affairs of any particular person" in notices[0]
    # the notice stands for the members' pages, so page numbers mean the same in both packs
    first = int(re.search(r"Pages (\d+) - (\d+) of the members' pack", notices[0])[1])
    assert SECRET in members[first - 1]
    assert public[0] == members[0]  # same front sheet
    # no content stream of the exempt PDF survives into the public pack
    def digests(path):
        with pikepdf.open(path) as pdf:
            found = set()
            for page in pdf.pages:
                contents = page.obj.Contents
                for s in (contents if isinstance(contents, pikepdf.Array) else [contents]):
                    found.add(hashlib.sha256(s.read_bytes()).hexdigest())
            return found
    secret = digests(project / "secret.pdf")
    assert secret & digests(result.paths["members"])
    assert not secret & digests(result.paths["public"])


def test_build_is_reproducible(pack, tmp_path):
    m, result = pack
    again = build_pack(m, tmp_path)
    for variant in ("members", "public"):
        assert again.paths[variant].read_bytes() == result.paths[variant].read_bytes()


def test_a_renamed_copy_of_exempt_pages_is_caught_and_nothing_written(project, tmp_path):
    # same pages, different bytes (new metadata): the manifest cannot tell, the page check does
    with pikepdf.open(project / "secret.pdf") as pdf:
        pdf.docinfo["/Title"] = "Innocent looking"
        pdf.save(project / "innocent.pdf")
    manifest = project / "leak.toml"
    manifest.write_text(MEETING + item("E2", "Contract", document("Commercial", "secret.pdf", "exempt", 3))
                        + item("E3", "Report", document("Innocent", "innocent.pdf")))
    with pytest.raises(ExemptLeak):
        build_pack(read_manifest(manifest), tmp_path / "out")
    # (only the packs' lock file, which stays by design: pipeline.infra.locks)
    assert not (tmp_path / "out").exists() or not [p for p in (tmp_path / "out").iterdir() if p.suffix != ".lock"]


def test_supplement_letter_encloses_late_documents_continuing_the_numbering(pack, project):
    m, _ = pack
    result = build_pack(m, project / "supp", supplement=True)
    texts = page_texts(result.paths["members"])
    letter = texts[0]
    assert "Dear Member" in letter and "Yours sincerely" in letter
    assert "Peter Sass" in letter and "Head of Democratic Services" in letter
    assert "SOCIAL CARE AND PUBLIC HEALTH CABINET COMMITTEE - THURSDAY, 5 DECEMBER 2013" in letter.replace("\n", " ")
    assert "tomorrow’s meeting" in letter and "the following appendices to item E3" in letter
    assert "omitted from the pack as an oversight" in letter.replace("\n", " ")
    match = re.search(r"Appendices B and C \(Pages (\d+) - (\d+)\)", letter.replace("\n", " "))
    assert match and (int(match[1]), int(match[2])) == (21, 22)  # letter is page 20 (first_page)
    assert "Page 20" in letter and "Late appendix page 1." in texts[1] and "Page 21" in texts[1]
    assert result.paths["members"].name.endswith("_supplement_members.pdf")


def test_cli_builds_both_packs(project, tmp_path):
    run = subprocess.run([sys.executable, "-m", "pipeline", "pack", str(project / "meeting.toml"),
                          "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "_agenda_members.pdf" in run.stdout and "_agenda_public.pdf" in run.stdout
    assert len(list(tmp_path.glob("*.pdf"))) == 2 and not list(tmp_path.glob(".*part"))


def test_supplement_without_late_documents_is_refused(project, tmp_path):
    manifest = project / "nolate.toml"
    manifest.write_text(MEETING + item("E3", "Report", document("Report", "report.pdf")))
    run = subprocess.run([sys.executable, "-m", "pipeline", "pack", str(manifest), "--out", str(tmp_path / "o"),
                          "--supplement"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1 and "missing [supplement] table" in run.stderr
    assert "no document is marked late" in run.stderr and not (tmp_path / "o").exists()


def test_sample_meeting_supplement_encloses_e3_built_from_the_workbook(tmp_path):
    """Seed 004 rebuilt: the letter cites E3's pages, and the report really starts there."""
    m = read_manifest(ROOT / "inputs" / "meeting_2013-12-05.toml")
    result = build_pack(m, tmp_path, supplement=True)
    texts = page_texts(result.paths["public"])
    letter = texts[0].replace("\n", " ")
    assert "Monitoring : Appendices A and B" in letter
    # each document the report holds is named with its own pages, and really starts there
    spans = [(title, int(a), int(b)) for title, a, b in
             re.findall(r"(Dashboard for September 2013|Appendix A|Appendix B)[^()]*\(Pages (\d+) - (\d+)\)", letter)]
    assert [t for t, _, _ in spans] == ["Dashboard for September 2013", "Appendix A", "Appendix B"], letter
    assert spans[0][1] == 2 and spans[-1][2] == len(texts)
    assert all(b + 1 == c for (_, _, b), (_, c, _) in zip(spans, spans[1:]))
    assert "Social Care and Public Health" in texts[1] and "Appendix A: Adult Social Care" not in texts[1]
    for title, first, _ in spans[1:]:
        assert texts[first - 1].lstrip().startswith(title), (title, texts[first - 1][:80])
        assert title not in texts[first - 2].split("\n")[0]
    assert "Fax 01622 694383" in texts[0] and "Peter Sass" in texts[0]
    main = build_pack(m, tmp_path / "main")
    front = page_texts(main.paths["members"])[0]
    assert "Appendices A and B to follow" in front


PAGE_NUMBER = re.compile(r"\bPage \d+(?: of \d+)?\b|\bPages \d+ - \d+\b")


@pytest.mark.parametrize("supplement", [False, True])
def test_every_pack_page_carries_one_page_number_the_packs(tmp_path, supplement):
    """Issue 17: in a pack the report's own "Page X of Y" is left out; the pack's running
    number, in the bottom 10 mm, is the only page number on each page (front sheet, letter,
    notices and reports built from a workbook alike)."""
    m = read_manifest(ROOT / "inputs" / "meeting_2013-12-05.toml")
    result = build_pack(m, tmp_path, supplement=supplement)
    first = m.supplement.first_page if supplement else m.first_page
    for variant in ("members", "public"):
        with pdfplumber.open(result.paths[variant]) as pdf:
            assert len(pdf.pages) > 1
            for index, page in enumerate(pdf.pages):
                bottom = page.crop((0, page.height - 10 * MM, page.width, page.height)).extract_text() or ""
                body = page.crop((0, 0, page.width, page.height - 10 * MM)).extract_text() or ""
                found = PAGE_NUMBER.findall(bottom)
                assert len(found) == 1 and found[0].startswith("Page"), (variant, index, bottom)
                if found[0].startswith("Page "):
                    assert found[0] in (f"Page {first + index}",) or found[0].startswith("Pages "), found
                # the body's only page references are the front sheet's or letter's ranges
                stray = [n for n in PAGE_NUMBER.findall(body) if " of " in n]
                assert not stray, (variant, index, stray)
                if index > 0 and not (variant == "public" and "Not for publication" in body):
                    assert not re.search(r"\bPage \d+\b", body), (variant, index, body[-200:])


def test_a_report_built_alone_keeps_its_own_page_numbers(tmp_path):
    """Outside a pack the report numbers its own pages ("Page X of Y"), as before."""
    from pipeline.build import build_report

    result = build_report(ROOT / "inputs" / "fsc_performance_2013-09.xlsx", tmp_path, formats=("pdf",),
                          period=None, workers=1)
    texts = page_texts(result.paths["pdf"])
    assert all(f"Page {n} of {len(texts)}" in text for n, text in enumerate(texts, start=1))


def test_a_rebuilt_pack_draws_no_chart_again(tmp_path, monkeypatch):
    """The reports a pack builds keep their charts in the pack folder's cache: the second
    build of the same meeting takes every chart from there, and gives the same packs."""
    from pipeline.charts import draw as charts

    m = read_manifest(ROOT / "inputs" / "meeting_2013-12-05.toml")
    first = build_pack(m, tmp_path, supplement=True)
    assert list((tmp_path / ".cache" / "charts").rglob("*.png"))
    assert list((tmp_path / ".cache" / "pdf").rglob("*.json.z"))  # and the report's PDF sections

    def no_drawing(*args, **kwargs):
        raise AssertionError("a chart was drawn again")

    monkeypatch.setattr(charts, "render_png", no_drawing)
    monkeypatch.setattr(charts, "_draw_batch", no_drawing)
    again = build_pack(m, tmp_path, supplement=True)
    assert again.paths["public"].read_bytes() == first.paths["public"].read_bytes()
