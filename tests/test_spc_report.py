"""SPC in the report (issue 19 part 3): the variation and assurance columns beside RAG,
their icons (every kind drawn in the PDF with its meaning as /Alt, its meaning as text in
the DOCX), the SPC key, the cover report's count of signals, the chart's mean, limits and
special-cause points, and the report-wide switch that removes all of it."""
from __future__ import annotations

import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET

import pikepdf
import pytest
import ua_checks

from pipeline.cards.compute import compute_cards
from pipeline.document.assemble import build_document
from pipeline.document.model import Cell, Document, Icon, Paragraph, Part, Table, figures, runs, walk
from pipeline.rules.periods import Month
from pipeline.rules.spc import Assurance
from pipeline.style.house import house_style
from pipeline.style.icons import ASSURANCE_KINDS, ICON_KINDS, VARIATION_KINDS, icon, icon_svg

SEP13 = Month(2013, 9)


def _document(dataset):
    return build_document(dataset, compute_cards(dataset, SEP13))


def _off(dataset):
    return dataclasses.replace(dataset, report=dataclasses.replace(dataset.report, spc=False))


@pytest.fixture(scope="module")
def sample_json(sample_path):
    from pipeline.cards.compute import cards_to_json
    from pipeline.input.workbook import read_workbook

    return {c["id"]: c for c in cards_to_json(compute_cards(read_workbook(sample_path), SEP13))["cards"]}


def _tables(document: Document, caption_start: str) -> list[Table]:
    return [b for part in document.parts for b in walk(part.blocks)
            if isinstance(b, Table) and b.caption.startswith(caption_start)]


def _text(document: Document, part_index: int = 0) -> str:
    out = []
    for block in walk(document.parts[part_index].blocks):
        if isinstance(block, Paragraph):
            out.append("".join(r.text for r in block.content))
    return "\n".join(out)


# ----------------------------------------------------------------------------- the icons


def test_every_kind_has_a_drawing_of_its_colour_and_letter():
    colours = house_style().spc
    letters = {"improvement_high": "H", "improvement_low": "L", "concern_high": "H", "concern_low": "L",
               "neutral_high": "H", "neutral_low": "L", "assurance_pass": "P", "assurance_fail": "F",
               "assurance_inconsistent": "?", "common_cause": None}
    ring = {"common_cause": colours.common_cause, "improvement": colours.improvement, "concern": colours.concern,
            "neutral": colours.neutral, "assurance_pass": colours.improvement, "assurance_fail": colours.concern,
            "assurance_inconsistent": colours.common_cause}
    assert set(letters) == set(ICON_KINDS) == set(VARIATION_KINDS) | set(ASSURANCE_KINDS)
    for kind in ICON_KINDS:
        shapes = icon(kind, colours).shapes
        texts = [s.text for s in shapes if hasattr(s, "text")]
        assert texts == ([letters[kind]] if letters[kind] else [])
        expected = ring.get(kind) or ring[kind.rsplit("_", 1)[0]]
        assert shapes[0].stroke == expected  # the ring
        for shape in shapes:  # inside the box
            points = getattr(shape, "points", None) or [(getattr(shape, "cx", getattr(shape, "x", 0)),
                                                        getattr(shape, "cy", getattr(shape, "y", 0)))]
            assert all(0 <= x <= 100 and 0 <= y <= 100 for x, y in points)
    with pytest.raises(ValueError, match="no SPC icon 'concern'"):
        icon("concern", colours)


def test_the_svg_form_is_well_formed_and_named():
    colours = house_style().spc
    for kind in ICON_KINDS:
        svg = icon_svg(kind, colours, title=f"meaning of {kind} <&>")
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-label") == f"meaning of {kind} <&>"
        assert root.find("{http://www.w3.org/2000/svg}title").text == f"meaning of {kind} <&>"
        assert colours.__dict__[{"assurance_pass": "improvement", "assurance_fail": "concern",
                                 "assurance_inconsistent": "common_cause"}.get(kind, kind.rsplit("_", 1)[0])
                                if kind != "common_cause" else "common_cause"] in svg


def test_the_document_names_only_drawn_kinds():
    from pipeline.document import spc

    assert set(spc.VARIATION_ICON.values()) == set(VARIATION_KINDS)
    assert set(spc.ASSURANCE_ICON.values()) == set(ASSURANCE_KINDS)


