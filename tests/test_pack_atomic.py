"""A meeting's two packs are replaced together or not at all (issue 15: ``pack`` killed
between its two writes left the members' pack new and the public pack old), under a lock
a second run waits on or is refused by. Real processes, killed or interrupted at known
moments. The front sheet is the same page in both packs, so the pair is consistent when
their first pages read the same."""
from __future__ import annotations

import os
import re
import signal
import textwrap
from pathlib import Path

import pdfplumber
import pytest
from output_runs import clean_stderr, leftovers, run, snapshot
from packpdfs import MEETING, document, item, report_pdf

from pipeline.infra.locks import hold

STEM = "social-care-and-public-health-cabinet-committee_2013-12-05_agenda"
MEMBERS, PUBLIC = f"{STEM}_members.pdf", f"{STEM}_public.pdf"


@pytest.fixture(scope="module")
def papers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("papers")
    report_pdf(folder / "report.pdf", "Cover report", 2)
    report_pdf(folder / "secret.pdf", "Secret terms", 1)
    return folder


def manifest(folder: Path, title: str) -> Path:
    path = folder / "meeting.toml"
    path.write_text(MEETING + item("A1", "Apologies")
                    + item("E2", title, document("Report", "report.pdf"))
                    + item("E3", "Contract award", document("Terms", "secret.pdf", "exempt", 3)))
    return path


def front_sheet(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return pdf.pages[0].extract_text()


def the_pair(out: Path) -> str:
    """The E2 title the two packs were built with (their front sheets must agree)."""
    members, public = front_sheet(out / MEMBERS), front_sheet(out / PUBLIC)
    assert members == public, "the members' and public packs are of different runs"
    return re.search(r"(Old|New) performance report", members).group(0)


@pytest.fixture
def previous_pair(papers, tmp_path):
    """An out folder holding the pair built with the old title; the manifest now has the new one."""
    out = tmp_path / "out"
    status, _, stderr = run(["pack", manifest(papers, "Old performance report"), "--out", out])
    assert status == 0, stderr
    before = snapshot(out)
    # (with the packs' index pages: issue 21)
    assert sorted(before) == sorted([MEMBERS, PUBLIC, f"{STEM}_members.html", f"{STEM}_public.html"])
    return out, manifest(papers, "New performance report"), before


# Kill (or interrupt) this process when it opens the public pack's file for writing, the
# moment between the two writes, whatever the code that writes them
AT_THE_PUBLIC_WRITE = textwrap.dedent("""
    import builtins, io, os, signal
    real = io.open
    def opening(file, mode="r", *args, **kwargs):
        if "w" in mode and "_public.pdf" in os.fspath(file):
            os.kill(os.getpid(), signal.{signal})
        return real(file, mode, *args, **kwargs)
    builtins.open = io.open = opening
""")


def test_pack_killed_between_its_two_writes_leaves_the_previous_pair(previous_pair):
    out, meeting, before = previous_pair
    status, _, _ = run(["pack", meeting, "--out", out], script=AT_THE_PUBLIC_WRITE.format(signal="SIGKILL"))
    assert status == -signal.SIGKILL
    assert snapshot(out) == before
    assert the_pair(out) == "Old performance report"
    status, _, stderr = run(["pack", meeting, "--out", out])  # the next run removes what the killed one left
    assert status == 0, stderr
    assert the_pair(out) == "New performance report"
    assert not leftovers(out)


def test_pack_interrupted_between_its_two_writes_exits_130_and_keeps_the_pair(previous_pair):
    out, meeting, before = previous_pair
    status, stdout, stderr = run(["pack", meeting, "--out", out], script=AT_THE_PUBLIC_WRITE.format(signal="SIGINT"))
    assert status == 130, stderr
    clean_stderr(stderr)
    assert "Interrupted: nothing was written; the previous outputs are unchanged." in stderr
    assert snapshot(out) == before
    assert not leftovers(out)


def test_pack_killed_between_its_renames_is_completed_by_the_next_run(previous_pair):
    out, meeting, before = previous_pair
    kill_after_members = textwrap.dedent("""
        import os, signal
        real = os.replace
        def replace(src, dst, **kw):
            real(src, dst, **kw)
            if str(dst).endswith("_members.pdf"):
                os.kill(os.getpid(), signal.SIGKILL)
        os.replace = replace
    """)
    status, _, _ = run(["pack", meeting, "--out", out], script=kill_after_members)
    assert status == -signal.SIGKILL
    assert (out / f".{STEM}.commit").exists()  # the one moment a mixed pair is on disk
    # the next run on these packs completes it before anything else, even one that then fails
    fail = textwrap.dedent("""
        import pipeline.pack.agenda as p
        from pipeline.errors import OutputError
        def fail(*args):
            raise OutputError("the pack failed on purpose")
        p._build_packs = fail
    """)
    status, _, stderr = run(["pack", meeting, "--out", out], script=fail)
    assert status == 3 and "the pack failed on purpose" in stderr
    assert the_pair(out) == "New performance report"
    assert not leftovers(out)


def test_a_second_pack_of_the_same_meeting_is_refused_naming_the_first(previous_pair):
    out, meeting, before = previous_pair
    with hold(out / STEM, "the packs"):
        status, _, stderr = run(["pack", meeting, "--out", out], COMMITTEE_PIPELINE_LOCK_WAIT=0.3)
    assert status == 3
    clean_stderr(stderr)
    busy = rf"the pair of agenda packs {STEM} in \S+ is in use by another run \(process {os.getpid()} "
    assert re.search(busy, stderr)
    assert snapshot(out) == before
    status, _, stderr = run(["pack", meeting, "--out", out], COMMITTEE_PIPELINE_LOCK_WAIT=0.3)
    assert status == 0, stderr  # (the lock is free again)
    assert the_pair(out) == "New performance report"
