"""Caches that cannot go stale and cannot run code (issue 14).

Every cache key includes the fingerprint of the package, its templates and the drawing
libraries (pipeline.infra.fingerprint); cache files are plain data checked when read. Tested
the way it failed: a copy of the package with an output-affecting constant changed,
rebuilt into the same folder, must give the bytes of a build from nothing; a cache file
that would run code when unpickled runs nothing; damaged or foreign files are misses."""
from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------------------- stale code
def _copy_project(target: Path) -> Path:
    """The package (and the template folder beside it, while there is one) copied to
    ``target``: a project whose code the test may edit."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "pipeline", target / "pipeline", ignore=ignore)
    if (ROOT / "report_templates").is_dir():
        shutil.copytree(ROOT / "report_templates", target / "report_templates", ignore=ignore)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path.name}: the test needs updating"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def copied(tmp_path_factory, sample_path):
    """build(out, *options) -> (stderr, pdf bytes), run by the copied code in a new process."""
    root = tmp_path_factory.mktemp("copy")
    src = _copy_project(root / "src")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(src)
    where = subprocess.run([sys.executable, "-c", "import pipeline; print(pipeline.__file__)"],
                           cwd=src, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).parent == src / "pipeline"  # the copy runs, not the repository

    def build(out: Path, *options: str) -> tuple[str, bytes]:
        done = subprocess.run([sys.executable, "-m", "pipeline", "build", str(sample_path), "--out", str(out),
                               "--format", "pdf", "--jobs", "1", *options],
                              cwd=src, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stderr, (out / "fsc_performance_2013-09.pdf").read_bytes()

    return root, src, build


def _charts(stderr: str) -> tuple[int, int]:
    """(drawn, from cache) of the build's timing line."""
    found = re.search(r"\((\d+)\) (\d+) drawn.*?\+ (\d+) from cache", stderr)
    assert found, stderr
    return int(found.group(2)), int(found.group(3))


def test_changed_constants_are_never_served_from_the_cache(copied):
    """The chart's actual-line colour changed (charts.STYLE), then a PDF style constant
    (pdf_styles.GRID, derived from the house style): each rebuild into the same folder, cache and all, is the PDF a
    build from nothing of the changed code gives, with every chart drawn again."""
    root, src, build = copied
    out = root / "out"
    stderr, before = build(out)
    assert _charts(stderr) == (23, 0)
    stderr, _again = build(out)
    assert _charts(stderr) == (0, 23) and "22 from cache" in stderr  # the cache is used when nothing changed

    _edit(src / "pipeline" / "charts" / "draw.py", '"actual": ("#0072B2",', '"actual": ("#CC3311",')
    stderr, rebuilt = build(out)
    assert _charts(stderr) == (23, 0), stderr
    _stderr, fresh = build(root / "fresh-colour", "--no-cache")
    assert rebuilt == fresh
    assert rebuilt != before  # (the change shows: the test would see a stale picture)

    _edit(src / "pipeline" / "pdf" / "styles.py", "GRID = _C.grid", 'GRID = "#5F5F5F"')
    stderr, restyled = build(out)
    assert "(22 sections, 0 from cache)" in stderr, stderr
    _stderr, fresh = build(root / "fresh-grid", "--no-cache")
    assert restyled == fresh
    assert restyled != rebuilt