def test_an_spc_colour_too_faint_for_the_page_is_refused(tmp_path):
    from pipeline.errors import PipelineError
    from pipeline.style.house import HOUSE_STYLE_PATH, load_house_style

    text = HOUSE_STYLE_PATH.read_text(encoding="utf-8")
    for colour, ok in (("#959595", False), ("#949494", True)):  # 2.995:1 and 3.03:1 on white: either side
        path = tmp_path / f"{colour[1:]}.toml"
        path.write_text(re.sub(r'(?m)^concern = "#[0-9A-F]{6}"', f'concern = "{colour}"', text), encoding="utf-8")
        if ok:
            assert load_house_style(str(path)).spc.concern == colour
        else:
            with pytest.raises(PipelineError, match=r"spc.concern #959595 .* at least 3:1"):
                load_house_style(str(path))
    path = tmp_path / "missing.toml"
    path.write_text(re.sub(r'(?m)^neutral = .*$', "", text), encoding="utf-8")
    with pytest.raises(PipelineError, match="missing key spc.neutral"):
        load_house_style(str(path))


def _icon_document() -> Document:
    """Every icon kind once, in a table cell beside its words."""
    rows = tuple((Cell(runs(f"row {n}"), header=True, scope="row"),
                  Cell(runs(f"Meaning {n}: {kind}"), icons=(Icon(kind, f"Meaning {n}: {kind}"),)))
                 for n, kind in enumerate(ICON_KINDS))
    table = Table(columns=(1, 3), header_rows=((Cell(runs("Row"), header=True, scope="col"),
                                                Cell(runs("Icon"), header=True, scope="col")),),
                  rows=rows, caption="Every icon")
    return Document(title="Icons", subject="Icons", author="Test",
                    parts=(Part("Icons", "landscape", (Paragraph(runs("Icons")), table)),))


