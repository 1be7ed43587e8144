"""commentary import when two runs (or Excel, a read-only file, a full disk, Ctrl-C) get in the
way: real second processes, a real small file system, real signals.

Every scenario ends with the same questions: is every officer's word in the master (or is
the master exactly as it was), is each backup complete and the master as it was just before
its import, and was anything half-written left behind?"""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from commentary_helpers import EXPORTED, copy_sample, fill

from pipeline.commentary.forms import export_forms
from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month

ROOT = Path(__file__).resolve().parent.parent
STEPH_TEXT = "Steph's words: delayed transfers fell again this month."
MAUREEN_TEXT = "Maureen's words: agency staffing is down to 18%."
ROUNDS = 4  # each round starts two real imports at once


def cli(*args, env=None) -> subprocess.Popen:
    """The real command line in its own process (as two officers' clerks would run it)."""
    return subprocess.Popen([sys.executable, "-m", "pipeline", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def texts(master: Path) -> dict[str, str]:
    return {c.indicator_id: c.text for c in read_workbook(master).commentary if c.period == Month(2013, 9)}


def backups(master: Path) -> list[Path]:
    return sorted(master.parent.glob(f"{master.stem}.backup-*"))


def leftovers(folder: Path) -> list[str]:
    """Anything an import writes on its way that must not survive it."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part") or ".tmp" in p.name)


@pytest.fixture(scope="module")
def forms(sample_path, tmp_path_factory):
    """A pristine master and two officers' returned forms, each changing a different indicator."""
    folder = tmp_path_factory.mktemp("forms")
    master = copy_sample(sample_path, folder, "pristine.xlsx")
    steph, maureen = export_forms(master, folder / "returned", now=EXPORTED)
    fill(steph, {"ASC01": STEPH_TEXT}, author="Steph Abbott")
    fill(maureen, {"SCS02": MAUREEN_TEXT}, author="Maureen Robinson")
    return master, steph, maureen


def fresh_master(forms, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    master = folder / "fsc.xlsx"
    shutil.copyfile(forms[0], master)
    return master


# --------------------------------------------------------------------------- two imports at once


def test_two_imports_at_once_keep_both_officers_words(forms, tmp_path):
    _, steph, maureen = forms
    for round_ in range(ROUNDS):
        master = fresh_master(forms, tmp_path / f"round{round_}")
        original = master.read_bytes()
        procs = [cli("commentary", "import", form, "--into", master) for form in (steph, maureen)]
        results = [finish(p) for p in procs]
        for code, out, err in results:
            assert code == 0, (round_, out, err)
            assert "Backed up the master to" in out
        got = texts(master)
        assert got.get("ASC01") == STEPH_TEXT, round_
        assert got.get("SCS02") == MAUREEN_TEXT, round_
        # each backup is the master as it was just before that import: the first holds the
        # original, the second the original plus the first import's words
        first, second = backups(master)
        assert first.read_bytes() == original or second.read_bytes() == original
        later = second if first.read_bytes() == original else first
        later_texts = texts(later)
        assert (later_texts.get("ASC01") == STEPH_TEXT) != (later_texts.get("SCS02") == MAUREEN_TEXT), round_
        assert leftovers(master.parent) == []


def test_a_second_import_that_cannot_wait_names_the_first_and_writes_nothing(forms, tmp_path):
    from pipeline.infra.locks import hold

    _, steph, _ = forms
    master = fresh_master(forms, tmp_path)
    original = master.read_bytes()
    with hold(master, "the master workbook"):
        code, out, err = finish(cli("commentary", "import", steph, "--into", master,
                                    env={"COMMITTEE_PIPELINE_LOCK_WAIT": "0.3"}))
    assert code == 3, err
    assert "in use by another run" in err and f"process {os.getpid()}" in err
    assert "Traceback" not in err
    assert master.read_bytes() == original and backups(master) == []
    # the dry run reads without the lock: a preview never has to wait
    with hold(master, "the master workbook"):
        code, out, err = finish(cli("commentary", "import", steph, "--into", master, "--dry-run",
                                    env={"COMMITTEE_PIPELINE_LOCK_WAIT": "0"}))
    assert code == 0, err
    assert "1 commentary to change" in out


# --------------------------------------------------------------------------- the master itself


def test_a_read_only_master_is_refused_and_keeps_its_mode(forms, tmp_path, run_cli):
    _, steph, _ = forms
    master = fresh_master(forms, tmp_path)
    original = master.read_bytes()
    master.chmod(0o444)
    try:
        result = run_cli("commentary", "import", steph, "--into", master)
        assert result.exit_code == 3, result.stderr  # the output cannot be written
        assert "to change" not in result.stdout
        assert "read-only" in result.stderr and "chmod" in result.stderr and "Properties" in result.stderr
        assert stat.S_IMODE(master.stat().st_mode) == 0o444
        assert master.read_bytes() == original and backups(master) == []
        # the preview says so too, but still previews
        result = run_cli("commentary", "import", steph, "--into", master, "--dry-run")
        assert result.exit_code == 0 and "read-only" in result.stderr and "1 commentary to change" in result.stdout
    finally:
        master.chmod(0o644)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o660])
def test_the_master_keeps_its_mode_and_owner_after_an_import(forms, tmp_path, run_cli, mode):
    _, steph, _ = forms
    master = fresh_master(forms, tmp_path)
    master.chmod(mode)
    if os.geteuid() == 0:
        os.chown(master, 1234, 5678)
    before = master.stat()
    result = run_cli("commentary", "import", steph, "--into", master)
    assert result.exit_code == 0, result.stderr
    after = master.stat()
    assert after.st_ino != before.st_ino  # replaced, not rewritten in place
    assert stat.S_IMODE(after.st_mode) == mode
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert texts(master)["ASC01"] == STEPH_TEXT
    [backup] = backups(master)  # the old words are readable by the same people, no more
    assert stat.S_IMODE(backup.stat().st_mode) == mode
    assert (backup.stat().st_uid, backup.stat().st_gid) == (before.st_uid, before.st_gid)


EXCEL_OWNER_NAME = "Jo Bloggs"


def excel_owner_file(name: str) -> bytes:
    """What Excel writes to ~$NAME.xlsx while the workbook is open: 165 bytes, a length byte
    and the user name in the ANSI code page padded with spaces to offset 55, then the same
    name as a 2-byte length and UTF-16-LE, padded with spaces (UTF-16) to the end."""
    ansi = name.encode("cp1252")
    head = bytes([len(ansi)]) + ansi
    head += b" " * (55 - len(head))
    wide = bytes([len(name), 0]) + name.encode("utf-16-le")
    data = head + wide
    return data + b"\x20\x00" * ((165 - len(data)) // 2) + b"\x20" * ((165 - len(data)) % 2)


@pytest.mark.parametrize("lock_name, content, who", [
    ("~$fsc.xlsx", excel_owner_file(EXCEL_OWNER_NAME), EXCEL_OWNER_NAME),
    ("~$fsc.xlsx", b"", None),  # empty or unreadable: still open, owner unknown
    ("~$fsc.xlsx", b"\xff" * 3, None),  # a length longer than the file: never trusted
    (".~lock.fsc.xlsx#", b"Jo Bloggs,WS-0042,jbloggs,20.11.2013 10:15,file:///C:/Users/jb;",
     "Jo Bloggs"),
])
def test_a_master_open_in_excel_or_libreoffice_is_refused(forms, tmp_path, run_cli, lock_name, content, who):
    _, steph, _ = forms
    master = fresh_master(forms, tmp_path)
    original = master.read_bytes()
    (tmp_path / lock_name).write_bytes(content)
    result = run_cli("commentary", "import", steph, "--into", master)
    assert result.exit_code == 3, result.stderr
    assert "open in" in result.stderr and "close it" in result.stderr and lock_name in result.stderr
    if who:
        assert f"by {who}" in result.stderr
    assert "Traceback" not in result.stderr
    assert master.read_bytes() == original and backups(master) == []
    (tmp_path / lock_name).unlink()
    result = run_cli("commentary", "import", steph, "--into", master)
    assert result.exit_code == 0, result.stderr


def test_another_workbooks_excel_lock_does_not_block(forms, tmp_path, run_cli):
    _, steph, _ = forms
    master = fresh_master(forms, tmp_path)
    (tmp_path / "~$other.xlsx").write_bytes(excel_owner_file("Someone Else"))
    (tmp_path / "~$sc.xlsx").write_bytes(excel_owner_file("Someone Else"))
    result = run_cli("commentary", "import", steph, "--into", master)
    assert result.exit_code == 0, result.stderr


# --------------------------------------------------------------------------- a full disk


ENOSPC_RUNNER = """
import errno, os, sys
from pipeline.cli import main

fail_at = int(sys.argv[1]); code = getattr(errno, sys.argv[2]); calls = [0]
real_fsync = os.fsync

def fsync(fd):
    # the disk fills (or the device fails) at the n-th fsync: 1 = the backup's data, 2 = its
    # folder entry, 3 = the new master's data
    calls[0] += 1
    if calls[0] == fail_at:
        raise OSError(code, os.strerror(code))
    return real_fsync(fd)

os.fsync = fsync
main(sys.argv[3:])
"""


@pytest.mark.parametrize("fail_at", [1, 2, 3])
@pytest.mark.parametrize("error", ["ENOSPC", "EIO", "EACCES"])
def test_a_write_error_is_a_clean_message_with_the_master_intact(forms, tmp_path, fail_at, error):
    _, steph, _ = forms
    master = fresh_master(forms, tmp_path / "m")
    original = master.read_bytes()
    proc = subprocess.run([sys.executable, "-c", ENOSPC_RUNNER, str(fail_at), error, "commentary", "import",
                           str(steph), "--into", str(master)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and "nothing was imported" in proc.stderr
    assert os.strerror(getattr(__import__("errno"), error)) in proc.stderr
    assert master.read_bytes() == original
    # no backup claims an import that did not happen; nothing half-written is left
    assert backups(master) == [] and leftovers(master.parent) == []


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MB file system (tmpfs), unmounted afterwards; skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True,
                       capture_output=True, timeout=30)
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a small file system here: {exc}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True, timeout=30)


def fill_disk(folder: Path, leave: int) -> None:
    """Fill the file system until only about ``leave`` bytes are free."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                os.write(fd, b"\0" * 4096)
            except OSError:
                break
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    vfs = os.statvfs(folder)
    assert abs(vfs.f_bavail * vfs.f_frsize - leave) <= 8192


@pytest.mark.parametrize("room", ["none for the backup", "the backup but not the new master"])
def test_a_full_disk_is_a_clean_message_with_the_master_intact(forms, small_disk, room):
    _, steph, _ = forms
    master = fresh_master(forms, small_disk)
    original = master.read_bytes()
    leave = len(original) // 2 if room.startswith("none") else len(original) + 8192
    fill_disk(small_disk, leave)
    code, out, err = finish(cli("commentary", "import", steph, "--into", master))
    assert code == 3, (out, err)
    assert "No space left on device" in err and "nothing was imported" in err and "Traceback" not in err
    # the failure came where this case puts it: writing the backup, or the new master after it
    assert ("cannot write the backup of" in err) == room.startswith("none"), err
    assert master.read_bytes() == original
    assert backups(master) == [] and leftovers(small_disk) == []
    # room again: the same command now works
    (small_disk / "filler").unlink()
    code, out, err = finish(cli("commentary", "import", steph, "--into", master))
    assert code == 0, err
    [backup] = backups(master)
    assert backup.read_bytes() == original and texts(master)["ASC01"] == STEPH_TEXT


# --------------------------------------------------------------------------- Ctrl-C


INTERRUPT_RUNNER = """
import os, signal, sys
from pipeline.cli import main

name, nth, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]
real = getattr(os, name)
calls = [0]

def interrupted(*args, **kwargs):
    # Ctrl-C arrives just before or just after the n-th call of os.<name>
    calls[0] += 1
    if calls[0] == nth and when == "before":
        signal.raise_signal(signal.SIGINT)
    result = real(*args, **kwargs)
    if calls[0] == nth and when == "after":
        signal.raise_signal(signal.SIGINT)
    return result

setattr(os, name, interrupted)
main(sys.argv[4:])
"""


def check_old_or_new(master: Path, original: bytes, code: int, err: str) -> str:
    """The master is exactly the old one (and no backup claims an import) or the whole new one
    (and one backup holds the old); nothing half-written is left. Returns which."""
    assert "Traceback" not in err, err
    assert leftovers(master.parent) == [], err
    if master.read_bytes() == original:
        assert code != 0, err
        assert backups(master) == []
        return "old"
    assert texts(master)["ASC01"] == STEPH_TEXT  # the whole new master, readable
    [backup] = backups(master)
    assert backup.read_bytes() == original
    return "new"


# (function, which call, before/after it) -> where the import is when Ctrl-C arrives
INTERRUPT_POINTS = {
    ("fsync", 1, "before"): "old",  # writing the backup
    ("link", 1, "after"): "old",  # the backup has its name; the master is not written yet
    ("fsync", 3, "before"): "old",  # the new master written, not yet durable
    ("replace", 1, "before"): "old",  # about to put the new master in place
    ("replace", 1, "after"): "new",  # the new master is in place
}


@pytest.mark.parametrize("point", list(INTERRUPT_POINTS), ids=lambda p: f"{p[2]}-{p[0]}-{p[1]}")
def test_an_import_interrupted_at_each_step_leaves_the_master_old_or_new(forms, tmp_path, point):
    _, steph, _ = forms
    master = fresh_master(forms, tmp_path)
    original = master.read_bytes()
    name, nth, when = point
    proc = subprocess.run([sys.executable, "-c", INTERRUPT_RUNNER, name, str(nth), when, "commentary", "import",
                           str(steph), "--into", str(master)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert check_old_or_new(master, original, proc.returncode, proc.stderr) == INTERRUPT_POINTS[point]
    assert proc.returncode == 130, proc.stderr


def wait_for_lock(proc: subprocess.Popen, master: Path) -> float:
    """Wait until ``proc`` holds the master's lock (it writes its pid into the lock file);
    return the time it got it. Ctrl-C before that would hit Python's start-up, which is not
    the import's to handle."""
    from pipeline.infra.locks import lock_path

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if f"process {proc.pid} " in lock_path(master).read_text(errors="replace"):
                return time.monotonic()
        except FileNotFoundError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.002)
    raise AssertionError(f"the import never took the lock: {proc.communicate()}")


def test_an_import_interrupted_at_any_moment_leaves_the_master_old_or_new(forms, tmp_path):
    """Real Ctrl-C (SIGINT from outside) at moments spread over an import's work, from taking
    the lock to exiting."""
    _, steph, _ = forms
    master = fresh_master(forms, tmp_path / "timing")
    proc = cli("commentary", "import", steph, "--into", master)
    locked = wait_for_lock(proc, master)
    code, out, err = finish(proc)
    assert code == 0, err
    took = time.monotonic() - locked
    outcomes = []
    for step in range(8):
        master = fresh_master(forms, tmp_path / f"at{step}")
        original = master.read_bytes()
        proc = cli("commentary", "import", steph, "--into", master)
        time.sleep(max(0.0, wait_for_lock(proc, master) + took * step / 8 - time.monotonic()))
        proc.send_signal(signal.SIGINT)
        code, out, err = finish(proc)
        outcomes.append((check_old_or_new(master, original, code, err), code))
    assert ("old", 0) not in outcomes
    assert {code for outcome, code in outcomes if outcome == "old"} <= {130}, outcomes  # interrupted, quietly
    assert any(outcome == "old" for outcome, _ in outcomes), outcomes  # the interrupts did land
