"""`committee-pipeline month` (pipeline/council/month.py, docs/month.md): a council month of
two committees and a report that fails, built by real processes; Ctrl-C during a month."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from split_sample import split_sample

from pipeline.council.month import plan_parallel, read_month
from pipeline.errors import InputProblems

ROOT = Path(__file__).resolve().parent.parent


def _council(tmp_path: Path, sample_path: Path, broken: bool = True) -> Path:
    split_sample(sample_path, tmp_path / "fsc")
    shutil.copyfile(sample_path, tmp_path / "second.xlsx")
    text = ('month = "2013-09"\n\n'
            '[[reports]]\nname = "Families and Social Care"\ninput = "fsc/fsc_2013-09.toml"\nout = "out/fsc"\n\n'
            '[[reports]]\nname = "Second committee"\ninput = "second.xlsx"\nout = "out/second"\nformat = "pdf"\n')
    if broken:
        # a report whose source lost its September figures: refused on its input (exit 1)
        (tmp_path / "broken").mkdir()
        shutil.copyfile(sample_path, tmp_path / "broken" / "broken.xlsx")
        from openpyxl import load_workbook

        wb = load_workbook(tmp_path / "broken" / "broken.xlsx")
        wb["values"].cell(2, 1).value = "NOPE01"  # an id no indicator has
        wb.save(tmp_path / "broken" / "broken.xlsx")
        text += '\n[[reports]]\nname = "Broken"\ninput = "broken/broken.xlsx"\nout = "out/broken"\n'
    path = tmp_path / "council.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def _leftovers(folder: Path) -> list[str]:
    """Temporaries and journals an output set leaves only when it is cut short."""
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".part", ".commit")))


def test_a_two_committee_month_with_one_failing_report(sample_path, tmp_path):
    council = _council(tmp_path, sample_path)
    result = _run("month", council, cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # one report failed on its input
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert sorted(line[:5] for line in progress) == ["[1/3]", "[2/3]", "[3/3]"]
    assert any(" Broken: FAILED (exit status 1): " in line and "NOPE01" in line for line in progress)
    table = result.stdout.splitlines()
    assert table[0].split() == ["report", "status", "outputs", "reason"]
    rows = {line.split("  ")[0]: line for line in table[2:]}
    assert set(rows) == {"Families and Social Care", "Second committee", "Broken"}
    assert " built " in rows["Families and Social Care"] and " built " in rows["Second committee"]
    assert " failed " in rows["Broken"]
    assert "NOPE01" in rows["Broken"] and "is not an indicator" in rows["Broken"]
    assert str(tmp_path / "out" / "fsc" / "fsc_2013-09.pdf") in rows["Families and Social Care"]
    assert "Error: 1 of 3 reports failed; 2 built" in result.stderr
    assert "Traceback" not in result.stderr
    # what was built is complete; the failed report wrote nothing
    from pypdf import PdfReader

    assert len(PdfReader(tmp_path / "out" / "fsc" / "fsc_2013-09.pdf").pages) > 20
    assert (tmp_path / "out" / "fsc" / "fsc_2013-09.docx").stat().st_size > 0
    assert len(PdfReader(tmp_path / "out" / "second" / "second_2013-09.pdf").pages) > 20
    assert not (tmp_path / "out" / "second" / "second_2013-09.docx").exists()  # format = "pdf"
    assert not list((tmp_path / "out").glob("broken/*.pdf"))
    assert _leftovers(tmp_path / "out") == []


def test_every_report_built_exits_0(sample_path, tmp_path):
    council = _council(tmp_path, sample_path, broken=False)
    text = council.read_text().replace('name = "Second committee"\ninput = "second.xlsx"\nout = "out/second"\n'
                                       'format = "pdf"\n', 'name = "Second committee"\ninput = "second.xlsx"\n'
                                       'out = "out/second"\nformat = "docx"\n')
    council.write_text(text)
    result = _run("month", council, "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 of 2 built" in result.stderr and "1 at a time" in result.stderr


def test_a_report_that_cannot_be_written_is_exit_3(sample_path, tmp_path):
    shutil.copyfile(sample_path, tmp_path / "a.xlsx")
    (tmp_path / "blocked").write_text("a file where the output folder should be")
    council = tmp_path / "council.toml"
    council.write_text('[[reports]]\ninput = "a.xlsx"\nout = "blocked/out"\nformat = "docx"\n')
    result = _run("month", council, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert " failed " in result.stdout and "Traceback" not in result.stderr


def test_ctrl_c_during_a_month_stops_every_build_and_leaves_nothing_half_written(sample_path, tmp_path):
    council = _council(tmp_path, sample_path, broken=False)
    # the previous month's outputs of the second committee: an interrupted build keeps them
    out = tmp_path / "out" / "second"
    out.mkdir(parents=True)
    previous = out / "second_2013-09.pdf"
    previous.write_bytes(b"%PDF-1.4 the previous report\n")
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "month", str(council)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _builds_running(tmp_path):
        time.sleep(0.05)
    assert _builds_running(tmp_path), "the month never started its builds"
    time.sleep(1.5)  # (the builds are reading and drawing)
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.rstrip().splitlines()[-1].startswith("Interrupted")
    deadline = time.monotonic() + 10
    while _builds_running(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _builds_running(tmp_path)  # every build ended with the month
    assert _leftovers(tmp_path / "out") == []
    assert previous.read_bytes() == b"%PDF-1.4 the previous report\n"
    from pypdf import PdfReader

    for pdf in (tmp_path / "out").rglob("*.pdf"):  # any report that was written is whole
        if pdf != previous:
            assert len(PdfReader(pdf).pages) > 20


def _builds_running(folder: Path) -> bool:
    """Whether a `build` of this test's files runs (read from /proc: Linux)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"build" in cmdline and any(str(folder).encode() in part for part in cmdline):
            return True
    return False


