"""The HTML edition: the document model as one self-contained, accessible HTML5 page.

It reads the same :class:`~pipeline.document.model.Document` as the PDF and the Word report,
and the house style they read, so a fact or a colour in one edition and not another is a
bug. The page is semantic HTML: the document's title as the one ``h1`` and the model's
headings one level below it (levels never skip), a skip link, a ``nav`` with the contents
(each part, and the entries of the parts that carry a contents list in the PDF, by the same
rule), ``main``, tables with a caption and header cells with their scope, ratings as words
(colour only in addition), charts as inline SVG (``role="img"``, a title and the generated
alt text) with their data in a table under each. No script; nothing fetched (fonts, styles
and charts are in the page); every text escaped; no time or random number anywhere, so the
same document gives the same bytes.

Charts come as SVG text keyed by their :class:`ChartSpec` (pipeline.charts.svg draws them
from the same drawing code as the PNGs). Ids inside each SVG are prefixed with the chart's
place in the page, so two charts never share an id.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from pipeline.document.common import NOT_RATED
from pipeline.document.model import (
    CONTENTS_TITLE,
    BulletList,
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
    Table,
    walk,
)
from pipeline.errors import PipelineError
from pipeline.rules.figures import format_figure, format_target

_RAG_CLASS = {"GREEN": "rag-green", "AMBER": "rag-amber", "RED": "rag-red"}
_ALIGN = {"left": "", "right": "right", "center": "center"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_bytes(document: Document, charts: Mapping[ChartSpec, str]) -> bytes:
    """The page, UTF-8. ``charts``: each Figure's chart as SVG text (pipeline.charts.svg)."""
    return _Writer(document, charts).page().encode("utf-8")


def render_html(document: Document, path, charts: Mapping[ChartSpec, str]):
    from pipeline.infra.atomic import write_bytes

    write_bytes(path, html_bytes(document, charts))
    return path


def contents_plan(part: Part):
    """The entries of a part's contents list, or None: the rule of the PDF and the Word
    report (pipeline.pdf.story, pipeline.docx.body's contents_plan), so every edition
    lists the same headings: a landscape part that does not write its own contents, with
    two or more outline headings below its title."""
    if part.orientation != "landscape":
        return None
    headings = [b for b in walk(part.blocks) if isinstance(b, Heading)]
    if any(h.text.strip().lower() == CONTENTS_TITLE.lower() for h in headings):
        return None
    entries = [h for h in headings if h.outline and h.level >= 2]
    return entries if len(entries) >= 2 else None


def text(value: str) -> str:
    """Text as HTML character data: markup characters escaped, line breaks as <br>,
    control characters (never printable) refused as the other editions refuse them."""
    if _CONTROL.search(value):
        raise PipelineError(f"text holds a control character and cannot be written: {value[:60]!r}")
    return "<br>".join(escape(line, quote=False) for line in value.replace("\r\n", "\n").split("\n"))


def attr(value: str) -> str:
    if _CONTROL.search(value):
        raise PipelineError(f"text holds a control character and cannot be written: {value[:60]!r}")
    return '"' + escape(value, quote=True).replace("\n", "&#10;") + '"'


def _id(anchor: str) -> str:
    """An anchor as an id: no white space (HTML ids may hold any other character)."""
    return re.sub(r"\s", "_", anchor) or "_"


