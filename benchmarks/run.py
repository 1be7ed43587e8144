"""Time the pipeline as officers use it, several runs each, and print the medians.

    python benchmarks/run.py [--runs 3] [--large-runs 3] [--skip-large] [--single-process]

Every measurement runs the real command line in a fresh process (``python -m pipeline``),
so start-up and imports count. Peak memory is the largest resident set of the command
and the processes it waited for (``os.wait4``'s ru_maxrss). What is timed:

- ``--help`` (start-up: heavy libraries are imported only by the commands that need them);
- ``validate`` and ``cards`` of the sample and of the large input;
- ``build`` (DOCX + PDF + HTML, the default set) of the sample and of the large input
  (benchmarks/generate_large.py: 8 directorates x 40 indicators x 36 months): cold (an
  empty output folder, so every chart is drawn and every page laid out), then rebuilt in
  the cold build's folder (its caches kept: no chart is drawn) after a commentary-only
  change, of one indicator (as commentary arrives: every other PDF section is replayed)
  and of every indicator (the worst case: every indicator's page is laid out again);
- the council month as the council builds it (``month``, docs/month.md): the large input's
  directorates as eight committee reports, each a report definition taking its section from
  the large workbook, built cold, as many at once as there are cores;
- the agenda pack of the sample meeting (inputs/meeting_2013-12-05.toml);
- the build's own stage timings (read, cards, assemble, charts, docx, pdf), medians.

The goals of issue 9 are printed beside the figures; nothing here fails a test suite.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "inputs" / "fsc_performance_2013-09.xlsx"
MEETING = ROOT / "inputs" / "meeting_2013-12-05.toml"
STAGES = ("read", "cards", "assemble", "charts", "docx", "pdf", "html", "total")


def run(args: list[str], cwd: Path = ROOT) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stderr) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{stderr}")
    return seconds, usage.ru_maxrss // 1024, stderr


class Table:
    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, label: str, times: list[float], mem: list[int], goal: str = "", stages: dict | None = None):
        row = (label, statistics.median(times), min(times), max(times), len(times), max(mem), goal)
        self.rows.append(row)
        print(f"  {label}: median {row[1]:.2f} s ({len(times)} runs)", file=sys.stderr, flush=True)
        return row

    def print(self):
        head = f"{'what':<52} {'median':>8} {'min':>7} {'max':>7} {'runs':>4} {'peak MiB':>8}  goal"
        print(head)
        print("-" * len(head))
        for label, med, lo, hi, n, mem, goal in self.rows:
            print(f"{label:<52} {med:>7.2f}s {lo:>6.2f}s {hi:>6.2f}s {n:>4} {mem:>8}  {goal}")


def timed(n: int, args_for_run, prepare=None):
    times, mem, errs = [], [], []
    for i in range(n):
        if prepare:
            prepare(i)
        seconds, peak, err = run(args_for_run(i))
        times.append(seconds)
        mem.append(peak)
        errs.append(err)
    return times, mem, errs


def stage_medians(errs: list[str]) -> dict[str, float]:
    found: dict[str, list[float]] = {}
    for err in errs:
        line = err.strip().splitlines()[-1]
        for stage in STAGES:
            m = re.search(rf"\b{stage} (\d+\.\d+)s", line)
            if m:
                found.setdefault(stage, []).append(float(m.group(1)))
    return {stage: statistics.median(v) for stage, v in found.items()}


def verdict(value: float, limit: float) -> str:
    return "met" if value < limit else "NOT met"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except (OSError, ValueError, IndexError):
        mem = 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    import matplotlib
    import reportlab

    try:
        import _rl_accel  # noqa: F401
        accel = "with rl_accel"
    except ImportError:
        accel = "without rl_accel"
    return (f"{cores} cores ({cpu}), {mem} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
            f"ReportLab {reportlab.Version} {accel}; load average at start {load:.2f}")


def set_commentary(src: Path, dest: Path, revision: int, revised: int | None = None) -> None:
    """The sample with every commentary (or the first ``revised``) revised, figures untouched."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb["commentary"]
    header = [c.value for c in ws[1]]
    col = header.index("text")
    done = 0
    for row in ws.iter_rows(min_row=2):
        if row[col].value and (revised is None or done < revised):
            row[col].value = f"{row[col].value} (Revision {revision}.)"
            done += 1
    wb.save(dest)


