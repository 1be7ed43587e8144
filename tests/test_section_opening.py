"""A section's opening (seed 004's Specialist Children's Services: responsibilities block,
then the Performance Indicator Summary of previous RAG, current RAG and direction of
travel) and summary columns no indicator of a section uses, which are left out in the
document model and so in both the PDF and the Word file."""
from __future__ import annotations

import pytest

from pipeline.document.model import Cell, Heading, Paragraph, Table, plain_text, runs, walk
from pipeline.document.unused_columns import drop_unused_columns, used_columns

CHILDREN = "Specialist Children's Services"
ADULTS = "Adult Social Care"

# seed 004, lines ~623-632: the children's section's block
SEED_BLOCK = [
    ("Bold Steps Priority/Core Service Area",
     "Ensure we provide the most robust and effective public protection arrangements"),
    ("Cabinet Member", "Jenny Whittle"),
    ("Portfolio", "Specialist Children's Service (SCS)"),
    ("Director", "Mairead MacNeil"),
    ("Division", "Specialist Children's Service (SCS)"),
]
# seed 004's Performance Indicator Summary: previous and current RAG of each indicator
SEED_RAGS = {
    "Initial assessments completed within 10 days": ("AMBER", "AMBER"),
    "Case holding posts filled by permanent qualified social workers": ("RED", "RED"),
    "Children subject to a child protection plan for the second or subsequent time": ("AMBER", "GREEN"),
    "Children subject to a child protection plan for two or more years at the point of de-registration":
        ("GREEN", "GREEN"),
    "Percentage of children leaving care who are adopted": ("GREEN", "GREEN"),
    "Children in Care with 3 or more placements in the last 12 months": ("AMBER", "AMBER"),
}
PIS_HEADER = ["Indicator", "Previous RAG", "Current RAG", "Direction of Travel"]
MONTHS = ["2013-06", "2013-07", "2013-08", "2013-09"]


def _document(dataset, cards):
    from pipeline.document.assemble import build_document

    return build_document(dataset, cards)


def _part(document, section):
    return next(p for p in document.parts if p.title.endswith(f": {section}"))


def _tables(part, prefix):
    return [b for b in walk(part.blocks) if isinstance(b, Table) and b.caption.startswith(prefix)]


def _texts(row):
    return [c.text for c in row]


@pytest.fixture(scope="module")
def sample_document(sample_dataset, sample_cards):
    return _document(sample_dataset, sample_cards)


def _read(path):
    from pipeline.cards.compute import compute_cards
    from pipeline.input.workbook import read_workbook

    dataset = read_workbook(path)
    return dataset, _document(dataset, compute_cards(dataset))


# ------------------------------------------------------------------------ the sample, in the model


def test_children_section_opens_with_the_seed_block_then_the_summary_then_its_paragraphs(sample_document):
    part = _part(sample_document, CHILDREN)
    blocks = part.blocks
    assert isinstance(blocks[0], Heading) and blocks[0].level == 1
    block = blocks[1]
    assert isinstance(block, Table) and block.kind == "details" and block.caption == f"Responsibilities: {CHILDREN}"
    assert [_texts(r) for r in block.rows] == [list(pair) for pair in SEED_BLOCK]
    assert all(r[0].header and r[0].scope == "row" for r in block.rows)
    assert isinstance(blocks[2], Heading) and blocks[2].text == "Performance Indicator Summary"
    table = blocks[3]
    assert isinstance(table, Table) and table.kind == "data"
    assert _texts(table.header_rows[0]) == PIS_HEADER
    # the paragraph per indicator follows the table (its narrative has no heading)
    assert plain_text(blocks[4].content).startswith("The performance measure for initial assessments")
    assert isinstance(blocks[5], type(blocks[4]))  # a paragraph, no heading between them
    assert not any(isinstance(b, Heading) and b.text == "Performance Indicator Summary"
                   for b in blocks[3:])  # the sample's narrative lost its invented heading