def test_fingerprint_covers_the_package_templates_and_libraries():
    from pipeline.infra import fingerprint

    names = [name for name, _data in fingerprint.parts()]
    assert names == sorted(n for n in names if n.startswith("package/")) + [
        n for n in names if not n.startswith("package/")]
    package = {n.removeprefix("package/") for n in names if n.startswith("package/")}
    on_disk = {p.relative_to(ROOT / "pipeline").as_posix() for p in (ROOT / "pipeline").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert package == on_disk
    assert {"charts/draw.py", "pdf/styles.py", "fonts/LiberationSans-Regular.ttf"} <= package
    if (ROOT / "report_templates").is_dir():
        assert {"templates/committee_report.toml", "templates/house_style.toml"} <= set(names)
    else:  # (moved into the package)
        assert any(n.endswith("committee_report.toml") for n in package)
        assert any(n.endswith("house_style.toml") for n in package)
    libraries = dict(fingerprint.libraries())
    for name in ("matplotlib", "numpy", "Pillow", "reportlab", "pikepdf", "python-docx", "lxml", "openpyxl",
                 "libqpdf", "zlib", "python"):
        assert libraries[name] and libraries[name] != "not installed", name
    from importlib.metadata import version

    for name in fingerprint.LIBRARIES:  # (read from the folder names: the releases importlib.metadata gives)
        assert libraries[name] == version(name), name
    # the libqpdf pikepdf's wheel bundles, by file name and sha256: the very binary
    name, _space, sha = libraries["libqpdf"].partition(" ")
    assert name.startswith("libqpdf") and len(sha) >= 43
    assert fingerprint.fingerprint() == fingerprint.fingerprint() and len(fingerprint.fingerprint()) == 64


def test_both_keys_follow_the_fingerprint(monkeypatch):
    from pipeline.charts.draw import chart_key
    from pipeline.document.model import ChartSpec, Series
    from pipeline.infra import fingerprint
    from pipeline.pdf.replay import section_key

    spec = ChartSpec("Title", ("Apr-13",), (Series("Actual", (1.0,)),), "percent", 0)
    chart, section = chart_key(spec), section_key(("blocks",))
    monkeypatch.setattr(fingerprint, "_digest", ["0" * 64])
    assert chart_key(spec) != chart and section_key(("blocks",)) != section


def test_no_pickle_is_ever_loaded():
    found = subprocess.run(["git", "grep", "-n", "-E", r"pickle\.(loads?|Unpickler)|marshal\.loads?|shelve",
                            "--", "pipeline"], cwd=ROOT, capture_output=True, text=True)
    assert found.stdout == ""


# ----------------------------------------------------------------------------- code in the cache
class _Payload:
    """Unpickled, it creates ``marker``: what anyone with write access to a shared output
    folder could have put in a cache file."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_cache_file_that_would_run_code_runs_nothing(sample_path, tmp_path):
    from pipeline.build import build_report, default_cache_dir, default_pdf_cache_dir

    out = tmp_path / "out"
    build_report(sample_path, out, workers=1)
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    sections = sorted(default_pdf_cache_dir(out).rglob("*.z"))
    charts = sorted(default_cache_dir(out).rglob("*.png"))
    assert len(sections) == 24 and len(charts) == 23
    for path in sections:  # (under this release's name and the one before, which unpickled it)
        key = path.name.split(".")[0]
        for name in (f"{key}.json.z", f"{key}.pickle.z"):
            path.with_name(name).write_bytes(zlib.compress(payload))
    for path in charts:
        path.write_bytes(payload)
    again = build_report(sample_path, out, workers=1)
    assert not marker.exists()
    assert again.pdf_replayed == 0 and again.charts_drawn == 23
    plain = build_report(sample_path, tmp_path / "plain", use_cache=False, workers=1)
    for fmt in ("pdf", "docx"):
        assert again.paths[fmt].read_bytes() == plain.paths[fmt].read_bytes(), fmt
    assert not marker.exists()


# ----------------------------------------------------------------------------- damaged files
@pytest.fixture(scope="module")
def recorded(tmp_path_factory, sample_path):
    """The sample's document and charts, and its sections recorded in a cache folder:
    (document, images, folder, [(key, path) of the final pass's recordings])."""
    from pipeline.cards.compute import compute_cards
    from pipeline.charts.draw import render_all
    from pipeline.document.assemble import build_document
    from pipeline.document.model import figures
    from pipeline.input.workbook import read_workbook
    from pipeline.pdf.render import pdf_bytes

    dataset = read_workbook(sample_path)
    document = build_document(dataset, compute_cards(dataset, None), None)
    images = render_all([f.chart for f in figures(document)])
    folder = tmp_path_factory.mktemp("sections")
    pdf_bytes(document, images, cache_dir=folder)
    drawn = []
    for path in sorted(folder.rglob("*.json.z")):
        pages = json.loads(zlib.decompress(path.read_bytes()))["pages"]
        kinds = {event[0] for events in pages for event in events}
        drawn.append((kinds, path.name.removesuffix(".json.z"), path))
    return document, images, folder, drawn


def _with(recorded, kinds: set):
    """(key, path, the file's JSON document) of a recording showing all of ``kinds``."""
    for found, key, path in recorded[3]:
        if kinds <= found:
            return key, path, json.loads(zlib.decompress(path.read_bytes()))
    raise AssertionError(f"no recording with {kinds}")


def _events(document, kind):
    return [event for events in document["pages"] for event in events if event[0] == kind]


def _mutations(recorded):
    """(what, key, path, bytes) of damaged, foreign and ill-typed section files, each made
    from an intact recording that shows what the damage needs."""
    def changed(edit):
        def make(good):
            document = json.loads(json.dumps(good))
            edit(document)
            return zlib.compress(json.dumps(document).encode())
        return make

    def raw(make_bytes):
        return lambda good, data, other: make_bytes(data, other)

    def set_first(kind, index, value):
        def edit(document):
            _events(document, kind)[0][index] = value
        return changed(edit)

    def drop_first(kind):
        def edit(document):
            for events in document["pages"]:
                for i, event in enumerate(events):
                    if event[0] == kind:
                        del events[i]
                        return
        return changed(edit)

    def first_attrs(name, value):
        def edit(document):
            for pairs in document["attrs"]:
                for pair in pairs:
                    if pair[0] == name:
                        pair[1] = value
                        return
            raise AssertionError(name)
        return changed(edit)

    def flipped(data, _other):
        damaged = bytearray(data)
        damaged[len(data) // 2] ^= 0x55
        return bytes(damaged)

    def deep(good):
        return zlib.compress(json.dumps(good)[:-1].encode() + b', "x": ' + b"[" * 100000 + b"]" * 100000 + b"}")

    cases = [  # (what, the events the recording must show, how it is made from (document, bytes, another's bytes))
        ("empty", set(), raw(lambda data, other: b"")),
        ("truncated", set(), raw(lambda data, other: data[: len(data) // 2])),
        ("a byte flipped", set(), raw(flipped)),
        ("not zlib", set(), raw(lambda data, other: b"not a recording")),
        ("not JSON", set(), raw(lambda data, other: zlib.compress(b"pages: none"))),
        ("followed by more", set(), raw(lambda data, other: data + b"more")),
        ("a list", set(), raw(lambda data, other: zlib.compress(b"[]"))),
        ("an empty object", set(), raw(lambda data, other: zlib.compress(b"{}"))),
        ("another section's file", set(), raw(lambda data, other: other)),
        ("another format", set(), changed(lambda d: d.update(format="pdf-sections-1"))),
        ("a member more", set(), changed(lambda d: d.update(extra=1))),
        ("no end", set(), changed(lambda d: d.pop("end"))),
        ("end NaN", set(), changed(lambda d: d.update(end=float("nan")))),
        ("end huge", set(), changed(lambda d: d.update(end=1e300))),
        ("end a string", set(), changed(lambda d: d.update(end="12"))),
        ("no pages", set(), changed(lambda d: d.update(pages=[]))),
        ("an unknown event", set(), changed(lambda d: d["pages"][0].append(["exec", "print(1)"]))),
        ("nested deep", set(), deep),
        ("an operator not a string", {"code"}, changed(lambda d: _events(d, "code")[0][1].append(7))),
        ("an operator not ASCII", {"code"}, changed(lambda d: _events(d, "code")[0][1].append("(\u00e9) Tj"))),
        ("operators not a list", {"code"}, set_first("code", 1, "q Q")),
        ("a chart by object", {"png"}, set_first("png", 1, {"title": "x"})),
        ("a chart key not hex", {"png"}, set_first("png", 1, "z" * 64)),
        ("a digest too short", {"png"}, set_first("png", 2, "ab")),
        ("an unknown role", {"begin_marked"}, set_first("begin_marked", 1, "Script")),
        ("attrs by value", {"begin_marked"}, set_first("begin_marked", 2, {"text": "x"})),
        ("attrs out of range", {"begin_marked"}, set_first("begin_marked", 2, ["a", 10 ** 6])),
        ("an unknown attribute", {"begin_marked"}, changed(lambda d: d["attrs"][0].append(["onload", "x"]))),
        ("a row as text", {"linkRect"}, first_attrs("row", "1")),
        ("links as a list", {"linkRect"}, first_attrs("links", ["l", []])),
        ("a value of an unknown tag", {"linkRect"}, first_attrs("links", ["x", []])),
        ("an end_marked missing", {"begin_marked"}, drop_first("end_marked")),
        ("a begin_marked missing", {"begin_marked"}, drop_first("begin_marked")),
        ("an outline level negative", {"add_outline"}, set_first("add_outline", 3, -1)),
        ("an outline level true", {"add_outline"}, set_first("add_outline", 3, True)),
        ("a link outside any element", {"linkRect"}, changed(lambda d: d["pages"][0].insert(
            0, ["linkRect", ["", "x", ["t", [0, 0, 1, 1]], 1, None], [["relative", 0]]]))),
        ("a link keyword unknown", {"linkRect"},
         changed(lambda d: _events(d, "linkRect")[0][2].append(["Border", "x"]))),
        ("a relative link", {"linkRect"},
         changed(lambda d: _events(d, "linkRect")[0][2].__setitem__(0, ["relative", 1]))),
        ("a rect of three", {"linkRect"},
         changed(lambda d: _events(d, "linkRect")[0][1].__setitem__(2, ["t", [0, 0, 1]]))),
    ]
    _kinds, _other_key, other_path = recorded[3][0]
    for what, kinds, make in cases:
        key, path, good = _with(recorded, kinds | {"code"})
        if path == other_path:
            other_path = recorded[3][1][2]
        data = path.read_bytes()
        payload = make(good, data, other_path.read_bytes()) if make.__code__.co_argcount == 3 else make(good)
        yield what, key, path, payload


def test_damaged_foreign_and_ill_typed_section_files_are_misses(recorded):
    from pipeline.pdf.replay import SectionCache

    _document, images, folder, _drawn = recorded
    tried = 0
    for what, key, path, payload in _mutations(recorded):
        good = path.read_bytes()
        assert SectionCache(folder).get(key, images) is not None, what  # (the intact file is a hit)
        path.write_bytes(payload)
        try:
            assert SectionCache(folder).get(key, images) is None, what
        finally:
            path.write_bytes(good)
        tried += 1
    assert tried == 39


def test_too_large_or_not_a_file_is_a_miss(recorded, monkeypatch, tmp_path):
    from pipeline.pdf.replay import SectionCache

    _document, images, folder, drawn = recorded
    _kinds, key, path = drawn[-1]
    assert SectionCache(folder).get(key, images) is not None
    monkeypatch.setattr(SectionCache, "MAX_BYTES", len(zlib.decompress(path.read_bytes())) - 1)
    assert SectionCache(folder).get(key, images) is None  # a decompression bomb stops at the limit
    monkeypatch.undo()

    other = tmp_path / "cache"
    spot = SectionCache(other).path(key)
    spot.parent.mkdir(parents=True)
    spot.mkdir()  # a folder where the file should be
    assert SectionCache(other).get(key, images) is None
    spot.rmdir()
    os.symlink("/dev/zero", spot)  # endless bytes
    assert SectionCache(other).get(key, images) is None
    spot.unlink()
    if hasattr(os, "mkfifo"):  # a pipe nobody writes: reading it must not wait
        os.mkfifo(spot)
        found = []
        reader = threading.Thread(target=lambda: found.append(SectionCache(other).get(key, images)), daemon=True)
        reader.start()
        reader.join(30)
        assert not reader.is_alive() and found == [None]


def test_a_recording_keeps_which_attributes_are_the_same_object():
    """The tagging canvas knows a repeated header row, and the later piece of a split
    element, by the identity of its attributes: the format keeps it."""
    from pipeline.pdf.replay import decode_recording, encode_recording

    header = {"row": 0, "column": 0, "links": (), "scope": "col"}
    first = {"links": ("#a",)}
    later = {"links": (), "continues": first}
    pages = [[("begin_marked", "TH", header), ("code", ["q", "Q"]), ("end_marked",),
              ("begin_marked", "P", first), ("end_marked",)],
             [("begin_marked", "TH", header), ("end_marked",), ("begin_marked", "P", later), ("end_marked",),
              ("add_destination", "a", 12.5), ("add_outline", "A", "a", 0)]]
    text = json.dumps(encode_recording((pages, 3.25), "k"))
    decoded_pages, end = decode_recording(json.loads(text), "k")
    assert (decoded_pages, end) == (pages, 3.25)
    assert decoded_pages[0][0][2] is decoded_pages[1][0][2]
    assert decoded_pages[1][2][2]["continues"] is decoded_pages[0][3][2]
    assert decode_recording(json.loads(text), "another key") is None


def test_a_well_formed_recording_that_does_not_fit_is_laid_out_again(sample_path, tmp_path):
    """A recording that passes every check but names an anchor the document lacks (as a
    hand-made file could): the build replays, fails, and is made again laid out in full,
    byte for byte the build from nothing; the file is recorded afresh."""
    from pipeline.build import build_report, default_pdf_cache_dir

    out = tmp_path / "out"
    build_report(sample_path, out, formats=("pdf",), workers=1)
    forged = 0
    for path in sorted(default_pdf_cache_dir(out).rglob("*.json.z")):
        document = json.loads(zlib.decompress(path.read_bytes()))
        links = _events(document, "linkRect")
        for event in links:
            event[1][1] = "nowhere"
        if links:
            path.write_bytes(zlib.compress(json.dumps(document).encode()))
            forged += 1
    assert forged
    again = build_report(sample_path, out, formats=("pdf",), workers=1)
    plain = build_report(sample_path, tmp_path / "plain", formats=("pdf",), use_cache=False, workers=1)
    assert again.pdf_replayed == 0
    assert again.paths["pdf"].read_bytes() == plain.paths["pdf"].read_bytes()
    third = build_report(sample_path, out, formats=("pdf",), workers=1)
    assert third.pdf_replayed == 22
    assert third.paths["pdf"].read_bytes() == plain.paths["pdf"].read_bytes()
