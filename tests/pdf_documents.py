"""A realistic hand-built Document with every block type (tests of the PDF renderer that
must not depend on the assembler): a portrait cover report and a landscape appendix with
a summary table, indicator pages (details, chart, trend data with RAG words) and a
quarterly children's page."""
from __future__ import annotations

from pipeline.document.model import (
    BulletList,
    Cell,
    ChartSpec,
    Columns,
    Document,
    Figure,
    Heading,
    KeepTogether,
    PageBreak,
    Paragraph,
    Part,
    Rule,
    Run,
    Series,
    Table,
    runs,
)
from pipeline.rules.rating import Rag

MONTHS = ("Sep-12", "Oct-12", "Nov-12", "Dec-12", "Jan-13", "Feb-13", "Mar-13",
          "Apr-13", "May-13", "Jun-13", "Jul-13", "Aug-13", "Sep-13")

INDICATORS = [
    # title, unit suffix, decimals, actuals, targets, rags, direction
    ("Percentage of adult social care clients with community based services who receive a personal budget "
     "and/or a direct payment", "%", 0,
     (65, 67, 70, 71, 74, 73, 76, 76, 77, 76, 76, 74, 73), (61, 63, 64, 66, 67, 69, 70, 72, 73, 75, 76, 78, 80),
     ["GREEN"] * 11 + ["AMBER", "AMBER"], "▼ Worsened"),
    ("Number of adult social care clients receiving a telecare service", "", 0,
     (1240, 1321, 1407, 1460, 1497, 1534, 1596, 1638, 1784, 1937, 2051, 2130, 2276),
     (1150, 1175, 1200, 1225, 1250, 1275, 1300, 1375, 1450, 1525, 1600, 1675, 1750),
     ["GREEN"] * 13, "▲ Improved"),
    ("Admissions to permanent residential care for older people", "", 0,
     (137, 151, 99, 132, 135, 147, 149, 152, 133, 173, 127, 133, 120),
     (145, 145, 145, 145, 145, 145, 145, 130, 130, 130, 130, 130, 130),
     ["GREEN", "AMBER", "GREEN", "GREEN", "GREEN", "AMBER", "AMBER", "RED", "AMBER", "RED", "GREEN", "AMBER", "GREEN"],
     "▲ Improved"),
]


def fmt(value, suffix, decimals):
    text = f"{value:,.{decimals}f}" if suffix == "" else f"{value:.{decimals}f}"
    return text + suffix


def _h(text):
    return Cell(runs(text), header=True, scope="col", align="center")


def _c(text, **kw):
    return Cell(runs(text), **kw)


def chart_for(title, actuals, targets, suffix, decimals):
    return ChartSpec(
        title=title, periods=MONTHS,
        series=(Series("Actual", tuple(float(v) for v in actuals)),
                Series("Target", tuple(float(v) for v in targets), role="target")),
        unit="percent" if suffix == "%" else "count", decimals=decimals,
    )


def indicator_blocks(n, ind):
    title, suffix, decimals, actuals, targets, rags, direction = ind
    anchor = f"adult-{n}"
    details = Table(
        columns=(1.2, 2.4, 1.2, 2.4),
        header_rows=(),
        rows=(
            (Cell(runs("Cabinet Member"), header=True, scope="row"), _c("Graham Gibbens"),
             Cell(runs("Director"), header=True, scope="row"), _c("Anne Tidmarsh / Penny Southern")),
            (Cell(runs("Portfolio"), header=True, scope="row"), _c("Adult Social Care and Public Health"),
             Cell(runs("Division"), header=True, scope="row"), _c("Older People and Physical Disability")),
            (Cell(runs("Current RAG"), header=True, scope="row"), Cell(runs(rags[-1]), rag=Rag(rags[-1])),
             Cell(runs("Direction of travel"), header=True, scope="row"), _c(direction)),
        ),
        caption=f"Details: {title}", kind="details",
    )
    figure = Figure(chart_for(title, actuals, targets, suffix, decimals),
                    alt_text=f"Line chart of {title} from Sep-12 to Sep-13 against target.",
                    width_mm=150, height_mm=54)  # the chart column's size (charts.WIDTH_MM x HEIGHT_MM)
    notes = (Heading(3, "Data Notes", outline=False),
             Paragraph(runs(Run("Tolerance: ", bold=True), "Higher values are better"), style="small"),
             Paragraph(runs(Run("Data Source: ", bold=True), "Adult Social Care Swift client system"), style="small"),
             BulletList((runs("Quarterly Performance Report Indicator"), runs("Bold Steps Indicator"))))
    trend = Table(
        columns=(2.0,) + (1.0,) * 13,
        header_rows=((_h("Trend Data"),) + tuple(_h(m) for m in MONTHS),),
        rows=(
            (Cell(runs("Actual"), header=True, scope="row"),)
            + tuple(_c(fmt(v, suffix, decimals), align="right") for v in actuals),
            (Cell(runs("Target"), header=True, scope="row"),)
            + tuple(_c(fmt(v, suffix, decimals), align="right") for v in targets),
            (Cell(runs("RAG Rating"), header=True, scope="row"),)
            + tuple(Cell(runs(r), rag=Rag(r), align="center") for r in rags),
        ),
        caption=f"Trend data: {title}", kind="data", font_size="small",
    )
    return (
        PageBreak(),
        KeepTogether((Heading(2, f"{n}. {title}", anchor=anchor), details,
                      Columns(((figure,), notes), widths=(0.6, 0.4)))),
        KeepTogether((Heading(3, "Trend data", outline=False), trend)),
        Heading(3, "Commentary", outline=False),
        Paragraph(runs("Telecare is now a mainstream service, after being managed centrally. "
                       "The teams are now more experienced in considering telecare at every opportunity. " * 3)),
        BulletList((runs("Improve the timeliness of care proceedings."),
                    runs("Review the 16+ service to ensure that caseloads are manageable."))),
    )