def test_previous_and_current_rags_match_seed_004(sample_document, sample_cards):
    table = _tables(_part(sample_document, CHILDREN), "Performance indicator summary")[0]
    got = {row[0].text: (row[1].text, row[2].text) for row in table.rows}
    assert got == SEED_RAGS
    for row in table.rows:  # the word and the house shading come from the cards, not recomputed
        card = next(c for c in sample_cards.section(CHILDREN)
                    if (c.indicator.short_title or c.indicator.title) == row[0].text)
        assert row[1].rag == card.previous_rag and row[2].rag == card.rag
        assert row[1].text == card.previous_rag.value and row[1].bold and row[2].bold
        assert row[0].content[0].href == f"#ind-{card.indicator.id.lower()}"
        assert row[3].text.split(" ", 1)[1] == card.direction.value.capitalize()


def test_adult_section_opens_with_its_summary_table_alone(sample_document):
    """Seed 004's adult indicators have different directors and priorities: no block, and
    no second summary beside the one the section opens with."""
    part = _part(sample_document, ADULTS)
    assert not _tables(part, "Responsibilities")
    assert not _tables(part, "Performance indicator summary")
    assert len(_tables(part, "Summary of performance")) == 1


def test_children_summary_drops_bold_steps_and_qpr_and_adults_keep_them(sample_document, sample_cards):
    children = _tables(_part(sample_document, CHILDREN), "Summary of performance")[0]
    adults = _tables(_part(sample_document, ADULTS), "Summary of performance")[0]
    assert not any(c.indicator.bold_steps or c.indicator.qpr for c in sample_cards.section(CHILDREN))
    headers = _texts(children.header_rows[0])
    assert "Bold Steps" not in headers and "QPR" not in headers
    # (the sample shows SPC: its Variation and Assurance columns sit beside RAG in both)
    assert len(children.columns) == len(headers) == 9 and all(len(r) == 9 for r in children.rows)
    assert "Bold Steps" in _texts(adults.header_rows[0]) and "QPR" in _texts(adults.header_rows[0])
    assert len(adults.columns) == 11


# ------------------------------------------------------------------------ the sample, rendered


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_path):
    from pipeline.build import build_report

    out = tmp_path_factory.mktemp("opening")
    return build_report(sample_path, out, workers=1).paths


def test_pdf_carries_the_block_and_a_real_summary_table(built):
    import pdfplumber

    with pdfplumber.open(built["pdf"]) as pdf:
        # the block, then the table: on one page, or the table at the top of the next (the
        # appendix's contents list above the block decides)
        at = [n for n, p in enumerate(pdf.pages)
              if all(f"{label} {value}" in (p.extract_text() or "") for label, value in SEED_BLOCK)]
        assert len(at) == 1
        tables = [t for p in pdf.pages[at[0]:at[0] + 2] for t in p.extract_tables()
                  if t and [c or "" for c in t[0]] == PIS_HEADER]
        assert len(tables) == 1
        rows = {r[0].replace("\n", " "): (r[1], r[2]) for r in tables[0][1:]}
        assert rows == SEED_RAGS
        summary_headers = [[" ".join((c or "").split()) for c in t[0]]
                           for p in pdf.pages for t in p.extract_tables()
                           if t and (t[0][0] or "") == "Indicator Description"]
    adult, children = summary_headers  # the adults' appendix comes first
    assert "Bold Steps" in adult and "QPR" in adult and len(adult) == 11  # (with SPC's two)
    assert "Bold Steps" not in children and "QPR" not in children and len(children) == 9


