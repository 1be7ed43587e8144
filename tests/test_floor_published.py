"""Published and internal minimum standards (floors), docs/workbook.md ``floor_published``.

A published floor is shown as the trend table's "Minimum standard" row and the chart's
dotted line (legend and alt text); an internal one (the default) rates the same way but
appears in neither, and the data notes say in plain words that the rating uses it. Both
sides are checked in the model, in the PDF and in the DOCX, reopened."""
from __future__ import annotations

import re

import pytest
from workbooks import series

from pipeline.errors import InputProblems
from pipeline.input.workbook import read_workbook
from pipeline.rules.rating import Rag

MONTHS = ["2013-07", "2013-08", "2013-09"]
PUBLISHED_TITLE = "Calls answered within a minute (P1)"
INTERNAL_TITLE = "Letters answered within a week (I1)"
NOTE = "the rating uses an internal minimum standard of 72%; a result below it is rated Red."


def _problems(path) -> list[str]:
    with pytest.raises(InputProblems) as exc:
        read_workbook(path)
    return [str(p) for p in exc.value.problems]


def _two_indicators(make_book, published="Y", internal=None, **values):
    """P1 says its floor is published, I1 leaves the column as given (blank: internal);
    both higher-is-better percentages at one place, target 80, floor 72, Sep-13 70% (RED)."""
    kwargs = dict(actual=[75, 71.96, 70], target=80, floor=72, **values)
    return make_book(
        indicators=[{"id": "P1", "title": PUBLISHED_TITLE, "decimals": 1, "floor_published": published},
                    {"id": "I1", "title": INTERNAL_TITLE, "decimals": 1, "floor_published": internal}],
        values=series("P1", MONTHS, **kwargs) + series("I1", MONTHS, **kwargs),
        report=[("from", "A. Officer"), ("to", "Test Cabinet Committee"), ("date", "2013-12-05"),
                ("subject", "Test performance dashboard"), ("period", "2013-09")],
    )


# --------------------------------------------------------------------------- the workbook
@pytest.mark.parametrize("written, expected", [
    ("Y", True), ("y", True), ("yes", True), ("N", False), ("no", False), (None, False), ("", False)])
def test_the_flag_is_read_and_blank_is_internal(make_book, written, expected):
    book = make_book(indicators=[{"id": "I1", "floor_published": written}],
                     values=series("I1", MONTHS, actual=75, target=80, floor=72))
    assert read_workbook(book).indicators[0].floor_published is expected


def test_the_flag_has_an_alias(make_book):
    book = make_book(indicators=[{"id": "I1", "Minimum standard published": "Y"}],
                     values=series("I1", MONTHS, actual=75, target=80, floor=72))
    assert read_workbook(book).indicators[0].floor_published is True


def test_a_workbook_without_the_column_reads_as_before_with_internal_floors(make_book):
    book = make_book(indicators=[{"id": "I1"}], values=series("I1", MONTHS, actual=75, target=80, floor=72))
    assert read_workbook(book).indicators[0].floor_published is False


@pytest.mark.parametrize("columns, values, message", [
    ({"floor_published": "maybe"}, dict(floor=72), '"maybe" is not Y or N'),
    ({"floor_published": "Y", "polarity": "none"}, {},
     "is Y, but indicator I1 is not rated (polarity none) and has no minimum standard: leave it blank"),
    ({"floor_published": "Y", "polarity": "none", "activity": "Y", "unit": "count"}, {},
     "is Y, but indicator I1 is an activity indicator and has no minimum standard: leave it blank"),
    ({"floor_published": "Y"}, {},
     "is Y, but indicator I1 has no minimum standard: give a floor on the values sheet or a tolerance on "
     "this row, or leave floor_published blank"),
])
def test_a_flag_that_cannot_be_honoured_is_refused_with_its_cell(make_book, columns, values, message):
    book = make_book(indicators=[{"id": "I1", **columns}],
                     values=series("I1", MONTHS, actual=75, target=80, **values))
    assert _problems(book) == [f"indicators row 2, column floor_published: {message}"]


@pytest.mark.parametrize("columns, floors", [
    ({"tolerance": 5}, None),  # the tolerance sets it
    ({"tolerance_percent": 10}, None),
    ({}, [None, None, 72]),  # one row gives one: enough
])
def test_a_published_floor_from_a_tolerance_or_one_row_is_accepted(make_book, columns, floors):
    book = make_book(indicators=[{"id": "I1", "floor_published": "Y", **columns}],
                     values=series("I1", MONTHS, actual=75, target=80, floor=floors))
    assert read_workbook(book).indicators[0].floor_published is True


