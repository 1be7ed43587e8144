"""The master workbook as a file that people also open, share and protect: who has it open,
whether it may be written, and how a new version replaces it without losing the old one.

An import must not fight the people who work on the master:

- a master made read-only (Windows "Read-only" property, ``chmod a-w``) says "do not change
  this file": it is refused, never silently replaced by a writable copy;
- a master open in Excel (its owner file ``~$NAME.xlsx`` is beside it) or LibreOffice
  (``.~lock.NAME.xlsx#``) is refused too: Excel would later save its open copy over the
  import and the officers' words would be gone without a message;
- the new master keeps the old one's permissions and, where the system allows, its owner
  and group, so the colleagues who could open it still can.

Writing is "complete or absent": the backup and the new master are written to temporary
files in the master's folder, made durable, and only then given their names. A full disk,
an I/O error or Ctrl-C at any point leaves the master as it was and no backup that claims
an import which did not happen.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import OutputError

# Excel's owner file: 165 bytes. Byte 0 is the length (1..52) of the user name, which follows
# in the Windows 8-bit code page; then the same name as a 2-byte length and UTF-16-LE at
# offset 55 (Excel, PowerPoint) or 54 (Word). The rest is padding.
_OWNER_MAX_NAME = 52
_OWNER_UTF16_AT = (55, 54)


class MasterNotWritable(OutputError):
    """The master may not be changed now (read-only, open in Excel or LibreOffice)."""


def office_lock_files(path: Path) -> list[Path]:
    """The lock files an office suite keeps beside a workbook it has open."""
    return [path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")]


def opened_by(path: Path) -> tuple[Path, str | None] | None:
    """(lock file, user name or None) if Excel or LibreOffice has ``path`` open, else None."""
    for lock in office_lock_files(path):
        try:
            data = lock.read_bytes()[:4096]
        except FileNotFoundError:
            continue
        except OSError:
            return lock, None  # there, but unreadable: still open by someone
        reader = _excel_owner if lock.name.startswith("~$") else _libreoffice_owner
        return lock, reader(data)
    return None


def _excel_owner(data: bytes) -> str | None:
    for offset in _OWNER_UTF16_AT:
        if len(data) < offset + 2:
            continue
        length = int.from_bytes(data[offset:offset + 2], "little")
        raw = data[offset + 2:offset + 2 + 2 * length]
        if 0 < length <= _OWNER_MAX_NAME and len(raw) == 2 * length:
            name = _printable(raw.decode("utf-16-le", "replace"))
            if name:
                return name
    if data and 0 < data[0] <= _OWNER_MAX_NAME and len(data) > data[0]:
        return _printable(data[1:1 + data[0]].decode("cp1252", "replace"))
    return None


def _libreoffice_owner(data: bytes) -> str | None:
    # "author name,host,system user,date,profile folder;" (commas in a field are escaped)
    fields = data.decode("utf-8", "replace").split(";", 1)[0].split(",")
    name = _printable(fields[0]) if fields else ""
    user = _printable(fields[2]) if len(fields) > 2 else ""
    host = _printable(fields[1]) if len(fields) > 1 else ""
    who = name or user
    return (f"{who} on {host}" if host else who) or None


def _printable(text: str) -> str:
    text = "".join(ch for ch in text if ch.isprintable() and ch != "\ufffd")
    return " ".join(text.split())[:_OWNER_MAX_NAME * 2]


def check_writable(path: Path, what: str) -> None:
    """Refuse (MasterNotWritable) a file that is read-only or open in an office suite."""
    reason = not_writable_reason(path, what)
    if reason:
        raise MasterNotWritable(reason)


def not_writable_reason(path: Path, what: str) -> str | None:
    open_in = opened_by(path)
    if open_in:
        lock, who = open_in
        app = "Excel" if lock.name.startswith("~$") else "LibreOffice"
        by = f" by {who}" if who else ""
        return (f"{what} {path} is open in {app}{by} (its lock file {lock.name} is beside it); "
                f"nothing was imported. Ask them to close it in {app} and run the import again: "
                f"{app} would otherwise save its open copy over the import. If nobody has it open "
                f"({app} was closed by a crash), delete the hidden file {lock} and run the import again.")
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # reading it reports what is wrong
    # Root may write any file; a file with no write permission for anyone was still made
    # read-only on purpose, so it is refused for root too.
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        return (f"{what} {path} is read-only; nothing was imported. If it should be changed, "
                "make it writable (Windows: right-click > Properties, untick Read-only; "
                f"elsewhere: chmod u+w '{path}') and run the import again.")
    return None


def _backup_name(master: Path, now: _dt.datetime, n: int) -> Path:
    stem = f"{master.stem}.backup-{now:%Y%m%dT%H%M%S}"
    return master.with_name(f"{stem}{'' if n == 1 else f'-{n}'}{master.suffix}")


def backup_path(master: Path, now: _dt.datetime) -> Path:
    """The first free backup name for ``now`` (``NAME.backup-YYYYmmddTHHMMSS[-n].xlsx``)."""
    n = 1
    while _backup_name(master, now, n).exists():
        n += 1
    return _backup_name(master, now, n)


def backup_and_replace(master: Path, original: bytes, write: Callable[[Path], None],
                       now: _dt.datetime) -> Path:
    """Write ``original`` to a new backup beside ``master``, then replace ``master`` with the
    file ``write(path)`` produces, keeping its mode and (where allowed) owner. Returns the
    backup's path. On any failure or interrupt the master is unchanged and no backup is left;
    an OSError becomes an OutputError naming the file and the reason."""
    info = master.stat()
    backup = _write_backup(master, original, now, info)
    old = _identity(master)
    try:
        _replace(master, write, info)
    except BaseException:
        # the replace happened entirely or not at all (it is one rename): keep the backup
        # only if it happened, which the interrupt may have hidden from _replace
        if _identity(master) == old:
            with contextlib.suppress(OSError):
                backup.unlink()
        raise
    return backup


def _write_backup(master: Path, data: bytes, now: _dt.datetime, info: os.stat_result) -> Path:
    tmp = _temporary(master.parent, f".{master.stem}.backup.", what=f"the backup of {master}")
    made = _identity(tmp)  # the backup is this file under whatever name it gets
    candidate = None
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _copy_owner_and_mode(tmp, info)
        n = 1
        while True:  # a hard link never overwrites: an existing backup is never replaced
            candidate = _backup_name(master, now, n)
            try:
                os.link(tmp, candidate)
                break
            except FileExistsError:
                n += 1
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                candidate = backup_path(master, now)  # no hard links here (FAT, some shares)
                os.replace(tmp, candidate)
                break
        _sync_folder(master.parent)
    except BaseException as exc:
        # never a backup of an import that did not happen, even if the interrupt came the
        # instant after the backup got its name
        for path in (tmp, candidate):
            if path is not None and _identity(path) == made:
                with contextlib.suppress(OSError):
                    path.unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the backup of {master}: {exc.strerror or exc}; "
                              f"nothing was imported and {master.name} is as it was") from None
        raise
    with contextlib.suppress(OSError):
        tmp.unlink()
    return candidate


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _replace(master: Path, write: Callable[[Path], None], info: os.stat_result) -> None:
    tmp = _temporary(master.parent, f".{master.name}.", what=str(master))
    try:
        try:
            write(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            _copy_owner_and_mode(tmp, info)
            os.replace(tmp, master)
        except OSError as exc:
            raise OutputError(f"cannot write {master}: {exc.strerror or exc}; nothing was imported "
                              f"and {master.name} is as it was") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # the new name is in place; this only hardens it
        _sync_folder(master.parent)


def _temporary(folder: Path, prefix: str, what: str) -> Path:
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {what} in {folder}: {exc.strerror or exc}; "
                          "nothing was imported") from None
    return Path(name)


def _copy_owner_and_mode(path: Path, info: os.stat_result) -> None:
    # owner first: changing it can clear set-id bits the mode then restores
    for uid, gid in ((info.st_uid, info.st_gid), (-1, info.st_gid)):
        try:
            os.chown(path, uid, gid)
            break
        except (OSError, AttributeError):  # not allowed (not root), or no chown (Windows)
            continue
    os.chmod(path, stat.S_IMODE(info.st_mode))


def _sync_folder(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - folders cannot be opened for fsync on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
