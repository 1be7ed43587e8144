"""The advisory lock, tested with real second processes: one run holds it, the other
waits, then refuses naming the holder; a killed holder never leaves it locked."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pipeline.infra.locks import Busy, hold, lock_path

HOLDER = textwrap.dedent("""
    import sys, time
    from pipeline.infra.locks import hold
    with hold(sys.argv[1], "the thing", wait=5):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _start_holder(target, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(target), str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_run_refuses_naming_the_first(tmp_path):
    target = tmp_path / "master.xlsx"
    proc = _start_holder(target, 30)
    try:
        started = time.monotonic()
        with pytest.raises(Busy) as caught:
            with hold(target, "the master workbook master.xlsx", wait=0.5):
                pass
        assert time.monotonic() - started >= 0.5
        message = str(caught.value)
        assert "the master workbook master.xlsx is in use by another run" in message
        assert f"process {proc.pid}" in message
    finally:
        proc.kill()
        proc.wait()


def test_a_second_run_waits_for_a_short_first_one(tmp_path):
    target = tmp_path / "log"
    proc = _start_holder(target, 0.5)
    started = time.monotonic()
    try:
        with hold(target, "the send log", wait=10):
            waited = time.monotonic() - started
    finally:
        proc.wait()
    assert 0.3 <= waited < 10  # it waited for the first run to let go, then got the lock


def test_a_killed_holder_leaves_no_lock(tmp_path):
    target = tmp_path / "out.pdf"
    proc = _start_holder(target, 60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with hold(target, "the report", wait=1):
        pass
    assert lock_path(target).exists()  # the file stays; the lock does not


def test_the_lock_is_held_within_one_process_too(tmp_path):
    # flock locks belong to the open file: a second open in the same process must wait too
    target = tmp_path / "x"
    with hold(target, "x", wait=0):
        with pytest.raises(Busy):
            with hold(target, "x", wait=0.1):
                pass