class _Writer:
    def __init__(self, document: Document, charts: Mapping[ChartSpec, str]):
        from pipeline.style.house import house_style

        self.document = document
        self.charts = charts
        self.house = house_style()
        self.faces: set[tuple[bool, bool]] = {(False, False), (True, False)}  # text and headings
        self.ids: dict[int, str] = {}  # id(heading) -> its id in the page
        self.used: set[str] = set()
        self.tables = 0
        self.figures = 0
        self._number_ids()

    # -- ids ------------------------------------------------------------------------------
    def _number_ids(self) -> None:
        """Every heading's id: its anchor where it has one (links point there), else
        numbered in reading order; part titles likewise."""
        for part in self.document.parts:
            for block in walk(part.blocks):
                if isinstance(block, Heading) and block.anchor:
                    self.ids[id(block)] = self._unique(_id(block.anchor))
        n = 0
        for part in self.document.parts:
            for block in walk(part.blocks):
                if isinstance(block, Heading) and id(block) not in self.ids:
                    n += 1
                    self.ids[id(block)] = self._unique(f"h{n}")

    def _unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            candidate = f"{name}-{n}"
        self.used.add(candidate)
        return candidate

    # -- page -----------------------------------------------------------------------------
    def page(self) -> str:
        from pipeline.html.style import font_faces, stylesheet

        doc = self.document
        body = ['<a class="skip" href="#main">Skip to the report</a>',
                '<header class="masthead">', f"<h1>{text(doc.title)}</h1>"]
        if doc.subject and doc.subject != doc.title:
            body.append(f"<p>{text(doc.subject)}</p>")
        if doc.footer_text:
            body.append(f"<p>{text(doc.footer_text)}</p>")
        body.append("</header>")
        body.append(self._nav())
        body.append('<main id="main" tabindex="-1">')
        for n, part in enumerate(doc.parts, 1):
            body.append(self._part(n, part))
        body.append("</main>")
        if doc.classification:
            body.append(f'<footer class="colophon"><p>Classification: {text(doc.classification)}</p></footer>')
        head = ['<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{text(doc.title)}</title>"]
        if doc.author:
            head.append(f'<meta name="author" content={attr(doc.author)}>')
        if doc.subject:
            head.append(f'<meta name="description" content={attr(doc.subject)}>')
        if doc.keywords:
            head.append(f'<meta name="keywords" content={attr(", ".join(doc.keywords))}>')
        if doc.date:
            head.append(f'<meta name="dcterms.date" content={attr(doc.date)}>')
        head.append("<style>\n" + font_faces(self.house, self.faces) + "\n" + stylesheet(self.house) + "\n</style>")
        return ("<!DOCTYPE html>\n"
                f"<html lang={attr(doc.language or 'en-GB')}>\n<head>\n" + "\n".join(head) + "\n</head>\n<body>\n"
                + "\n".join(body) + "\n</body>\n</html>\n")

    @staticmethod
    def _title_heading(part: Part) -> Heading | None:
        return next((b for b in part.blocks if isinstance(b, Heading) and b.level == 1), None)

    def _nav(self) -> str:
        """The contents: every part's top-level headings, and under a part's title the
        entries of its contents list where the PDF has one (the same rule)."""
        out = ['<nav class="contents" aria-labelledby="contents-title">',
               f'<h2 id="contents-title">{CONTENTS_TITLE}</h2>', "<ul>"]
        for part in self.document.parts:
            tops = [b for b in walk(part.blocks) if isinstance(b, Heading) and b.level == 1]
            entries = contents_plan(part) or []
            for n, top in enumerate(tops):
                out.append(f'<li><a href="#{escape(self.ids[id(top)])}">{text(top.text)}</a>')
                if n == 0 and entries:
                    out.append("<ul>")
                    out += [f'<li><a href="#{escape(self.ids[id(e)])}">{text(e.text)}</a></li>' for e in entries]
                    out.append("</ul>")
                out.append("</li>")
        out.append("</ul>\n</nav>")
        return "\n".join(out)

    def _part(self, n: int, part: Part) -> str:
        """A part as a region named by its title; its id is the part's anchor (links to
        the part land on it) unless a heading already carries that name."""
        anchor = _id(part.anchor) if part.anchor else f"part-{n}"
        ident = f' id="{escape(self._unique(anchor))}"' if anchor not in self.used else ""
        out = [f'<section class="part {part.orientation}"{ident} aria-label={attr(part.title or f"Part {n}")}>']
        for block in part.blocks:
            out.append(self._block(block))
        out.append("</section>")
        return "\n".join(out)

    # -- blocks -----------------------------------------------------------------------------
    def _block(self, block) -> str:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 3) + 1  # below the page's h1
            return f'<h{level} id="{escape(self.ids[id(block)])}">{text(block.text)}</h{level}>'
        if isinstance(block, Paragraph):
            return self._paragraph(block)
        if isinstance(block, BulletList):
            cls = ' class="under-number"' if block.number else ""
            return f"<ul{cls}>" + "".join(f"<li>{self._runs(item)}</li>" for item in block.items) + "</ul>"
        if isinstance(block, Table):
            return self._table(block)
        if isinstance(block, Figure):
            return self._figure(block)
        if isinstance(block, Rule):
            return "<hr>"
        if isinstance(block, PageBreak):
            return '<div class="page-break"></div>'
        if isinstance(block, KeepTogether):
            return '<div class="keep">\n' + "\n".join(self._block(b) for b in block.blocks) + "\n</div>"
        if isinstance(block, Columns):
            total = sum(block.widths) or 1
            template = " ".join(f"minmax(0,{w / total:.4g}fr)" for w in block.widths)
            cols = ["<div>\n" + "\n".join(self._block(b) for b in column) + "\n</div>" for column in block.columns]
            return f'<div class="columns" style="grid-template-columns:{template}">\n' + "\n".join(cols) + "\n</div>"
        # a block type this renderer does not know: never left out without a word
        raise PipelineError(f"the HTML edition cannot show a {type(block).__name__} block")

    def _paragraph(self, block: Paragraph) -> str:
        content = self._runs(block.content)
        if block.style == "lead":
            self.faces.add((True, False))
        if block.style == "quote":
            self.faces.add((False, True))
        cls = [] if block.style == "body" else [block.style]
        if block.number:
            cls.append("numbered")
            content = f'<span class="number">{text(block.number)}</span><span>{content}</span>'
        return f'<p class="{" ".join(cls)}">{content}</p>' if cls else f"<p>{content}</p>"

    def _runs(self, runs: tuple[Run, ...]) -> str:
        return "".join(self._run(run) for run in runs)

    def _run(self, run: Run) -> str:
        out = text(run.text)
        if run.italic:
            out = f"<em>{out}</em>"
        if run.bold:
            out = f"<strong>{out}</strong>"
        self.faces.add((run.bold, run.italic))
        if run.href:
            href = run.href
            if href.startswith("#"):
                href = "#" + _id(href[1:])
            out = f"<a href={attr(href)}>{out}</a>"
        return out

    # -- tables -----------------------------------------------------------------------------
    def _table(self, block: Table) -> str:
        self.tables += 1
        caption_id = f"table-{self.tables}"
        classes = [block.kind] + (["small"] if block.font_size == "small" else [])
        out = [f'<table class="{" ".join(classes)}">', f'<caption id="{caption_id}">{text(block.caption)}</caption>']
        if block.header_rows:
            out.append("<thead>")
            out += [self._row(row, in_head=True) for row in block.header_rows]
            out.append("</thead>")
        out.append("<tbody>")
        out += [self._row(row, in_head=False) for row in block.rows]
        out.append("</tbody></table>")
        table = "\n".join(out)
        if block.kind != "data":
            return table
        # a data table may be wider than a phone: it scrolls inside its own region, which
        # the keyboard can reach (tabindex) and a screen reader names (its caption)
        return (f'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="{caption_id}">\n'
                f"{table}\n</div>")

    def _row(self, row, in_head: bool) -> str:
        cells = []
        for cell in row:
            classes = []
            rag = _rag_class(cell)
            if rag:
                classes.append(rag)
                look = self.house.rag_look(cell.rag.value if cell.rag is not None else NOT_RATED)
                if look.bold:
                    self.faces.add((True, False))
            if _ALIGN[cell.align]:
                classes.append(_ALIGN[cell.align])
            if cell.bold:
                classes.append("bold")
            attrs = f' class="{" ".join(classes)}"' if classes else ""
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            content = self._runs(cell.content)
            if cell.icons:
                content = self._icons(cell.icons) + content
            if cell.header:
                scope = cell.scope or ("col" if in_head else "row")
                cells.append(f'<th scope="{scope}"{attrs}>{content}</th>')
            else:
                cells.append(f"<td{attrs}>{content}</td>")
        return "<tr>" + "".join(cells) + "</tr>"

    def _icons(self, icons) -> str:
        """SPC icons, drawn from the same shapes as the PDF's (pipeline.style.icons). Hidden
        from screen readers: the cell's own words say what each icon means, and saying it
        twice would be noise."""
        from pipeline.style.icons import icon_svg

        return "".join(f'<span class="spc-icon" aria-hidden="true">{icon_svg(i.kind, self.house.spc)}</span>'
                       for i in icons)

    # -- charts -----------------------------------------------------------------------------
    def _figure(self, block: Figure) -> str:
        svg = self.charts.get(block.chart)
        if svg is None:
            raise PipelineError(f"no picture was drawn for the chart {block.chart.title!r}")
        self.figures += 1
        prefix = f"c{self.figures}-"
        out = ['<figure class="chart">', accessible_svg(svg, prefix, block.chart.title, block.alt_text)]
        if block.caption:
            out.append(f"<figcaption>{text(block.caption)}</figcaption>")
        out.append(chart_data(block.chart, f"{prefix}data"))
        out.append("</figure>")
        return "\n".join(out)


