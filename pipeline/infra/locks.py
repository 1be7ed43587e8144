"""Advisory locks for the things two people must not write at once: the master workbook
during an import, a mailing's send log during a send, a report's outputs during a build, a
meeting's packs during ``pack``.

The platform's own advisory file lock is used (``flock`` on POSIX, ``msvcrt.locking`` on
Windows), on a small lock file beside the thing protected (``.NAME.lock``). The kernel
releases it when the holder exits, however it exits (Ctrl-C, ``kill -9``, a crash), so a
lock can never be left behind by a dead run. The lock file itself stays (deleting it while
another process waits on it would let two runs hold "the same" lock on different files); it
holds a line that says who has the lock, so the run that has to wait can name the other one.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import os
import socket
import sys
import time
from pathlib import Path

from pipeline.errors import PipelineError

DEFAULT_WAIT = 10.0  # seconds a second run waits for the first before it refuses
_POLL = 0.05
_NAME_GRACE = 1.0  # seconds more a refusing run waits to learn who holds the lock
# The holder's description is written after the first byte: on Windows only that byte is
# locked, so a waiting run can still read who holds it.
_INFO_OFFSET = 1


class Busy(PipelineError):
    """Another run holds the lock: nothing was written."""

    def __init__(self, what: str, holder: str):
        self.what = what
        self.holder = holder
        super().__init__(f"{what} is in use by another run ({holder}); nothing was written. "
                         "Try again when that run has finished.")


def lock_path(target: str | os.PathLike) -> Path:
    target = Path(target)
    return target.parent / f".{target.name}.lock"


def wait_seconds() -> float:
    """How long to wait for another run: ``COMMITTEE_PIPELINE_LOCK_WAIT`` (seconds) or 10."""
    value = os.environ.get("COMMITTEE_PIPELINE_LOCK_WAIT")
    try:
        return max(0.0, float(value)) if value else DEFAULT_WAIT
    except ValueError:
        return DEFAULT_WAIT


@contextlib.contextmanager
def hold(target: str | os.PathLike, what: str, wait: float | None = None):
    """Hold the lock of ``target`` for the block. Waits up to ``wait`` seconds (default:
    :func:`wait_seconds`) for another run to finish, then raises :class:`Busy` naming it.
    ``what`` is the thing locked in the user's words ("the master workbook x.xlsx")."""
    path = lock_path(target)
    wait = wait_seconds() if wait is None else wait
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise PipelineError(f"cannot lock {what}: {exc.strerror} ({path})") from None
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = _holder(fd)
                # (empty: the holder has just taken the lock and not yet said who it is, or
                # is releasing it: a moment more gives its name, or the lock)
                if holder or time.monotonic() >= deadline + _NAME_GRACE:
                    raise Busy(what, holder or "holder unknown")
            time.sleep(_POLL)
        try:
            _describe_self(fd)
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, _INFO_OFFSET)
            _unlock(fd)
    finally:
        os.close(fd)


def _describe_self(fd: int) -> None:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment: the rest still identifies the run
        user = "?"
    command = " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])[:200] if sys.argv else ""
    started = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
    text = f"process {os.getpid()} of {user} on {socket.gethostname()}, since {started}: {command}"
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    with contextlib.suppress(OSError):
        os.ftruncate(fd, _INFO_OFFSET)
        os.lseek(fd, _INFO_OFFSET, os.SEEK_SET)
        os.write(fd, text.encode("utf-8", "replace"))


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, _INFO_OFFSET, os.SEEK_SET)
        return os.read(fd, 1000).decode("utf-8", "replace").strip()
    except OSError:
        return ""


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