def test_docx_carries_the_block_and_a_real_summary_table(built):
    import docx

    word = docx.Document(str(built["docx"]))
    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def caption(table):
        el = table._tbl.tblPr.find(f"{W}tblCaption")
        return el.get(f"{W}val") if el is not None else ""

    def rows(table):
        return [[c.text for c in row.cells] for row in table.rows]

    block = [t for t in word.tables if caption(t) == f"Responsibilities: {CHILDREN}"]
    assert len(block) == 1 and rows(block[0]) == [list(pair) for pair in SEED_BLOCK]
    summary = [t for t in word.tables if caption(t).startswith("Performance indicator summary")]
    assert len(summary) == 1
    table = summary[0]
    assert rows(table)[0] == PIS_HEADER
    header_row = table.rows[0]._tr
    assert header_row.trPr is not None and header_row.trPr.find(f"{W}tblHeader") is not None
    assert {r[0]: (r[1], r[2]) for r in rows(table)[1:]} == SEED_RAGS
    summaries = [t for t in word.tables if caption(t).startswith("Summary of performance")]
    adult, children = (rows(t)[0] for t in summaries)
    assert "Bold Steps" in adult and "QPR" in adult
    assert "Bold Steps" not in children and "QPR" not in children and len(children) == 9  # (SPC's two)


# ------------------------------------------------------------------------ where the block comes from


def _book(make_book, indicators, sections=None, values=None):
    values = values if values is not None else [
        {"indicator_id": ind["id"], "period": m, "actual": 80 + i, "target": 81} for ind in indicators
        for i, m in enumerate(MONTHS)]
    extra = {"sections": sections} if sections is not None else None
    return make_book(indicators=indicators, values=values, extra_sheets=extra,
                     report=[("from", "A. Officer"), ("to", "Committee"), ("date", "2013-12-05"),
                             ("subject", "Test performance dashboard"), ("period", "2013-09")])


SHARED = {"section": "Care", "cabinet_member": "C. Member", "director": "D. Irector", "division": "Care"}


def _opening(make_book, indicators, sections=None, values=None):
    dataset, document = _read(_book(make_book, indicators, sections, values))
    part = _part(document, "Care")
    block = _tables(part, "Responsibilities")
    summary = _tables(part, "Performance indicator summary")
    return ([_texts(r) for r in block[0].rows] if block else None), (summary[0] if summary else None)


def test_indicators_that_share_their_responsibilities_give_the_block(make_book):
    block, summary = _opening(make_book, [{"id": "A", **SHARED}, {"id": "B", **SHARED}])
    assert block == [["Cabinet Member", "C. Member"], ["Director", "D. Irector"], ["Division", "Care"]]
    assert [r[0].text for r in summary.rows] == ["Indicator A", "Indicator B"]


def test_one_indicator_that_differs_in_any_field_means_no_block(make_book):
    for field, other in (("director", "Someone Else"), ("division", ""), ("priority", "A priority")):
        block, summary = _opening(make_book, [{"id": "A", **SHARED}, {"id": "B", **SHARED, field: other}])
        assert block is None and summary is None, field


def test_a_sections_row_is_the_block_exactly(make_book):
    differing = [{"id": "A", **SHARED}, {"id": "B", **SHARED, "director": "Someone Else"}]
    sections = [["section", "bold_steps_priority", "cabinet_member", "director"],
                ["Care", "Keep people safe", "C. Member", None]]
    block, summary = _opening(make_book, differing, sections)
    assert block == [["Bold Steps Priority/Core Service Area", "Keep people safe"], ["Cabinet Member", "C. Member"]]
    assert summary is not None
    # a row with only the section's name turns a derived block off
    agreeing = [{"id": "A", **SHARED}, {"id": "B", **SHARED}]
    assert _opening(make_book, agreeing, [["section", "director"], ["Care", None]]) == (None, None)


def test_no_rated_indicator_means_a_block_without_a_summary(make_book):
    indicators = [{"id": "A", **SHARED, "polarity": "none"},
                  {"id": "B", **SHARED, "activity": "Y", "polarity": "none", "unit": "count"}]
    block, summary = _opening(make_book, indicators)
    assert block is not None and summary is None


def test_only_rated_indicators_are_listed(make_book):
    indicators = [{"id": "A", **SHARED}, {"id": "B", **SHARED, "polarity": "none"}]
    _, summary = _opening(make_book, indicators)
    assert [r[0].text for r in summary.rows] == ["Indicator A"]


