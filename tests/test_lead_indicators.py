"""Seed 004's "Lead indicators" section: every activity indicator's chart (threshold lines,
alt text naming the expected range) in the PDF and the Word report, its actions as a real
list in both, and each lead indicator kept whole on one page, several to a page."""
from __future__ import annotations

import pikepdf
import pytest
import ua_checks
from test_page_rules import page_rule_problems

from pipeline.document.model import BulletList, Columns, Figure, Heading, KeepTogether, Paragraph, plain_text, walk

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
LEAD = ("SCS07", "SCS08", "SCS09", "SCS10", "SCS11", "SCS12")
WITH_RANGE = {"SCS08": ("4,600", "6,400", "within"), "SCS11": ("150", "300", "within"),
              "SCS12": ("40", "100", "above")}
CIC_ACTIONS = [  # seed 004, page 28
    "Improving the percentage of children who are adopted.",
    "Robust gate-keeping of decisions to take Children in Care.",
    "Robust tracking of permanency planning including tackling drift and delay.",
    "Increased investment in prevention and early intervention services.",
    "Developing speedier and integrated responses to vulnerable adolescents.",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_path):
    from pipeline.build import build_report

    return build_report(sample_path, tmp_path_factory.mktemp("lead"), use_cache=False)


def _lead_cards(cardset):
    return [c for c in cardset.cards if c.indicator.activity]


def _lead_blocks(document) -> dict[str, KeepTogether]:
    """indicator id -> its kept-together block in the lead section."""
    out = {}
    for part in document.parts:
        for block in part.blocks:
            if isinstance(block, KeepTogether) and isinstance(block.blocks[0], Heading) \
                    and block.blocks[0].level == 3 and block.blocks[0].anchor:
                out[block.blocks[0].anchor.removeprefix("ind-").upper()] = block
    return out


# ----------------------------------------------------------------------------- the model
def test_the_sample_has_the_seeds_six_lead_indicators_after_the_rated_pages(built):
    assert [c.indicator.id for c in _lead_cards(built.cardset)] == list(LEAD)
    part = next(p for p in built.document.parts if p.title.endswith("Specialist Children's Services"))
    heads = [b for b in walk(part.blocks) if isinstance(b, Heading)]
    lead_at = next(i for i, h in enumerate(heads) if h.text == "Specialist Children's Services - Lead indicators")
    assert heads[lead_at - 1].text.startswith("Commentary") or heads[lead_at - 1].text.startswith("6. ")
    # numbered as the summary table numbers them (7 to 12), each linked from it
    assert [h.text for h in heads[lead_at + 1:lead_at + 7]] == [
        f"{n}. {c.indicator.title}" for n, c in zip(range(7, 13), _lead_cards(built.cardset))]
    assert heads[lead_at + 7].text == "Specialist Children's Services - Lead indicators: trend data"


def test_each_lead_block_reads_commentary_actions_then_chart_figure_and_notes(built):
    blocks = _lead_blocks(built.document)
    assert sorted(blocks) == list(LEAD)
    for ident, block in blocks.items():
        heading, columns = block.blocks
        assert isinstance(columns, Columns) and len(columns.columns) == 2
        text, chart = columns.columns
        card = next(c for c in built.cardset.cards if c.indicator.id == ident)
        assert plain_text(text[0].content) == card.commentary.text.split("\n")[0]
        figure, latest, *notes = chart
        assert isinstance(figure, Figure) and isinstance(latest, Paragraph)
        assert plain_text(latest.content).startswith(f"Sep-13: {card.fmt(card.current.actual)}, ")
        assert plain_text(notes[-1].content) == "Data Source: ICS"
    # SCS09: the seed's introduction and five actions, in order, after the commentary
    text = blocks["SCS09"].blocks[1].columns[0]
    intro, actions = text[-2:]
    assert plain_text(intro.content) == ("Actions being taken which will impact on the number of Children in Care "
                                         "include:")
    assert isinstance(actions, BulletList) and [plain_text(i) for i in actions.items] == CIC_ACTIONS