def quarterly_blocks():
    quarters = ("Mar 11", "Mar 12", "Mar 13", "Jun 13", "Sep 13", "Dec 13", "Mar 14")
    table = Table(
        columns=(1.6,) + (1.0,) * 7,
        header_rows=(
            (_h(""), Cell(runs("Previous Years"), header=True, scope="col", colspan=3, align="center"),
             Cell(runs("Current Year"), header=True, scope="col", colspan=4, align="center")),
            (_h("Trend Data – year to date"),) + tuple(_h(q) for q in quarters),
        ),
        rows=(
            (Cell(runs("Actual"), header=True, scope="row"),) + tuple(
                _c(v, align="right") for v in ("67.1%", "90.1%", "93.5%", "88.0%", "85.2%", "", "")),
            (Cell(runs("Target"), header=True, scope="row"),) + tuple(_c(v, align="right") for v in
                                                                    ("", "", "90%", "90%", "90%", "90%", "90%")),
            (Cell(runs("RAG Rating"), header=True, scope="row"), _c(""), _c(""),
             Cell(runs("GREEN"), rag=Rag.GREEN, align="center"), Cell(runs("AMBER"), rag=Rag.AMBER, align="center"),
             Cell(runs("AMBER"), rag=Rag.AMBER, align="center"), _c(""), _c("")),
        ),
        caption="Trend data: Percentage of initial assessments completed within 10 days", kind="data",
    )
    chart = ChartSpec(title="Percentage of initial assessments completed within 10 days", periods=quarters,
                      series=(Series("Actual", (67.1, 90.1, 93.5, 88.0, 85.2, None, None)),
                              Series("Target", (None, None, 90, 90, 90, 90, 90), role="target")),
                      unit="percent", decimals=1, kind="bar")
    return (
        PageBreak(),
        KeepTogether((Heading(2, "Percentage of initial assessments completed within 10 days", anchor="scs-1"),
                      Figure(chart, alt_text="Bar chart of initial assessments within 10 days, Mar 11 to Sep 13.",
                             width_mm=150, height_mm=54, caption="Actual (year to date) against target"),
                      table)),
        Heading(3, "Commentary", outline=False),
        Paragraph((Run("This is a national performance measure. "), Run("Kent was ranked 13", bold=True),
                   Run(" out of 152 local authorities."), Run(" See the summary.", italic=True, href="#summary"))),
    )