def test_previous_rating_words_no_previous_figure_and_not_rated(make_book):
    indicators = [{"id": "A", **SHARED}, {"id": "B", **SHARED}, {"id": "C", **SHARED}]
    values = [
        {"indicator_id": "A", "period": "2013-09", "actual": 90, "target": 80},  # its first figure
        {"indicator_id": "B", "period": "2013-08", "actual": 70, "target": None},  # no target then
        {"indicator_id": "B", "period": "2013-09", "actual": 90, "target": 80},
        {"indicator_id": "C", "period": "2013-06", "actual": 70, "target": 80, "floor": 75},  # a quarter ago
        {"indicator_id": "C", "period": "2013-09", "actual": 78, "target": 80, "floor": 75},
    ]
    _, summary = _opening(make_book, indicators, values=values)
    got = {r[0].text: (r[1].text, r[1].rag, r[2].text, r[3].text) for r in summary.rows}
    assert got["Indicator A"][:3] == ("–", None, "GREEN") and got["Indicator A"][3] == "–"
    assert got["Indicator B"][:3] == ("not rated", None, "GREEN")
    assert got["Indicator C"][:3] == ("RED", got["Indicator C"][1], "AMBER") and got["Indicator C"][1].value == "RED"
    assert got["Indicator C"][3] == "▲ Improved"


# ------------------------------------------------------------------------ the sections sheet is checked


def _problems(make_book, sections, indicators=None):
    from pipeline.errors import InputProblems
    from pipeline.input.workbook import read_workbook

    with pytest.raises(InputProblems) as info:
        read_workbook(_book(make_book, indicators or [{"id": "A", **SHARED}], sections))
    return [(p.sheet, p.row, p.column, p.message) for p in info.value.problems]


def test_sections_sheet_problems_are_located(make_book):
    problems = _problems(make_book, [
        ["section", "director", "directr"],
        ["Caer", "X", None],
        [None, "X", None],
        ["Care", "X", None],
        ["Care", "Y", None],
    ])
    assert ("sections", 1, "directr", "unknown column (did you mean director?); columns whose name starts with # "
            "are ignored") in problems
    assert ("sections", 2, "section",
            '"Caer" is not a section of the indicators sheet (did you mean Care?)') in problems
    assert ("sections", 3, "section", "is blank") in problems
    assert ("sections", 5, "section", '"Care" is also on row 4') in problems
    assert len(problems) == 4


def test_sections_sheet_missing_its_section_column_and_unprintable_text(make_book):
    problems = _problems(make_book, [["director"], ["X"]])
    assert problems == [("sections", 1, "section", "required column is missing")]
    problems = _problems(make_book, [["section", "director"], ["Care", "Mr _x000B_ X"]])
    assert len(problems) == 1 and problems[0][:3] == ("sections", 2, "director")


def test_a_section_whose_indicator_has_problems_is_not_reported_again(make_book):
    """The indicator's own problem is reported; its section still exists for the sections sheet."""
    problems = _problems(make_book, [["section", "director"], ["Care", "X"]],
                         indicators=[{"id": "A", **SHARED, "unit": "furlongs"}])
    assert [p[0] for p in problems] == ["indicators"]


# ------------------------------------------------------------------------ dropping unused columns


def _c(text, **kw):
    return Cell(runs(text), **kw)


def _table(rows, header=None):
    width = len(rows[0]) if rows else len(header)
    header = header or [f"H{i}" for i in range(width)]
    return Table(columns=tuple(float(i + 1) for i in range(width)),
                 header_rows=(tuple(_c(h, header=True, scope="col") for h in header),),
                 rows=tuple(tuple(_c(t) if isinstance(t, str) else t for t in row) for row in rows),
                 caption="t")


def test_a_column_one_row_uses_is_kept_and_one_no_row_uses_is_dropped():
    table = _table([["a", "Y", ""], ["b", "", ""]])
    dropped = drop_unused_columns(table)
    assert used_columns(table) == (True, True, False)
    assert [_texts(r) for r in dropped.rows] == [["a", "Y"], ["b", ""]]
    assert _texts(dropped.header_rows[0]) == ["H0", "H1"] and dropped.columns == (1.0, 2.0)
    # a blank made of spaces is blank; a placeholder is a use
    assert used_columns(_table([["a", "  "], ["b", " \n"]])) == (True, False)
    assert used_columns(_table([["a", "–"], ["b", ""]])) == (True, True)