def test_threshold_lines_and_alt_text_name_the_range_and_where_the_latest_figure_is(built):
    from pipeline.document.common import chart_spec

    blocks = _lead_blocks(built.document)
    for ident in LEAD:
        card = next(c for c in built.cardset.cards if c.indicator.id == ident)
        figure = blocks[ident].blocks[1].columns[1][0]
        assert figure.chart == chart_spec(card)  # the same chart specification as the rated pages
        alt = figure.alt_text
        if ident in WITH_RANGE:
            low, high, where = WITH_RANGE[ident]
            assert figure.chart.band_lower is not None and figure.chart.band_upper is not None
            assert ("with the expected range between the upper threshold (long dashes) and lower threshold "
                    "(short dashes)") in alt
            assert alt.endswith(f"Sep-13: {card.fmt(card.current.actual)} (expected range {low} to {high}), "
                                f"{where} the expected range.")
        else:
            assert figure.chart.band_lower is None and "threshold" not in alt
            assert alt.endswith("no expected range set.")


def test_the_latest_line_says_where_the_figure_is_against_its_range(built):
    blocks = _lead_blocks(built.document)
    latest = {i: plain_text(b.blocks[1].columns[1][1].content) for i, b in blocks.items()}
    assert latest["SCS08"] == "Sep-13: 4,851, within expected range (4,600 to 6,400)."
    assert latest["SCS12"] == "Sep-13: 108, above expected range (40 to 100)."
    assert latest["SCS10"] == "Sep-13: 1,273, no expected range."


def test_the_trend_data_keeps_every_figure(built):
    from pipeline.document.model import Table

    tables = {b.caption: b for p in built.document.parts for b in walk(p.blocks) if isinstance(b, Table)}
    card = next(c for c in built.cardset.cards if c.indicator.id == "SCS08")
    trend = tables["Trend data: Number of referrals"]
    assert [c.text for c in trend.header_rows[-1][1:]] == [f.period.label for f in card.window()]
    rows = {r[0].text: [c.text for c in r[1:]] for r in trend.rows}
    assert rows["Actual"][-3:] == ["4,851", "–", "–"]  # Dec-13 and Mar-14 carry thresholds only
    assert set(rows["Lower threshold"]) == {"4,600"} and set(rows["Upper threshold"]) == {"6,400"}
    assert rows["Expected range"][:4] == ["Within", "Within", "Within", "Below"]
    # no range: no row of dashes for one
    assert "Expected range" not in {r[0].text for r in tables["Trend data: Number of contacts received"].rows}


# ----------------------------------------------------------------------------- the PDF
def _pdf_pages(path):
    """(lines, images) of each page."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [([" ".join(line.split()) for line in (p.extract_text() or "").splitlines()], len(p.images))
                for p in pdf.pages]


def _heading_page(pages, text) -> int:
    """The page holding ``text`` as a line of its own: the heading itself, not its entry in
    a contents list, its row in a summary table or its trend data's heading."""
    found = [i for i, (lines, _) in enumerate(pages) if text in lines]
    assert len(found) == 1, (text, found)
    return found[0]


def _page_of(pages, text, among) -> int:
    found = [i for i in among if text in " ".join(pages[i][0])]
    assert len(found) == 1, (text, found)
    return found[0]


def _lead_pages(pages) -> range:
    start = _heading_page(pages, "Specialist Children's Services - Lead indicators")
    return range(start, _heading_page(pages, "Specialist Children's Services - Lead indicators: trend data") + 1)


def test_pdf_has_every_chart_and_each_lead_page_holds_its_indicators_charts(built):
    pages = _pdf_pages(built.paths["pdf"])
    assert sum(n for _, n in pages) == len(built.cardset.cards) == 23
    on_page: dict[int, int] = {}
    for n, card in enumerate(_lead_cards(built.cardset), start=7):
        page = _heading_page(pages, f"{n}. {card.indicator.title}")
        assert page in _lead_pages(pages)
        on_page[page] = on_page.get(page, 0) + 1
    for page, headings in on_page.items():
        assert pages[page][1] == headings  # each lead indicator's chart on its heading's page
    assert len(on_page) < len(LEAD)  # several to a page: not one page each