def test_validate_names_the_file_sheet_row_and_column(make_book, run_cli):
    book = make_book(indicators=[{"id": "I1"}, {"id": "I2", "floor_published": "Y"}],
                     values=series("I1", MONTHS, actual=75, target=80) + series("I2", MONTHS, actual=75, target=80))
    result = run_cli("validate", book)
    assert result.exit_code == 1
    assert book.name in result.stderr
    assert "indicators row 3, column floor_published: is Y, but indicator I2 has no minimum standard" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- the model
def _model(book):
    from pipeline.cards.compute import compute_cards
    from pipeline.document.assemble import build_document

    dataset = read_workbook(book)
    cards = compute_cards(dataset)
    return dataset, cards, build_document(dataset, cards)


def _trend_rows(document, title) -> dict[str, list[str]]:
    from pipeline.document.model import Table, walk

    table = next(b for p in document.parts for b in walk(p.blocks)
                 if isinstance(b, Table) and b.caption == f"Trend data: {title}")
    return {"".join(r.text for r in row[0].content): ["".join(r.text for r in c.content) for c in row[1:]]
            for row in table.rows}


def _figure(document, card):
    from pipeline.document.model import figures

    return next(f for f in figures(document) if f.chart.title == card.indicator.title)


def _paragraphs(document) -> list[str]:
    from pipeline.document.model import Paragraph, walk

    return ["".join(r.text for r in b.content) for p in document.parts for b in walk(p.blocks)
            if isinstance(b, Paragraph)]


def test_published_floor_in_table_and_chart_internal_in_the_notes_only(make_book):
    _dataset, cards, document = _model(_two_indicators(make_book))
    published, internal = cards.cards
    assert _trend_rows(document, PUBLISHED_TITLE)["Minimum standard"] == ["72%", "72%", "72%"]
    assert "Minimum standard" not in _trend_rows(document, INTERNAL_TITLE)
    pub_fig, int_fig = _figure(document, published), _figure(document, internal)
    assert [s.role for s in pub_fig.chart.series].count("floor") == 1
    assert "floor" not in [s.role for s in int_fig.chart.series]
    assert "minimum standard (dotted)" in pub_fig.alt_text
    assert "minimum standard" not in int_fig.alt_text.lower()
    notes = _paragraphs(document)
    assert notes.count(f"Minimum standard: {NOTE}") == 1  # I1's, not P1's


def test_an_internal_floor_rates_exactly_as_a_published_one(make_book):
    """71.96 shows as 72.0, equal to the floor: AMBER either way; 70 is RED either way."""
    _dataset, cards, _document = _model(_two_indicators(make_book))
    published, internal = cards.cards
    assert [f.rag for f in published.history] == [f.rag for f in internal.history] == [Rag.AMBER, Rag.AMBER, Rag.RED]


@pytest.mark.parametrize("indicator, values, note", [
    # a floor in the values: as the report writes set figures (72.5 keeps its place, 72.0 drops it)
    (dict(decimals=1), dict(target=80, floor=72.5), "of 72.5%; a result below"),
    (dict(decimals=1), dict(target=80, floor=71.96), "of 72%; a result below"),
    (dict(decimals=1), dict(target=80, floor=71.94), "of 71.9%; a result below"),
    # a tolerance sets it: it follows the (phased) target, the note says how and when
    (dict(decimals=1, tolerance=5), dict(target=[78, 79, 80]), "of 75% in Sep-13 (5 points below the target);"),
    (dict(decimals=1, tolerance=1), dict(target=80), "of 79% (1 point below the target);"),
    (dict(polarity="lower", unit="count", decimals=0, tolerance_percent=10), dict(target=[145, 130, 130]),
     "of 143 in Sep-13 (10% above the target); a result above it is rated Red."),
    (dict(polarity="lower", unit="rate", decimals=2), dict(target=5.4, floor=5.9), "of 5.90; a result above"),
    (dict(polarity="band", decimals=1), dict(target=10, floor=8), "of 2 points either side of the target; "
     "a result further from the target is rated Red."),
    # the report period has no floor: the latest shown, with its month
    (dict(decimals=1), dict(target=80, floor=[70, 71, None]), "of 71% in Aug-13; a result below"),
])
def test_the_internal_note_in_plain_words(make_book, indicator, values, note):
    book = make_book(indicators=[{"id": "I1", **indicator}], values=series("I1", MONTHS, actual=75, **values))
    _dataset, _cards, document = _model(book)
    found = [p for p in _paragraphs(document) if p.startswith("Minimum standard: ")]
    assert len(found) == 1 and note in found[0], found


def test_no_floor_no_note_and_no_row(make_book):
    book = make_book(indicators=[{"id": "I1"}], values=series("I1", MONTHS, actual=75, target=80))
    _dataset, _cards, document = _model(book)
    assert not [p for p in _paragraphs(document) if p.startswith("Minimum standard: ")]
    assert "Minimum standard" not in _trend_rows(document, "Indicator I1")


