"""Merging PDFs into one pack with pikepdf, keeping what makes each one usable:

- tags: when every source is a tagged PDF, their structure trees are merged under one
  /Document element (one /Part per source, titled), StructParents / StructParent keys are
  renumbered and the ParentTree rebuilt, RoleMap / ClassMap merged, /Lang and /MarkInfo
  kept; if any source is untagged the pack is untagged (a half-tagged PDF is worse);
- bookmarks: one per agenda item, one per document under it, and each document's own
  outline nested under that;
- links: named destinations are renamed per source so two reports' '#ind-1' never clash;
- page labels: the viewer's page box shows the pack's page numbers.

Page numbers are stamped by pipeline.pack.stamp. Nothing here writes a file.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Source:
    """A run of pages in the pack."""

    path: Path
    title: str  # bookmark and /Part title
    item: str | None  # the agenda item's bookmark title (consecutive sources share it)
    labels: list[str]  # the stamped text of each page ("Page 21")
    page_labels: list[str]  # what the viewer's page box shows ("21")


def is_tagged(pdf) -> bool:
    import pikepdf

    root = pdf.Root
    mark = root.get("/MarkInfo")
    return ("/StructTreeRoot" in root and isinstance(mark, pikepdf.Dictionary)
            and bool(mark.get("/Marked", False)))


def _as_list(value) -> list:
    import pikepdf

    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [value]


def merge(sources: list[Source], *, title: str, lang: str = "en-GB", subject: str = "", stack=None):
    """Merge ``sources`` into a new pikepdf.Pdf. The sources are opened in ``stack`` (an
    ExitStack) and must stay open until the result is saved (qpdf copies stream data lazily)."""
    import pikepdf

    own_stack = stack is None
    stack = stack or contextlib.ExitStack()
    out = pikepdf.new()
    opened = [stack.enter_context(pikepdf.open(s.path)) for s in sources]
    for src, source in zip(opened, sources):
        if len(src.pages) != len(source.labels):
            raise ValueError(f"{source.path}: {len(src.pages)} pages but {len(source.labels)} labels")
    tagged = bool(opened) and all(is_tagged(src) for src in opened)

    tree = _TreeMerger(out) if tagged else None
    outline_plan = []  # (item title, source title, first page index, own outline entries)
    for n, (src, source) in enumerate(zip(opened, sources)):
        base = len(out.pages)
        _rename_dests(src, f"s{n}-")
        if tree:
            tree.shift(src)
        own_outline = _read_outline(src)
        out.pages.extend(src.pages)
        if tree:
            tree.add(src, source.title)
        _copy_dests(out, src)
        outline_plan.append((source.item, source.title, base, own_outline))

    if tree:
        tree.finish()
        out.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    if lang:
        out.Root.Lang = pikepdf.String(lang)
    out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    out.Root.PageMode = pikepdf.Name.UseOutlines
    _write_outline(out, outline_plan)
    _page_labels(out, [label for s in sources for label in s.page_labels])
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = title
        if subject:
            meta["dc:description"] = subject
        meta["dc:language"] = [lang]
        if tagged and all(_claims_pdfua(src) for src in opened):
            meta["pdfuaid:part"] = "1"
    out.docinfo["/Title"] = title
    out.docinfo["/Producer"] = "committee-pipeline"
    for key in ("/CreationDate", "/ModDate"):
        if key in out.docinfo:
            del out.docinfo[key]
    if own_stack:
        out._pack_stack = stack  # noqa: SLF001 (keeps sources open as long as the result lives)
    return out, tagged


def _claims_pdfua(pdf) -> bool:
    try:
        with pdf.open_metadata() as meta:
            return str(meta.get("pdfuaid:part", "")) == "1"
    except Exception:  # damaged or absent XMP: it does not claim PDF/UA
        return False


# ---------------------------------------------------------------------------------
# structure trees


class _TreeMerger:
    def __init__(self, out):
        import pikepdf

        self.out = out
        self.next_key = 0
        self.nums: list = []
        self.role_map = pikepdf.Dictionary()
        self.class_map = pikepdf.Dictionary()
        self.root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        self.document = out.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=self.root, K=pikepdf.Array()))
        self.root.K = self.document
        self.offset = 0

    def shift(self, src) -> None:
        """Renumber this source's StructParents keys (in memory) to follow the previous ones."""
        self.offset = self.next_key
        sroot = src.Root.StructTreeRoot
        keys = [k for k, _ in self._parent_items(src)]
        span = max([int(sroot.get("/ParentTreeNextKey", 0))] + [k + 1 for k in keys])
        seen_forms = set()
        for page in src.pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + self.offset
            for annot in _as_list(page.obj.get("/Annots")):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + self.offset
            for form in _forms(page.obj.get("/Resources")):
                if form.objgen in seen_forms or form.objgen == (0, 0):
                    continue
                seen_forms.add(form.objgen)
                if "/StructParents" in form:
                    form.StructParents = int(form.StructParents) + self.offset
        self.next_key += span

    @staticmethod
    def _parent_items(src):
        import pikepdf

        tree = src.Root.StructTreeRoot.get("/ParentTree")
        if tree is None:
            return []
        return [(int(k), v) for k, v in pikepdf.NumberTree(tree).items()]

    def add(self, src, title: str) -> None:
        import pikepdf

        sroot = src.Root.StructTreeRoot
        kids = _as_list(sroot.get("/K"))
        if len(kids) == 1 and isinstance(kids[0], pikepdf.Dictionary) and kids[0].get("/S") == pikepdf.Name.Document:
            kids = _as_list(kids[0].get("/K"))
        part = self.out.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, T=pikepdf.String(title), P=self.document,
            K=pikepdf.Array()))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                del kid["/P"]  # in memory only: stops the copy dragging the old tree root along
        for kid in kids:
            copied = self._copy(kid)
            if isinstance(copied, pikepdf.Dictionary):
                copied.P = part
            part.K.append(copied)
        self.document.K.append(part)
        for key, value in self._parent_items(src):
            self.nums.append((key + self.offset, self._copy(value)))
        for name, target in (("/RoleMap", self.role_map), ("/ClassMap", self.class_map)):
            mapping = sroot.get(name)
            if mapping is not None:
                for k, v in mapping.items():
                    if k not in target:
                        target[k] = self._copy(v)

    def _copy(self, value):
        return _copy(self.out, value)

    def finish(self) -> None:
        import pikepdf

        nums = pikepdf.Array()
        for key, value in sorted(self.nums, key=lambda kv: kv[0]):
            nums.append(key)
            nums.append(value)
        self.root.ParentTree = self.out.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = self.next_key
        if len(self.role_map):
            self.root.RoleMap = self.role_map
        if len(self.class_map):
            self.root.ClassMap = self.class_map
        self.out.Root.StructTreeRoot = self.root