def make_document() -> Document:
    memo = Table(
        columns=(1.0, 4.0), header_rows=(),
        rows=((Cell(runs("From:"), header=True, scope="row", bold=True),
               _c("Graham Gibbens, Cabinet Member for Adult Social Care")),
              (Cell(runs("To:"), header=True, scope="row", bold=True),
               _c("Social Care & Public Health Cabinet Committee")),
              (Cell(runs("Date:"), header=True, scope="row", bold=True), _c("5 December 2013")),
              (Cell(runs("Classification:"), header=True, scope="row", bold=True), _c("Unrestricted"))),
        caption="Report details", kind="memo",
    )
    key = Table(
        columns=(1.0, 6.0), header_rows=(),
        rows=((Cell(runs("GREEN"), rag=Rag.GREEN, align="center"), _c("Target has been achieved or exceeded")),
              (Cell(runs("AMBER"), rag=Rag.AMBER, align="center"),
               _c("Performance is behind target but within acceptable limits")),
              (Cell(runs("RED"), rag=Rag.RED, align="center"), _c("Performance is significantly behind target")),
              (Cell(runs("▲ Improved"), header=True, scope="row"), _c("Performance has improved")),
              (Cell(runs("▼ Worsened"), header=True, scope="row"), _c("Performance has worsened"))),
        caption="Key to RAG ratings", kind="key",
    )
    summary_rows = []
    for n, ind in enumerate(INDICATORS, start=1):
        title, suffix, decimals, actuals, targets, rags, direction = ind
        summary_rows.append((
            Cell((Run(f"{n}. {title}", href=f"#adult-{n}"),), header=True, scope="row"),
            _c(fmt(targets[-1], suffix, decimals), align="right"),
            _c(fmt(actuals[-1], suffix, decimals), align="right"),
            Cell(runs(rags[-1]), rag=Rag(rags[-1]), align="center"), _c(direction, align="center"),
        ))
    summary = Table(
        columns=(5.0, 1.0, 1.0, 1.0, 1.2),
        header_rows=((_h("Indicator Description"), _h("Target"), _h("Current Position"), _h("RAG"),
                      _h("Direction of Travel")),),
        rows=tuple(summary_rows), caption="Summary of performance", kind="data",
    )
    cover = Part(
        title="Families and Social Care Performance Dashboard", orientation="portrait", anchor="cover",
        blocks=(
            Heading(1, "Families and Social Care Performance Dashboard for September 2013", anchor="cover-report"),
            memo, Rule(),
            Paragraph((Run("Summary: ", bold=True),
                       Run("The performance dashboard provides members with progress "
                           "against targets set for key performance indicators.")), style="lead"),
            Rule(),
            Heading(2, "Introduction", anchor="intro"),
            Paragraph(runs("Appendix 2 Part 4 of the Kent County Council Constitution states that:"), number="1."),
            Paragraph(runs("“Cabinet Committees shall review the performance of the functions of the Council.”"),
                      style="quote"),
            Paragraph(runs("There are three main elements of the Report which members are asked to consider:"),
                      number="2."),
            BulletList((runs("The Adult’s Social Care dashboard report found at Appendix A"),
                        (Run("The Children’s dashboard report found at "), Run("Appendix B", href="#appendix-b"))),
                       number="2."),
            Heading(2, "Contact details", anchor="contacts"),
            Paragraph((Run("Email: "), Run("performance@example.gov.uk", href="mailto:performance@example.gov.uk"))),
            Paragraph(runs("Richard Fitzgerald, Business Intelligence Manager"), style="signature"),
            Paragraph(runs("Background documents: none."), style="small"),
        ),
    )
    adults = [Heading(1, "Appendix A: Adult Social Care indicators", anchor="appendix-a"),
              Heading(2, "Key to RAG ratings", anchor="key"), key,
              Heading(2, "Summary of Performance", anchor="summary"), summary]
    for n, ind in enumerate(INDICATORS, start=1):
        adults += indicator_blocks(n, ind)
    appendix_a = Part(title="Appendix A: Adult Social Care indicators", orientation="landscape",
                      blocks=tuple(adults), running_header="Appendix A: Adult Social Care indicators",
                      anchor="appendix-a")
    appendix_b = Part(title="Appendix B: Specialist Children’s Services", orientation="landscape",
                      blocks=(Heading(1, "Appendix B: Specialist Children’s Services", anchor="appendix-b"),)
                      + quarterly_blocks(),
                      running_header="Appendix B: Specialist Children’s Services", anchor="appendix-b")
    return Document(
        title="Families and Social Care Performance Dashboard, September 2013",
        subject="Performance dashboard for the Social Care and Public Health Cabinet Committee",
        author="Families and Social Care Directorate",
        parts=(cover, appendix_a, appendix_b),
        keywords=("performance", "dashboard", "KPI"),
        footer_text="Social Care and Public Health Cabinet Committee – 5 December 2013",
        date="2013-12-05",
    )


_SAMPLE_CACHE: dict = {}


def sample_document_and_images():
    """The real sample's Document and chart PNGs (built once per test session; the charts
    are the slow part and both the PDF and the parity tests need them)."""
    if not _SAMPLE_CACHE:
        from pathlib import Path

        from pipeline.cards.compute import compute_cards
        from pipeline.charts.draw import render_all
        from pipeline.document.assemble import build_document
        from pipeline.document.model import figures
        from pipeline.input.workbook import read_workbook
        from pipeline.rules.periods import Month

        sample = Path(__file__).resolve().parent.parent / "inputs" / "fsc_performance_2013-09.xlsx"
        dataset = read_workbook(sample)
        document = build_document(dataset, compute_cards(dataset, Month(2013, 9)))
        _SAMPLE_CACHE["value"] = (document, render_all([f.chart for f in figures(document)]))
    return _SAMPLE_CACHE["value"]
