"""The agenda pack: one PDF per meeting, pages numbered through the whole pack.

``build_pack(manifest, out_dir)`` writes two packs:

- the members' pack: the front sheet and every document;
- the public pack: the same, with each exempt document replaced by a one-page notice
  naming the item and the Schedule 12A paragraph. The notice carries the members' pack
  page range it stands for ("Pages 31 - 40"), so a page number quoted in the meeting
  means the same page in both packs and the front sheet is identical in both.

``build_pack(..., supplement=True)`` writes the supplementary pack instead: Democratic
Services' covering letter (seed 004) and the documents marked ``late``, numbered from the
manifest's ``[supplement] first_page``. The main pack lists late documents as 'to follow'.

Everything is built in a scratch folder, under the lock of the meeting's packs; the two
packs are replaced together at the end (:func:`pipeline.infra.atomic.atomic_set`), only when
both are complete. An exempt document's pages are never opened for the public
pack, and a final check compares every content stream of the public pack with those of
the exempt documents before anything is written.

The set also holds, beside the two packs, the PDF of each report the pack built from a
workbook (``send --attach appendices`` attaches those very files) and a record of what the
set was built from: the digest of the manifest, of every document, and of the code
(:func:`pipeline.infra.fingerprint.fingerprint`). :func:`pack_paths` names every file of
the set; :func:`pack_status` says whether the set in a folder is the current pack of a
manifest, and :func:`current_pack` builds it first when it is not.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputProblems, OutputError, PipelineError, Problem
from pipeline.infra import atomic
from pipeline.pack.frontsheet import covering_letter, exempt_notice, front_sheet, long_date
from pipeline.pack.manifest import DocumentRef, Item, Manifest
from pipeline.pack.merge import Source, merge
from pipeline.pack.render import render_document
from pipeline.pack.stamp import page_label, stamp_pages

VARIANTS = ("members", "public")
TRIVIAL_STREAM = 64  # content streams shorter than this (q, Q, empty pages) prove nothing


class ExemptLeak(PipelineError):
    """The public pack would contain a page of an exempt document: nothing was written."""


RECORD_FORMAT = "committee-pipeline pack record 1"
REPORT_NAME_CHARS = 60  # of a document's title in its report's file name (names stay well under 255)


@dataclass
class PackResult:
    paths: dict[str, Path]  # "members", "public"
    pages: dict[str, int]
    ranges: dict  # (item number, document identity) -> (first, last) in the members' pack
    tagged: dict[str, bool]
    notes: list[str] = field(default_factory=list)
    reports: dict[tuple, Path] = field(default_factory=dict)  # document identity -> report PDF kept
    seconds: float = 0.0


@dataclass(frozen=True)
class PackPaths:
    """The files of one pack set (a meeting's main or supplementary pack) in its folder."""

    stem: str  # <committee>_<date>_agenda or <committee>_<date>_supplement: the set's name
    members: Path
    public: Path
    reports: dict[tuple, Path]  # document identity -> the PDF the pack built from its workbook
    record: Path  # what the set was built from (JSON; a dot file, as the set's lock and journal are)
    # issue 21: the index pages (HTML) of the members' and public packs
    members_index: Path | None = None
    public_index: Path | None = None

    @property
    def report_pages(self) -> dict[tuple, Path]:
        """Each built report's HTML edition, beside its PDF (issue 21)."""
        return {identity: path.with_suffix(".html") for identity, path in self.reports.items()}

    @property
    def variants(self) -> dict[str, Path]:
        return {"members": self.members, "public": self.public}

    @property
    def files(self) -> list[Path]:
        """Every file of the set, the record last."""
        pages = [p for p in (self.members_index, self.public_index) if p is not None]
        return [self.members, self.public, *self.reports.values(), *pages, *self.report_pages.values(), self.record]


def doc_key(item: Item, doc: DocumentRef) -> tuple:
    return (item.number, doc.identity)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def chosen_documents(manifest: Manifest, supplement: bool) -> list[tuple[Item, DocumentRef]]:
    """The (item, document) pairs of the main pack (not late) or the supplementary pack (late)."""
    return [(item, doc) for item, doc in manifest.documents() if doc.late == supplement]


def pack_paths(manifest: Manifest, out_dir, *, supplement: bool = False) -> PackPaths:
    """Where ``pack`` writes the set of ``manifest`` in ``out_dir``: the one place that knows
    the names. A report built from a workbook is named for its first agenda item and its
    title (``<stem>_e3-appendices-a-and-b.pdf``), numbered on in the rare case two would
    share a name."""
    out_dir = Path(out_dir)
    stem = f"{slug(manifest.committee)}_{manifest.date.isoformat()}_{'supplement' if supplement else 'agenda'}"
    used = {"members", "public"}
    reports: dict[tuple, Path] = {}
    for item, doc in chosen_documents(manifest, supplement):
        if doc.kind == "pdf" or doc.identity in reports:
            continue
        base = "-".join(part for part in (slug(item.number), slug(doc.title)[:REPORT_NAME_CHARS].strip("-"))
                        if part) or "report"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        reports[doc.identity] = out_dir / f"{stem}_{name}.pdf"
    return PackPaths(stem=stem, members=out_dir / f"{stem}_members.pdf", public=out_dir / f"{stem}_public.pdf",
                     reports=reports, record=out_dir / f".{stem}.sources.json",
                     members_index=out_dir / f"{stem}_members.html", public_index=out_dir / f"{stem}_public.html")


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sources(manifest: Manifest, supplement: bool) -> dict[str, str]:
    """What a pack set is built from, each file by its sha256: the manifest (as it was read)
    and every document in the set (a PDF as it is, a workbook its report is built from)."""
    sources = {str(manifest.path): manifest.digest or _digest(manifest.path)}
    for _, doc in chosen_documents(manifest, supplement):
        sources[str(doc.path)] = _digest(doc.path)
    return dict(sorted(sources.items()))


def pack_status(manifest: Manifest, out_dir, *, supplement: bool = False) -> str | None:
    """None when the set in ``out_dir`` is the current pack of ``manifest``: every file of it
    is there, unchanged since it was written, and it was built from the manifest and
    documents as they are now, by this code (the same fingerprint as the build caches use:
    a new release of the pipeline or of a library that draws the reports builds it again).
    Otherwise why it is not, in a few words.

    Contents are compared, not modification times: a workbook restored from a backup (an
    older time, other figures) is a change, and a file merely touched or copied is not."""
    from pipeline.infra.fingerprint import fingerprint

    paths = pack_paths(manifest, out_dir, supplement=supplement)
    missing = [p.name for p in paths.files if not p.is_file()]
    if missing:
        return "not built" if len(missing) == len(paths.files) else f"{', '.join(missing)} not found"
    try:
        record = json.loads(paths.record.read_text(encoding="utf-8"))
        ok = (isinstance(record, dict) and record.get("format") == RECORD_FORMAT
              and isinstance(record.get("sources"), dict) and isinstance(record.get("outputs"), dict))
    except (OSError, ValueError):
        ok = False
    if not ok:
        return f"its record {paths.record.name} cannot be read"
    if record.get("code") != fingerprint():
        return "it was built by another version of the pipeline or of a library it uses"
    then, now = record["sources"], _sources(manifest, supplement)
    changed = sorted(Path(p).name for p in then.keys() | now.keys() if then.get(p) != now.get(p))
    if changed:
        return f"{', '.join(changed)} changed since it was built"
    altered = [p.name for p in paths.files[:-1] if record["outputs"].get(p.name) != _digest(p)]
    if altered:
        return f"{', '.join(altered)} changed since it was written"
    return None


def current_pack(manifest: Manifest, out_dir, *, supplement: bool = False,
                 on_build: Callable[[str], None] | None = None) -> PackPaths:
    """The pack set of ``manifest`` in ``out_dir``, built first (as ``pack`` would) when
    :func:`pack_status` finds it missing or out of date; ``on_build(reason)`` is told."""
    reason = pack_status(manifest, out_dir, supplement=supplement)
    if reason is not None:
        if on_build is not None:
            on_build(reason)
        from pipeline.register.store import default_path

        build_pack(manifest, out_dir, supplement=supplement, register=default_path(out_dir))  # as `pack` would
    return pack_paths(manifest, out_dir, supplement=supplement)


def _check_supplement(manifest: Manifest, supplement: bool) -> None:
    if not supplement:
        return
    problems = []
    name = str(manifest.path)
    if manifest.supplement is None:
        problems.append(Problem(name, "supplement", None, None,
                                "missing [supplement] table: date, reason and signatory of the covering letter"))
    if not manifest.late_documents:
        problems.append(Problem(name, "items", None, "late",
                                "no document is marked late = true, so there is nothing to enclose"))
    if problems:
        raise InputProblems(name, problems)


def _page_count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _built_report(doc: DocumentRef, scratch: Path, cache_dir: Path | None = None, register=None,
                  built: list | None = None) -> tuple[Path, list[tuple[str, int, int]]]:
    """The PDF of a report built by this pipeline from its workbook. Its charts are kept in
    ``cache_dir`` (the pack folder's cache: ``charts`` and ``pdf`` in it), so rebuilding a
    pack draws no chart and lays out no unchanged page again."""
    from pipeline.build import build_report

    out_dir = scratch / f"report-{hashlib.sha256(repr(doc.identity).encode()).hexdigest()[:12]}"
    result = build_report(doc.path, out_dir, formats=("pdf", "html"), period=doc.period,
                          cache_dir=None if cache_dir is None else cache_dir / "charts",
                          pdf_cache_dir=None if cache_dir is None else cache_dir / "pdf",
                          register=register,  # issue 18: revised figures get a data note
                          in_pack=True)  # the pack's stamp is its only page number
    if built is not None:
        built.append((doc, result))  # issue 18: recorded in the register once the packs are written
    return result.paths["pdf"], _part_pages(result.document, result.paths["pdf"])


def _part_pages(document, path: Path) -> list[tuple[str, int, int]]:
    """The documents a built report holds (its cover report, each appendix) as (title, first
    page, last page) within the report, counted from 0, from where the report's bookmarks
    put each part's first heading; [] when that cannot be told (the report is then listed
    as one document)."""
    import pikepdf

    from pipeline.document.model import Heading, walk

    firsts = []
    for part in document.parts:
        heading = next((b.text for b in walk(part.blocks) if isinstance(b, Heading)), None)
        if heading is None:
            return []
        firsts.append((part.title, heading))
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        pages = {}
        for entry in outline.root:  # the first entry of each title (a part's headings are top level)
            destination = entry.destination
            if isinstance(destination, pikepdf.Array) and len(destination):
                pages.setdefault(entry.title, pikepdf.Page(destination[0]).index)
        total = len(pdf.pages)
    starts = [pages.get(heading) for _, heading in firsts]
    if len(starts) < 2 or starts[0] != 0 or any(b is None or a is None or b <= a for a, b in zip(starts, starts[1:])):
        return []
    ends = [b - 1 for b in starts[1:]] + [total - 1]
    return [(title, start, end) for (title, _), start, end in zip(firsts, starts, ends)]


def _content_digests(path: Path) -> set[str]:
    """Digests of the (decoded) content streams of every page: a page's own drawing."""
    import pikepdf

    digests = set()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            digests |= _page_digests(page)
    return digests


def _page_digests(page) -> set[str]:
    import pikepdf

    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    out = set()
    for stream in streams:
        data = stream.read_bytes()
        if len(data.strip()) >= TRIVIAL_STREAM:
            out.add(hashlib.sha256(data).hexdigest())
    return out


@dataclass
class _Piece:
    path: Path
    title: str
    item: str | None
    first: int
    pages: int
    label: str | None = None  # one page standing for several ("Pages 31 - 40")

    def source(self) -> Source:
        if self.label is not None:
            labels, page_labels = [self.label], [self.label.replace("Pages ", "").replace(" - ", "-")]
        else:
            labels = [page_label(self.first + i) for i in range(self.pages)]
            page_labels = [str(self.first + i) for i in range(self.pages)]
        return Source(self.path, self.title, self.item, labels, page_labels)


def pack_meeting(manifest_path, out_dir, *, supplement: bool = False, register=None) -> PackResult:
    """``pack``: read the manifest at ``manifest_path`` and build its pack set in ``out_dir``;
    ``register``: the register of published figures (default: ``out_dir``'s, docs/register.md)."""
    from pipeline.pack.manifest import read_manifest
    from pipeline.register.store import default_path

    return build_pack(read_manifest(manifest_path), out_dir, supplement=supplement,
                      register=register or default_path(out_dir))


def build_pack(manifest: Manifest, out_dir, *, supplement: bool = False, register=None) -> PackResult:
    """Build and write the members' and public packs (or supplementary packs), the reports
    built for them and the record of what they were built from, as one set. ``register``:
    the register of published figures (docs/register.md) the reports are compared with and
    their figures recorded in once the packs are written (None: none)."""
    from pipeline.infra.fingerprint import fingerprint

    started = time.perf_counter()
    _check_supplement(manifest, supplement)
    out_dir = Path(out_dir)
    paths = pack_paths(manifest, out_dir, supplement=supplement)
    destinations = paths.variants
    kind = "supplementary" if supplement else "agenda"
    # read before anything is built: a document changed during the build then shows as a
    # change next time (the pack is built again), never as a pack that looks current
    sources, code = _sources(manifest, supplement), fingerprint()
    # held while the packs are built, so a second run of the same meeting's packs waits or
    # is told who is building them, and the files are replaced together or not at all
    with atomic.atomic_set(paths.files, name=paths.stem,
                           what=f"the pair of {kind} packs {paths.stem} in {out_dir}") as outputs:
        built: list = []  # issue 18: (document, build result) of each report in the packs
        data, pages, ranges, tagged, reports, report_pages = _build_packs(manifest, out_dir, supplement, register,
                                                                          built)
        written = {destinations[variant]: data[variant] for variant in VARIANTS}
        written.update((paths.reports[identity], pdf) for identity, pdf in reports.items())
        # --- issue 21: the HTML editions of the reports and the meeting's index pages
        from pipeline.pack.html_index import index_page

        written.update((paths.report_pages[identity], page) for identity, page in report_pages.items())
        chosen = chosen_documents(manifest, supplement)
        for variant, index in (("members", paths.members_index), ("public", paths.public_index)):
            shown = {k: v for k, v in paths.reports.items()
                     if variant == "members" or not any(doc.exempt for _, doc in chosen if doc.identity == k)}
            written[index] = index_page(manifest, ranges, chosen, variant, destinations[variant], shown)
        # --- end issue 21
        for destination, content in written.items():
            outputs.write(destination, content)
        record = {"format": RECORD_FORMAT, "code": code, "sources": sources,
                  "outputs": {p.name: hashlib.sha256(content).hexdigest() for p, content in written.items()}}
        outputs.write(paths.record, (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    notes = []
    if register is not None:  # --- issue 18: what the packs published, recorded after they are written
        from pipeline.register.store import RegisterError, record_reports

        try:
            if built:  # (one transaction: the register holds the whole pack or none of it)
                record_reports(register, committee=manifest.committee, meeting_date=manifest.date,
                               kind="supplement" if supplement else "agenda",
                               reports=[("exempt" if doc.exempt else "public", doc.path, result.cardset)
                                        for doc, result in built])
        except RegisterError as exc:
            raise RegisterError(f"the packs were written ({', '.join(p.name for p in destinations.values())}) but "
                                f"not recorded in the "
                                f"register: {exc}; run pack again to record them") from None
        for doc, result in built:
            notes += [f"{doc.path.name}: {rev.finding(result.cardset.period).message}" for rev in result.revisions]
        if built:
            notes.append(f"recorded {len(built)} report{'s' if len(built) != 1 else ''} in the register {register}")
    if not tagged["members"]:
        notes.append("the pack is not a tagged PDF: at least one of its documents (or the front sheet) is untagged")
    return PackResult(paths=destinations, pages=pages, ranges=ranges, tagged=tagged, notes=notes,
                      reports=paths.reports, seconds=time.perf_counter() - started)


def _build_packs(manifest: Manifest, out_dir: Path, supplement: bool, register=None, built=None):
    """The packs' bytes (members, public), page counts, ranges and whether each is tagged."""
    chosen = chosen_documents(manifest, supplement)
    first_page = manifest.supplement.first_page if supplement else manifest.first_page
    with tempfile.TemporaryDirectory(prefix="pack-") as tmp:
        scratch = Path(tmp)
        pdfs: dict[tuple, Path] = {}
        parts: dict[tuple, list[tuple[str, int, int]]] = {}  # a built report's own documents
        for _item, doc in chosen:
            if doc.identity in pdfs:
                continue
            if doc.kind == "pdf":
                pdfs[doc.identity] = doc.path
            else:
                pdfs[doc.identity], parts[doc.identity] = _built_report(doc, scratch, out_dir / ".cache",
                                                                        register, built)
        counts = {identity: _page_count(path) for identity, path in pdfs.items()}
        reports = {doc.identity: pdfs[doc.identity].read_bytes() for _, doc in chosen if doc.kind != "pdf"}
        # issue 21: each built report's HTML edition, written beside its PDF
        report_pages = {identity: pdfs[identity].with_suffix(".html").read_bytes() for identity in reports}

        front_path = scratch / "front.pdf"
        front_pages = 1
        for _ in range(8):  # the front matter's length moves every range after it: iterate to a fixed point
            ranges, page = {}, first_page + front_pages
            for item, doc in chosen:
                ranges[doc_key(item, doc)] = (page, page + counts[doc.identity] - 1)
                page += counts[doc.identity]
            if supplement:
                enclosed = {key: [(title, span[0] + a, span[0] + b) for title, a, b in parts[key[1]]]
                            for key, span in ranges.items() if parts.get(key[1])}
                front = covering_letter(manifest, chosen, ranges, enclosed)
            else:
                front = front_sheet(manifest, ranges, included={doc.identity for _, doc in chosen})
            render_document(front, front_path)
            rendered = _page_count(front_path)
            if rendered == front_pages:
                break
            front_pages = rendered
        else:
            raise OutputError("the front sheet's length does not settle; report this as a bug")

        front_title = "Covering letter" if supplement else "Agenda front sheet"
        members = [_Piece(front_path, front_title, None, first_page, front_pages)]
        public = [_Piece(front_path, front_title, None, first_page, front_pages)]
        exempt_digests: set[str] = set()
        for n, (item, doc) in enumerate(chosen):
            span = ranges[doc_key(item, doc)]
            item_title = f"{item.number} {item.title}"
            piece = _Piece(pdfs[doc.identity], doc.title, item_title, span[0], span[1] - span[0] + 1)
            members.append(piece)
            if doc.exempt:
                exempt_digests |= _content_digests(pdfs[doc.identity])
                notice_path = scratch / f"notice-{n}.pdf"
                render_document(exempt_notice(manifest, item, doc, span), notice_path)
                if _page_count(notice_path) != 1:
                    raise OutputError(f"the exempt notice for item {item.number} is not one page")
                public.append(_Piece(notice_path, f"{doc.title} (exempt: not for publication)", item_title,
                                     span[0], 1, label=page_label(*span)))
            else:
                public.append(piece)

        kind = "supplementary agenda" if supplement else "agenda"
        title = f"{manifest.committee}, {long_date(manifest.date)}: {kind}"
        data, tagged, pages = {}, {}, {}
        for variant, pieces in (("members", members), ("public", public)):
            with contextlib.ExitStack() as stack:
                pdf, tagged[variant] = merge([p.source() for p in pieces], stack=stack,
                                             title=title + (" (public)" if variant == "public" else " (members)"),
                                             subject=f"{manifest.committee} {kind}")
                stamp_pages(pdf, [label for p in pieces for label in p.source().labels],
                            scratch / f"stamps-{variant}.pdf")
                if variant == "public" and exempt_digests:
                    for index, page in enumerate(pdf.pages):
                        if _page_digests(page) & exempt_digests:
                            raise ExemptLeak(f"page {index + 1} of the public pack carries the content of an "
                                             "exempt document; nothing was written")
                buffer = io.BytesIO()
                pdf.save(buffer, deterministic_id=True, compress_streams=True)
                data[variant] = buffer.getvalue()
                pages[variant] = len(pdf.pages)

    return data, pages, ranges, tagged, reports, report_pages
