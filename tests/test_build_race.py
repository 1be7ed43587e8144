"""Two people build two different workbooks of the same file name into one folder at the
same moment (issue 15: the PDF of one and the DOCX of the other, 2 of 8 rounds). Real
processes, many rounds: afterwards the DOCX and the PDF always come from the same
workbook, and the run that lost the race either waited for the other or refused cleanly,
naming it."""
from __future__ import annotations

import re
import time

from output_runs import clean_stderr, docx_text, finish, leftovers, marked_book, marker_of, pdf_text, run, start

ROUNDS = 10  # (before the lock, about one round in three ended mixed)
MARKERS = ("Alpha", "Bravo")


def test_two_workbooks_of_one_name_built_into_one_folder_at_once(tmp_path):
    books = {m: marked_book(tmp_path / m.lower() / "dashboard_2013-09.xlsx", m) for m in MARKERS}
    out = tmp_path / "out"
    refused = waited = 0
    for n in range(ROUNDS):
        # even rounds: the loser may wait as long as it takes; odd rounds: it refuses at once.
        # The two start together (now and then one a hundredth of a second later): two builds
        # of the same work write their files at nearly the same moments.
        wait = 120 if n % 2 == 0 else 0
        first, second = MARKERS if n % 4 < 2 else MARKERS[::-1]
        procs = {first: start(["build", books[first], "--out", out], COMMITTEE_PIPELINE_LOCK_WAIT=wait)}
        time.sleep(0.01 * (n % 3))
        procs[second] = start(["build", books[second], "--out", out], COMMITTEE_PIPELINE_LOCK_WAIT=wait)
        results = {m: finish(p) for m, p in procs.items()}
        winners = []
        for marker, (status, stdout, stderr) in results.items():
            clean_stderr(stderr)
            other = procs[MARKERS[1 - MARKERS.index(marker)]]
            if status == 0:
                winners.append(marker)
                assert stdout.split() == [str(out / "dashboard_2013-09.docx"), str(out / "dashboard_2013-09.pdf"),
                                          str(out / "dashboard_2013-09.html")]
            else:
                assert wait == 0, f"round {n}: {marker} did not wait for the other build: {stderr}"
                assert status == 3, stderr
                busy = rf"the report dashboard_2013-09 in \S+ is in use by another run \(process {other.pid} "
                assert re.search(busy, stderr), stderr
                assert "nothing was written" in stderr
                refused += 1
        assert winners, f"round {n}: neither build wrote the report"
        waited += wait > 0 and len(winners) == 2
        docx_marker = marker_of(docx_text(out / "dashboard_2013-09.docx"), MARKERS)
        pdf_marker = marker_of(pdf_text(out / "dashboard_2013-09.pdf"), MARKERS)
        assert docx_marker == pdf_marker, f"round {n}: DOCX of {docx_marker}, PDF of {pdf_marker}"
        if len(winners) == 1:
            assert docx_marker == winners[0]
        assert not leftovers(out)
    assert waited == ROUNDS // 2  # every round in which the loser could wait, both builds succeeded
    assert refused >= 1  # and the lock was really contended when it could not


def test_two_different_reports_build_into_one_folder_without_waiting(tmp_path):
    """The lock is the report's, not the folder's: two reports build side by side even
    when neither may wait a moment."""
    one = marked_book(tmp_path / "one_2013-09.xlsx", "Alpha")
    two = marked_book(tmp_path / "two_2013-09.xlsx", "Bravo")
    out = tmp_path / "out"
    procs = [start(["build", book, "--out", out, "--no-cache"], COMMITTEE_PIPELINE_LOCK_WAIT=0) for book in (one, two)]
    for proc in procs:
        status, _, stderr = finish(proc)
        assert status == 0, stderr
    for stem, marker in (("one_2013-09", "Alpha"), ("two_2013-09", "Bravo")):
        pdf = marker_of(pdf_text(out / f"{stem}.pdf"), MARKERS)
        assert pdf == marker_of(docx_text(out / f"{stem}.docx"), MARKERS) == marker


def test_a_build_of_one_format_says_the_other_is_older(tmp_path):
    book = marked_book(tmp_path / "a" / "dashboard_2013-09.xlsx", "Alpha")
    out = tmp_path / "out"
    assert run(["build", book, "--out", out])[0] == 0
    status, _, stderr = run(["build", book, "--out", out, "--format", "docx"])
    assert status == 0, stderr
    assert f"note: {out / 'dashboard_2013-09.pdf'} was not rebuilt (only docx was asked for)" in stderr
