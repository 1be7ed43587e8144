"""Tagged PDF (PDF/UA-1, ISO 14289-1) for the ReportLab renderer.

ReportLab writes no structure tree. The renderer's flowables already announce their
structural role to the canvas (``pipeline.pdf.flowables``: ``begin_marked`` /
``end_marked`` around every drawn element, ``begin_group`` / ``end_group`` for lists and
parts, ``begin_artifact`` / ``end_artifact`` around page furniture). Tagging is two steps:

1. :class:`TaggingCanvas` (the canvas of the final layout pass) turns those hooks into
   marked content in the page streams, through ReportLab's raw operator list
   (``canvas._code``; ReportLab 4/5 have no public marked-content API):

   * real content: ``/P <</MCID 3>> BDC ... EMC``, one MCID per drawn piece, numbered per
     page; the element it belongs to is recorded in a :class:`TagModel`;
   * furniture: ``/Artifact <</Type /Pagination>> BDC ... EMC`` (running header, footer,
     page number) or ``/Type /Layout`` (rules, table backgrounds and grid lines);
   * a table header row repeated on a continuation page is the same cell drawn again: the
     repeat is a Pagination artifact, the cell is tagged once, where it first appears;
   * an element split across pages (a long paragraph, a table) stays one element with
     marked content on each page;
   * link annotations made while an element draws belong to that element.

   Marked content never nests: an element drawn inside another (a cell inside a table, a
   child inside a Columns group) closes the outer one's sequence and reopens it with a
   new MCID afterwards; containers (Table, Div, L, Sect...) own no content themselves.

2. :func:`tagged_pdf` adds to the written PDF (as PDF text in an incremental update,
   then the pages, annotations and catalogue through pikepdf): the
   StructTreeRoot (Document > Sect > H1-H3, P, L > LI > LBody, Table > THead/TBody > TR >
   TH (/Scope) / TD, Figure (/Alt), Caption, TOC > TOCI > Link, Link > OBJR), the
   ParentTree (a number tree: each page's MCIDs, each link's StructParent),
   /StructParents and /Tabs /S on pages, /StructParent and /Contents on link annotations,
   /MarkInfo, /Lang, DisplayDocTitle. The XMP PDF/UA identifier is written by the
   renderer's finishing step (``pipeline.pdf.finish.finish_pdf``).

Nothing here looks at the document model: the roles come from the flowables, so any
renderer change that draws through the hooks stays tagged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.pdf.flowables import ReportCanvas

# roles that group other elements and never own marked content themselves
CONTAINERS = frozenset({"Document", "Part", "Sect", "Div", "Art", "NonStruct", "Table", "L", "TOC", "Columns"})
# renderer role -> standard structure type (PDF 1.7, 14.8.4)
STANDARD = {"Columns": "Div"}
STANDARD_TYPES = frozenset({
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index", "NonStruct",
    "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
    "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot",
    "Ruby", "Warichu", "Figure", "Formula", "Form",
})
ARTIFACT_TYPES = {"Pagination": "Pagination", "Layout": "Layout", "Background": "Layout", "Page": "Page"}


# ----------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class MarkedContent:
    page: int  # 1-based, as the canvas counts
    mcid: int


@dataclass(frozen=True)
class LinkAnnotation:
    page: int
    index: int  # position in the page's /Annots
    target: str  # '#anchor', 'mailto:...', 'https://...'


@dataclass(eq=False)
class Elem:
    role: str
    attrs: dict
    kids: list = field(default_factory=list)  # Elem | MarkedContent, in reading order
    links: list = field(default_factory=list)  # LinkAnnotation made while this element drew

    def add(self, kid) -> None:
        self.kids.append(kid)


@dataclass
class TagModel:
    """The structure recorded during the final layout pass."""

    root: Elem = field(default_factory=lambda: Elem("Document", {}))
    mcids: dict[int, int] = field(default_factory=dict)  # page -> MCIDs used
    anchor_texts: dict[str, str] = field(default_factory=dict)  # '#anchor' -> heading text


# ----------------------------------------------------------------------------- the canvas
class TaggingCanvas(ReportCanvas):
    """ReportCanvas that also writes marked content and records the structure."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tags = TagModel()
        self._parents: list[Elem] = []  # open groups and containers, outermost first
        self._frames: list[tuple] = []  # one per open begin_marked / begin_artifact
        self._open_mc: Elem | None = None  # element whose BDC is open now
        self._artifact_depth = 0
        self._elements: dict[int, Elem] = {}  # id(first piece's attrs) -> element
        self._drawn: dict[int, dict] = {}  # id(attrs) -> attrs, of every leaf drawn
        self._alive: list[dict] = []  # every attrs dict whose id is a key above stays alive
        self._link_target: str | None = None

    # -- marked content ---------------------------------------------------------
    def begin_marked(self, role: str, attrs: dict) -> None:
        super().begin_marked(role, attrs)
        if self._artifact_depth:
            self._frames.append(("inside-artifact",))
            return
        if role in CONTAINERS:
            elem = self._element(role, attrs)
            self._parents.append(elem)
            self._frames.append(("container", elem))
            return
        if id(attrs) in self._drawn:  # the same piece drawn again: a repeated header row
            suspended = self._suspend()
            self._emit("/Artifact <</Type /Pagination>> BDC")
            self._artifact_depth += 1
            self._frames.append(("repeat", suspended))
            return
        self._drawn[id(attrs)] = attrs
        self._alive.append(attrs)
        elem = self._element(role, attrs)
        text = attrs.get("text")
        if attrs.get("anchor") and text:
            self.tags.anchor_texts.setdefault("#" + attrs["anchor"], text)
        suspended = self._suspend()
        self._begin_content(elem)
        self._frames.append(("leaf", elem, suspended))

    def end_marked(self) -> None:
        super().end_marked()
        frame = self._frames.pop()
        kind = frame[0]
        if kind == "container":
            self._parents.pop()
        elif kind == "repeat":
            self._emit("EMC")
            self._artifact_depth -= 1
            self._resume(frame[1])
        elif kind == "leaf":
            self._end_content()
            self._resume(frame[2])

    # -- groups -----------------------------------------------------------------
    def begin_group(self, role: str, attrs: dict) -> None:
        super().begin_group(role, attrs)
        elem = Elem(role, attrs)
        self._parent().add(elem)
        self._parents.append(elem)

    def end_group(self, role: str) -> None:
        super().end_group(role)
        elem = self._parents.pop()
        if elem.role != role:
            raise RuntimeError(f"structure group {role} closed while {elem.role} is open")

    # -- artifacts --------------------------------------------------------------
    def begin_artifact(self, kind: str) -> None:
        super().begin_artifact(kind)
        suspended = None
        if not self._artifact_depth:
            suspended = self._suspend()
            self._emit(f"/Artifact <</Type /{ARTIFACT_TYPES.get(kind, 'Layout')}>> BDC")
        self._artifact_depth += 1
        self._frames.append(("artifact", suspended))

    def end_artifact(self) -> None:
        super().end_artifact()
        frame = self._frames.pop()
        if frame[0] != "artifact":
            raise RuntimeError("end_artifact without begin_artifact")
        self._artifact_depth -= 1
        if not self._artifact_depth:
            self._emit("EMC")
            self._resume(frame[1])

    # -- link annotations -------------------------------------------------------
    def linkRect(self, contents, destinationname, *args, **kwargs):
        self._link_target = "#" + str(destinationname)
        try:
            return super().linkRect(contents, destinationname, *args, **kwargs)
        finally:
            self._link_target = None

    def linkURL(self, url, *args, **kwargs):
        self._link_target = str(url)
        try:
            return super().linkURL(url, *args, **kwargs)
        finally:
            self._link_target = None

    def _addAnnotation(self, annotation, name=None, addtopage=1):
        index = len(self._annotationrefs)
        result = super()._addAnnotation(annotation, name, addtopage)
        if addtopage and self._link_target is not None:
            owner = self._open_mc
            if owner is None:
                raise RuntimeError(f"link to {self._link_target} drawn outside any tagged element")
            owner.links.append(LinkAnnotation(self.getPageNumber(), index, self._link_target))
        return result

    # -- helpers ----------------------------------------------------------------
    def _parent(self) -> Elem:
        return self._parents[-1] if self._parents else self.tags.root

    def _element(self, role: str, attrs: dict) -> Elem:
        """The element a drawn piece belongs to: a continuation piece (``attrs['continues']``
        is the first piece's attrs) joins its first piece's element."""
        first = attrs.get("continues", attrs)
        elem = self._elements.get(id(first))
        if elem is None:
            elem = Elem(role, first)
            self._elements[id(first)] = elem
            self._alive.append(first)
            self._parent().add(elem)
        return elem

    def _emit(self, operator: str) -> None:
        self._code.append(operator)

    def _begin_content(self, elem: Elem) -> None:
        page = self.getPageNumber()
        mcid = self.tags.mcids.get(page, 0)
        self.tags.mcids[page] = mcid + 1
        tag = STANDARD.get(elem.role, elem.role)
        self._emit(f"/{tag} <</MCID {mcid}>> BDC")
        elem.add(MarkedContent(page, mcid))
        self._open_mc = elem

    def _end_content(self) -> None:
        self._emit("EMC")
        self._open_mc = None

    def _suspend(self) -> Elem | None:
        elem = self._open_mc
        if elem is not None:
            self._end_content()
        return elem

    def _resume(self, elem: Elem | None) -> None:
        if elem is not None:
            self._begin_content(elem)


