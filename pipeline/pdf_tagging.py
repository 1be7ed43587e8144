"""Tagged PDF (PDF/UA-1, ISO 14289-1) for the ReportLab renderer.

ReportLab writes no structure tree. The renderer's flowables already announce their
structural role to the canvas (``pipeline.pdf_flowables``: ``begin_marked`` /
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

2. :func:`write_structure` post-processes the written PDF with pikepdf: the
   StructTreeRoot (Document > Sect > H1-H3, P, L > LI > LBody, Table > THead/TBody > TR >
   TH (/Scope) / TD, Figure (/Alt), Caption, TOC > TOCI > Link, Link > OBJR), the
   ParentTree (a number tree: each page's MCIDs, each link's StructParent),
   /StructParents and /Tabs /S on pages, /StructParent and /Contents on link annotations,
   /MarkInfo, /Lang, DisplayDocTitle. The XMP PDF/UA identifier is written by the
   renderer's metadata step (``pipeline.render_pdf._finish``).

Nothing here looks at the document model: the roles come from the flowables, so any
renderer change that draws through the hooks stays tagged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.pdf_flowables import ReportCanvas

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


def write_structure(pdf, model: TagModel, *, lang: str) -> None:
    """Add the structure tree of ``model`` to ``pdf`` (a pikepdf.Pdf written by the
    tagging canvas), with everything else PDF/UA-1 asks of the catalogue and pages."""
    _Writer(pdf, model).write()
    import pikepdf

    root = pdf.Root
    root.MarkInfo = pikepdf.Dictionary(Marked=True)
    root.Lang = pikepdf.String(lang)
    prefs = root.get("/ViewerPreferences")
    if not isinstance(prefs, pikepdf.Dictionary):
        root.ViewerPreferences = prefs = pikepdf.Dictionary()
    prefs.DisplayDocTitle = True


class _Writer:
    def __init__(self, pdf, model: TagModel):
        import pikepdf

        self.pikepdf = pikepdf
        self.pdf = pdf
        self.model = model
        self.pages = [p.obj for p in pdf.pages]
        self.parent_of: dict[tuple[int, int], object] = {}  # (page, mcid) -> element object
        self.annot_parents: list[tuple[object, object]] = []  # (annotation, Link element)
        self.role_map: dict[str, str] = {}

    def write(self) -> None:
        pikepdf = self.pikepdf
        tree_root = self.pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        document = self._element(self.model.root, tree_root)
        tree_root.K = document
        nums = pikepdf.Array()
        for index, page in enumerate(self.pages):
            count = self.model.mcids.get(index + 1, 0)
            missing = [m for m in range(count) if (index + 1, m) not in self.parent_of]
            if missing:
                raise RuntimeError(f"page {index + 1}: marked content {missing} belongs to no element")
            page.StructParents = index
            nums.append(index)
            nums.append(self.pdf.make_indirect(pikepdf.Array([self.parent_of[(index + 1, m)] for m in range(count)])))
        key = len(self.pages)
        for annotation, link in self.annot_parents:
            annotation.StructParent = key
            nums.append(key)
            nums.append(link)
            key += 1
        for page in self.pages:
            page.Tabs = pikepdf.Name.S
        tree_root.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        tree_root.ParentTreeNextKey = key
        if self.role_map:
            tree_root.RoleMap = pikepdf.Dictionary({"/" + k: pikepdf.Name("/" + v) for k, v in self.role_map.items()})
        self.pdf.Root.StructTreeRoot = tree_root

    # -- elements ---------------------------------------------------------------
    def _new(self, role: str, parent, **entries):
        """A structure element (its /K is set once its kids are known: one call, not one
        per kid, which is most of what writing tens of thousands of elements costs)."""
        pikepdf = self.pikepdf
        role = STANDARD.get(role, role)
        if role not in STANDARD_TYPES:
            self.role_map[role] = "Div" if role in CONTAINERS else "P"
        return self.pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + role), P=parent, **entries))

    def _element(self, elem: Elem, parent):
        pikepdf = self.pikepdf
        attrs = elem.attrs
        entries: dict = {}
        if elem.role in ("Sect", "Part") and attrs.get("title"):
            entries["T"] = pikepdf.String(attrs["title"])
        if elem.role == "Figure":
            alt = (attrs.get("alt") or "").strip()
            if not alt:
                raise RuntimeError(f"figure without alternative text: {attrs.get('title', '')!r}")
            entries["Alt"] = pikepdf.String(alt)
            entries["A"] = pikepdf.Dictionary(O=pikepdf.Name.Layout, Placement=pikepdf.Name.Block)
        if elem.role == "Table" and attrs.get("caption"):
            entries["T"] = pikepdf.String(attrs["caption"])
            entries["A"] = pikepdf.Dictionary(O=pikepdf.Name.Table, Summary=pikepdf.String(attrs["caption"]))
        if elem.role in ("TH", "TD"):
            table_attrs = {}
            if elem.role == "TH":
                table_attrs["Scope"] = pikepdf.Name.Row if attrs.get("scope") == "row" else pikepdf.Name.Column
            if attrs.get("colspan", 1) > 1:
                table_attrs["ColSpan"] = int(attrs["colspan"])
            if table_attrs:
                entries["A"] = pikepdf.Dictionary(O=pikepdf.Name.Table, **table_attrs)
        obj = self._new(elem.role, parent, **entries)

        if elem.role == "Table":
            kids = self._table_kids(elem, obj)
        elif elem.role == "LI":
            body = self._new("LBody", obj)
            body.K = pikepdf.Array(self._content(elem, body))
            kids = [body]
        elif elem.role == "TOCI" and elem.links:
            link = self._new("Link", obj)
            link.K = pikepdf.Array(self._content(elem, link, links_into=link))
            kids = [link]
        else:
            kids = self._content(elem, obj)
        obj.K = pikepdf.Array(kids)
        return obj

    def _content(self, elem: Elem, obj, links_into=None) -> list:
        """The kids of ``obj``: marked content and child elements in order; link
        annotations as Link > OBJR (inside ``links_into``, whose kids these are, when the
        whole element is the link's text)."""
        pikepdf = self.pikepdf
        kids: list = []
        first_page = None
        for kid in elem.kids:
            if isinstance(kid, Elem):
                kids.append(self._element(kid, obj))
                continue
            page = self.pages[kid.page - 1]
            if first_page is None:
                first_page = kid.page
                obj.Pg = page
            if kid.page == first_page:
                kids.append(kid.mcid)
            else:
                kids.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=kid.mcid))
            self.parent_of[(kid.page, kid.mcid)] = obj
        for link in elem.links:
            page = self.pages[link.page - 1]
            annotation = page.Annots[link.index]
            annotation.Contents = pikepdf.String(link_description(link.target, self.model.anchor_texts))
            reference = pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page)
            if links_into is None:
                holder = self._new("Link", obj, Pg=page)
                holder.K = pikepdf.Array([reference])
                kids.append(holder)
            else:
                holder = links_into
                if "/Pg" not in holder:
                    holder.Pg = page
                kids.append(reference)
            self.annot_parents.append((annotation, holder))
        return kids

    def _table_kids(self, elem: Elem, table) -> list:
        """Cells grouped into rows (by the row index each cell carries), header rows under
        THead and the rest under TBody."""
        pikepdf = self.pikepdf
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
        kids = [self._element(kid, table) for kid in others]
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
                holder = self._new(group_role, table)
                holder_kids = []
                kids.append(holder)
            for r in indices:
                tr = self._new("TR", holder)
                holder_kids.append(tr)
                tr.K = pikepdf.Array([self._element(cell, tr)
                                      for cell in sorted(rows[r], key=lambda c: int(c.attrs.get("column", 0)))])
            if holder is not table:
                holder.K = pikepdf.Array(holder_kids)
        return kids
