"""Issue 17: every command README.md, docs/pack.md, docs/send.md and docs/commentary.md show for the
sample works on it exactly as written, leaves the tracked inputs as they are and writes only
under output/. The commands are read from the docs themselves, so a doc that drifts fails here."""
from __future__ import annotations

import email
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "docs/pack.md", "docs/commentary.md", "docs/send.md")
STARTS = ("python -m pipeline ", "committee-pipeline ", "mkdir ", "cp ")


def documented_commands(doc: str) -> list[str]:
    """The sample commands of a doc's code blocks (fenced or indented), in order; a real send
    (an SMTP server: the line continues with ``\\``) is left out."""
    commands, fenced = [], False
    for line in (ROOT / doc).read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not (fenced or line.startswith("    ")):
            continue
        text = line.strip()
        if text.startswith(STARTS) and not text.endswith("\\"):
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


def test_every_documented_sample_command_works_as_written(project):
    before = tree(project / "inputs")
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