# ----------------------------------------------------------------------------- writing
def link_description(target: str, anchor_texts: dict[str, str]) -> str:
    """The /Contents of a link annotation: what a screen reader announces for it."""
    if target.startswith("#"):
        text = anchor_texts.get(target)
        return f"Go to {text}" if text else "Go to another part of this document"
    if target.lower().startswith("mailto:"):
        return "Email " + target.split(":", 1)[1]
    return "Open " + target


def tagged_pdf(data: bytes, model: TagModel, *, lang: str, metadata: bytes | None = None):
    """The PDF ``data`` (written by the tagging canvas) with the structure tree of
    ``model`` and everything else PDF/UA-1 asks of the catalogue, pages and annotations,
    opened with pikepdf (the caller closes it).

    The tree (tens of thousands of elements for the council month) is written as PDF
    text, appended to ``data`` as an incremental update (PDF 1.7, 7.5.6) and parsed by
    qpdf: made one pikepdf object at a time it took about a second. The pages, link
    annotations and catalogue, a few hundred objects, are then updated through pikepdf;
    the caller's save writes one clean file. ``metadata``: the XMP packet for the
    catalogue's /Metadata, written with the tree (a new object made through pikepdf
    afterwards would cost qpdf a walk through all the tree's objects)."""
    import io
    import re

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        trailer = pdf.trailer
        first = int(trailer.Size)
        kept = {key: trailer[key].unparse().decode("latin-1") for key in ("/Root", "/Info", "/ID") if key in trailer}
        pages = [page.obj.objgen for page in pdf.pages]
        annots = [[a.objgen for a in page.obj.get("/Annots", ())] for page in pdf.pages]
    writer = _Writer(model, pages, annots, first)
    objects = writer.write()
    metadata_number = None
    if metadata is not None:
        metadata_number = first + len(objects)
        objects.append(f"<< /Type /Metadata /Subtype /XML /Length {len(metadata)} >>\nstream\n"
                       + metadata.decode("latin-1") + "\nendstream")
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-64:])
    if found is None:
        raise RuntimeError("the PDF to tag does not end with startxref")
    body = io.BytesIO()
    body.write(data)
    body.write(b"\n")
    offsets = []
    for number, text in enumerate(objects, start=first):
        offsets.append(body.tell())
        body.write(f"{number} 0 obj\n{text}\nendobj\n".encode("latin-1"))
    xref = body.tell()
    body.write(f"xref\n{first} {len(objects)}\n".encode("ascii"))
    body.write("".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii"))
    entries = " ".join(f"{key} {value}" for key, value in kept.items())
    body.write(f"trailer\n<< /Size {first + len(objects)} {entries} /Prev {int(found.group(1))} >>\n"
               f"startxref\n{xref}\n%%EOF\n".encode("latin-1"))
    pdf = pikepdf.open(io.BytesIO(body.getvalue()))
    try:
        root = pdf.Root
        root.StructTreeRoot = pdf.get_object((writer.tree_root, 0))
        if metadata_number is not None:
            root.Metadata = pdf.get_object((metadata_number, 0))
        for index, page in enumerate(pdf.pages):
            page.obj.StructParents = index
            page.obj.Tabs = pikepdf.Name.S
        for key, (objgen, contents) in enumerate(writer.annotations, start=len(pages)):
            annotation = pdf.get_object(objgen)
            annotation.StructParent = key
            annotation.Contents = pikepdf.String(contents)
        root.MarkInfo = pikepdf.Dictionary(Marked=True)
        root.Lang = pikepdf.String(lang)
        prefs = root.get("/ViewerPreferences")
        if not isinstance(prefs, pikepdf.Dictionary):
            root.ViewerPreferences = prefs = pikepdf.Dictionary()
        prefs.DisplayDocTitle = True
    except BaseException:
        pdf.close()
        raise
    return pdf


def _text(value: str) -> str:
    """A PDF text string (PDF 1.7, 7.9.2.2), as pikepdf writes one: PDFDocEncoding when
    the text fits it, else UTF-16BE."""
    if value.isascii() and value.isprintable():
        return "(" + value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    import pikepdf

    return pikepdf.String(value).unparse().decode("latin-1")


class _Writer:
    """The structure tree as PDF objects (text), numbered from ``first``: the
    StructTreeRoot, the elements (Document > Sect > H1-H3, P, L > LI > LBody, Table >
    THead/TBody > TR > TH/TD, Figure, Caption, TOC > TOCI > Link, Link > OBJR), each
    page's ParentTree array and the ParentTree. ``pages``: the pages' object ids;
    ``annots``: each page's annotations' object ids."""

    def __init__(self, model: TagModel, pages: list, annots: list, first: int):
        self.model = model
        self.pages = [f"{num} {gen} R" for num, gen in pages]
        self.annots = annots
        self.objects: list[str | None] = []
        self.first = first
        self.parent_of: dict[tuple[int, int], int] = {}  # (page, mcid) -> element number
        self.annotations: list[tuple[tuple, str]] = []  # (annotation id, /Contents), in StructParent order
        self.annot_holders: list[int] = []  # the Link element of each
        self.role_map: dict[str, str] = {}
        self.tree_root = 0

    def _reserve(self) -> int:
        self.objects.append(None)
        return self.first + len(self.objects) - 1

    def _set(self, number: int, text: str) -> None:
        self.objects[number - self.first] = text

    def write(self) -> list[str]:
        self.tree_root = self._reserve()
        document = self._element(self.model.root, self.tree_root)
        nums = []
        for index in range(len(self.pages)):
            count = self.model.mcids.get(index + 1, 0)
            missing = [m for m in range(count) if (index + 1, m) not in self.parent_of]
            if missing:
                raise RuntimeError(f"page {index + 1}: marked content {missing} belongs to no element")
            array = self._reserve()
            self._set(array, "[" + " ".join(f"{self.parent_of[(index + 1, m)]} 0 R" for m in range(count)) + "]")
            nums.append(f"{index} {array} 0 R")
        for key, holder in enumerate(self.annot_holders, start=len(self.pages)):
            nums.append(f"{key} {holder} 0 R")
        parent_tree = self._reserve()
        self._set(parent_tree, "<< /Nums [" + " ".join(nums) + "] >>")
        entries = [f"/Type /StructTreeRoot /K {document} 0 R /ParentTree {parent_tree} 0 R",
                   f"/ParentTreeNextKey {len(self.pages) + len(self.annot_holders)}"]
        if self.role_map:
            entries.append("/RoleMap << " + " ".join(f"/{k} /{v}" for k, v in self.role_map.items()) + " >>")
        self._set(self.tree_root, "<< " + " ".join(entries) + " >>")
        return self.objects

    # -- elements ---------------------------------------------------------------
    def _new(self, role: str) -> tuple[int, str]:
        role = STANDARD.get(role, role)
        if role not in STANDARD_TYPES:
            self.role_map[role] = "Div" if role in CONTAINERS else "P"
        return self._reserve(), role

    def _write(self, number: int, role: str, parent: int, kids: list, extra: str = "") -> None:
        self._set(number, f"<< /Type /StructElem /S /{role} /P {parent} 0 R{extra} /K [{' '.join(kids)}] >>")

    def _element(self, elem: Elem, parent: int) -> int:
        attrs = elem.attrs
        extra = ""
        if elem.role in ("Sect", "Part") and attrs.get("title"):
            extra += " /T " + _text(attrs["title"])
        if elem.role == "Figure":
            alt = (attrs.get("alt") or "").strip()
            if not alt:
                raise RuntimeError(f"figure without alternative text: {attrs.get('title', '')!r}")
            extra += " /Alt " + _text(alt) + " /A << /O /Layout /Placement /Block >>"
        if elem.role == "Table" and attrs.get("caption"):
            caption = _text(attrs["caption"])
            extra += f" /T {caption} /A << /O /Table /Summary {caption} >>"
        if elem.role in ("TH", "TD"):
            table_attrs = ""
            if elem.role == "TH":
                table_attrs += " /Scope /Row" if attrs.get("scope") == "row" else " /Scope /Column"
            if attrs.get("colspan", 1) > 1:
                table_attrs += f" /ColSpan {int(attrs['colspan'])}"
            if table_attrs:
                extra += f" /A << /O /Table{table_attrs} >>"
        number, role = self._new(elem.role)

        if elem.role == "Table":
            kids, page = self._table_kids(elem, number), None
        elif elem.role == "LI":
            body, body_role = self._new("LBody")
            body_kids, page = self._content(elem, body)
            self._write(body, body_role, number, body_kids, f" /Pg {page}" if page else "")
            kids, page = [f"{body} 0 R"], None
        elif elem.role == "TOCI" and elem.links:
            link, link_role = self._new("Link")
            link_kids, page = self._content(elem, link, links_into_self=True)
            self._write(link, link_role, number, link_kids, f" /Pg {page}" if page else "")
            kids, page = [f"{link} 0 R"], None
        else:
            kids, page = self._content(elem, number)
        self._write(number, role, parent, kids, (f" /Pg {page}" if page else "") + extra)
        return number

    def _content(self, elem: Elem, number: int, links_into_self: bool = False) -> tuple[list, str | None]:
        """The kids of element ``number`` and its /Pg: marked content and child elements
        in order; link annotations as Link > OBJR (into this element itself when
        ``links_into_self``: the whole element is the link's text)."""
        kids: list[str] = []
        first_page = None
        page_ref = None
        for kid in elem.kids:
            if isinstance(kid, Elem):
                kids.append(f"{self._element(kid, number)} 0 R")
                continue
            if first_page is None:
                first_page, page_ref = kid.page, self.pages[kid.page - 1]
            if kid.page == first_page:
                kids.append(str(kid.mcid))
            else:
                kids.append(f"<< /Type /MCR /Pg {self.pages[kid.page - 1]} /MCID {kid.mcid} >>")
            self.parent_of[(kid.page, kid.mcid)] = number
        for link in elem.links:
            page = self.pages[link.page - 1]
            num, gen = self.annots[link.page - 1][link.index]
            reference = f"<< /Type /OBJR /Obj {num} {gen} R /Pg {page} >>"
            contents = link_description(link.target, self.model.anchor_texts)
            if links_into_self:
                holder = number
                if page_ref is None:
                    page_ref = page
                kids.append(reference)
            else:
                holder, holder_role = self._new("Link")
                self._write(holder, holder_role, number, [reference], f" /Pg {page}")
                kids.append(f"{holder} 0 R")
            self.annotations.append(((num, gen), contents))
            self.annot_holders.append(holder)
        return kids, page_ref

    def _table_kids(self, elem: Elem, table: int) -> list[str]:
        """Cells grouped into rows (by the row index each cell carries), header rows under
        THead and the rest under TBody."""
        header_rows = int(elem.attrs.get("header_rows", 0))
        rows: dict[int, list[Elem]] = {}
        others: list[Elem] = []
        for kid in elem.kids:
            if isinstance(kid, Elem) and kid.role in ("TH", "TD") and "row" in kid.attrs:
                rows.setdefault(int(kid.attrs["row"]), []).append(kid)
            elif isinstance(kid, Elem):
                others.append(kid)
            else:
                raise RuntimeError("a table owns marked content outside its cells")
        # a caption or anything else drawn inside the table comes first
        kids = [f"{self._element(kid, table)} 0 R" for kid in others]
        groups = []
        if header_rows:
            groups.append(("THead", [r for r in sorted(rows) if r < header_rows]))
            groups.append(("TBody", [r for r in sorted(rows) if r >= header_rows]))
        else:
            groups.append((None, sorted(rows)))
        for group_role, indices in groups:
            if not indices:
                continue
            holder, holder_kids = table, kids
            if group_role:
                holder, holder_role = self._new(group_role)
                holder_kids = []
                kids.append(f"{holder} 0 R")
            for r in indices:
                tr, tr_role = self._new("TR")
                holder_kids.append(f"{tr} 0 R")
                cells = [f"{self._element(cell, tr)} 0 R"
                         for cell in sorted(rows[r], key=lambda c: int(c.attrs.get("column", 0)))]
                self._write(tr, tr_role, holder, cells)
            if holder != table:
                self._write(holder, holder_role, table, holder_kids)
        return kids
