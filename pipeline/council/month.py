"""A council month: every committee report of the month built by one command (docs/month.md).

``read_month`` reads and checks the month's TOML (every problem at once, as the meeting
manifest does); ``build_month`` builds its reports, each in its own process (the ``build``
command, run as ``python -m pipeline build``), several at a time where the cores allow. Each
report's build is exactly what ``build`` does on its own: its lock, its output set (DOCX and
PDF replaced together or not at all), its messages and exit status, which the month reads
to say what failed and why. One report's failure never stops the others.

Ctrl-C (or SIGTERM) stops the month: each report still building is sent the same signal
once (the builds run in their own process groups, so a Ctrl-C at the terminal reaches them
only through this process, never twice) and is waited for; each then ends as an interrupted
``build`` does, leaving its previous outputs as they were. The reports already built are
complete, and are named as written (:func:`pipeline.infra.atomic.note_committed`).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import EXIT_FAILED, EXIT_PROBLEMS, InputProblems, PipelineError
from pipeline.infra.toml_file import Collector, read_toml, unknown_keys
from pipeline.rules.periods import Month, parse_month

TOP_KEYS = ("month", "jobs", "reports")
REPORT_KEYS = ("name", "input", "out", "format")
FORMATS = ("all", "docx", "pdf")
STOP_WAIT = 60.0  # seconds an interrupted build is given to end cleanly before it is killed
POLL = 0.05  # seconds between looks at the running builds


@dataclass(frozen=True)
class MonthReport:
    name: str
    input: Path  # a workbook or a report definition
    out: Path
    format: str = "all"
    where: str = ""  # "reports[2]"


@dataclass(frozen=True)
class CouncilMonth:
    path: Path
    month: Month | None
    jobs: int | None
    reports: tuple[MonthReport, ...]


@dataclass
class ReportOutcome:
    report: MonthReport
    status: str = "not started"  # built | failed | interrupted | not started
    exit_code: int | None = None
    outputs: tuple[Path, ...] = ()
    reason: str = ""
    messages: str = ""  # everything the build said on stderr, for a failed report
    seconds: float = 0.0


@dataclass
class MonthResult:
    outcomes: list[ReportOutcome] = field(default_factory=list)
    seconds: float = 0.0
    parallel: int = 1

    @property
    def built(self) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == "built"]

    @property
    def failed(self) -> list[ReportOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every report was built; 1 when any failed on its input (the officers must
        fix something: problems, a refused period, a conflict); 3 when the others failed for
        another reason (an unwritable folder, a build that crashed)."""
        if not self.failed:
            return 0
        return EXIT_PROBLEMS if any(o.exit_code == EXIT_PROBLEMS for o in self.failed) else EXIT_FAILED


class MonthFailed(PipelineError):
    """Some of the month's reports were not built (the table says which and why)."""

    def __init__(self, result: MonthResult):
        self.result = result
        self.exit_code = result.exit_code
        failed, total = len(result.failed), len(result.outcomes)
        super().__init__(f"{failed} of {total} {'report' if total == 1 else 'reports'} failed; "
                         f"{len(result.built)} built (see the table above)")


# ---------------------------------------------------------------------------------
# the month's TOML


