"""Atomic output: files are written beside their destination and renamed into place, so a
reader (or an interrupted run) never sees half a document, and the files of one set (a
report's DOCX and PDF, a meeting's members' and public packs) are replaced together.

Temporary files are named ``.NAME.<pid>.<random>.part`` beside the destination ``NAME``,
so a run that holds the set's lock can recognise, and remove, the ones a killed run left.

:func:`atomic_path` / :func:`write_bytes`: one file. :func:`atomic_set`: several files as
one set, under the set's lock (:mod:`pipeline.infra.locks`); its docstring says exactly what is
guaranteed.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import OutputError

JOURNAL_SUFFIX = ".commit"
# The names this module gives its temporaries (the ``<pid>.`` part is absent from those of
# earlier versions, which used mkstemp's eight random characters): removed as stale by the
# next run that holds the lock of their destination's set.
_TEMP_TAIL = r"\.(?:\d+\.)?[a-z0-9_]{8}\.part"

_committed: list[Path] = []  # destinations replaced by atomic_set in this process, in order


def temp_path(destination: str | os.PathLike) -> Path:
    """A fresh temporary name for ``destination``, in its folder (nothing is created)."""
    dest = Path(destination)
    return dest.parent / f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.part"


def stale_temps(destination: str | os.PathLike) -> list[Path]:
    """The temporaries of ``destination`` present in its folder (of any run)."""
    dest = Path(destination)
    pattern = re.compile(r"\." + re.escape(dest.name) + _TEMP_TAIL)
    try:
        names = os.listdir(dest.parent)
    except OSError:
        return []
    return sorted(dest.parent / name for name in names if pattern.fullmatch(name))


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike):
    """Yield a temporary path in the destination's folder; rename it over the destination
    only if the block finishes without an exception."""
    dest = Path(destination)
    tmp = _create_temp(dest)
    try:
        yield tmp
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(destination: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(destination) as tmp:
        write_file(tmp, data, shown=destination)
    return Path(destination)


def write_text(destination: str | os.PathLike, text: str) -> Path:
    return write_bytes(destination, text.encode("utf-8"))


def write_file(path: str | os.PathLike, data: bytes, shown: str | os.PathLike | None = None) -> Path:
    """Write ``data`` to ``path`` (a temporary) in place. A failure (a full disk, say) is an
    :class:`OutputError` naming ``shown`` (the destination the temporary stands for)."""
    path = Path(path)
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write {shown or path}: {exc.strerror}") from None
    return path


def committed() -> tuple[Path, ...]:
    """The files :func:`atomic_set` replaced in this process (what an interrupt leaves new)."""
    return tuple(_committed)


def forget_committed() -> None:
    _committed.clear()


def note_committed(paths) -> None:
    """Record files another process of this run replaced as a whole set (a council month's
    builds, pipeline.council.month), so that an interrupt names them as written."""
    _committed.extend(Path(p) for p in paths)


def set_name(paths) -> str:
    """The name of a set of files: their names' common beginning, without a trailing
    ``.``, ``_`` or ``-`` (``report.docx`` + ``report.pdf`` -> ``report``)."""
    names = sorted(Path(p).name for p in paths)
    common = os.path.commonprefix(names).rstrip("._-")
    return common or names[0]


@dataclass
class OutputSet:
    """What :func:`atomic_set` yields: ``outputs[destination]`` is the temporary path to
    write that destination's new content to."""

    temps: dict[Path, Path]
    recovered: list[Path] = field(default_factory=list)  # replacements an earlier run left half done, now completed
    removed: list[Path] = field(default_factory=list)  # temporaries a killed run left, now removed

    def __getitem__(self, destination) -> Path:
        return self.temps[Path(destination)]

    def write(self, destination, data: bytes) -> None:
        """Write ``destination``'s new content (to its temporary)."""
        write_file(self[destination], data, shown=destination)