# ---------------------------------------------------------------------------------
# the month's file


def test_the_month_file_lists_every_problem(tmp_path, sample_path):
    shutil.copyfile(sample_path, tmp_path / "a.xlsx")
    council = tmp_path / "council.toml"
    council.write_text('month = "2013-13"\njob = 2\n\n[[reports]]\ninput = "a.xlsx"\nout = "o"\nformt = "pdf"\n\n'
                       '[[reports]]\ninput = "nowhere.xlsx"\nout = "p"\n\n'
                       '[[reports]]\nname = "again"\ninput = "a.xlsx"\nout = "o"\n\n'
                       '[[reports]]\ninput = "a.xlsx"\n')
    with pytest.raises(InputProblems) as caught:
        read_month(council)
    got = [str(p) for p in caught.value.problems]
    assert "column job: unknown key (did you mean jobs?); allowed: month, jobs, reports" in got
    assert "reports[1], column formt: unknown key (did you mean format?); allowed: name, input, out, format" in got
    assert "reports[2], column input: nowhere.xlsx: file not found" in got
    assert any(g.startswith("reports[3], column out: a.xlsx would write the same files as reports[1]") for g in got)
    assert any(g.startswith("reports[4], column out: missing") for g in got)
    assert any(g.startswith("column month:") for g in got)


def test_the_month_command_refuses_a_bad_file_before_building(run_cli, tmp_path):
    council = tmp_path / "council.toml"
    council.write_text("[[reports]]\n")
    result = run_cli("month", council)
    assert result.exit_code == 1
    assert "reports[1], column input: missing" in result.stderr


@pytest.mark.parametrize(("reports", "jobs", "cores", "expected"), [
    (3, None, 2, (2, 1)), (1, None, 2, (1, 2)), (5, 1, 8, (1, 8)), (2, 4, 8, (2, 4)), (4, None, 1, (1, 1)),
])
def test_reports_at_once_share_the_cores(reports, jobs, cores, expected):
    assert plan_parallel(reports, jobs, cores) == expected