def test_pdf_never_splits_a_lead_indicator(built):
    pages = _pdf_pages(built.paths["pdf"])
    lead = _lead_pages(pages)
    for n, card in enumerate(_lead_cards(built.cardset), start=7):
        top = _heading_page(pages, f"{n}. {card.indicator.title}")
        last_words = " ".join(card.commentary.text.split()[-6:])
        assert _page_of(pages, last_words, lead) == top, card.indicator.id
        assert _page_of(pages, f"Sep-13: {card.fmt(card.current.actual)},", lead) == top, card.indicator.id
    # (the text column's lines come out interleaved with the chart column's: a short needle)
    assert _page_of(pages, "vulnerable adolescents.", lead) == _heading_page(
        pages, "9. Number of indigenous Children in Care")


def test_pdf_page_rules_hold_on_the_lead_pages(built):
    import pdfplumber

    with pdfplumber.open(built.paths["pdf"]) as pdf:
        pages = [((p.extract_text() or "").splitlines(), p.images) for p in pdf.pages]
    assert page_rule_problems(built.document, pages) == []


def _mcid_text(path) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text drawn in that marked content, a space where a line wraps."""
    import pdfplumber

    out: dict[tuple[int, int], str] = {}
    last: dict[tuple[int, int], float] = {}
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for ch in page.chars:
                if ch.get("mcid") is None:
                    continue
                key = (index, ch["mcid"])
                if key in last and abs(ch["top"] - last[key]) > 1:
                    out[key] += " "
                out[key] = out.get(key, "") + ch["text"]
                last[key] = ch["top"]
    return out


def _pdf_lists(path) -> list[list[str]]:
    """Every L element of the structure tree: the text of each of its LI, from the marked
    content its LBody points at."""
    texts = _mcid_text(path)
    out = []
    with pikepdf.open(path) as pdf:
        page_index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}

        def marks(elem, page):
            page = elem.get("/Pg", page)
            for kid in ua_checks.kids(elem):
                if isinstance(kid, int):
                    yield page_index[page.objgen], kid
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    yield page_index[kid.get("/Pg", page).objgen], int(kid.MCID)
                elif isinstance(kid, pikepdf.Dictionary):
                    yield from marks(kid, page)

        for elem, _ in ua_checks.elements(pdf):
            if ua_checks.role(pdf, elem) == "L":
                items = []
                for li in ua_checks.kids(elem):
                    assert ua_checks.role(pdf, li) == "LI"
                    items.append(" ".join("".join(texts.get(m, "") for m in marks(li, None)).split()))
                out.append(items)
    return out


def test_pdf_tags_the_actions_as_a_list_with_every_word_in_order(built):
    lists = _pdf_lists(built.paths["pdf"])
    actions = [items for items in lists if any("gate-keeping" in i for i in items)]
    assert len(actions) == 1
    assert [i.lstrip("• ").strip() for i in actions[0]] == CIC_ACTIONS


# ----------------------------------------------------------------------------- the Word report
@pytest.fixture(scope="module")
def word(built):
    import docx

    return docx.Document(str(built.paths["docx"]))


def _lead_cells(word, title):
    """The two cells of the layout row under the lead indicator's Heading 3."""
    from docx.table import Table

    body = list(word.element.body)
    at = next(i for i, el in enumerate(body) if el.tag == f"{W}p" and "".join(el.itertext()).endswith(title)
              and el.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Heading3")
    table = next(el for el in body[at + 1:] if el.tag == f"{W}tbl")
    return Table(table, word).rows[0].cells


def test_docx_has_every_chart_with_the_models_alt_text_beside_its_words(built, word):
    import zipfile

    with zipfile.ZipFile(built.paths["docx"]) as z:
        xml = z.read("word/document.xml").decode()
    assert xml.count("<wp:docPr ") == len(built.cardset.cards) == 23
    blocks = _lead_blocks(built.document)
    for n, card in enumerate(_lead_cards(built.cardset), start=7):
        text_cell, chart_cell = _lead_cells(word, f"{n}. {card.indicator.title}")
        (picture,) = list(chart_cell._tc.iter(f"{WP}docPr"))
        assert picture.get("descr") == blocks[card.indicator.id].blocks[1].columns[1][0].alt_text
        assert not list(text_cell._tc.iter(f"{WP}docPr"))
        assert text_cell.paragraphs[0].text == card.commentary.text.split("\n")[0]


def test_docx_actions_are_list_bullet_paragraphs_of_a_real_list(word):
    text_cell, _ = _lead_cells(word, "9. Number of indigenous Children in Care")
    bullets = [p for p in text_cell.paragraphs if p.style.name == "List Bullet"]
    assert [p.text for p in bullets] == CIC_ACTIONS
    texts = [p.text for p in text_cell.paragraphs]
    assert texts[texts.index(CIC_ACTIONS[0]) - 1] == ("Actions being taken which will impact on the number of "
                                                      "Children in Care include:")
    # the style is numbered (a bullet list Word and screen readers know as a list)
    num = word.styles["List Bullet"].element.find(f"{W}pPr/{W}numPr/{W}numId")
    assert num is not None and num.get(f"{W}val")


# ----------------------------------------------------------------------------- never split: growing text
@pytest.fixture(scope="module")
def growing(tmp_path_factory):
    """Two lead indicators, the second's (or, ``first=True``, the first's) commentary growing
    past the point where it no longer fits beside the first, then past a page: each size
    rendered to a PDF."""
    from workbooks import make_workbook

    from pipeline.cards.compute import compute_cards
    from pipeline.charts.draw import render_all
    from pipeline.document.assemble import build_document
    from pipeline.document.model import figures
    from pipeline.input.workbook import read_workbook
    from pipeline.pdf.render import render_pdf

    folder = tmp_path_factory.mktemp("growing")
    months = [f"2013-{m:02d}" for m in range(4, 10)]
    sentence = "Demand rose in the east of the county while the west held steady. "
    out = {}
    for grows in ("L1", "L2"):
        for count in (1, 6, 10, 14, 16, 40, 100):
            text = {"L1": sentence * 4, "L2": sentence * 4, grows: sentence * count}
            book = make_workbook(
                folder / f"book-{grows}-{count}.xlsx",
                indicators=[{"id": i, "title": f"Number of {w}", "polarity": "none", "unit": "count",
                             "decimals": 0, "activity": "Y", "section": "Children"}
                            for i, w in (("L1", "contacts"), ("L2", "referrals"))],
                values=[{"indicator_id": i, "period": m, "actual": 100 + 10 * k, "lower_threshold": 90,
                         "upper_threshold": 200} for i in ("L1", "L2") for k, m in enumerate(months)],
                commentary=[{"indicator_id": i, "period": "2013-09", "text": text[i],
                             "actions": f"These actions are under way:\n- first action of {i}\n- last action of {i}"}
                            for i in ("L1", "L2")],
                report=[("from", "A. Officer"), ("to", "Committee"), ("date", "2013-12-05"), ("subject", "Test"),
                        ("period", "2013-09")],
            )
            dataset = read_workbook(book)
            document = build_document(dataset, compute_cards(dataset))
            images = render_all([f.chart for f in figures(document)], workers=1)
            path = folder / f"growing-{grows}-{count}.pdf"
            render_pdf(document, path, images)
            out[(grows, count)] = (document, _pdf_pages(path), _images_by_page(path))
    return out


def _images_by_page(path):
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [((p.extract_text() or "").splitlines(), p.images) for p in pdf.pages]


@pytest.mark.parametrize("grows", ["L2", "L1"])
def test_a_growing_lead_indicator_stays_whole_or_runs_on_under_its_heading(growing, grows):
    """Whatever its length, a lead indicator keeps the page rules: beside the other while
    both fit, moved whole to the next page when not, and on a page of its own, its text
    running on under "(continued)" headings, when it could never fit one page."""
    seen = set()
    for (which, count), (document, pages, raw) in growing.items():
        if which != grows:
            continue
        assert page_rule_problems(document, raw) == [], count
        first = _heading_page(pages, "1. Number of contacts")
        top = _heading_page(pages, "2. Number of referrals")
        mine = top if grows == "L2" else first
        continued = [i for i, (lines, _) in enumerate(pages) if any(line.endswith("(continued)") for line in lines)]
        flat = " ".join(" ".join(pages[i][0]) for i in [mine, *continued])
        assert f"last action of {grows}" in flat, count  # every word of its text somewhere on its pages
        assert "Sep-13: 150, within expected range (90 to 200)." in " ".join(pages[mine][0]), count
        assert len(raw[mine][1]) == (2 if top == first else 1), count  # its chart with its heading
        if continued:
            seen.add("runs on")
            assert all(i > mine for i in continued)
        elif top == first:
            seen.add("shared")
        else:
            seen.add("moved whole")
            assert f"last action of {grows}" in " ".join(pages[mine][0]), count
    assert seen == {"shared", "moved whole", "runs on"}


# ----------------------------------------------------------------------------- the chart itself
def _threshold_pixels(spec) -> int:
    """How many pixels of the threshold colour (pipeline.charts.draw.THRESHOLD_STYLE) the chart has."""
    import io

    import numpy as np
    from PIL import Image

    from pipeline.charts.draw import THRESHOLD_STYLE, render_png

    colour = THRESHOLD_STYLE["Upper threshold"][0]
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    img = np.asarray(Image.open(io.BytesIO(render_png(spec))).convert("RGB")).astype(int)
    return int((np.abs(img - rgb).sum(axis=2) < 40).sum())


def test_thresholds_are_drawn_as_lines_and_only_those_given():
    from pipeline.document.model import ChartSpec, Series

    periods = ("Jun-13", "Jul-13", "Aug-13", "Sep-13")
    actual = (Series("Actual", (80.0, 95.0, 102.0, 108.0)),)
    none = _threshold_pixels(ChartSpec("No range", periods, actual, "count", 0))
    upper = _threshold_pixels(ChartSpec("Upper", periods, actual, "count", 0, band_upper=(100.0,) * 4))
    both = _threshold_pixels(ChartSpec("Both", periods, actual, "count", 0, band_lower=(40.0,) * 4,
                                       band_upper=(100.0,) * 4))
    alone = _threshold_pixels(ChartSpec("One period", periods, actual, "count", 0,
                                        band_upper=(None, None, 100.0, None)))
    assert none == 0
    assert upper > 0 and both > upper  # a line (and its key entry) for each threshold given
    assert alone > 0  # a threshold given for one period alone is still seen (a level mark)


def test_alt_text_with_one_threshold_names_the_side_it_bounds():
    from pipeline.document.alt_text import chart_alt_text
    from pipeline.document.model import ChartSpec, Series

    spec = ChartSpec("Core assessments", ("Aug-13", "Sep-13"), (Series("Actual", (102.0, 108.0)),), "count", 0,
                     band_upper=(100.0, 100.0))
    alt = chart_alt_text(spec, "above the expected range")
    assert "with the expected range between the upper threshold (long dashes)" in alt
    assert "lower threshold" not in alt
    assert alt.endswith("Sep-13: 108 (expected range up to 100), above the expected range.")
    low = ChartSpec("Contacts", ("Sep-13",), (Series("Actual", (5.0,)),), "percent", 1, band_lower=(4.0,))
    assert "(expected range 4% or more)" in chart_alt_text(low, "within the expected range")
