"""Time the agenda pack: the sample meeting (inputs/meeting_2013-12-05.toml, main pack and
supplement with E3's report built from the workbook) and a generated 300-page pack
(10 items x 30-page PDFs rendered by the pipeline's own renderer, one exempt).

    python benchmarks/pack_300.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from packpdfs import MEETING, document, item, report_pdf  # noqa: E402

from pipeline.pack.agenda import build_pack  # noqa: E402
from pipeline.pack.manifest import read_manifest  # noqa: E402


def timed(label, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s ({result.pages['members']} pages members, {result.pages['public']} public)")
    return result


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sample = read_manifest(ROOT / "inputs" / "meeting_2013-12-05.toml")
        timed("sample meeting, main pack", lambda: build_pack(sample, tmp / "sample"))
        timed("sample meeting, supplement (builds E3's report)",
              lambda: build_pack(sample, tmp / "sample", supplement=True))

        folder = tmp / "big"
        started = time.perf_counter()
        items = []
        for n in range(10):
            report_pdf(folder / f"doc{n}.pdf", f"Document {n}", 30, landscape=bool(n % 2))
            items.append(item(f"B{n + 1}", f"Item {n + 1}",
                              document(f"Report {n + 1}", f"doc{n}.pdf", *(("exempt", 3) if n == 9 else ()))))
        print(f"(generating ten 30-page PDFs: {time.perf_counter() - started:.2f} s)")
        (folder / "m.toml").write_text(MEETING + "".join(items))
        big = read_manifest(folder / "m.toml")
        timed("300-page pack", lambda: build_pack(big, folder / "out"))


if __name__ == "__main__":
    main()