# --------------------------------------------------------------------------- the documents
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from workbooks import make_workbook

    from pipeline.build import build_report

    folder = tmp_path_factory.mktemp("floors")

    class Maker:  # (make_book is function-scoped)
        def __call__(self, **kwargs):
            return make_workbook(folder / "floors.xlsx", **kwargs)

    book = _two_indicators(Maker())
    result = build_report(book, folder / "out", workers=1, use_cache=False)
    return result


def _pdf_pages(path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [re.sub(r"\s+", " ", page.extract_text() or "") for page in pdf.pages]


def test_pdf_shows_the_published_floor_and_notes_the_internal_one(built):
    import pikepdf
    import ua_checks

    pages = _pdf_pages(built.paths["pdf"])
    published = next(p for p in pages if f"1. {PUBLISHED_TITLE}" in p and "Trend Data" in p)
    internal = next(p for p in pages if f"2. {INTERNAL_TITLE}" in p and "Trend Data" in p)
    assert "Minimum standard 72% 72% 72%" in published
    assert "Minimum standard 72%" not in internal and "Minimum standard: the rating uses" not in published
    assert f"Minimum standard: {NOTE}" in internal
    with pikepdf.open(built.paths["pdf"]) as pdf:
        alts = [str(e.Alt) for e, _ in ua_checks.elements(pdf) if ua_checks.role(pdf, e) == "Figure"]
    alts = [a for a in alts if a.startswith(("Line chart", "Bar chart"))]  # the charts (not SPC icons)
    assert len(alts) == 2
    assert "minimum standard (dotted)" in alts[0] and "minimum standard" not in alts[1].lower()


def test_docx_shows_the_published_floor_and_notes_the_internal_one(built):
    from docx import Document

    word = Document(str(built.paths["docx"]))
    first_cells = {}
    for table in word.tables:
        cells = [row.cells[0].text for row in table.rows]
        if "Trend Data" in cells:
            first_cells[len(first_cells)] = cells
    assert "Minimum standard" in first_cells[0] and "Minimum standard" not in first_cells[1]
    row = next(r for t in word.tables for r in t.rows if r.cells[0].text == "Minimum standard")
    assert [c.text for c in row.cells[1:]] == ["72%", "72%", "72%"]
    body = word.element.body
    texts = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in body.iter(f"{_W}p")]
    assert texts.count(f"Minimum standard: {NOTE}") == 1
    descriptions = [d.get("descr") for d in body.iter(f"{_WP}docPr")]
    assert len(descriptions) == 2
    assert "minimum standard (dotted)" in descriptions[0] and "minimum standard" not in descriptions[1].lower()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


# --------------------------------------------------------------------------- the sample
def test_the_sample_publishes_no_floor_as_seed_004_publishes_none(sample_dataset, sample_cards):
    """Seed 004's trend tables have no minimum standard row: every floor of the sample is
    internal, shown in no table or chart, and each is in its indicator's data notes."""
    from pipeline.document.assemble import build_document
    from pipeline.document.model import Table, figures, walk

    document = build_document(sample_dataset, sample_cards)
    assert not any(ind.floor_published for ind in sample_dataset.indicators)
    for table in (b for p in document.parts for b in walk(p.blocks) if isinstance(b, Table)):
        assert all("".join(r.text for r in row[0].content) != "Minimum standard" for row in table.rows)
    assert not any(s.role == "floor" for f in figures(document) for s in f.chart.series)
    notes = [p for p in _paragraphs(document) if p.startswith("Minimum standard: ")]
    with_floor = [c.indicator.id for c in sample_cards.cards if any(f.floor is not None for f in c.window())]
    assert sorted(with_floor) == ["ASC08", "SCS02", "SCS04", "SCS05"]
    assert notes == [
        "Minimum standard: the rating uses an internal minimum standard of 143 in Sep-13 (10% above the "
        "target); a result above it is rated Red.",
        f"Minimum standard: {NOTE.replace('72%', '90%')}",
        "Minimum standard: the rating uses an internal minimum standard of 8%; a result above it is rated Red.",
        "Minimum standard: the rating uses an internal minimum standard of 11% in Sep-13 (2 points below the "
        "target); a result below it is rated Red.",
    ]


# How a note reads when it is written about the report rather than for its readers.
ANALYST = re.compile(r"published (trend|summary) table|this report follows|follows the page|reproduces|"
                     r"is not published|the floor equals|\bfloor\b|\bthe page\b", re.IGNORECASE)


def test_no_note_of_the_sample_talks_like_an_analyst(sample_dataset, sample_cards):
    from pipeline.document.assemble import build_document

    document = build_document(sample_dataset, sample_cards)
    assert [p for p in _paragraphs(document) if ANALYST.search(p)] == []
    assert ANALYST.search("The published trend table rated Aug-11 Amber; this report follows the page.")
