"""The digest of everything, besides a cache entry's own content, that can change the
bytes a build writes: every cache key (charts, PDF sections) includes it.

Keys used to carry a version constant bumped by hand and a hand-kept list of source
files; a change that forgot the bump (a colour in ``charts.STYLE``) or touched a file
off the list was served stale pictures and pages from the cache. Nothing here is kept by
hand: the digest covers

* every file of the installed ``pipeline`` package (its code, the fonts, any data or
  template shipped in it), walked in sorted order, each by its relative path and bytes
  (``__pycache__`` left out: it is derived from the sources);
* the report template folder the assembler loads (``pipeline.report_templates``'
  folder) when it lies outside the package;
* the releases of the libraries that draw or write the documents (from their installed
  metadata: none of them is imported for it), the libqpdf that pikepdf runs, the zlib
  that compresses the PNGs and page streams, and the Python version.

It is computed once per process (worker processes forked from it inherit it).
"""
from __future__ import annotations

import hashlib
import os
import stat
import sys
import threading
from pathlib import Path

# The distributions whose release can change what is drawn or written: charts
# (matplotlib, numpy; Pillow is matplotlib's), the PDF (reportlab and its C accelerators,
# pikepdf), the DOCX (python-docx, lxml), the workbooks written for officers (openpyxl).
LIBRARIES = ("matplotlib", "numpy", "Pillow", "reportlab", "rl_accel", "pikepdf", "python-docx", "lxml", "openpyxl")

FORMAT = "committee-pipeline cache fingerprint 1"  # how the parts below are put together

_lock = threading.Lock()
_digest: list[str] = []


def fingerprint() -> str:
    """sha256 (hex) of the package, the templates and the libraries (see module)."""
    if not _digest:
        with _lock:
            if not _digest:
                _digest.append(_compute())
    return _digest[0]


def _compute() -> str:
    digest = hashlib.sha256(FORMAT.encode())
    for name, value in parts():
        digest.update(f"{len(name)}:{name}{len(value)}:".encode("utf-8", "surrogateescape"))
        digest.update(value)
    return digest.hexdigest()


def parts() -> list[tuple[str, bytes]]:
    """What the digest is made of, as (name, bytes) pairs, in a fixed order."""
    package = Path(__file__).resolve().parent.parent
    found = [(f"package/{name}", data) for name, data in _tree(package)]
    templates = _template_folder()
    if templates is not None and package not in templates.parents and templates != package:
        found += [(f"templates/{name}", data) for name, data in _tree(templates)]
    found += [(f"library/{name}", version.encode()) for name, version in libraries()]
    return found


def libraries() -> list[tuple[str, str]]:
    """(name, release) of each drawing library, libqpdf, zlib and Python."""
    installed = _dist_info_folders()
    found = []
    for name in LIBRARIES:
        folder = installed.get(_normalise(name))
        found.append((name, folder[0] if folder else _metadata_version(name)))
    pikepdf = installed.get("pikepdf")
    found.append(("libqpdf", _libqpdf(pikepdf[1] if pikepdf else None)))
    import zlib

    found.append(("zlib", zlib.ZLIB_RUNTIME_VERSION))
    found.append(("python", sys.version))
    return found


def _normalise(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _dist_info_folders() -> dict[str, tuple[str, Path]]:
    """Installed distributions by normalised name: (release, .dist-info folder), read
    from the folder names an installer writes (``name-release.dist-info``), the first on
    ``sys.path`` winning as it does for imports. importlib.metadata finds the same, but
    importing it costs more than the rest of the fingerprint; it is asked only about a
    library not found this way (:func:`_metadata_version`)."""
    found: dict[str, tuple[str, Path]] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except (OSError, TypeError):
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _dash, release = folder[: -len(".dist-info")].rpartition("-")
                if name and release:
                    found.setdefault(_normalise(name), (release, Path(entry or ".", folder)))
    return found


def _metadata_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _libqpdf(dist_info: Path | None) -> str:
    """The libqpdf pikepdf runs: the one its wheel bundles, by file name and the sha256
    its wheel's RECORD lists (the very binary; nothing imported), else (pikepdf linked
    against a libqpdf installed elsewhere) the release pikepdf reports."""
    if dist_info is not None:
        try:
            record = (dist_info / "RECORD").read_text(encoding="utf-8")
        except OSError:
            record = ""
        bundled = sorted(" ".join(line.split(",")[:2]).rpartition("/")[2] for line in record.splitlines()
                         if "/libqpdf" in line.split(",")[0])
        if bundled:
            return "; ".join(bundled)
    try:
        import pikepdf
    except ImportError:
        return "not installed"
    return str(pikepdf.__libqpdf_version__)


def _template_folder() -> Path | None:
    """The folder of the report wording (the ``pipeline.report_templates`` package), if it
    is a folder on disk: an editable install maps it from the checkout's report_templates/."""
    from importlib.resources import files

    try:
        folder = Path(str(files("pipeline.report_templates"))).resolve()
    except (ImportError, TypeError, ValueError):
        return None
    return folder if folder.is_dir() else None


def _tree(root: Path) -> list[tuple[str, bytes]]:
    """Every regular file under ``root`` (relative path with '/', bytes), sorted by path;
    ``__pycache__`` folders left out."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in names:
            path = Path(folder, name)
            try:
                if not stat.S_ISREG(path.stat().st_mode):
                    continue
                data = path.read_bytes()
            except OSError:  # vanished while walking: it cannot be what is drawn
                continue
            found.append((path.relative_to(root).as_posix(), data))
    found.sort(key=lambda item: item[0])
    return found


# ----------------------------------------------------------------------------- reading
MAX_CACHE_FILE = 64 * 1024 * 1024  # bytes: far beyond any picture or section


def read_cache_file(path: str | os.PathLike, limit: int = MAX_CACHE_FILE) -> bytes | None:
    """The bytes of a cache file, or None when there is no such regular file or it is
    larger than ``limit``. Opened without waiting (a FIFO or device put where a cache
    file is looked up must not hang the build) and read as bytes only: whatever a cache
    file holds is data to check, never something that runs."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return None
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
