"""What a failed, interrupted or killed build leaves (issue 15), with real processes: the
previous DOCX and PDF, byte for byte, or (when the interrupt came after they were
replaced) the new pair; never one of each. Ctrl-C exits 130 and SIGTERM 143, quietly, from
every process of the build; the temporaries a killed build leaves are removed by the next."""
from __future__ import annotations

import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from output_runs import (
    clean_stderr,
    docx_text,
    finish,
    group_gone,
    leftovers,
    marked_book,
    marker_of,
    pdf_text,
    run,
    snapshot,
    start,
)

MARKERS = ("Alpha", "Bravo")


@pytest.fixture(scope="module")
def previous_set(tmp_path_factory):
    """The report built from the Alpha workbook: the set every test's build must keep."""
    folder = tmp_path_factory.mktemp("previous")
    book = marked_book(folder / "alpha" / "dashboard_2013-09.xlsx", "Alpha")
    status, _, stderr = run(["build", book, "--out", folder / "out", "--no-cache"])
    assert status == 0, stderr
    return snapshot(folder / "out")


@pytest.fixture
def setup(tmp_path, previous_set):
    """(out folder holding the previous set, a new workbook of the same name)."""
    out = tmp_path / "out"
    out.mkdir()
    for name, data in previous_set.items():
        (out / name).write_bytes(data)
    assert sorted(previous_set) == ["dashboard_2013-09.docx", "dashboard_2013-09.html", "dashboard_2013-09.pdf"]
    return out, marked_book(tmp_path / "bravo" / "dashboard_2013-09.xlsx", "Bravo")


def the_set(out: Path) -> str:
    """The workbook the documents come from (they must agree)."""
    docx = marker_of(docx_text(out / "dashboard_2013-09.docx"), MARKERS)
    pdf = marker_of(pdf_text(out / "dashboard_2013-09.pdf"), MARKERS)
    html = marker_of((out / "dashboard_2013-09.html").read_text(encoding="utf-8"), MARKERS)
    assert docx == pdf == html, f"DOCX of {docx}, PDF of {pdf}, HTML of {html}"
    return docx


def build_args(book, out, *extra):
    return ["build", book, "--out", out, "--no-cache", *extra]


# ------------------------------------------------------------------------------ failures
FAIL_PDF = textwrap.dedent("""
    import pipeline.pdf.render as r
    from pipeline.errors import OutputError
    real = r.pdf_bytes
    def failing(*args, **kwargs):
        real(*args, **kwargs)  # (laid out all the same: the DOCX writer is running by now)
        raise OutputError("the PDF renderer failed on purpose")
    r.pdf_bytes = failing
""")
FAIL_DOCX = textwrap.dedent("""
    import pipeline.docx.render as r
    from pipeline.errors import OutputError
    def failing(*args, **kwargs):
        raise OutputError("the DOCX writer failed on purpose")
    r.docx_bytes = failing
""")


def test_a_build_that_fails_in_the_pdf_stage_leaves_the_previous_set(setup, previous_set):
    out, book = setup
    status, stdout, stderr = run(build_args(book, out), script=FAIL_PDF)
    assert status == 3, stderr
    assert "Error: the PDF renderer failed on purpose" in stderr
    clean_stderr(stderr)
    assert stdout == ""
    assert snapshot(out) == previous_set
    assert not leftovers(out)


def test_a_failure_in_the_docx_process_leaves_the_previous_set(setup, previous_set):
    out, book = setup
    status, _, stderr = run(build_args(book, out), script=FAIL_DOCX)
    assert status == 3, stderr
    assert "Error: the DOCX writer failed on purpose" in stderr  # (raised in its process, reported here)
    clean_stderr(stderr)
    assert snapshot(out) == previous_set
    assert not leftovers(out)