def build_pair(table: Table, name: str, book: Path, revised, runs: int, work: Path, jobs: list[str],
               cold_goal: str, limit: float | None):
    """Cold builds (fresh output folder each run), then rebuilds after a commentary-only
    change: of one indicator (commentary arriving, as it does, an indicator at a time: every
    other page comes from the cache), then of every indicator (no page can)."""
    outs = [work / f"{name}-cold-{i}" for i in range(runs)]

    def fresh(i):
        shutil.rmtree(outs[i], ignore_errors=True)

    times, mem, errs = timed(runs, lambda i: ["-m", "pipeline", "build", str(book), "--out", str(outs[i]), *jobs],
                             fresh)
    cold = table.add(f"build {name}: DOCX + PDF + HTML, cold (every chart drawn)", times, mem, cold_goal)
    cold_stages = stage_medians(errs)

    quarter = cold[1] / 4
    if limit is not None:
        table.rows[-1] = table.rows[-1][:-1] + (f"{cold_goal}: {verdict(cold[1], limit)}",)
    stages = [cold_stages]
    for label, how_many, offset in (("one indicator's commentary changed", 1, 100),
                                    ("every commentary changed", None, 200)):
        def revise(i, how_many=how_many, offset=offset):
            revised(work / f"{name}-revised.xlsx", offset + i + 1, how_many)

        times, mem, errs = timed(runs, lambda i: ["-m", "pipeline", "build", str(work / f"{name}-revised.xlsx"),
                                                  "--out", str(outs[0]), *jobs], revise)
        stages.append(stage_medians(errs))
        drawn = [re.search(r"\) (\d+) drawn", e).group(1) for e in errs]
        replayed = [m.group(1) for e in errs for m in [re.search(r"sections, (\d+) from cache", e)] if m]
        table.add(f"build {name}: rebuild, {label}", times, mem,
                  f"< 1/4 of cold ({quarter:.2f} s): {verdict(statistics.median(times), quarter)}; "
                  f"charts drawn: {', '.join(drawn)}; PDF sections from cache: {', '.join(replayed)}")
    return stages


def council_month(large: Path, folder: Path, out: Path) -> Path:
    """A council month of one report per directorate of the large input: each a report
    definition (docs/report-definition.md) taking its directorate's section from it."""
    from generate_large import DIRECTORATES

    folder.mkdir(parents=True, exist_ok=True)
    reports = []
    for n, (section, _, _) in enumerate(DIRECTORATES, start=1):
        definition = folder / f"directorate{n}_2013-09.toml"
        definition.write_text(f'workbook = "{large}"\n\n[[sources]]\npath = "{large}"\n'
                              f'sections = ["{section}"]\n', encoding="utf-8")
        reports.append(f'[[reports]]\nname = "{section}"\ninput = "{definition}"\nout = "{out / str(n)}"\n')
    council = folder / "council.toml"
    council.write_text('month = "2013-09"\n\n' + "\n".join(reports), encoding="utf-8")
    return council


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each small measurement (median taken)")
    parser.add_argument("--large-runs", type=int, default=3, help="runs of each large build")
    parser.add_argument("--skip-large", action="store_true", help="only the sample")
    parser.add_argument("--single-process", action="store_true", help="also time builds with --jobs 1")
    parser.add_argument("--keep", type=Path, help="keep the generated input and outputs in this folder")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}", file=sys.stderr)
    table = Table()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    stages: dict[str, dict] = {}
    try:
        times, mem, _ = timed(args.runs + 2, lambda i: ["-m", "pipeline", "--help"])
        med = statistics.median(times)
        table.add("--help (start-up)", times, mem, f"< 0.3 s: {verdict(med, 0.3)}")

        for name, book in [("sample", SAMPLE)] + ([] if args.skip_large else [("large", work / "large.xlsx")]):
            if name == "large":
                from generate_large import generate

                started = time.perf_counter()
                generate(book)
                print(f"  (generated {book.name} in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
            for cmd in ("validate", "cards"):
                times, mem, _ = timed(args.runs, lambda i, c=cmd, b=book: ["-m", "pipeline", c, str(b)])
                table.add(f"{cmd} {name}", times, mem)

        stages["sample cold"], stages["sample rebuild, one"], stages["sample rebuild, all"] = build_pair(
            table, "sample", SAMPLE, lambda dest, rev, n: set_commentary(SAMPLE, dest, rev, n), args.runs, work, [],
            "< 3 s", 3.0)
        if args.single_process:
            stages["sample cold, 1 process"], *_ = build_pair(
                table, "sample --jobs 1", SAMPLE, lambda dest, rev, n: set_commentary(SAMPLE, dest, rev, n),
                args.runs, work, ["--jobs", "1"], "", None)
        if not args.skip_large:
            from generate_large import generate

            stages["large cold"], stages["large rebuild, one"], stages["large rebuild, all"] = build_pair(
                table, "large", work / "large.xlsx", lambda dest, rev, n: generate(dest, revision=rev, revised=n),
                args.large_runs, work, [], "< 10 s", 10.0)
            months = [work / f"month-{i}" for i in range(args.large_runs)]
            times, mem, _ = timed(args.large_runs, lambda i: ["-m", "pipeline", "month", str(
                council_month(work / "large.xlsx", months[i], months[i] / "out"))],
                lambda i: shutil.rmtree(months[i], ignore_errors=True))
            table.add("month: council month as 8 directorate reports, cold", times, mem)

        outs = [work / f"pack-{i}" for i in range(args.runs)]
        times, mem, _ = timed(args.runs, lambda i: ["-m", "pipeline", "pack", str(MEETING), "--out", str(outs[i])],
                              lambda i: shutil.rmtree(outs[i], ignore_errors=True))
        table.add("pack: sample meeting (members' + public)", times, mem)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"Machine: {machine()}")
    print()
    table.print()
    print()
    print("Build stages (medians, s; charts are drawn while the pdf is written, and docx runs in a second "
          "process beside the pdf, so they overlap):")
    print(f"{'build':<26}" + "".join(f"{s:>9}" for s in STAGES))
    for name, found in stages.items():
        print(f"{name:<26}" + "".join(f"{found.get(s, float('nan')):>9.2f}" for s in STAGES))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
