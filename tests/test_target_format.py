"""One rule for set figures (targets, minimum standards, thresholds): the report, the
commentary form, the data-quality messages and the revision notes print the same target
the same way (pipeline.rules.figures.format_target: "80%" where the figures read "80.0%";
"72.5%" keeps its place)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from workbooks import series

from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month

MONTHS = [f"2013-{m:02d}" for m in range(4, 10)]


@pytest.fixture
def book(make_book):
    """T1: whole percentage targets at one place, with a slipped 8 for 80 in July; T2: a
    target with a place of its own (72.5), slipped to 7.25 in July (shown 7.3%)."""
    rows = (series("T1", MONTHS, actual=50, target=[80, 80, 80, 8, 80, 80], floor=[70, 70, 70, None, 70, 70])
            + series("T2", MONTHS, actual=50, target=[72.5, 72.5, 72.5, 7.25, 72.5, 72.5]))
    return make_book(indicators=[{"id": "T1", "decimals": 1, "owner": "A. Officer"},
                                 {"id": "T2", "decimals": 1, "owner": "A. Officer"}],
                     values=rows,
                     report=[("from", "A. Officer"), ("to", "Test Cabinet Committee"), ("date", "2013-12-05"),
                             ("subject", "Test performance dashboard"), ("period", "2013-09")])


def _report_rows(book):
    from pipeline.cards.compute import compute_cards
    from pipeline.document.assemble import build_document
    from pipeline.document.model import Table, walk

    dataset = read_workbook(book)
    document = build_document(dataset, compute_cards(dataset))
    out = {}
    for table in (b for p in document.parts for b in walk(p.blocks) if isinstance(b, Table)):
        if table.caption.startswith("Trend data: Indicator "):
            ident = table.caption.rsplit(" ", 1)[-1]
            out[ident] = {"".join(r.text for r in row[0].content): ["".join(r.text for r in c.content)
                                                                      for c in row[1:]] for row in table.rows}
        if table.caption.startswith("Rating and responsibilities: Indicator "):
            ident = table.caption.rsplit(" ", 1)[-1]
            cells = ["".join(r.text for r in c.content) for row in table.rows for c in row]
            out[ident + " current"] = cells[cells.index("Current target") + 1]
    return out


def test_report_form_and_quality_message_print_the_same_target(book, tmp_path):
    from openpyxl import load_workbook

    from pipeline.commentary.forms import FIRST_ROW, export_forms
    from pipeline.quality.checks import check_dataset

    rows = _report_rows(book)
    assert rows["T1"]["Target"] == ["80%", "80%", "80%", "8%", "80%", "80%"]
    assert "Minimum standard" not in rows["T1"]  # (its floor is internal: in the data notes)
    assert rows["T2"]["Target"] == ["72.5%", "72.5%", "72.5%", "7.3%", "72.5%", "72.5%"]
    assert rows["T1 current"] == "80%" and rows["T2 current"] == "72.5%"

    [form] = export_forms(book, tmp_path / "forms", period=Month(2013, 9))
    sheet = load_workbook(form).active
    form_targets = {sheet.cell(r, 1).value: sheet.cell(r, 5).value for r in (FIRST_ROW, FIRST_ROW + 1)}
    assert form_targets == {"T1": rows["T1 current"], "T2": rows["T2 current"]}

    messages = {f.indicator_id: f.message for f in check_dataset(read_workbook(book), Month(2013, 9))
                if f.check == "target-factor"}
    assert messages["T1"].startswith("the target 8% is 5 times or more away from the targets nearest it (80% and 80%)")
    assert messages["T2"].startswith("the target 7.3% is 5 times or more away from the targets nearest it "
                                     "(72.5% and 72.5%)")
    # every target a message quotes is printed in the report's trend table
    for ident, message in messages.items():
        for quoted in re.findall(r"\d+(?:\.\d+)?%", message):
            assert quoted in rows[ident]["Target"], (ident, quoted)


def test_a_phased_target_turning_back_is_quoted_as_the_report_prints_it(make_book):
    from pipeline.quality.checks import check_dataset

    rows = series("P1", MONTHS, actual=50, target=[40, 42, 44, 44.05, 44, 46])
    book = make_book(indicators=[{"id": "P1", "decimals": 1}], values=rows)
    [found] = [f for f in check_dataset(read_workbook(book), Month(2013, 9)) if f.check == "target-profile"]
    assert found.message.startswith("the target falls from 44.1% (Jul-13) to 44%, but")


@pytest.mark.parametrize("column, written, shown", [
    ("target", -5, "target -5% is below 0%"),
    ("floor", 101, "floor 101% is above 100%"),
    ("actual", 101, "actual 101.0% is above 100%"),  # a figure keeps its places
])
def test_an_impossible_set_figure_is_quoted_as_a_set_figure(make_book, column, written, shown):
    from pipeline.quality.checks import check_dataset

    row = {"indicator_id": "I1", "period": "2013-09", "actual": 50, "target": 80, "floor": None, column: written}
    book = make_book(indicators=[{"id": "I1", "decimals": 1, "polarity": "band"}], values=[row])
    messages = [f.message for f in check_dataset(read_workbook(book), Month(2013, 9)) if f.check == "impossible-value"]
    assert any(m.startswith(shown) for m in messages), messages


def test_a_revised_target_note_and_the_register_print_it_as_the_report_does(book):
    from pipeline.cards.compute import compute_cards
    from pipeline.quality.revisions import PublishedFigure, published_figures, revisions

    dataset = read_workbook(book)
    cards = compute_cards(dataset)
    was = PublishedFigure("T1", Month(2013, 8), "percent", 1, actual=None, target=None, floor=None, rating=None,
                          is_forecast=False, committee="Test Cabinet Committee", meeting_date=dt.date(2013, 10, 1))
    from dataclasses import replace
    from decimal import Decimal

    was = replace(was, actual=Decimal("50.0"), target=Decimal("75.0"), floor=Decimal("70.0"))
    [rev] = revisions(dataset, cards, [was])
    assert (rev.what, rev.old, rev.new) == ("target", "75%", "80%")
    assert rev.note(Month(2013, 9)).startswith("The August target has been revised from 75% to 80% since")
    assert was.shown("actual") == "50.0%" and was.shown("floor") == "70%"
    recorded = next(r for r in published_figures(cards) if r["indicator_id"] == "T1" and r["period"] == "2013-08")
    assert (recorded["actual_shown"], recorded["target_shown"], recorded["floor_shown"]) == ("50.0%", "80%", "70%")


@pytest.mark.parametrize("unit", ["percent", "count", "rate", "currency", "days", "number"])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_the_commentary_fingerprint_sees_every_target_change_a_reader_could(unit, decimals):
    """The fingerprint hashes targets in the figures' format (pipeline.commentary.checks):
    that is enough only if the two formats tell apart exactly the same values."""
    from decimal import Decimal

    from pipeline.rules.figures import format_figure, format_target

    values = [Decimal(n) / 1000 for n in range(-2000, 2001, 7)] + [Decimal("44.05"), Decimal("44.04"),
                                                                  Decimal("79.95"), Decimal("80")]
    by_figure, by_target = {}, {}
    for v in values:
        by_figure.setdefault(format_figure(v, unit, decimals), set()).add(v)
        by_target.setdefault(format_target(v, unit, decimals), set()).add(v)
    assert sorted(map(sorted, by_figure.values())) == sorted(map(sorted, by_target.values()))