def test_header_text_alone_does_not_keep_a_column_and_nothing_is_dropped_without_rows():
    assert _texts(drop_unused_columns(_table([["a", ""]], header=["Indicator", "Bold Steps"])).header_rows[0]) \
        == ["Indicator"]
    empty = _table([], header=["Indicator", "Bold Steps"])
    assert drop_unused_columns(empty) is empty
    all_blank = _table([["", ""]])
    assert drop_unused_columns(all_blank) is all_blank
    full = _table([["a", "b"]])
    assert drop_unused_columns(full) is full


def test_spanning_cells_keep_their_columns_and_spanning_headers_shrink():
    body = [(_c("label"), _c("wide", colspan=2), _c("")), (_c("x"), _c(""), _c(""), _c(""))]
    header = (_c("", header=True), _c("Group", header=True, colspan=3))
    table = Table(columns=(1.0, 1.0, 1.0, 1.0), header_rows=(header,), rows=tuple(body), caption="t")
    dropped = drop_unused_columns(table)
    assert used_columns(table) == (True, True, True, False)
    assert len(dropped.columns) == 3
    assert [(c.text, c.colspan) for c in dropped.header_rows[0]] == [("", 1), ("Group", 2)]
    assert [len(r) for r in dropped.rows] == [2, 3]


def test_summary_bold_steps_and_qpr_columns_follow_their_indicators(make_book):
    """One indicator flagged keeps the column; none flagged drops it; each column on its own."""
    def headers(flags):
        indicators = [{"id": f"I{i}", "section": "Care", **f} for i, f in enumerate(flags)]
        _, document = _read(_book(make_book, indicators))
        table = _tables(_part(document, "Care"), "Summary of performance")[0]
        assert all(len(r) == len(table.columns) for r in table.rows + table.header_rows)
        return _texts(table.header_rows[0])

    both = headers([{"bold_steps": "Y"}, {"qpr": "Y"}])
    assert "Bold Steps" in both and "QPR" in both
    bold_only = headers([{"bold_steps": "Y"}, {}])
    assert "Bold Steps" in bold_only and "QPR" not in bold_only
    neither = headers([{"bold_steps": "N"}, {"qpr": "N"}])
    assert "Bold Steps" not in neither and "QPR" not in neither
    assert neither[0] == "Indicator Description" and "RAG" in neither
    assert len(neither) == 7 + 2 * ("Variation" in neither)  # (SPC's two when the report shows SPC)


def test_the_intro_names_only_the_monitoring_the_sections_indicators_feed(sample_document, make_book):
    """The intro says a subset is labelled on the summary only when the summary has that
    column: not for the children's section, whose Bold Steps and QPR columns are left out."""
    def intro(part):
        texts = [plain_text(b.content) for b in walk(part.blocks) if isinstance(b, Paragraph)]
        return " ".join(t for t in texts if t.startswith("The key "))

    adults, children = intro(_part(sample_document, ADULTS)), intro(_part(sample_document, CHILDREN))
    assert "Quarterly Performance Report" in adults and "Bold Steps monitoring" in adults
    assert children.startswith("The key Specialist Children's Services indicators are listed")
    assert "Quarterly Performance Report" not in children and "Bold Steps" not in children
    assert "labelled" not in children

    def flagged(flags):
        indicators = [{"id": f"I{i}", "section": "Care", **f} for i, f in enumerate(flags)]
        _, document = _read(_book(make_book, indicators))
        return intro(_part(document, "Care"))

    qpr_only = flagged([{"qpr": "Y"}, {}])
    assert "Quarterly Performance Report" in qpr_only and "Bold Steps" not in qpr_only
    bold_only = flagged([{"bold_steps": "Y"}, {}])
    assert "Bold Steps monitoring" in bold_only and "Quarterly" not in bold_only
