"""atomic_set: files replaced as one set, under the set's lock; what a failure leaves;
the temporaries of killed runs removed; a journal left by a killed commit finished (or,
when it names nothing safe, dropped). The real kills are in test_build_interrupts.py and
test_pack_atomic.py; here, the rules at their edges."""
from __future__ import annotations

import json
import os
import signal
import stat

import pytest

from pipeline.errors import OutputError
from pipeline.infra.atomic import atomic_set, set_name, stale_temps
from pipeline.infra.interrupts import Interrupted, Terminated, deferred, exit_code


def test_the_set_is_replaced_together_with_ordinary_permissions(tmp_path):
    (tmp_path / "r.docx").write_bytes(b"old docx")
    old = os.umask(0o022)
    try:
        with atomic_set([tmp_path / "r.docx", tmp_path / "r.pdf"], what="the report r") as outputs:
            for dest in (tmp_path / "r.docx", tmp_path / "r.pdf"):
                temp = outputs[dest]
                assert temp.parent == tmp_path and temp.name.startswith(f".{dest.name}.{os.getpid()}.")
                outputs.write(dest, b"new " + dest.suffix.encode())
            assert (tmp_path / "r.docx").read_bytes() == b"old docx"  # nothing replaced inside the block
    finally:
        os.umask(old)
    assert (tmp_path / "r.docx").read_bytes() == b"new .docx" and (tmp_path / "r.pdf").read_bytes() == b"new .pdf"
    assert stat.S_IMODE((tmp_path / "r.pdf").stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock", "r.docx", "r.pdf"]


@pytest.mark.parametrize("failure", [RuntimeError("bug"), KeyboardInterrupt(), Terminated()])
def test_a_failure_or_interrupt_in_the_block_replaces_nothing(tmp_path, failure):
    (tmp_path / "r.docx").write_bytes(b"old docx")
    (tmp_path / "r.pdf").write_bytes(b"old pdf")
    with pytest.raises(type(failure)):
        with atomic_set([tmp_path / "r.docx", tmp_path / "r.pdf"], what="the report r") as outputs:
            outputs.write(tmp_path / "r.docx", b"new docx")
            raise failure
    assert (tmp_path / "r.docx").read_bytes() == b"old docx" and (tmp_path / "r.pdf").read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock", "r.docx", "r.pdf"]


def test_a_file_of_the_set_left_unwritten_is_refused(tmp_path):
    (tmp_path / "r.pdf").write_bytes(b"old pdf")
    with pytest.raises(OutputError, match=r"r\.docx was not written"):
        with atomic_set([tmp_path / "r.pdf", tmp_path / "r.docx"], what="the report r") as outputs:
            outputs.write(tmp_path / "r.pdf", b"new pdf")
    assert (tmp_path / "r.pdf").read_bytes() == b"old pdf"
    assert not (tmp_path / "r.docx").exists() and not stale_temps(tmp_path / "r.pdf")


def test_stale_temporaries_of_the_set_and_its_siblings_are_removed_and_no_others(tmp_path):
    stale = [".r.pdf.4242.0a1b2c3d.part",  # this module's names
             ".r.docx.k2_9xq0z.part",  # mkstemp's, as earlier versions named them
             "..r.commit.77.deadbeef.part"]  # a journal never finished (.r.commit)
    kept = [".r.pdf.notours.part", ".rr.pdf.4242.0a1b2c3d.part", ".r.b.pdf.1.0a1b2c3d.part",
            ".r.pdf.12.0a1b2c3.part", "r.pdf.1.0a1b2c3d.part", ".other.pdf.9.0a1b2c3d.part"]
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"x")
    with atomic_set([tmp_path / "r.pdf"], what="the report r", siblings=[tmp_path / "r.docx"]) as outputs:
        assert sorted(p.name for p in outputs.removed) == sorted(stale)
        outputs.write(tmp_path / "r.pdf", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept + [".r.lock", "r.pdf"])


def test_a_journal_left_by_a_killed_commit_is_finished_first(tmp_path):
    # the state a kill after the first of two renames leaves
    (tmp_path / "r.docx").write_bytes(b"new docx")
    (tmp_path / "r.pdf").write_bytes(b"old pdf")
    (tmp_path / ".r.pdf.9.0a1b2c3d.part").write_bytes(b"new pdf")
    (tmp_path / ".r.commit").write_text(json.dumps({"files": [
        {"temp": ".r.docx.9.1a1b2c3d.part", "dest": "r.docx"}, {"temp": ".r.pdf.9.0a1b2c3d.part", "dest": "r.pdf"}]}))
    with pytest.raises(RuntimeError):
        with atomic_set([tmp_path / "r.docx", tmp_path / "r.pdf"], what="the report r") as outputs:
            assert [p.name for p in outputs.recovered] == ["r.pdf"]
            raise RuntimeError("this run fails")
    assert (tmp_path / "r.docx").read_bytes() == b"new docx" and (tmp_path / "r.pdf").read_bytes() == b"new pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock", "r.docx", "r.pdf"]


@pytest.mark.parametrize("journal", [b"{not json", json.dumps({"files": [
    {"temp": "../outside.part", "dest": "r.pdf"},  # a path, not a name
    {"temp": ".r.pdf.9.0a1b2c3d.part", "dest": "../r.pdf"},
    {"temp": ".r.pdf.9.0a1b2c3d.part", "dest": "r.docx"}]}).encode()])  # not that file's temporary
def test_a_journal_that_names_nothing_safe_is_dropped(tmp_path, journal):
    (tmp_path / "r.pdf").write_bytes(b"old pdf")
    (tmp_path / "outside.part").write_bytes(b"x")
    (tmp_path / ".r.commit").write_bytes(journal)
    with atomic_set([tmp_path / "r.pdf"], what="the report r", name="r") as outputs:
        assert outputs.recovered == []
        outputs.write(tmp_path / "r.pdf", b"new pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock", "outside.part", "r.pdf"]
    assert (tmp_path / "r.pdf").read_bytes() == b"new pdf"


def test_set_names():
    assert set_name(["o/report.docx", "o/report.pdf"]) == "report"
    assert set_name(["o/x_agenda_members.pdf", "o/x_agenda_public.pdf"]) == "x_agenda"
    assert set_name(["o/a.b.docx", "o/a.b.pdf"]) == "a.b"
    assert set_name(["o/only.pdf"]) == "only.pdf"
    with pytest.raises(ValueError):
        with atomic_set(["a/x.pdf", "b/x.docx"], what="x"):
            pass


def test_signals_are_held_back_during_a_commit_and_acted_on_after():
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with deferred():
            signal.raise_signal(signal.SIGINT)
            reached.append("after the signal")
    assert reached == ["after the signal"]


def test_the_exit_status_survives_an_exception_re_created_from_a_message():
    """ReportLab re-raises what passes through its layout as ``type(exc)(message)``."""
    assert exit_code(Interrupted()) == 130 and exit_code(Terminated()) == 143
    assert exit_code(Terminated("raised by class KeepTogether 15")) == 143
    assert exit_code(KeyboardInterrupt()) == 130
