"""A meeting's pack with an exempt item, built once, for the tests of its HTML index pages
(tests/test_pack_html.py, and the browser checks in tests/test_html_browser.py)."""
from __future__ import annotations

from pathlib import Path

from packpdfs import MEETING, document, item, report_pdf

SECRET_TITLES = ("Contract award", "Commercial details", "secret.pdf", "Zanzibar")


def build_meeting(folder: Path):
    from pipeline.pack.agenda import build_pack
    from pipeline.pack.manifest import read_manifest

    report_pdf(folder / "report.pdf", "Cover report", 3)
    report_pdf(folder / "secret.pdf", "Zanzibar confidential", 2)
    manifest = folder / "meeting.toml"
    manifest.write_text(MEETING
                        + item("A1", "Introduction/Webcasting")
                        + item("E2", "Contract award", document("Commercial details", "secret.pdf", "exempt", 3))
                        + item("E3", "Families & Social Care <Performance>", document("Report", "report.pdf")))
    m = read_manifest(manifest)
    return m, build_pack(m, folder / "out")


def index_pages(folder: Path) -> dict[str, Path]:
    from pipeline.pack.agenda import pack_paths

    m, _result = build_meeting(folder)
    paths = pack_paths(m, folder / "out")
    return {"pack_members": paths.members_index, "pack_public": paths.public_index}