def _rag_class(cell) -> str | None:
    if cell.rag is not None:
        return _RAG_CLASS.get(cell.rag.value)
    if cell.text == NOT_RATED:
        return "rag-not-rated"
    return None


_SVG_START = re.compile(r"<svg\b[^>]*>")
_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_ID_REF = re.compile(r'(url\(#|href="#)([^")]+)')


def accessible_svg(svg: str, prefix: str, title: str, description: str) -> str:
    """matplotlib's SVG made an image a screen reader announces: the root element alone
    (no XML declaration or DOCTYPE), ``role="img"``, labelled by a ``<title>`` (the chart's
    title) and described by a ``<desc>`` (the generated alt text); its size left to the
    stylesheet (the viewBox keeps the proportions); every id inside prefixed with
    ``prefix`` so that charts on one page never share an id."""
    start = svg.find("<svg")
    if start < 0:
        raise PipelineError(f"the chart {title!r} is not an SVG picture")
    svg = svg[start:].strip()
    svg = _ID_ATTR.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = _ID_REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)
    head = _SVG_START.match(svg)
    if head is None:
        raise PipelineError(f"the chart {title!r} is not an SVG picture")
    view_box = re.search(r'viewBox="([^"]+)"', head.group(0))
    root = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'viewBox="{view_box.group(1) if view_box else "0 0 425 153"}" role="img" '
            f'aria-labelledby="{prefix}title" aria-describedby="{prefix}desc" focusable="false">'
            f'<title id="{prefix}title">{text(title)}</title><desc id="{prefix}desc">{text(description)}</desc>')
    return root + svg[head.end():]


