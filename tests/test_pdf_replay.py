"""PDF sections kept between builds (issue 9, pipeline.pdf.replay): a rebuild after a
commentary change replays every page it can instead of laying it out again, and the PDF
is the same bytes as a build from nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from commentary_helpers import set_commentary

from pipeline.build import build_report, default_pdf_cache_dir


def _text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory, sample_path):
    """The sample built (recording its sections), one commentary changed, built again into
    the same folder (replaying the rest), and the changed workbook built from nothing."""
    root = tmp_path_factory.mktemp("replay")
    book = root / "fsc.xlsx"
    shutil.copyfile(sample_path, book)
    first = build_report(book, root / "out", formats=("pdf",), workers=1)
    set_commentary(book, "ASC03", "Revised commentary: the figure recovered in September (replay test).")
    second = build_report(book, root / "out", formats=("pdf",), workers=1)
    fresh = build_report(book, root / "fresh", formats=("pdf",), use_cache=False, workers=1)
    return root, first, second, fresh


def test_first_build_records_every_section(rebuilt):
    root, first, *_ = rebuilt
    assert first.pdf_sections == 22 and first.pdf_replayed == 0
    stored = list(default_pdf_cache_dir(root / "out").rglob("*.json.z"))
    # from the first build: 22 sections, and the two with a contents list as the counting
    # pass lays them out (placeholders for the page numbers: only where their anchors
    # are); then the changed section recorded again by the second
    assert len(stored) == 25


def test_rebuild_replays_all_but_the_changed_section(rebuilt):
    _root, first, second, _fresh = rebuilt
    assert second.pdf_sections == first.pdf_sections
    # every section but ASC03's page: the two with a contents list too, as no page moved
    assert second.pdf_replayed == 21
    assert "(22 sections, 21 from cache)" in second.timing_line()


def test_rebuilt_pdf_is_the_pdf_built_from_nothing(rebuilt):
    _root, _first, second, fresh = rebuilt
    assert fresh.pdf_replayed == 0
    assert second.paths["pdf"].read_bytes() == fresh.paths["pdf"].read_bytes()
    assert "figure recovered in September (replay test)" in _text(second.paths["pdf"])


def test_markers_and_seeds_do_not_move_anything(rebuilt, sample_path):
    """A build that records its sections is the same PDF as one that keeps nothing."""
    root, first, *_ = rebuilt
    plain = build_report(sample_path, root / "plain", formats=("pdf",), use_cache=False, workers=1)
    recorded = build_report(sample_path, root / "recorded", formats=("pdf",), workers=1)
    assert recorded.pdf_replayed == 0
    assert recorded.paths["pdf"].read_bytes() == plain.paths["pdf"].read_bytes()


def test_damaged_or_foreign_section_file_is_laid_out_again(rebuilt, sample_path, tmp_path):
    root, *_ = rebuilt
    out = tmp_path / "out"
    build_report(sample_path, out, formats=("pdf",), workers=1)
    import json
    import zlib

    def draws(path):  # a final-pass recording (the counting pass records no drawing)
        pages = json.loads(zlib.decompress(path.read_bytes()))["pages"]
        return any(event[0] == "code" for events in pages for event in events)

    files = [f for f in sorted(default_pdf_cache_dir(out).rglob("*.json.z")) if draws(f)]
    files[0].write_bytes(b"not a recording")
    files[1].write_bytes(files[1].read_bytes()[:40])
    again = build_report(sample_path, out, formats=("pdf",), workers=1)
    assert again.pdf_replayed == 20
    plain = build_report(sample_path, tmp_path / "plain", formats=("pdf",), use_cache=False, workers=1)
    assert again.paths["pdf"].read_bytes() == plain.paths["pdf"].read_bytes()


def test_a_changed_chart_picture_is_not_replayed(sample_path, tmp_path):
    """A recording names the bytes of each picture it shows: other bytes for the same
    chart (another renderer release, say) make its section be laid out again."""
    import hashlib

    from pipeline.cards.compute import compute_cards
    from pipeline.charts.draw import render_all
    from pipeline.document.assemble import build_document
    from pipeline.document.model import figures
    from pipeline.input.workbook import read_workbook
    from pipeline.pdf.render import pdf_bytes

    dataset = read_workbook(sample_path)
    document = build_document(dataset, compute_cards(dataset, None), None)
    images = render_all([f.chart for f in figures(document)])
    cache = tmp_path / "pdf"
    stats: dict = {}
    pdf_bytes(document, images, cache_dir=cache, stats=stats)
    assert stats["recorded"] == 24
    first = next(iter(images))
    other = dict(images)
    from pipeline.charts.draw import render_png

    other[first] = render_png(first, dpi=150)
    assert hashlib.md5(other[first]).digest() != hashlib.md5(images[first]).digest()
    stats = {}
    data = pdf_bytes(document, other, cache_dir=cache, stats=stats)
    assert stats["replayed"] == 21
    assert data == pdf_bytes(document, other)


def test_a_character_beyond_the_seeds_keeps_nothing(sample_path, tmp_path, monkeypatch):
    """Should a page draw a character the fonts were not seeded with, its code depends on
    what was drawn first: the build is right, but none of its sections is kept."""
    from pipeline.pdf import render as render_pdf

    real = render_pdf.check_inputs

    def without_en_dash(document, images):
        return tuple((name, chars.replace("\u2013", "")) for name, chars in real(document, images))

    monkeypatch.setattr(render_pdf, "check_inputs", without_en_dash)
    result = build_report(sample_path, tmp_path / "out", formats=("pdf",), workers=1)
    assert "\u2013" in _text(result.paths["pdf"])
    assert result.pdf_sections == 22
    # only the counting pass's recordings of the two contents sections, which hold no text
    # (where their anchors are), are kept
    kept = list(default_pdf_cache_dir(tmp_path / "out").rglob("*.json.z"))
    assert len(kept) == 2
    # and the next build (seeded in full again) replays those and nothing else
    monkeypatch.setattr(render_pdf, "check_inputs", real)
    again = build_report(sample_path, tmp_path / "out", formats=("pdf",), workers=1)
    plain = build_report(sample_path, tmp_path / "plain", formats=("pdf",), use_cache=False, workers=1)
    assert again.paths["pdf"].read_bytes() == plain.paths["pdf"].read_bytes()


def test_contents_pages_are_replayed_only_with_the_same_page_numbers(sample_path, tmp_path):
    """A commentary long enough to push its indicator onto a second page moves every later
    page: the contents lists (which show those pages) are laid out again, with the new
    numbers, and the PDF is still the one a build from nothing gives."""
    book = tmp_path / "fsc.xlsx"
    shutil.copyfile(sample_path, book)
    import pikepdf

    first = build_report(book, tmp_path / "out", formats=("pdf",), workers=1)
    with pikepdf.open(first.paths["pdf"]) as pdf:
        pages_before = len(pdf.pages)
    long_text = " ".join(["The service has reviewed every case referred in the quarter and the backlog "
                          "is expected to clear by the end of November."] * 40)
    set_commentary(book, "ASC03", long_text)
    second = build_report(book, tmp_path / "out", formats=("pdf",), workers=1)
    fresh = build_report(book, tmp_path / "fresh", formats=("pdf",), use_cache=False, workers=1)
    assert second.paths["pdf"].read_bytes() == fresh.paths["pdf"].read_bytes()
    with pikepdf.open(second.paths["pdf"]) as pdf:
        assert len(pdf.pages) == pages_before + 1
    assert second.pdf_replayed <= second.pdf_sections - 3  # ASC03 and both contents sections


def test_sections_are_found_again_by_another_process(sample_path, tmp_path):
    """Keys are the same in every process (another hash seed, as every new run of the
    command line has): the second build, a new process, replays every section."""
    import os
    import subprocess
    import sys

    def build(seed: str) -> str:
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-m", "pipeline", "build", str(sample_path), "--out", str(tmp_path),
                               "--format", "pdf", "--jobs", "1"],
                              env=env, capture_output=True, text=True, check=True)
        return done.stderr

    assert "(22 sections, 0 from cache)" in build("1")
    assert "(22 sections, 22 from cache)" in build("2")


def test_operators_naming_document_resources_are_never_replayed():
    """Transparency (a named graphics state) and shadings are named per document by
    ReportLab: a section that used them would replay names the new document lacks."""
    from pipeline.pdf.replay import _names_document_resources

    assert _names_document_resources([[("code", ["q", "/gRLs0 gs", "0 0 m 1 1 l S", "Q"])]])
    assert _names_document_resources([[("begin_marked", "P", {})], [("code", ["/Sh1 sh"])]])
    assert not _names_document_resources([[("code", ["BT /F1+0 9 Tf (gs) Tj ET", "q 1 0 0 1 0 0 cm Q"])]])