def read_month(path: str | os.PathLike) -> CouncilMonth:
    """Read and check the month's TOML; every problem at once, located by table and key."""
    path = Path(path)
    name = str(path)
    col = Collector(name)
    problems, add = col.problems, col.add

    data, _digest = read_toml(path, "a council month file")
    folder = path.resolve().parent
    unknown_keys(data, TOP_KEYS, None, col)
    month = None
    if "month" in data:
        try:
            month = parse_month(str(data["month"]))
        except ValueError as exc:
            add(None, "month", str(exc))
    jobs = data.get("jobs")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        add(None, "jobs", f"must be a whole number of 1 or more, not {jobs!r}")
        jobs = None
    raw_reports = data.get("reports")
    if not isinstance(raw_reports, list) or not raw_reports:
        add("reports", None, 'no reports: add [[reports]] tables, each with input = "..." and out = "..."')
        raw_reports = []
    reports: list[MonthReport] = []
    names: dict[str, str] = {}
    outputs: dict[tuple[Path, str], str] = {}
    for i, table in enumerate(raw_reports, start=1):
        where = f"reports[{i}]"
        if not isinstance(table, dict):
            add(where, None, "must be a table ([[reports]])")
            continue
        unknown_keys(table, REPORT_KEYS, where, col)
        source = _file(table.get("input"), folder, where, add)
        out_raw = table.get("out")
        out = None
        if not isinstance(out_raw, str) or not out_raw.strip():
            add(where, "out", 'missing: the folder the report is written to, e.g. out = "output/fsc"')
        else:
            out = Path(out_raw.strip())
            out = (out if out.is_absolute() else folder / out).resolve()
            if out.exists() and not out.is_dir():
                add(where, "out", f"{out_raw}: is a file, not a folder")
                out = None
        fmt = table.get("format", "all")
        if fmt not in FORMATS:
            add(where, "format", f"{fmt!r} must be one of {', '.join(FORMATS)}")
            fmt = "all"
        label = table.get("name")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            add(where, "name", "must be text in quotes")
            label = None
        if source is None or out is None:
            continue
        label = " ".join(label.split()) if label else source.stem
        if label in names:
            add(where, "name", f'"{label}" is also {names[label]}: give each report its own name')
            continue
        names[label] = where
        key = (out, source.stem)  # build names its files after the input's name, in its folder
        if key in outputs:
            add(where, "out", f"{source.name} would write the same files as {outputs[key]} "
                              f"({out}/{source.stem}...): give it another folder")
            continue
        outputs[key] = where
        reports.append(MonthReport(label, source, out, fmt, where))
    if problems:
        raise InputProblems(name, problems)
    return CouncilMonth(path, month, jobs, tuple(reports))


def _file(raw, folder: Path, where: str, add) -> Path | None:
    if not isinstance(raw, str) or not raw.strip():
        add(where, "input", 'missing: the report\'s workbook (.xlsx) or report definition (.toml), in quotes')
        return None
    path = Path(raw.strip())
    path = (path if path.is_absolute() else folder / path).resolve()
    if not path.exists():
        add(where, "input", f"{raw}: file not found")
        return None
    if path.is_dir():
        add(where, "input", f"{raw}: is a folder, not a workbook or report definition")
        return None
    return path


# ---------------------------------------------------------------------------------
# building


