"""Issue 17: every command README.md and the docs (DOCS) show for the sample works on it exactly as
written, leaves the tracked inputs as they are and writes only under output/. The commands are
read from the docs themselves, so a doc that drifts fails here."""
from __future__ import annotations

import email
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

ROOT = Path(__file__).resolve().parents[1]
# run in this order, one project for all: register.md reads the register pack.md's pack wrote
DOCS = ("README.md", "docs/pack.md", "docs/commentary.md", "docs/send.md", "docs/month.md",
        "docs/report-definition.md", "docs/workbook.md", "docs/cards.md", "docs/cards-json.md",
        "docs/build.md", "docs/register.md")
STARTS = ("python -m pipeline ", "committee-pipeline ", "mkdir ", "cp ")
# a syntax line, not a command: an upper-case placeholder word (WORKBOOK, FILE, YYYY-MM) ...
PLACEHOLDER = re.compile(r"(?<![\w./-])[A-Z]{2,}(?:[-_][A-Z]+)*(?![\w./])")
OPTIONAL = re.compile(r"\[[^\]]*\]")  # ... or an optional part in brackets ([--period YYYY-MM])


def documented_commands(doc: str) -> list[str]:
    """The sample commands of a doc's code blocks (fenced or indented), in order. Left out: a
    real send (an SMTP server: the line continues with ``\\``), and a syntax line, one with an
    upper-case placeholder word (``WORKBOOK``, ``FILE``, ``YYYY-MM``; an indicator id such as
    ``ASC05`` is not one) or an optional part in square brackets (``[--period YYYY-MM]``)."""
    commands, fenced = [], False
    for line in (ROOT / doc).read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not (fenced or line.startswith("    ")):
            continue
        text = line.strip()
        if text.startswith(STARTS) and not text.endswith("\\") and not PLACEHOLDER.search(text) \
                and not OPTIONAL.search(text):
            commands.append(text)
    return commands


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "inputs", folder / "inputs")
    return folder


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    python = sys.executable
    script = str(Path(python).with_name("committee-pipeline"))
    if command.startswith("python -m pipeline "):
        command = f"{python} -m pipeline " + command[len("python -m pipeline "):]
    elif command.startswith("committee-pipeline "):
        command = f"{script} " + command[len("committee-pipeline "):]
    return subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_docs_show_the_sample_commands():
    commands = {doc: documented_commands(doc) for doc in DOCS}
    assert len(commands["docs/pack.md"]) == 2 and any("--supplement" in c for c in commands["docs/pack.md"])
    assert any("--dry-run" in c and "--supplement" not in c for c in commands["docs/send.md"])
    assert any("--dry-run --supplement" in c for c in commands["docs/send.md"])
    assert any("commentary import" in c and "--dry-run" not in c for c in commands["docs/commentary.md"])
    assert [c.split()[1] for c in commands["docs/month.md"]] == ["month", "month"]
    assert {w for c in commands["docs/report-definition.md"] for w in c.split()} >= \
        {"validate", "build", "cards", "export", "import", "output/definition/fsc_2013-09.toml"}
    for doc in ("docs/workbook.md", "docs/cards.md", "docs/cards-json.md", "docs/build.md", "docs/register.md"):
        assert commands[doc], doc
    # the syntax lines are not commands, the examples after them are
    assert not any("WORKBOOK" in c or "[" in c for cs in commands.values() for c in cs)
    assert any("register history ASC05" in c for c in commands["docs/register.md"])


@pytest.mark.parametrize(("line", "runnable"), [
    ("committee-pipeline cards WORKBOOK --format json", False),
    ("committee-pipeline cards book.xlsx --period YYYY-MM", False),
    ("committee-pipeline cards book.xlsx [--out FILE]", False),
    ("committee-pipeline build book.xlsx [--strict]", False),
    ("committee-pipeline register history ASC05 --register output/published.sqlite", True),
    ("committee-pipeline cards inputs/fsc_performance_2013-09.xlsx --period 2013-09", True),
    ("committee-pipeline cards inputs/A/B.xlsx --out output/X.csv", True),
])
def test_a_syntax_line_is_not_a_command(tmp_path, monkeypatch, line, runnable):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "doc.md").write_text(f"# x\n\n    {line}\n", encoding="utf-8")
    assert documented_commands("doc.md") == ([line] if runnable else [])