def test_every_icon_kind_is_a_figure_with_its_meaning_inside_its_cell_in_the_pdf():
    from pipeline.pdf.render import pdf_bytes

    data = pdf_bytes(_icon_document(), {})
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert ua_checks.check_content_and_parent_tree(pdf) == []
        assert ua_checks.check_figures(pdf) == []
        assert ua_checks.check_tables(pdf) == []
        found = {}
        for elem, _depth in ua_checks.elements(pdf):
            if ua_checks.role(pdf, elem) == "Figure":
                parent = elem.P
                assert ua_checks.role(pdf, parent) == "TD"  # TD > Figure, P
                assert [ua_checks.role(pdf, k) for k in ua_checks.kids(parent) if isinstance(k, pikepdf.Dictionary)
                        and "/S" in k] == ["Figure", "P"]
                found[str(elem.Alt)] = elem
        assert sorted(found) == sorted(f"Meaning {n}: {kind}" for n, kind in enumerate(ICON_KINDS))
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = pdf.pages[0].extract_text()
        assert all(f"Meaning {n}: {kind}" in text for n, kind in enumerate(ICON_KINDS))
        # drawn as vectors in the icons' colours (no picture), in every colour of the set
        assert not pdf.pages[0].images
        colours = house_style().spc
        strokes = {tuple(round(c, 3) for c in (curve.get("stroking_color") or ()))
                   for curve in pdf.pages[0].curves + pdf.pages[0].lines}

        def rgb(value):
            return tuple(round(int(value[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))

        for colour in (colours.common_cause, colours.improvement, colours.concern, colours.neutral):
            assert rgb(colour) in strokes


def test_every_icon_kind_is_text_in_the_docx():
    from docx import Document as Word

    from pipeline.docx.render import docx_bytes

    word = Word(io.BytesIO(docx_bytes(_icon_document(), {})))
    cells = [cell.text for row in word.tables[0].rows for cell in row.cells]
    for n, kind in enumerate(ICON_KINDS):
        assert f"Meaning {n}: {kind}" in cells


# ----------------------------------------------------------------------------- the sample


def test_summary_columns_match_cards_json_for_every_rated_indicator(sample_dataset, sample_json):
    from pipeline.document.spc import ASSURANCE_ICON, _shipped

    words = _shipped()["spc"]
    document = _document(sample_dataset)
    tables = _tables(document, "Summary of performance")
    assert len(tables) == 2
    seen = 0
    for table in tables:
        header = [c.text for c in table.header_rows[0]]
        assert header[header.index("RAG") + 1:header.index("RAG") + 3] == ["Variation", "Assurance"]
        v, a = header.index("Variation"), header.index("Assurance")
        for row in table.rows:
            title = re.sub(r"^\d+\. ", "", row[0].text)
            card = next(c for c in sample_json.values() if c["title"] == title)
            variation, assurance = row[v], row[a]
            assert variation.text and assurance.text  # words always, for every indicator
            if card["spc_status"] == "off":
                assert (variation.text, variation.icons, assurance.text) == ("–", (), "–")
            elif card["spc_status"] == "not_enough_data":
                assert (variation.text, variation.icons, assurance.text, assurance.icons) == (
                    "Not enough data", (), "Not enough data", ())
            else:
                spc = card["spc"]
                kind = variation.icons[0].kind
                assert kind.split("_")[0] in spc["variation"] or (kind == "common_cause"
                                                                  == spc["variation"])
                assert variation.icons[0].text == variation.text == words["variation"][kind]
                expected = ASSURANCE_ICON[Assurance(spc["assurance"])] if spc["assurance"] else None
                assert (assurance.icons[0].kind if assurance.icons else None) == expected
                assert assurance.text == words["assurance"][expected or "none"]
                seen += 1
    assert seen == sum(1 for c in sample_json.values() if c["spc_status"] == "on") == 7  # 5 rated, 2 lead


def test_the_sample_shows_improvement_high_and_low(sample_dataset, sample_json):
    """ASC09 (lower is better, falling) is improvement (lower); ASC11 (higher is better) improvement (higher)."""
    assert sample_json["ASC09"]["spc"]["variation"] == sample_json["ASC11"]["spc"]["variation"] == \
        "special_cause_improvement"
    table = _tables(_document(sample_dataset), "Summary of performance: Adult Social Care")[0]
    v = [c.text for c in table.header_rows[0]].index("Variation")
    by_title = {re.sub(r"^\d+\. ", "", row[0].text): row[v] for row in table.rows}
    assert by_title[sample_json["ASC09"]["title"]].icons[0].kind == "improvement_low"
    assert by_title[sample_json["ASC11"]["title"]].icons[0].kind == "improvement_high"


def test_cover_counts_equal_the_cards_json(sample_dataset, sample_json):
    text = _text(_document(sample_dataset))
    on = [c for c in sample_json.values() if c["spc"]]
    counts = {kind: sum(1 for c in on if c["spc"]["variation"] == kind)
              for kind in ("special_cause_improvement", "special_cause_concern", "common_cause")}
    assert (len(on), counts["special_cause_improvement"], counts["special_cause_concern"],
            counts["common_cause"]) == (7, 2, 0, 4)
    # the seventh: a lead indicator (neither higher nor lower better) with a significant change
    neutral = [c for c in on if c["spc"]["variation"].startswith("special_cause_neutral")]
    assert len(neutral) == 1
    assert ("For 1, where neither higher nor lower is better, the latest result shows a significant change."
            in text)
    assert (f"Of the {len(on)} indicators with enough results to tell, the latest result shows a signal of "
            f"improvement for {counts['special_cause_improvement']}, a signal of concern for "
            f"{counts['special_cause_concern']} and no significant change for {counts['common_cause']}.") in text
    improved = "; ".join(c["title"] for c in on if c["spc"]["variation"] == "special_cause_improvement")
    assert f"Improvement: {improved}." in text
    assert "Concern:" not in text


def test_chart_spec_carries_limits_when_switched_on_and_not_when_off(sample_dataset, sample_json):
    document = _document(sample_dataset)
    charts = {f.chart.title: f for f in figures(document)}
    from pipeline.document.common import chart_spec

    cards = compute_cards(sample_dataset, SEP13)
    for card in cards.cards:
        figure = charts[chart_spec(card).title]
        spec = figure.chart
        info = sample_json[card.indicator.id]
        if info["spc_status"] != "on" or card.indicator.activity:  # (a lead chart: only with its own Y)
            assert spec.spc_mean is spec.spc_lower is spec.spc_upper is spec.spc_points is None
            assert "process limits" not in figure.alt_text
            continue
        last = [f.period for f in card.window()].index(card.current.period)
        assert (spec.spc_mean[last], spec.spc_lower[last], spec.spc_upper[last]) == (
            info["spc"]["mean"], info["spc"]["lower"], info["spc"]["upper"])
        by_month = {h["period"]: h["spc_point"] for h in info["history"]}
        window = card.window()
        assert len(window) == len(spec.spc_points)
        for figure_, point in zip(window, spec.spc_points):
            expected = {"special_cause_improvement": "improvement", "special_cause_concern": "concern"}
            assert point == expected.get(by_month[figure_.period.iso])
        assert "process limits" in figure.alt_text and "Statistical process control: mean" in figure.alt_text
    assert any(sample_json[c.indicator.id]["spc_status"] == "on" for c in cards.cards if c.indicator.activity)
    lead_on = dataclasses.replace(sample_dataset, indicators=tuple(
        dataclasses.replace(i, spc_chart=True) if i.activity else i for i in sample_dataset.indicators))
    shown = [f for f in figures(_document(lead_on)) if f.chart.spc_mean is not None]
    assert len(shown) == sum(1 for c in sample_json.values() if c["spc_status"] == "on")  # lead ones too
    asc09 = next(f for f in figures(document) if "learning disabilities" in f.alt_text.lower())
    assert asc09.alt_text.endswith(
        "Marked: special cause improvement in Jul-13, Aug-13, Sep-13; special cause concern in Nov-12.")


def test_a_chart_switched_off_by_the_indicator_or_the_report_keeps_the_columns(sample_dataset):
    inds = tuple(dataclasses.replace(i, spc_chart=False) if i.id == "ASC09" else i for i in sample_dataset.indicators)
    one_off = dataclasses.replace(sample_dataset, indicators=inds)
    specs = {f.chart.title: f.chart for f in figures(_document(one_off))}
    on = {f.chart.title: f.chart for f in figures(_document(sample_dataset))}
    changed = [t for t in on if (on[t].spc_mean is None) != (specs[t].spc_mean is None)]
    assert changed == ["People with Learning Disabilities in Residential Care"]
    none = dataclasses.replace(sample_dataset, report=dataclasses.replace(sample_dataset.report, spc_chart=False))
    document = _document(none)
    assert all(f.chart.spc_mean is None for f in figures(document))
    assert len(_tables(document, "Key to the variation")) == 2  # only the charts lose it
    back = dataclasses.replace(none, indicators=tuple(dataclasses.replace(i, spc_chart=True) for i in inds))
    assert sum(f.chart.spc_mean is not None for f in figures(_document(back))) == 7  # lead charts too, asked


def test_the_spc_key_explains_every_icon_it_can_show(sample_dataset):
    document = _document(sample_dataset)
    keys = _tables(document, "Key to the variation")
    assert len(keys) == 2
    kinds = [i.kind for row in keys[0].rows for i in row[0].icons]
    assert kinds == ["common_cause", "improvement_high", "improvement_low", "concern_high", "concern_low",
                     "assurance_pass", "assurance_fail", "assurance_inconsistent"]  # no band/none indicator
    assert all(row[1].text for row in keys[0].rows)
    assert [row[0].text for row in keys[0].rows][-2:] == ["Not enough data", "–"]


def test_switched_off_for_the_report_none_of_it_appears(sample_dataset):
    on, off = _document(sample_dataset), _document(_off(sample_dataset))
    for document, shown in ((on, True), (off, False)):
        cells = [c for part in document.parts for b in walk(part.blocks) if isinstance(b, Table)
                 for row in b.header_rows + b.rows for c in row]
        assert any(c.icons for c in cells) is shown
        assert any(c.text == "Variation" for c in cells) is shown
        assert bool(_tables(document, "Key to the variation")) is shown
        assert any(f.chart.spc_mean is not None for f in figures(document)) is shown
        assert ("Making Data Count" in _text(document)) is shown
        assert ("signal of improvement" in _text(document)) is shown
        text = " ".join(f.alt_text for f in figures(document))
        assert ("process limits" in text) is shown
    # and otherwise the same report: the summary keeps its RAG columns
    summary = _tables(off, "Summary of performance")[0]
    assert [c.text for c in summary.header_rows[0]][-2:] == ["RAG", "Direction of Travel"]


def test_switched_off_nothing_of_it_in_the_built_pdf_and_docx(sample_dataset, tmp_path):
    from docx import Document as Word

    from pipeline.charts.draw import render_all
    from pipeline.docx.render import docx_bytes
    from pipeline.pdf.render import pdf_bytes

    document = _document(_off(sample_dataset))
    images = render_all([f.chart for f in figures(document)], workers=1)
    with pikepdf.open(io.BytesIO(pdf_bytes(document, images))) as pdf:
        alts = [str(e.Alt) for e, _depth in ua_checks.elements(pdf) if ua_checks.role(pdf, e) == "Figure"]
        assert len(alts) == len(list(figures(document)))  # the charts only: no icon
        assert not any("process limits" in a or "Special cause" in a for a in alts)
    word = Word(io.BytesIO(docx_bytes(document, images)))
    text = "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    assert "Variation" not in text and "Special cause" not in text and "Common cause" not in text


@pytest.fixture(scope="module")
def sample_built(tmp_path_factory):
    from pdf_documents import sample_document_and_images

    from pipeline.docx.render import docx_bytes
    from pipeline.pdf.render import pdf_bytes

    document, images = sample_document_and_images()
    return document, pdf_bytes(document, images), docx_bytes(document, images)


def test_the_sample_pdf_and_docx_show_every_rated_indicators_spc(sample_built, sample_json):
    from docx import Document as Word

    document, pdf_data, docx_data = sample_built
    icons = [i for part in document.parts for b in walk(part.blocks) if isinstance(b, Table)
             for row in b.rows for c in row for i in c.icons]
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        assert ua_checks.check_figures(pdf) == [] and ua_checks.check_tables(pdf) == []
        alts = [str(e.Alt) for e, _depth in ua_checks.elements(pdf) if ua_checks.role(pdf, e) == "Figure"]
    assert sorted(a for a in alts if not a.startswith(("Line chart", "Bar chart"))) == sorted(i.text for i in icons)
    word = Word(io.BytesIO(docx_data))
    # (the SPC key is a table inside the layout table that sets it beside the RAG key)
    text = "".join(node.text or "" for node in word.element.body.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
    for icon_ in icons:
        assert icon_.text in text
    summaries = [t for t in word.tables if t.rows[0].cells[0].text == "Indicator Description"]
    rated = [c for c in sample_json.values() if c["rag"]]
    # (each table its own header: a section's unused columns are left out of its summary)
    rows = {re.sub(r"^\d+\. ", "", r.cells[0].text): (r, [c.text for c in t.rows[0].cells])
            for t in summaries for r in t.rows[1:]}
    for card in rated:
        row, header = rows[card["title"]]
        assert row.cells[header.index("Variation")].text.strip()
        assert row.cells[header.index("Assurance")].text.strip()


def test_cards_json_carries_the_fields_the_report_reads(run_cli, sample_path):
    result = run_cli("cards", "--format", "json", sample_path)
    assert result.exit_code == 0
    cards = {c["id"]: c for c in json.loads(result.stdout)["cards"]}
    for card in cards.values():
        assert card["spc_status"] in ("on", "off", "not_enough_data")
        assert (card["spc"] is not None) == (card["spc_status"] == "on")
        assert all("spc_point" in h for h in card["history"])
    assert cards["ASC11"]["spc"]["assurance"] == "inconsistent"


def test_workbook_spc_chart_switches_are_read_and_checked(make_book, run_cli):
    from workbooks import REPORT_DEFAULTS

    from pipeline.input.workbook import read_workbook

    path = make_book(indicators=[{"id": "A", "spc_chart": "N"}, {"id": "B"}],
                     report=list(REPORT_DEFAULTS) + [("spc_chart", "N")])
    dataset = read_workbook(path)
    assert [i.spc_chart for i in dataset.indicators] == [False, None]
    assert dataset.report.spc_chart is False
    bad = make_book(indicators=[{"id": "A", "spc_chart": "sometimes"}],
                    report=list(REPORT_DEFAULTS) + [("spc_chart", "perhaps")])
    result = run_cli("validate", bad)
    assert result.exit_code == 1
    assert "spc_chart" in result.stdout + result.stderr
    assert "perhaps" in result.stdout + result.stderr and "sometimes" in result.stdout + result.stderr