def _forms(resources):
    import pikepdf

    if resources is None:
        return
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return
    for _, xobj in xobjects.items():
        if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == pikepdf.Name.Form:
            yield xobj


# ---------------------------------------------------------------------------------
# named destinations and links


def _dest_items(src) -> list[tuple[str, object]]:
    import pikepdf

    items = []
    names = src.Root.get("/Names")
    if names is not None and "/Dests" in names:
        items += [(str(k), v) for k, v in pikepdf.NameTree(names.Dests).items()]
    old = src.Root.get("/Dests")
    if old is not None:
        items += [(str(k)[1:], v) for k, v in old.items()]
    return items


def _rename_dests(src, prefix: str) -> None:
    """Prefix every named destination of ``src`` and every link/outline pointing to one."""
    import pikepdf

    items = _dest_items(src)
    if not items:
        return
    renamed = {}
    for name, value in items:
        target = value.get("/D") if isinstance(value, pikepdf.Dictionary) else value
        renamed[name] = target
    tree = pikepdf.NameTree.new(src)
    for name, value in renamed.items():
        tree[prefix + name] = value
    if "/Names" not in src.Root:
        src.Root.Names = pikepdf.Dictionary()
    src.Root.Names.Dests = tree.obj
    if "/Dests" in src.Root:
        del src.Root["/Dests"]

    def fix(holder, key):
        value = holder.get(key)
        if isinstance(value, (pikepdf.Name,)):
            holder[key] = pikepdf.String(prefix + str(value)[1:])
        elif isinstance(value, pikepdf.String):
            holder[key] = pikepdf.String(prefix + str(value))

    for page in src.pages:
        for annot in _as_list(page.obj.get("/Annots")):
            if "/Dest" in annot:
                fix(annot, "/Dest")
            action = annot.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.GoTo:
                fix(action, "/D")
    outlines = src.Root.get("/Outlines")
    stack = [outlines.get("/First")] if outlines is not None else []
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if "/Dest" in node:
            fix(node, "/Dest")
        action = node.get("/A")
        if isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.GoTo:
            fix(action, "/D")
        stack += [node.get("/First"), node.get("/Next")]