def test_every_documented_sample_command_works_as_written(project):
    before = tree(project / "inputs")
    said = {}
    for doc in DOCS:
        for command in documented_commands(doc):
            if "commentary import" in command and not (project / "output" / "returned").exists():
                # an officer returns a form: here, one as it was exported (the doc says how)
                (project / "output" / "returned").mkdir(parents=True)
                shutil.copy(next((project / "output" / "forms").glob("commentary-2013-09-*.xlsx")),
                            project / "output" / "returned")
            done = run(command, project)
            assert done.returncode == 0, (doc, command, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr
            said[command] = done
    # the tracked sample is untouched, and everything written is under output/
    assert tree(project / "inputs") == before
    assert sorted(p.name for p in project.iterdir()) == ["inputs", "output"]
    out = project / "output"
    stem = "social-care-and-public-health-cabinet-committee_2013-12-05"
    members = out / f"{stem}_agenda_members.pdf"
    with pdfplumber.open(members) as pdf:
        front = pdf.pages[0].extract_text()
        assert len(pdf.pages) > 3  # the main pack has papers, not just a front sheet
    for number in ("A4", "E1", "E3", "F1"):
        assert re.search(rf"^{number} ", front, re.M), front
    assert "to follow" in front and "exempt: paragraph 3" in front
    # the main mailing: members get the exempt report, the public subscriber does not
    outbox = out / "outbox" / "social-care-and-public-health-cabinet-committee-2013-12-05"
    names = {}
    for eml in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes())
        names[eml.name] = sorted(part.get_filename() for part in message.walk() if part.get_filename())
    assert "f1_exempt.pdf" in names["001-member-a.eml"] and "a4_minutes.pdf" in names["001-member-a.eml"]
    public = names["007-public-papers-subscriber.eml"]
    assert public and "f1_exempt.pdf" not in public
    supplement = out / "outbox" / "social-care-and-public-health-cabinet-committee-2013-12-05-supplement"
    assert len(list(supplement.glob("*.eml"))) == len(names)
    _check_month_definition_and_register(out, said)


def _check_month_definition_and_register(out: Path, said: dict) -> None:
    # the month: its table lists every report of the sample month file, each built
    for command in documented_commands("docs/month.md"):
        table = said[command].stdout.splitlines()
        assert table[0].split()[:2] == ["report", "status"], said[command].stdout
        rows = {line.rsplit("  built  ", 1)[0].strip(): line for line in table[2:] if line.strip()}
        assert sorted(rows) == ["Families and Social Care", "Families and Social Care (definition)"], table
        assert all(" failed " not in row for row in rows.values())
        assert "2 of 2 built" in said[command].stderr
    assert (out / "month" / "fsc" / "fsc_performance_2013-09.pdf").is_file()
    assert (out / "month" / "definition" / "fsc_2013-09.pdf").is_file()
    # the definition's build: its files named after it, printing the workbook's report
    assert {p.name for p in (out / "fsc").glob("fsc_2013-09.*")} >= {"fsc_2013-09.pdf", "fsc_2013-09.docx"}
    with pdfplumber.open(out / "fsc" / "fsc_2013-09.pdf") as split, \
            pdfplumber.open(out / "build" / "fsc_performance_2013-09.pdf") as whole:
        assert len(split.pages) == len(whole.pages) > 20
        assert [p.extract_text() for p in split.pages] == [p.extract_text() for p in whole.pages]
    assert (out / "fsc.csv").read_text(encoding="utf-8-sig").count("\n") == 24  # a header, 23 cards
    assert (out / "definition-forms").is_dir() and list((out / "definition-forms").glob("*.xlsx"))
    # the register history reads what pack.md's pack recorded
    history = [said[c].stdout for c in documented_commands("docs/register.md")]
    assert history[0].splitlines()[0] == "Published figures of ASC05 in output/published.sqlite", history[0]
    rows = json.loads(history[1])
    assert rows and {(r["meeting_date"], r["kind"]) for r in rows} == {("2013-12-05", "supplement")}
