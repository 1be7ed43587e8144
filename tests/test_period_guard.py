"""The period guard (issue 14): a period no figure is for is refused, one most rated
indicators have no figure for warns; a report never states another month than the one it
is built for; each period's report has its own file names."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.build import output_paths
from pipeline.cards.compute import PeriodRefused, compute_card, compute_cards, has_figure_for_period, named_months
from pipeline.errors import EXIT_PROBLEMS
from pipeline.input.tables import DataPeriod
from pipeline.rules.periods import MONTH_NAMES, Month

MONTHS_RE = re.compile(rf"\b({'|'.join(MONTH_NAMES)})\s+\d{{4}}\b")


def values(ident, periods, actual=50, target=40, floor=30):
    if ident == "N":  # the unrated indicator: no target, no floor
        target = floor = None
    return [{"indicator_id": ident, "period": p, "actual": actual, "target": target, "floor": floor}
            for p in periods]


def cards_for(make_book, period, **book):
    from pipeline.input.workbook import read_workbook

    return compute_cards(read_workbook(make_book(**book)), period)


# ---------------------------------------------------------------------------- boundaries


@pytest.fixture
def three_months(make_book):
    return make_book(indicators=[{"id": "A"}], values=values("A", ["2013-07", "2013-08", "2013-09"]))


@pytest.mark.parametrize("period, refused", [
    (Month(2013, 6), "before the first figure"),
    (Month(2013, 7), None),
    (Month(2013, 9), None),
    (Month(2013, 10), "after the latest figure"),
    (Month(2019, 1), "after the latest figure"),
])
def test_the_first_and_latest_figures_bound_the_period(three_months, period, refused):
    from pipeline.input.workbook import read_workbook

    dataset = read_workbook(three_months)
    if refused:
        with pytest.raises(PeriodRefused, match=refused) as info:
            compute_cards(dataset, period)
        assert info.value.exit_code == EXIT_PROBLEMS
        assert period.long_label in str(info.value)
    else:
        assert compute_cards(dataset, period).period == period


def test_the_latest_figure_of_any_indicator_counts_even_an_unrated_one(make_book):
    book = dict(indicators=[{"id": "A"}, {"id": "B"}, {"id": "N", "polarity": "none"}],
                values=values("A", ["2013-08"]) + values("B", ["2013-08", "2013-09"]) + values("N", ["2013-10"]))
    with pytest.raises(PeriodRefused, match="no rated indicator has a figure for October 2013"):
        cards_for(make_book, Month(2013, 10), **book)  # N's figure is the latest, but N is not rated
    with pytest.raises(PeriodRefused, match="after the latest figure"):
        cards_for(make_book, Month(2013, 11), **book)


def test_a_month_no_rated_indicator_has_a_figure_for_is_refused(make_book):
    book = dict(indicators=[{"id": "A"}, {"id": "N", "polarity": "none"}],
                values=values("A", ["2013-07", "2013-09"]) + values("N", ["2013-08"]))
    with pytest.raises(PeriodRefused, match="no rated indicator has a figure for August 2013"):
        cards_for(make_book, Month(2013, 8), **book)
    assert cards_for(make_book, Month(2013, 9), **book).period_warning is None


def test_without_rated_indicators_every_indicator_counts(make_book):
    book = dict(indicators=[{"id": "N", "polarity": "none"}], values=values("N", ["2013-07", "2013-09"]))
    assert cards_for(make_book, Month(2013, 9), **book).period_warning is None
    with pytest.raises(PeriodRefused, match="no indicator has a figure for August 2013"):
        cards_for(make_book, Month(2013, 8), **book)


@pytest.mark.parametrize("rated, missing, warns", [
    (4, 1, False),  # exactly a quarter
    (8, 2, False),  # exactly a quarter
    (7, 2, True),   # 28.6 %
    (4, 2, True),
    (4, 3, True),
])
def test_more_than_a_quarter_without_a_figure_warns(make_book, rated, missing, warns):
    indicators = [{"id": f"I{n}"} for n in range(rated)] + [{"id": "N", "polarity": "none"}]
    rows = values("N", ["2013-08"])  # an unrated indicator lacking a figure never counts
    for n in range(rated):
        rows += values(f"I{n}", ["2013-08"] if n < missing else ["2013-08", "2013-09"])
    cardset = cards_for(make_book, Month(2013, 9), indicators=indicators, values=rows)
    if warns:
        assert cardset.period_warning.startswith(f"{missing} of {rated} rated indicators")
        assert "September 2013" in cardset.period_warning and "I0 Aug-13" in cardset.period_warning
    else:
        assert cardset.period_warning is None


# ---------------------------------------------------------------------------- what "a figure for the period" is


@pytest.mark.parametrize("data_period, figure, period, has", [
    (DataPeriod.MONTH, "2013-09", "2013-09", True),
    (DataPeriod.MONTH, "2013-08", "2013-09", False),
    (DataPeriod.YEAR_TO_DATE, "2013-08", "2013-09", False),
    (DataPeriod.ROLLING_12, "2013-08", "2013-09", False),
    (DataPeriod.CUMULATIVE, "2013-08", "2013-09", False),
    (DataPeriod.SNAPSHOT, "2013-06", "2013-06", True),
    (DataPeriod.SNAPSHOT, "2013-06", "2013-07", False),
    (DataPeriod.QUARTER, "2013-06", "2013-08", True),   # the last quarter published
    (DataPeriod.QUARTER, "2013-06", "2013-09", False),  # September's quarter is due
    (DataPeriod.ANNUAL, "2013-03", "2014-02", True),
    (DataPeriod.ANNUAL, "2013-03", "2014-03", False),
    (DataPeriod.MONTH, "2013-10", "2013-09", False),    # a later figure is not this period's
])
def test_a_figure_for_the_period_by_data_period(data_period, figure, period, has):
    from pipeline.input.tables import Indicator, ValueRow
    from pipeline.rules.rating import Polarity

    ind = Indicator("I", "I", "S", Polarity.HIGHER, "percent", data_period, 0, 2, 0)
    rows = (ValueRow("I", Month.from_index(int(figure[:4]) * 12 + int(figure[5:]) - 1), 2, actual=5, target=4),)
    card = compute_card(ind, rows, Month(int(period[:4]), int(period[5:])))
    assert has_figure_for_period(card) is has


def test_named_months():
    assert named_months("Dashboard for September 2013") == [Month(2013, 9)]
    assert named_months("April to September 2013, and Sep-12") == [Month(2013, 9), Month(2012, 9)]
    assert named_months("Sept. 2013") == [Month(2013, 9)]
    assert named_months("Quarter 2 of 2013-14, 13 Sep 13") == []


# ---------------------------------------------------------------------------- the command line


def test_cards_refuses_a_month_after_every_figure(run_cli, sample_path):
    result = run_cli("cards", sample_path, "--period", "2019-01")
    assert result.exit_code == 1 and result.stdout == ""
    assert "January 2019 is after the latest figure in the workbook (September 2013)" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli("cards", sample_path, "--period", "2013-10", "--format", "json").exit_code == 1
    assert run_cli("cards", sample_path, "--period", "2013-09").exit_code == 0


def test_cards_warns_loudly_when_many_figures_are_older(run_cli, sample_path):
    result = run_cli("cards", sample_path, "--period", "2013-08")
    assert result.exit_code == 0
    assert result.stderr.startswith("WARNING: 6 of 16 rated indicators (38%) have no figure for August 2013")
    assert result.stdout.startswith("Indicator cards for August 2013")


def test_build_refuses_a_month_after_every_figure_and_writes_nothing(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path / "out", "--period", "2019-01", "--jobs", "1")
    assert result.exit_code == 1 and "after the latest figure" in result.stderr
    assert not (tmp_path / "out").exists() or not any(p.suffix in (".pdf", ".docx")
                                                       for p in (tmp_path / "out").iterdir())


def test_build_refuses_a_period_the_report_sheet_contradicts(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path, "--period", "2013-06", "--format", "docx")
    assert result.exit_code == 1
    assert "the report sheet's period is for September 2013 but the report is being built for June 2013" \
        in result.stderr
    assert not list(tmp_path.glob("*.docx"))


def test_a_subject_month_is_the_reports_month_and_must_agree(make_book, run_cli, tmp_path):
    from workbooks import REPORT_DEFAULTS

    report = [kv for kv in REPORT_DEFAULTS if kv[0] != "subject"] + [("subject", "Dashboard for August 2013")]
    book = make_book(indicators=[{"id": "A"}], values=values("A", ["2013-08", "2013-09"]), report=report)
    built = run_cli("build", book, "--out", tmp_path / "a", "--format", "docx", "--jobs", "1")
    assert built.exit_code == 0, built.stderr
    assert Path(built.stdout.split()[0]).name == f"{book.stem}_2013-08.docx"  # the subject's month, not the latest
    refused = run_cli("build", book, "--out", tmp_path / "b", "--period", "2013-09", "--format", "docx")
    assert refused.exit_code == 1 and "report sheet's subject is for August 2013" in refused.stderr
    clash = make_book(indicators=[{"id": "A"}], values=values("A", ["2013-08", "2013-09"]),
                      report=report + [("period", "2013-09")])
    result = run_cli("build", clash, "--out", tmp_path / "c", "--format", "docx")
    assert result.exit_code == 1 and "report sheet's subject is for August 2013" in result.stderr


# ---------------------------------------------------------------------------- file names


@pytest.mark.parametrize("stem, period, name", [
    ("fsc_performance_2013-09", Month(2013, 9), "fsc_performance_2013-09"),
    ("fsc_performance_2013-09", Month(2013, 6), "fsc_performance_2013-09_2013-06"),
    ("fsc-2013-09", Month(2013, 9), "fsc-2013-09"),
    ("fsc 2013-09", Month(2013, 9), "fsc 2013-09"),
    ("2013-09", Month(2013, 9), "2013-09"),
    ("report", Month(2013, 9), "report_2013-09"),
    ("x12013-09", Month(2013, 9), "x12013-09_2013-09"),  # (not a month of its own)
])
def test_output_names_carry_the_period_once(stem, period, name):
    paths = output_paths(f"/in/{stem}.xlsx", "/out", ("docx", "pdf"), period)
    assert paths == {"docx": Path(f"/out/{name}.docx"), "pdf": Path(f"/out/{name}.pdf")}


@pytest.fixture(scope="module")
def undated_sample(sample_path, tmp_path_factory):
    """The sample with a report sheet that names no month (no period, a subject without
    one): a report of it may be built for any month its figures are for."""
    import openpyxl

    path = tmp_path_factory.mktemp("undated") / sample_path.name
    shutil.copy(sample_path, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["report"]
    for row in list(ws.iter_rows(min_row=2)):
        if row[0].value == "period":
            ws.delete_rows(row[0].row)
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "subject":
            row[1].value = "Families and Social Care Performance Dashboard"
    wb.save(path)
    return path


def test_two_periods_never_overwrite_and_each_states_only_its_month(undated_sample, tmp_path):
    import docx
    import pdfplumber

    from pipeline.build import build_report

    out = tmp_path / "out"
    june = build_report(undated_sample, out, period=Month(2013, 6), workers=1)
    september = build_report(undated_sample, out, workers=1)
    assert june.paths["pdf"].name == "fsc_performance_2013-09_2013-06.pdf"
    assert september.paths["pdf"].name == "fsc_performance_2013-09.pdf"
    assert sorted(p.name for p in out.iterdir() if p.suffix in (".pdf", ".docx")) == [
        "fsc_performance_2013-09.docx", "fsc_performance_2013-09.pdf",
        "fsc_performance_2013-09_2013-06.docx", "fsc_performance_2013-09_2013-06.pdf"]

    def stated(texts) -> dict[str, set[str]]:
        """The months named where the report states its period."""
        out = {}
        for key, pattern in (("paragraph 6", "latest available results"), ("appendix", "All information is as at"),
                             ("subject", "Performance Dashboard")):
            lines = [t for t in texts if pattern in t]
            assert lines, key
            out[key] = {m.group(0) for t in lines for m in MONTHS_RE.finditer(t)}
        return out

    for result, month in ((june, "June 2013"), (september, "September 2013")):
        document = docx.Document(result.paths["docx"])
        texts = [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows
                                                        for c in r.cells]
        texts.append(document.core_properties.keywords or "")
        found = stated(texts)
        assert found["paragraph 6"] == {month} and found["appendix"] == {month}, found
        assert found["subject"] == set(), found  # the subject names no month
        with pdfplumber.open(result.paths["pdf"]) as pdf:
            lines = [line for page in pdf.pages for line in (page.extract_text() or "").split("\n")]
        assert any(f"which are for {month}." in line for line in lines)
        as_at = [line for line in lines if "All information is as at" in line]
        assert as_at and all(month in line and len(MONTHS_RE.findall(line)) == 1 for line in as_at)
        assert result.document.keywords[-1] == month
        caption = [t.caption for p in result.document.parts for t in _tables(p) if t.caption.startswith("Summary")]
        assert caption and all(c.endswith(month) for c in caption)


def _tables(part):
    from pipeline.document.model import Table, walk

    return [b for b in walk(part.blocks) if isinstance(b, Table)]


def test_build_warns_loudly_and_notes_it_in_the_result(undated_sample, run_cli, tmp_path):
    from pipeline.build import build_report

    result = build_report(undated_sample, tmp_path / "r", period=Month(2013, 8), formats=("docx",), workers=1)
    assert result.notices[0].startswith("6 of 16 rated indicators (38%) have no figure for August 2013")
    cli = run_cli("build", undated_sample, "--out", tmp_path / "c", "--period", "2013-08", "--format", "docx",
                  "--jobs", "1")
    assert cli.exit_code == 0
    assert "WARNING: 6 of 16 rated indicators (38%) have no figure for August 2013" in cli.stderr
    assert cli.stderr.count("6 of 16 rated indicators") == 1  # once, loudly, not again as a note
