"""The meeting's HTML index pages (pipeline.pack.html_index): written with the packs as one set,
the agenda of the front sheet with each paper linked to its files, and the public page
without any trace of an exempt paper."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pack_html_pages import SECRET_TITLES, build_meeting


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    from pipeline.pack.agenda import pack_paths

    folder = tmp_path_factory.mktemp("meeting")
    m, result = build_meeting(folder)
    return m, result, pack_paths(m, folder / "out")


def test_index_pages_are_written_with_the_packs(meeting):
    _m, result, paths = meeting
    for page in (paths.members_index, paths.public_index):
        assert page.is_file() and page.parent == result.paths["members"].parent
    assert paths.members_index in paths.files and paths.public_index in paths.files


def test_the_public_page_never_names_an_exempt_paper(meeting):
    _m, _result, paths = meeting
    members = paths.members_index.read_text(encoding="utf-8")
    public = paths.public_index.read_text(encoding="utf-8")
    for secret in SECRET_TITLES[:2]:
        assert secret in members, secret  # (the check can see them where they are)
    for secret in SECRET_TITLES:
        assert secret not in public, secret
    assert "exempt" not in public.lower() and "Schedule 12A" not in public
    assert "Families &amp; Social Care &lt;Performance&gt;" in public  # escaped, and present


def test_links_are_relative_and_land_on_files_of_the_set(meeting):
    _m, _result, paths = meeting
    for page, pack in ((paths.members_index, paths.members), (paths.public_index, paths.public)):
        text = page.read_text(encoding="utf-8")
        hrefs = [h for h in re.findall(r'href="([^"]+)"', text) if not h.startswith(("#", "mailto:"))]
        assert pack.name in hrefs
        for href in hrefs:
            assert "/" not in href and (page.parent / href).is_file(), href
        assert "<script" not in text and "src=" not in text


def test_the_agenda_matches_the_front_sheet(meeting):
    """The items and page ranges of the index are those of the PDF pack's front sheet."""
    import pdfplumber

    _m, _result, paths = meeting
    with pdfplumber.open(paths.members) as pdf:
        front = pdf.pages[0].extract_text()
    members = re.sub(r"<[^>]+>", " ", paths.members_index.read_text(encoding="utf-8"))
    for title in ("Introduction/Webcasting", "Contract award"):
        assert title in front and title in members
    assert Path(paths.public.name).suffix == ".pdf"
