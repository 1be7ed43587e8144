"""Small real PDFs for the pack tests: rendered by the pipeline's own renderer, or tagged
PDFs built by hand with pikepdf (StructTreeRoot, ParentTree, MCIDs) for the merge tests."""
from __future__ import annotations

from pathlib import Path

from pipeline.document import model as d
from pipeline.pack.render import render_document


def report_pdf(path: Path, marker: str, pages: int, landscape: bool = False, tagged: bool = True) -> Path:
    """A PDF of ``pages`` pages; every page says '<marker> page N' and has a heading (outline).
    The renderer tags it (PDF/UA-1) unless ``tagged`` is False."""
    blocks = []
    for i in range(pages):
        blocks += [d.Heading(1, f"{marker} section {i + 1}", anchor=f"sec-{i + 1}"),
                   d.Paragraph(d.runs(f"{marker} page {i + 1}. " + "Body text of the document. " * 30))]
        if i < pages - 1:
            blocks.append(d.PageBreak())
    document = d.Document(
        title=f"{marker} document", subject="test", author="Tests",
        parts=(d.Part(title=marker, orientation="landscape" if landscape else "portrait", blocks=tuple(blocks)),),
        footer_text=f"{marker} own footer", date="2013-12-05")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not tagged:
        from pipeline.pdf.render import render_pdf

        render_pdf(document, path, {}, tagged=False)
        return path
    return render_document(document, path)


def tagged_pdf(path: Path, marker: str, pages: int, lang: str = "en-GB") -> Path:
    """A minimal tagged PDF: one /Document with an H1 and a P per page, MCIDs 0/1 on each page,
    a ParentTree keyed by each page's StructParents, and a Link annotation with /StructParent."""
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    root_elem = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document,
                                                     K=pikepdf.Array()))
    tree = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=root_elem))
    root_elem.P = tree
    nums = pikepdf.Array()
    for i in range(pages):
        text = f"{marker} page {i + 1}"
        content = (f"/H1 <</MCID 0>> BDC BT /F1 18 Tf 72 750 Td ({marker} heading {i + 1}) Tj ET EMC\n"
                   f"/P <</MCID 1>> BDC BT /F1 11 Tf 72 700 Td ({text}) Tj ET EMC\n").encode()
        page = pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(content), StructParents=i * 2))
        pdf.pages.append(page)
        pg = pdf.pages[-1].obj
        h1 = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.H1, P=root_elem,
                                                  Pg=pg, K=0))
        p = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P, P=root_elem,
                                                 Pg=pg, K=pikepdf.Array([1])))
        link = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link, P=p))
        annot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 690, 200, 712], StructParent=i * 2 + 1,
            Contents=pikepdf.String("link"), A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://www.kent.gov.uk"))))
        link.K = pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annot, Pg=pg)
        p.K.append(link)
        pg.Annots = pikepdf.Array([annot])
        root_elem.K.append(h1)
        root_elem.K.append(p)
        nums.extend([i * 2, pdf.make_indirect(pikepdf.Array([h1, p])), i * 2 + 1, link])
    tree.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    tree.ParentTreeNextKey = pages * 2
    tree.RoleMap = pikepdf.Dictionary(Heading1=pikepdf.Name.H1)
    pdf.Root.StructTreeRoot = tree
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    pdf.Root.Lang = pikepdf.String(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path, deterministic_id=True)
    return path


MEETING = '''
[meeting]
committee = "Social Care and Public Health Cabinet Committee"
date = 2013-12-05
time = "10:00"
venue = "Darent Room, Sessions House, County Hall, Maidstone"
members = ["Member One", "Member Two"]
contact = "Theresa Grayell"
telephone = "01622 694277"
'''

SUPPLEMENT = '''
[supplement]
date = 2013-12-04
enclosure = "appendices"
reason = "which were omitted from the pack as an oversight at the time of publication"
first_page = {first_page}
signatory = "Peter Sass"
fax = "01622 694383"
'''


def document(title, file, access="public", paragraph=None, late=False, kind="pdf") -> str:
    lines = ["[[items.documents]]", f'title = "{title}"', f'{kind} = "{file}"', f'access = "{access}"']
    if paragraph is not None:
        lines.append(f"paragraph = {paragraph}")
    if late:
        lines.append("late = true")
    return "\n".join(lines) + "\n"


def item(number, title, *documents) -> str:
    return f'\n[[items]]\nnumber = "{number}"\ntitle = "{title}"\n' + "".join(documents)