# ------------------------------------------------------------------------------ interrupts
def check_interrupted(proc, out, previous_set, code=130):
    status, stdout, stderr = finish(proc)
    clean_stderr(stderr)  # no traceback from the main process nor from any worker
    assert group_gone(proc.pid), "a worker process outlived the interrupted build"
    if status == 0:  # the build had finished before the signal came
        assert the_set(out) == "Bravo"
        return "finished"
    assert status == code, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    if "Interrupted: nothing was written; the previous outputs are unchanged." in lines:
        assert snapshot(out) == previous_set
        outcome = "kept"
    else:  # interrupted while the files were being replaced: that finished first
        assert lines[-1].startswith("Interrupted after writing ") and lines[-1].endswith("nothing is half-written.")
        assert the_set(out) == "Bravo"
        outcome = "replaced"
    assert not leftovers(out)
    return outcome


def test_ctrl_c_at_several_moments_exits_130_quietly_and_keeps_the_set(setup, previous_set):
    """SIGINT to the whole process group, as a terminal sends it, at moments spread over a
    build: reading, drawing the charts (workers), the PDF, the DOCX process, the end."""
    out, book = setup
    started = time.monotonic()
    status, _, _ = run(build_args(book, out))  # how long a build takes here (then back to the previous set)
    seconds = time.monotonic() - started
    assert status == 0
    outcomes = []
    for fraction in (0.3, 0.45, 0.6, 0.75, 0.9):  # (the first tenth or so: Python starting)
        for name, data in previous_set.items():
            (out / name).write_bytes(data)
        proc = start(build_args(book, out))
        time.sleep(seconds * fraction)
        os.killpg(proc.pid, signal.SIGINT)
        outcomes.append(check_interrupted(proc, out, previous_set))
    assert outcomes.count("kept") >= 2, outcomes  # (most of them land inside the build)


# A Ctrl-C at a known moment: the whole group gets SIGINT from inside the build
AT_PDF_WRITTEN = textwrap.dedent("""
    import os, signal
    import pipeline.pdf.render as r
    real = r.pdf_bytes
    def then_interrupt(*args, **kwargs):
        data = real(*args, **kwargs)
        os.killpg(0, signal.SIGINT)
        return data
    r.pdf_bytes = then_interrupt
""")
IN_A_CHART_WORKER = textwrap.dedent("""
    import os, signal
    import pipeline.charts.draw as c
    real = c._draw_batch
    def then_interrupt(*args, **kwargs):
        os.killpg(0, signal.SIGINT)  # (from a worker: every process gets it)
        return real(*args, **kwargs)
    c._draw_batch = then_interrupt
""")
IN_THE_DOCX_PROCESS = textwrap.dedent("""
    import os, signal, time
    import pipeline.docx.render as r
    def interrupt(*args, **kwargs):
        os.killpg(0, signal.SIGINT)
        time.sleep(30)
    r.docx_bytes = interrupt
""")
DURING_THE_RENAMES = textwrap.dedent("""
    import os, signal
    import pipeline.infra.atomic as a
    real = a._write_journal
    def interrupt_then(*args):
        os.killpg(0, signal.SIGINT)  # held back until the renames are done
        return real(*args)
    a._write_journal = interrupt_then
""")


@pytest.mark.parametrize("script, expected", [(AT_PDF_WRITTEN, "kept"), (IN_A_CHART_WORKER, "kept"),
                                              (IN_THE_DOCX_PROCESS, "kept"), (DURING_THE_RENAMES, "replaced")],
                         ids=["pdf-written", "chart-worker", "docx-process", "renames"])
def test_ctrl_c_at_a_known_moment(setup, previous_set, script, expected):
    out, book = setup
    assert check_interrupted(start(build_args(book, out), script=script), out, previous_set) == expected


def test_sigterm_exits_143_and_keeps_the_set(setup, previous_set):
    out, book = setup
    proc = start(build_args(book, out), script=AT_PDF_WRITTEN.replace("SIGINT", "SIGTERM"))
    assert check_interrupted(proc, out, previous_set, code=143) == "kept"


