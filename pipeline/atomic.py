"""Atomic output: a file is written beside its destination and renamed into place, so a
reader (or an interrupted run) never sees half a document."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pipeline.errors import OutputError


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike):
    """Yield a temporary path in the destination's folder; rename it over the destination
    only if the block finishes without an exception."""
    dest = Path(destination)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror}") from None
    try:
        yield Path(tmp)
        # mkstemp creates 0600 files; published documents get the usual mode (umask applies)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(destination: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
    return Path(destination)


def write_text(destination: str | os.PathLike, text: str) -> Path:
    return write_bytes(destination, text.encode("utf-8"))