def _copy_dests(out, src) -> None:
    import pikepdf

    items = _dest_items(src)
    if not items:
        return
    if "/Names" not in out.Root:
        out.Root.Names = pikepdf.Dictionary()
    if "/Dests" not in out.Root.Names:
        out.Root.Names.Dests = pikepdf.NameTree.new(out).obj
    tree = pikepdf.NameTree(out.Root.Names.Dests)
    for name, value in items:
        tree[name] = _copy(out, value)


def _copy(out, value):
    """Copy a foreign object into ``out``: indirect objects through qpdf (which maps each
    foreign object to one local copy, so page references land on the pages already copied),
    direct arrays and dictionaries element by element."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(out, v) for v in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({k: _copy(out, v) for k, v in value.items()})
    return value


# ---------------------------------------------------------------------------------
# outlines (bookmarks)


def _read_outline(src) -> list:
    """[(title, page index in src or None, view array tail, children)] of src's own outline."""
    import pikepdf

    names = dict(_dest_items(src))
    index_of = {page.obj.objgen: i for i, page in enumerate(src.pages)}

    def target(item):
        dest = item.destination
        if dest is None and item.action is not None and item.action.get("/S") == pikepdf.Name.GoTo:
            dest = item.action.get("/D")
        if isinstance(dest, (pikepdf.String, pikepdf.Name)):
            key = str(dest) if isinstance(dest, pikepdf.String) else str(dest)[1:]
            dest = names.get(key)
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")
        if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
            return index_of.get(dest[0].objgen), list(dest[1:])
        return None, []

    def walk(items):
        out = []
        for item in items:
            index, tail = target(item)
            out.append((str(item.title), index, tail, walk(item.children)))
        return out

    try:
        with src.open_outline() as outline:
            return walk(outline.root)
    except Exception:  # a damaged outline is dropped, never fatal: the pack adds its own
        return []


def _write_outline(out, plan) -> None:
    import pikepdf
    from pikepdf import OutlineItem

    def dest(index, tail=()):
        if tail and tail[0] == pikepdf.Name.XYZ:
            return pikepdf.Array([out.pages[index].obj, *tail])
        return pikepdf.Array([out.pages[index].obj, pikepdf.Name.Fit])

    def nested(entries, base):
        items = []
        for title, index, tail, children in entries:
            if index is None:
                continue
            node = OutlineItem(title, dest(base + index, tail))
            node.children.extend(nested(children, base))
            items.append(node)
        return items

    with out.open_outline() as outline:
        current_item, item_node = None, None
        for item_title, title, base, own in plan:
            node = OutlineItem(title, dest(base))
            node.children.extend(nested(own, base))
            if item_title is None:
                outline.root.append(node)
                current_item, item_node = None, None
                continue
            if item_title != current_item:
                item_node = OutlineItem(item_title, dest(base))
                item_node.is_closed = False
                outline.root.append(item_node)
                current_item = item_title
            item_node.children.append(node)


def _page_labels(out, labels: list[str]) -> None:
    """The viewer's page box shows the pack's numbers (a run of plain numbers where they count
    up by one, a literal prefix elsewhere, e.g. '31-40' for an exempt notice)."""
    import pikepdf

    nums = pikepdf.Array()
    previous = None
    for index, label in enumerate(labels):
        if label.isdigit():
            if previous is not None and previous.isdigit() and int(label) == int(previous) + 1:
                previous = label
                continue
            nums.extend([index, pikepdf.Dictionary(S=pikepdf.Name.D, St=int(label))])
        else:
            nums.extend([index, pikepdf.Dictionary(P=pikepdf.String(label))])
        previous = label
    if len(nums):
        out.Root.PageLabels = pikepdf.Dictionary(Nums=nums)