def plan_parallel(reports: int, jobs: int | None, cores: int | None = None) -> tuple[int, int]:
    """(reports built at once, processes each build may use): at once as many as ``jobs``
    (default: the cores), never more than the reports; the cores shared among them."""
    cores = cores or os.cpu_count() or 1
    at_once = max(1, min(jobs or cores, reports))
    return at_once, max(1, cores // at_once)


def build_month(month: CouncilMonth, *, jobs: int | None = None, period: Month | None = None,
                on_done: Callable[[ReportOutcome, int, int], None] | None = None) -> MonthResult:
    """Build every report; ``on_done(outcome, n, total)`` as each one ends. Returns the
    outcomes (it raises nothing for a report that failed: the caller decides)."""
    started = time.perf_counter()
    period = period or month.month
    at_once, each = plan_parallel(len(month.reports), jobs or month.jobs)
    result = MonthResult([ReportOutcome(r) for r in month.reports], parallel=at_once)
    waiting = list(result.outcomes)
    running: list[_Running] = []
    done = 0
    with tempfile.TemporaryDirectory(prefix="committee-month-") as logs:
        try:
            while waiting or running:
                while waiting and len(running) < at_once:
                    outcome = waiting.pop(0)
                    running.append(_Running(outcome, Path(logs) / str(len(result.outcomes) - len(waiting)),
                                            each, period))
                for run in [r for r in running if r.poll()]:
                    running.remove(run)
                    run.finish()
                    done += 1
                    if run.outcome.status == "built":
                        _note_written(run.outcome.outputs)
                    if on_done:
                        on_done(run.outcome, done, len(result.outcomes))
                time.sleep(POLL)
        except KeyboardInterrupt:
            _stop(running)
            raise
        finally:
            for run in running:  # (an error here, not an interrupt: never leave a build behind)
                run.kill()
    result.seconds = time.perf_counter() - started
    return result


def _note_written(paths) -> None:
    from pipeline.infra import atomic

    atomic.note_committed(paths)


def _stop(running: list[_Running]) -> None:
    """Send each build the interrupt this process received, once, and wait for it to end
    cleanly (a second Ctrl-C meanwhile is held back: an interrupted clean-up could leave
    what it was removing)."""
    from pipeline.infra.interrupts import deferred

    with deferred():
        for run in running:
            run.signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_WAIT
        for run in running:
            run.wait(max(0.1, deadline - time.monotonic()))
            if run.process.returncode == 0:  # it had finished: its report is complete
                run.finish()
                _note_written(run.outcome.outputs)
            else:
                run.outcome.status = "interrupted"
                run.close()


class _Running:
    """One report's build: ``python -m pipeline build`` in its own process group, its
    stdout and stderr in files (read when it ends)."""

    def __init__(self, outcome: ReportOutcome, log: Path, jobs: int, period: Month | None):
        report = outcome.report
        self.outcome = outcome
        self.out_path, self.err_path = log.with_suffix(".out"), log.with_suffix(".err")
        args = [sys.executable, "-m", "pipeline", "build", str(report.input), "--out", str(report.out),
                "--format", report.format, "--jobs", str(jobs)]
        if period is not None:
            args += ["--period", period.iso]
        self.started = time.perf_counter()
        self.stdout = open(self.out_path, "wb")  # (closed in close())
        self.stderr = open(self.err_path, "wb")
        try:
            # its own process group: a Ctrl-C at the terminal reaches this process only, which
            # passes it on once (see _stop)
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.stdout, stderr=self.stderr,
                                            start_new_session=True)
        except OSError as exc:
            self.close()
            raise PipelineError(f"cannot start the build of {report.name}: {exc.strerror or exc}") from None

    def poll(self) -> bool:
        return self.process.poll() is not None

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            try:
                self.process.send_signal(signum)
            except ProcessLookupError:
                pass

    def wait(self, seconds: float) -> None:
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()  # (its leftovers are cleaned up by the next build of it: pipeline.infra.atomic)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.close()

    def close(self) -> None:
        for handle in (self.stdout, self.stderr):
            if not handle.closed:
                handle.close()

    def finish(self) -> None:
        self.close()
        outcome = self.outcome
        outcome.seconds = time.perf_counter() - self.started
        outcome.exit_code = self.process.returncode
        out = self.out_path.read_text(encoding="utf-8", errors="replace")
        err = self.err_path.read_text(encoding="utf-8", errors="replace")
        if outcome.exit_code == 0:
            outcome.status = "built"
            outcome.outputs = tuple(Path(line.strip()) for line in out.splitlines() if line.strip())
            return
        outcome.status = "failed"
        outcome.messages = err.strip()
        outcome.reason = _reason(err, outcome.exit_code)


_CHATTER = re.compile(r"^(note|warning|WARNING|read \d)")


def _reason(stderr: str, code: int) -> str:
    """The first thing the build said that is not a note, a warning or its timings, with
    the first problem listed under it."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip() and not _CHATTER.match(line)]
    if not lines:
        return f"the build ended with exit status {code} and said nothing"
    if lines[0].startswith("Traceback"):
        return f"the build crashed (exit status {code}): {lines[-1].strip()}"
    text = lines[0].removeprefix("Error: ")
    if len(lines) > 1 and lines[1].startswith("  "):
        text += f"; {' '.join(lines[1].split())}"
        extra = sum(1 for line in lines[2:] if line.startswith("    ") or line.startswith("  "))
        if extra:
            text += f" (and {extra} more)"
    return text
