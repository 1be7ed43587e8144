"""What tagging (PDF/UA-1) costs: the sample report's PDF rendered with and without it.

    python benchmarks/pdf_tagging.py [--runs 5]

The document model and chart images are built once (they do not depend on tagging); each
run then renders the PDF from scratch (both layout passes, metadata, and for the tagged
build the marked content, structure tree and ParentTree), alternating which goes first
so machine noise falls on both. Prints the median of each and the difference.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pdf_documents import sample_document_and_images  # noqa: E402

from pipeline.pdf.render import pdf_bytes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    document, images = sample_document_and_images()
    pdf_bytes(document, images)  # warm-up: fonts registered, modules imported
    times: dict[bool, list[float]] = {False: [], True: []}
    sizes: dict[bool, int] = {}
    for run in range(runs):
        for tagged in ((False, True) if run % 2 else (True, False)):  # neither always goes first
            started = time.perf_counter()
            data = pdf_bytes(document, images, tagged=tagged)
            times[tagged].append(time.perf_counter() - started)
            sizes[tagged] = len(data)
    plain, tagged = statistics.median(times[False]), statistics.median(times[True])
    print(f"untagged: {plain:.2f} s median of {runs} ({sizes[False]:,} bytes)")
    print(f"tagged:   {tagged:.2f} s median of {runs} ({sizes[True]:,} bytes)")
    print(f"tagging costs {tagged - plain:+.2f} s ({(tagged - plain) / plain:+.0%}), "
          f"{sizes[True] - sizes[False]:+,} bytes ({(sizes[True] - sizes[False]) / sizes[False]:+.0%})")


if __name__ == "__main__":
    main()