def chart_data(spec: ChartSpec, table_id: str) -> str:
    """The chart's figures as a table, for readers who cannot see the chart: one row per
    period, one column per series (and the expected range), each figure written as the
    documents write it (pipeline.rules.figures), a missing one as the documents' dash."""
    columns: list[tuple[str, tuple, bool]] = [(s.name, s.values, s.role in ("target", "floor")) for s in spec.series]
    if spec.band_lower is not None:
        columns.append(("Expected range, lower", spec.band_lower, False))
    if spec.band_upper is not None:
        columns.append(("Expected range, upper", spec.band_upper, False))
    out = ['<details class="chart-data">', f"<summary>Chart data: {text(spec.title)}</summary>",
           f'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="{table_id}">',
           f'<table class="data"><caption id="{table_id}">{text(spec.title)}: the figures the chart shows</caption>',
           '<thead><tr><th scope="col">Period</th>'
           + "".join(f'<th scope="col">{text(name)}</th>' for name, _, _ in columns) + "</tr></thead><tbody>"]
    for i, period in enumerate(spec.periods):
        cells = []
        for _, values, set_figure in columns:
            value = values[i] if i < len(values) else None
            if value is None:
                shown = format_figure(None, spec.unit, spec.decimals)
            elif set_figure:
                shown = format_target(value, spec.unit, spec.decimals)
            else:
                shown = format_figure(value, spec.unit, spec.decimals)
            cells.append(f'<td class="right">{text(shown)}</td>')
        out.append(f'<tr><th scope="row">{text(period)}</th>{"".join(cells)}</tr>')
    out.append("</tbody></table></div></details>")
    return "\n".join(out)