@contextlib.contextmanager
def atomic_set(destinations, *, what: str, name: str | None = None, siblings=(), wait: float | None = None):
    """Replace the files ``destinations`` (all in one folder) together, or none of them.

    Holds the set's lock (:func:`pipeline.infra.locks.hold` on ``FOLDER/NAME``; ``name`` defaults
    to :func:`set_name` of the destinations and ``siblings``) for the whole block, so two
    runs never write one set at once: the second waits, then raises
    :class:`~pipeline.infra.locks.Busy` naming the first. ``what`` names the set in the user's
    words. Yields an :class:`OutputSet`; the block writes each destination's new content
    to ``outputs[destination]``.

    Holding the lock, before the block runs: an interrupted commit found in the folder is
    completed (see below), and the temporaries of the destinations and ``siblings`` that a
    killed run left are removed (``siblings``: other files of the set not written this
    time, such as the PDF when only the DOCX is built).

    When the block ends without an exception, the set is committed: every temporary must
    have been written (an empty one is refused) and is flushed to disk; then a journal,
    ``FOLDER/.NAME.commit``, listing the temporaries and their destinations, is written
    atomically and flushed; then each temporary is renamed over its destination; then the
    journal is removed. SIGINT and SIGTERM are held back during these renames and acted on
    after them. If the block raises (or is interrupted), the temporaries are removed and no
    destination has changed.

    The guarantee, exactly. POSIX renames one file at a time, so:

    - until the journal exists, every destination is as it was (a failure, an interrupt, a
      full disk or a kill at any point of the block changes nothing);
    - once it exists, every temporary is complete, so the set can always be finished: if
      the process dies during the renames (a ``kill -9`` or a power cut in that instant),
      some destinations are new and the rest old until the next run on the same set,
      which, holding the lock, renames the remaining temporaries and removes the journal
      before it does anything else. A reader that takes the lock (:mod:`pipeline.infra.locks`)
      never sees a mixed set; one that does not can see one only in that case.
    """
    dests = [Path(d) for d in destinations]
    siblings = [Path(s) for s in siblings]
    folders = {d.parent for d in dests + siblings}
    if len(folders) != 1 or not dests:
        raise ValueError("atomic_set: the files of a set must be in one folder")
    folder = folders.pop()
    name = name or set_name(dests + siblings)
    journal = folder / f".{name}{JOURNAL_SUFFIX}"
    from pipeline.infra.locks import hold

    with hold(folder / name, what, wait=wait):
        outputs = OutputSet({})
        outputs.recovered = _finish_commit(journal)
        for dest in dict.fromkeys(dests + siblings + [journal]):
            for stale in stale_temps(dest):
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
                    outputs.removed.append(stale)
        journaled = False
        try:
            for dest in dests:
                outputs.temps[dest] = _create_temp(dest)
            yield outputs
            for dest, tmp in outputs.temps.items():
                _flush(dest, tmp)
            from pipeline.infra.interrupts import deferred

            with deferred():
                _write_journal(journal, outputs.temps)
                journaled = True
                _rename_all(journal, outputs.temps)
        except BaseException:
            if not journaled:  # (once it is written, the temporaries are the journal's to finish)
                for tmp in outputs.temps.values():
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
            raise


def _create_temp(dest: Path) -> Path:
    """Create (empty, exclusively, with the usual mode under the umask) a temporary for ``dest``."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        while True:
            tmp = temp_path(dest)
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            os.close(fd)
            return tmp
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror}") from None


def _flush(dest: Path, tmp: Path) -> None:
    try:
        if os.stat(tmp).st_size == 0:
            raise OutputError(f"{dest} was not written")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise OutputError(f"{dest} was not written (its temporary file disappeared)") from None
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror}") from None


def _write_journal(journal: Path, temps: dict[Path, Path]) -> None:
    entries = [{"temp": tmp.name, "dest": dest.name} for dest, tmp in temps.items()]
    data = json.dumps({"files": entries}, indent=1).encode("utf-8")
    tmp = _create_temp(journal)
    try:
        fd = os.open(tmp, os.O_WRONLY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, journal)
        _sync_folder(journal.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write in {journal.parent}: {exc.strerror}") from None


def _rename_all(journal: Path, temps: dict[Path, Path]) -> None:
    try:
        for dest, tmp in temps.items():
            os.replace(tmp, dest)
            _committed.append(dest)
        _sync_folder(journal.parent)
        os.unlink(journal)
    except OSError as exc:
        raise OutputError(f"replacing the files in {journal.parent} failed ({exc.strerror}); the next run on "
                          "the same outputs completes it") from None


def _finish_commit(journal: Path) -> list[Path]:
    """Complete the commit a dead run left half done: rename its remaining temporaries
    (all complete: the journal is written only after them) and remove the journal."""
    try:
        entries = json.loads(journal.read_bytes())["files"]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError):
        entries = []  # (written atomically, so never partial; an unreadable one names nothing safe to rename)
    done = []
    try:
        for entry in entries:
            temp, dest = str(entry.get("temp", "")), str(entry.get("dest", ""))
            if not _plain(temp) or not _plain(dest) or not re.fullmatch(r"\." + re.escape(dest) + _TEMP_TAIL, temp):
                continue
            with contextlib.suppress(FileNotFoundError):  # (renamed before the run died)
                os.replace(journal.parent / temp, journal.parent / dest)
                done.append(journal.parent / dest)
        _sync_folder(journal.parent)
        os.unlink(journal)
    except OSError as exc:
        raise OutputError(f"cannot complete the replacement an earlier run left half done in {journal.parent}: "
                          f"{exc.strerror}") from None
    return done


def _plain(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and os.sep not in name and "\0" not in name


def _sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
