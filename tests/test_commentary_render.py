"""Commentary merged through the forms comes out as real paragraphs and bullet lists in the
built DOCX and PDF; the build warns about (and --strict refuses) RED indicators without
commentary and commentary older than its figures."""
from __future__ import annotations

import pytest
from commentary_helpers import EXPORTED, IMPORTED, copy_sample, fill, set_value

from pipeline.commentary.checks import CommentaryCheckFailed
from pipeline.commentary.forms import export_forms
from pipeline.commentary.merge import import_forms

SCS02 = ("Recruitment remains the main pressure.\n\n"
         "Actions this quarter:\n- agency staff reduced to 18%\n• a new “grow your own” scheme\n\n"
         "=Not a formula: see the workforce plan.")
PARAGRAPHS = ["Recruitment remains the main pressure.", "Actions this quarter:"]
BULLETS = ["agency staff reduced to 18%", "a new “grow your own” scheme"]
LAST = "=Not a formula: see the workforce plan."


@pytest.fixture(scope="module")
def built(sample_path, tmp_path_factory):
    """The sample with SCS02's commentary replaced through a form, SCS04's made stale, built once."""
    from pipeline.build import build_report

    tmp = tmp_path_factory.mktemp("render")
    master = copy_sample(sample_path, tmp)
    _, maureen = export_forms(master, tmp / "forms", now=EXPORTED)
    fill(maureen, {"SCS02": SCS02, "SCS04": "Written against 5.3%."}, author="Maureen Robinson")
    import_forms(master, [maureen], now=IMPORTED)
    set_value(master, "SCS04", "2013-06", "actual", 5.0)  # a revised figure after the commentary
    return master, build_report(master, tmp / "out")


def test_docx_has_real_paragraphs_and_list_items(built):
    import docx

    _, result = built
    paragraphs = docx.Document(result.paths["docx"]).paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == PARAGRAPHS[0])
    block = [(p.style.name, p.text) for p in paragraphs[start:start + 5]]
    assert paragraphs[start - 1].text == "Commentary" and paragraphs[start - 1].style.name == "Heading 3"
    assert block == [("Normal", PARAGRAPHS[0]), ("Normal", PARAGRAPHS[1]),
                     ("List Bullet", BULLETS[0]), ("List Bullet", BULLETS[1]), ("Normal", LAST)]


def test_pdf_has_separate_paragraphs_and_bulleted_items(built):
    import pdfplumber

    from pipeline.pdf.styles import GEOMETRY

    landscape = GEOMETRY["landscape"]
    _, result = built
    with pdfplumber.open(result.paths["pdf"]) as pdf:
        # the indicator page's commentary (the cover's RED table shares cells with the title);
        # a long commentary continues on the next page, so read that page's frame too
        index = [i for i, p in enumerate(pdf.pages) if PARAGRAPHS[0] in (p.extract_text() or "").split("\n")]
        assert len(index) == 1
        lines, words = [], []
        for page in pdf.pages[index[0]:index[0] + 2]:
            frame = page.crop((0, landscape.top, page.width, page.height - landscape.bottom))
            page_words = frame.extract_words()
            if page is pdf.pages[index[0]]:
                top = next(w["top"] for w in page_words if w["text"] == "Commentary")
                page_words = [w for w in page_words if w["top"] > top]
            lines += (frame.extract_text() or "").split("\n")
            words += page_words
    start = lines.index(PARAGRAPHS[0])
    assert lines[start:start + 5] == [PARAGRAPHS[0], PARAGRAPHS[1], "• " + BULLETS[0], "• " + BULLETS[1], LAST]

    def left(text):
        return next(w["x0"] for w in words if w["text"] == text.split()[0])

    assert left(BULLETS[0]) > left(PARAGRAPHS[0]) + 10  # list items are indented under their bullet
    assert left(LAST) == pytest.approx(left(PARAGRAPHS[0]))


def test_build_warns_about_commentary_older_than_its_figures(built):
    _, result = built
    stale = [w for w in result.warnings if "SCS04" in w]
    assert len(stale) == 1 and "figures that have changed since" in stale[0]
    assert not any("SCS02" in w for w in result.warnings)


def test_strict_build_refuses_red_without_commentary_and_stale_commentary_all_at_once(built, tmp_path, run_cli):
    from pipeline.build import build_report

    master, _ = built
    red = copy_sample(master, tmp_path, "red.xlsx")
    _, maureen = export_forms(red, tmp_path / "forms", now=EXPORTED)
    fill(maureen, {"SCS02": ""})  # the RED indicator's commentary removed
    import_forms(red, [maureen], now=IMPORTED)
    with pytest.raises(CommentaryCheckFailed) as info:
        build_report(red, tmp_path / "out", strict=True)
    message = str(info.value)
    assert "SCS02" in message and "rated RED" in message and "SCS04" in message
    assert sum("SCS02" in w and "no commentary" in w for w in info.value.warnings) == 1  # said once
    assert not (tmp_path / "out").exists()

    result = run_cli("build", red, "--out", tmp_path / "cli", "--strict", "--format", "docx")
    assert result.exit_code == 1
    assert "rated RED" in result.stderr and "SCS04" in result.stderr
    assert not (tmp_path / "cli").exists()
