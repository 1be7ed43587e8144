"""Real processes for the issue-15 tests: builds and packs run as the user runs them (the
command line in a process of its own, in a session of its own so a signal can go to the
whole group, as Ctrl-C at a terminal does), and what they leave on disk, read back."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from workbooks import make_workbook

ROOT = Path(__file__).resolve().parents[1]
MONTHS = [f"2013-{m:02d}" for m in range(4, 10)]


def marked_book(path: Path, marker: str, indicators: int = 8) -> Path:
    """A workbook whose report says ``marker`` in its subject and in every indicator's title
    (eight indicators: enough charts for the chart workers, so every process of a build runs)."""
    rows = [{"id": f"M{i}", "title": f"{marker} indicator {i}", "polarity": "higher", "unit": "count"}
            for i in range(indicators)]
    values = [{"indicator_id": f"M{i}", "period": month, "actual": 10 + i + n, "target": 12, "floor": 8}
              for i in range(indicators) for n, month in enumerate(MONTHS)]
    commentary = [{"indicator_id": f"M{i}", "period": "2013-09", "text": f"{marker} commentary {i}."}
                  for i in range(indicators)]
    report = {"from": "A. Officer, Corporate Director", "to": "Test Cabinet Committee",
              "date": dt.date(2013, 12, 5), "subject": f"{marker} performance dashboard", "period": "2013-09"}
    path.parent.mkdir(parents=True, exist_ok=True)
    return make_workbook(path, indicators=rows, values=values, commentary=commentary, report=report)


def env(**extra) -> dict:
    out = dict(os.environ)
    out.pop("COMMITTEE_PIPELINE_LOCK_WAIT", None)
    out.update({k: str(v) for k, v in extra.items()})
    return out


def start(args, *, script: str | None = None, **extra_env) -> subprocess.Popen:
    """``committee-pipeline ARGS`` in a new session; with ``script``, that Python code runs
    first in the same process (to inject a fault), then the command line."""
    code = (script or "") + "\nfrom pipeline.cli import main\nsys.argv[0] = 'committee-pipeline'\nmain()\n"
    return subprocess.Popen([sys.executable, "-c", "import sys\n" + code, *[str(a) for a in args]], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=env(**extra_env))


def finish(proc: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"the run did not end within {timeout} s: {err[-2000:]}") from None
    return proc.returncode, out, err


def run(args, **kwargs) -> tuple[int, str, str]:
    return finish(start(args, **kwargs))


def wait_for(predicate, timeout: float = 120, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def group_gone(session: int, timeout: float = 10) -> bool:
    """Every process of the session (workers included) has ended (zombies, ended but not
    yet reaped by whoever adopted them, count as ended)."""
    def gone():
        states = subprocess.run(["ps", "-o", "stat=", "-s", str(session)], capture_output=True,
                                text=True).stdout.split()
        return all(state.startswith("Z") for state in states)
    return wait_for(gone, timeout, 0.05)


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def marker_of(text: str, markers) -> str:
    found = [m for m in markers if f"{m} indicator" in text]
    assert len(found) == 1, f"expected exactly one of {markers} in the document, found {found}"
    return found[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """The visible files of ``folder`` (not the dot files: locks, temporaries) and their bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def leftovers(folder: Path) -> list[str]:
    """Temporaries and journals left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".part", ".commit")))


def clean_stderr(err: str) -> None:
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "Exception ignored" not in err, err