# ------------------------------------------------------------------------------ kill -9
KILLED_BEFORE_THE_RENAMES = textwrap.dedent("""
    import os, signal
    import pipeline.infra.atomic as a
    def killed(*args):
        os.kill(os.getpid(), signal.SIGKILL)  # the main process only, as `kill -9 PID` does
    a._write_journal = killed
""")


def test_a_killed_build_leaves_the_set_and_the_next_build_removes_its_temporaries(setup, previous_set):
    out, book = setup
    # killed at a known point, with the new files complete and not yet renamed (a kill
    # timed from outside lands after the renames on a fast or idle machine)
    proc = start(build_args(book, out), script=KILLED_BEFORE_THE_RENAMES)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(out) == previous_set
    stale = leftovers(out)
    assert len(stale) == 3 and all(name.endswith(".part") for name in stale)
    assert group_gone(proc.pid), "the killed build's workers are still running (and hold its lock)"
    status, _, stderr = run(build_args(book, out), COMMITTEE_PIPELINE_LOCK_WAIT=0)
    assert status == 0, stderr
    assert not leftovers(out)
    assert the_set(out) == "Bravo"


def test_a_build_killed_between_its_renames_is_completed_by_the_next(setup, previous_set):
    """The one moment a kill can leave one new file and one old: the next run on the same
    report finishes the replacement before anything else (here: a build that then fails)."""
    out, book = setup
    kill_after_first = textwrap.dedent("""
        import os, signal
        import pipeline.infra.atomic as a
        real = os.replace
        def replace(src, dst, **kw):
            real(src, dst, **kw)
            if str(dst).endswith((".docx", ".pdf")):
                os.kill(os.getpid(), signal.SIGKILL)
        a.os.replace = replace
    """)
    status, _, _ = run(build_args(book, out), script=kill_after_first)
    assert status == -signal.SIGKILL
    assert (out / ".dashboard_2013-09.commit").exists()
    assert len([n for n in leftovers(out) if n.endswith(".part")]) == 2  # (DOCX, PDF, HTML: one renamed)
    status, _, stderr = run(build_args(book, out), script=FAIL_PDF)
    assert status == 3, stderr
    assert the_set(out) == "Bravo"  # completed, although this run wrote nothing
    assert not leftovers(out)


# ------------------------------------------------------------------------------ full disk
FILE_SIZE_LIMIT = textwrap.dedent("""
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # (a write past the limit fails instead)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
""")


def test_a_write_that_fails_for_lack_of_room_keeps_the_set(setup, previous_set):
    """A file-size limit stands in for a full disk where no small file system can be
    mounted: the writes fail in the kernel, the same way."""
    out, book = setup
    status, stdout, stderr = run(build_args(book, out), script=FILE_SIZE_LIMIT)
    assert status == 3, stderr
    clean_stderr(stderr)
    assert "Error: cannot write" in stderr and "File too large" in stderr
    assert snapshot(out) == previous_set
    assert not leftovers(out)


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a small file system here (not root?); test_a_write_that_fails... covers it")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_keeps_the_set(small_disk, tmp_path, previous_set):
    out = small_disk / "out"
    out.mkdir()
    for name, data in previous_set.items():
        (out / name).write_bytes(data)
    book = marked_book(tmp_path / "bravo" / "dashboard_2013-09.xlsx", "Bravo")
    # fill the disk but for a little more than the previous set's size: room to start, not to finish
    free = os.statvfs(out).f_bavail * os.statvfs(out).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * max(0, free - 64 * 1024))
    status, _, stderr = run(build_args(book, out))
    assert status == 3, stderr
    clean_stderr(stderr)
    assert "No space left on device" in stderr
    assert snapshot(out) == previous_set
    assert not leftovers(out)


# ------------------------------------------------------------------------------ a worker dies alone
CHART_WORKER_DIES = textwrap.dedent("""
    import os
    import pipeline.charts.draw as c
    def die(*args, **kwargs):
        os._exit(1)  # (as the out-of-memory killer would end it)
    c._draw_batch = die
""")
DOCX_PROCESS_KILLED = textwrap.dedent("""
    import os, signal
    import pipeline.docx.render as r
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    r.docx_bytes = die
""")


