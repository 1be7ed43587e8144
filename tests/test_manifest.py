"""The pack manifest: a clean one reads into Items/DocumentRefs; a bad one lists every
problem at once, located, and the pack command writes nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from packpdfs import MEETING, SUPPLEMENT, document, item, report_pdf

from pipeline.errors import InputProblems
from pipeline.pack.manifest import SCHEDULE_12A, read_manifest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("manifest")
    report_pdf(folder / "papers" / "report.pdf", "Report", 1)
    report_pdf(folder / "papers" / "secret.pdf", "Secret", 1)
    return folder


def write(folder: Path, text: str, name="meeting.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path) -> list[str]:
    with pytest.raises(InputProblems) as info:
        read_manifest(path)
    return [str(p) for p in info.value.problems]


def test_reads_a_clean_manifest_with_paths_relative_to_its_folder(pdfs):
    path = write(pdfs, MEETING
                 + item("A1", "Introduction")
                 + item("E3", "Performance", document("Report", "papers/report.pdf"),
                        document("Appendix C", "papers/secret.pdf", access=" Exempt ", paragraph=3, late=True))
                 + SUPPLEMENT.format(first_page=41))
    m = read_manifest(path)
    assert m.committee == "Social Care and Public Health Cabinet Committee"
    assert (m.date.isoformat(), m.time.strftime("%H:%M")) == ("2013-12-05", "10:00")
    assert m.members == ("Member One", "Member Two")
    assert [i.number for i in m.items] == ["A1", "E3"]
    report, secret = m.items[1].documents
    assert report.path == (pdfs / "papers" / "report.pdf").resolve() and not report.exempt
    assert secret.exempt and secret.exempt_paragraph == 3 and secret.late  # " Exempt " is exempt
    assert m.late_documents == [(m.items[1], secret)]
    assert m.supplement.first_page == 41 and m.supplement.signatory == "Peter Sass"
    assert m.supplement.signatory_title == "Head of Democratic Services"


def test_the_sample_manifest_is_valid():
    m = read_manifest(ROOT / "inputs" / "meeting_2013-12-05.toml")
    items = {item.number: item for item in m.items}
    e3 = items["E3"]
    assert e3.documents[0].kind == "workbook" and e3.documents[0].late
    # a realistic agenda (issue 17): papers in the main pack, one exempt, one late
    assert [doc.exempt_paragraph for doc in items["F1"].documents] == [3]
    assert [doc.late for _, doc in m.documents()].count(True) == 1
    assert sum(1 for _, doc in m.documents() if not doc.late and not doc.exempt) >= 3
    assert m.venue == "Darent Room, Sessions House, County Hall, Maidstone"


def test_every_problem_is_listed_at_once_with_its_location(pdfs, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    report_pdf(outside / "outside.pdf", "Outside", 1)
    (pdfs / "papers" / "notes.pdf").write_text("these are notes, not a PDF")
    (pdfs / "papers" / "book.pdf").write_bytes((ROOT / "inputs" / "fsc_performance_2013-09.xlsx").read_bytes())
    link = pdfs / "papers" / "link.pdf"
    if not link.exists():
        os.symlink(outside / "outside.pdf", link)
    path = write(pdfs, MEETING + '\n[[itmes]]\nnumber = "Z9"\n'
                 + item("E3", "Performance",
                        document("Missing", "papers/missing.pdf"),
                        document("Notes", "papers/notes.pdf"),
                        document("Book", "papers/book.pdf"),
                        document("Up", "../elsewhere/outside.pdf"),
                        document("Linked", "papers/link.pdf"),
                        document("Typo", "papers/report.pdf", access="exmept", paragraph=3))
                 + item("E3", "Same number again", document("Exempt no para", "papers/secret.pdf", access="exempt"))
                 + item("E4", "Bad paragraph", document("Para 9", "papers/secret.pdf", access="exempt", paragraph=9))
                 + item("E5", "No access", '[[items.documents]]\ntitle = "X"\npdf = "papers/report.pdf"\n'),
                 name="bad.toml")
    found = problems(path)
    text = "\n".join(found)
    assert "itmes" in text and "did you mean items?" in text
    assert "papers/missing.pdf: file not found" in text
    assert "papers/notes.pdf: is not a PDF" in text
    assert "papers/book.pdf: is not a PDF; it looks like an Excel workbook" in text
    assert "../elsewhere/outside.pdf: is outside the manifest's folder" in text
    assert "papers/link.pdf: is outside the manifest's folder" in text  # symlinks are resolved
    assert '"exmept" is neither "public" nor "exempt" (did you mean exempt?)' in text
    assert "item E3 is listed twice" in text
    assert "an exempt document needs the paragraph (1-7)" in text
    assert "9 is not a paragraph of Schedule 12A" in text
    assert "items[4] E5, documents[1], column access: missing" in text
    assert "items[1] E3, documents[1], column pdf: papers/missing.pdf: file not found" in text  # located


def test_the_same_document_with_different_access_is_an_error_not_a_guess(pdfs):
    (pdfs / "papers" / "copy.pdf").write_bytes((pdfs / "papers" / "secret.pdf").read_bytes())
    path = write(pdfs, MEETING
                 + item("E3", "One", document("Secret", "papers/secret.pdf", access="exempt", paragraph=1))
                 + item("E4", "Two", document("Secret again", "papers/../papers/secret.pdf"))
                 + item("E5", "Three", document("A copy", "papers/copy.pdf"),
                        document("Report", "papers/report.pdf"), document("Report twice", "papers/report.pdf")),
                 name="dup.toml")
    text = "\n".join(problems(path))
    assert "secret.pdf is also listed at items[1] E3, documents[1] with different access" in text
    assert "copy.pdf is the same file as secret.pdf" in text
    assert "report.pdf is listed twice in item E5" in text


def test_a_public_document_with_an_exemption_paragraph_is_ambiguous(pdfs):
    path = write(pdfs, MEETING + item("E3", "One", document("R", "papers/report.pdf", paragraph=3)), name="amb.toml")
    assert any("a public document has no exemption paragraph" in p for p in problems(path))


def test_schedule_12a_has_its_seven_paragraphs():
    assert sorted(SCHEDULE_12A) == list(range(1, 8))
    assert SCHEDULE_12A[1] == "Information relating to any individual."


def test_pack_command_lists_problems_and_writes_nothing(pdfs, tmp_path):
    path = write(pdfs, MEETING + item("E3", "One", document("Missing", "papers/missing.pdf"))
                 + item("E3", "Again"), name="cli.toml")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "pipeline", "pack", str(path), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    assert "file not found" in run.stderr and "item E3 is listed twice" in run.stderr
    assert "Traceback" not in run.stderr
    assert not out.exists()


def test_not_toml_is_one_clear_problem(pdfs):
    path = write(pdfs, "[meeting\ncommittee = ", name="broken.toml")
    assert problems(path)[0].startswith("is not valid TOML")