@pytest.mark.parametrize("script, message", [
    (CHART_WORKER_DIES, "Error: a process drawing the charts stopped unexpectedly; nothing was written"),
    (DOCX_PROCESS_KILLED,
     "Error: the process writing the DOCX stopped unexpectedly (exit status -9); nothing was written"),
], ids=["chart-worker", "docx-process"])
def test_a_worker_that_dies_alone_fails_the_build_cleanly(setup, previous_set, script, message):
    out, book = setup
    status, _, stderr = run(build_args(book, out), script=script)
    assert status == 3, stderr
    assert message in stderr
    clean_stderr(stderr)
    assert snapshot(out) == previous_set
    assert not leftovers(out)


def test_an_interrupt_a_library_turned_into_its_own_error_still_exits_130(tmp_path, monkeypatch, capsys):
    """ReportLab opens a font file inside a bare ``except:`` and raises TTFError instead:
    the interrupt is in the error's chain, and the run still ends as interrupted."""
    from pipeline import cli
    from pipeline.infra.interrupts import Interrupted

    def catches_everything(*args, **kwargs):
        try:
            raise Interrupted()
        except BaseException:
            # as ReportLab does: the interrupt stays only in the implicit chain (__context__)
            raise OSError("Cannot open resource 'LiberationSans-Italic.ttf'")  # noqa: B904

    monkeypatch.setattr("pipeline.commands.inspect.validate.callback", catches_everything)
    with pytest.raises(SystemExit) as ended:
        cli.main(["validate", str(tmp_path / "any.xlsx")])
    assert ended.value.code == 130
    assert "Interrupted" in capsys.readouterr().err


def test_an_error_without_an_interrupt_in_its_chain_is_still_a_bug(tmp_path, monkeypatch):
    from pipeline import cli

    def fails(*args, **kwargs):
        raise OSError("a bug")

    monkeypatch.setattr("pipeline.commands.inspect.validate.callback", fails)
    with pytest.raises(OSError, match="a bug"):
        cli.main(["validate", str(tmp_path / "any.xlsx")])


def test_a_signal_in_a_weakref_callback_is_acted_on_just_after():
    """An exception raised in a weakref callback (WeakSet._remove, run when the garbage
    collector drops an executor's objects) is printed and dropped, like one in __del__: the
    handler must send the signal again instead of raising there (seen as "Exception ignored
    in: <function WeakSet.__init__.<locals>._remove>" and a build that went on)."""
    import sys

    from pipeline.infra.interrupts import _not_here

    in_callback = {}
    exec(compile("def _remove(item):\n    return sys._getframe()\n", "/usr/lib/python3/_weakrefset.py", "exec"),
         {"sys": sys}, in_callback)
    assert _not_here(in_callback["_remove"](None))
    assert not _not_here(sys._getframe())


def test_an_interrupt_python_drops_is_sent_again_quietly():
    """Where Python drops an exception (a weakref callback, an at-fork handler) the
    interrupt must not be lost, nor printed as "Exception ignored": it comes again a moment
    later, where it ends the run. (In a process of its own: pytest keeps its own hook for
    dropped exceptions.)"""
    import sys

    code = textwrap.dedent("""
        import time, weakref
        from pipeline.infra.interrupts import Interrupted, handled
        class Thing:
            pass
        def callback(_ref):
            raise Interrupted()  # as the signal handler would, had the signal come here
        started = time.monotonic()
        try:
            with handled():
                thing = Thing()
                ref = weakref.ref(thing, callback)
                del thing
                time.sleep(5)  # the signal sent again ends this
        except Interrupted:
            print(f"interrupted after {time.monotonic() - started:.3f}")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("interrupted after "), (done.stdout, done.stderr)
    assert float(done.stdout.split()[-1]) < 2
    assert "Exception ignored" not in done.stderr
