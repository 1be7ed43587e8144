"""Reading and validating a meeting's pack manifest (TOML; documented in docs/pack.md).

``read_manifest`` returns a :class:`Manifest` or raises :class:`~pipeline.errors.InputProblems`
listing *every* problem at once, each located by table and key (``items[4] E3,
documents[1]``, column ``access``). Nothing is built or written before the manifest is
clean. Paths are relative to the manifest's folder and must stay inside that folder's
tree after symlinks are resolved.

Exemption is decided here and only here: a document is exempt when its ``access`` says so
(case and spaces ignored), a value that is neither "public" nor "exempt" is an error, and
a file listed twice with different access is an error (never silently public).

Nothing in this module writes anything.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputProblems
from pipeline.infra.toml_file import Collector, read_toml, suggest, unknown_keys
from pipeline.rules.periods import Month, parse_month

# Local Government Act 1972, Schedule 12A, Part 1 (England): the standard short descriptions.
SCHEDULE_12A = {
    1: "Information relating to any individual.",
    2: "Information which is likely to reveal the identity of an individual.",
    3: "Information relating to the financial or business affairs of any particular person "
       "(including the authority holding that information).",
    4: "Information relating to any consultations or negotiations, or contemplated consultations or "
       "negotiations, in connection with any labour relations matter arising between the authority or a "
       "Minister of the Crown and employees of, or office holders under, the authority.",
    5: "Information in respect of which a claim to legal professional privilege could be maintained "
       "in legal proceedings.",
    6: "Information which reveals that the authority proposes (a) to give under any enactment a notice "
       "under or by virtue of which requirements are imposed on a person; or (b) to make an order or "
       "direction under any enactment.",
    7: "Information relating to any action taken or to be taken in connection with the prevention, "
       "investigation or prosecution of crime.",
}

TOP_KEYS = ("meeting", "items", "supplement")
MEETING_KEYS = ("committee", "date", "time", "venue", "members", "contact", "telephone", "email", "first_page")
ITEM_KEYS = ("number", "title", "documents")
DOCUMENT_KEYS = ("title", "pdf", "workbook", "period", "access", "paragraph", "late")
SUPPLEMENT_KEYS = ("date", "reason", "enclosure", "first_page", "contact", "telephone", "fax", "email",
                   "signatory", "signatory_title")
ITEM_NUMBER = re.compile(r"^[A-Z]{0,2}\d{1,3}[a-z]?$")


@dataclass(frozen=True)
class DocumentRef:
    """One document of an agenda item: an existing PDF or a report built from a workbook."""

    title: str
    path: Path  # resolved, inside the manifest's folder tree
    kind: str  # "pdf" | "workbook"
    exempt_paragraph: int | None  # None = public
    late: bool = False
    period: Month | None = None  # workbook reports: the reporting month (None = latest)

    @property
    def exempt(self) -> bool:
        return self.exempt_paragraph is not None

    @property
    def identity(self) -> tuple:
        """Two entries with the same identity are the same document."""
        return (self.kind, str(self.path), self.period.label if self.period else None)


@dataclass(frozen=True)
class Item:
    number: str
    title: str
    documents: tuple[DocumentRef, ...]


@dataclass(frozen=True)
class Supplement:
    """Democratic Services' covering letter for late documents (seed 004)."""

    date: dt.date
    reason: str  # "which were omitted from the pack as an oversight at the time of publication"
    enclosure: str = ""  # what the letter encloses: "appendices" (default "paper"/"papers")
    first_page: int = 1
    contact: str = ""
    telephone: str = ""
    fax: str = ""
    email: str = ""
    signatory: str = ""
    signatory_title: str = "Head of Democratic Services"


@dataclass(frozen=True)
class Manifest:
    path: Path
    folder: Path
    committee: str
    date: dt.date
    time: dt.time
    venue: str
    members: tuple[str, ...]
    items: tuple[Item, ...]
    contact: str = ""
    telephone: str = ""
    email: str = ""
    first_page: int = 1
    supplement: Supplement | None = None
    digest: str = ""  # sha256 of the bytes read: what a pack records it was built from

    def documents(self):
        """(item, document) in agenda order."""
        for item in self.items:
            for doc in item.documents:
                yield item, doc

    @property
    def late_documents(self) -> list[tuple[Item, DocumentRef]]:
        return [(i, d) for i, d in self.documents() if d.late]


def _text(table: dict, key: str, where, col: Collector, required=True) -> str:
    value = table.get(key)
    if value is None:
        if required:
            col.add(where, key, "missing")
        return ""
    if not isinstance(value, str):
        col.add(where, key, f"must be text in quotes, not {type(value).__name__} {value!r}")
        return ""
    value = " ".join(value.split())
    if required and not value:
        col.add(where, key, "is empty")
    return value


def _date(table: dict, key: str, where, col: Collector, required=True) -> dt.date | None:
    value = table.get(key)
    if value is None:
        if required:
            col.add(where, key, "missing (write a date as 2013-12-05)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    col.add(where, key, f"{value!r} is not a date (write it as 2013-12-05)")
    return None


def _time(table: dict, key: str, where, col: Collector) -> dt.time | None:
    value = table.get(key)
    if value is None:
        col.add(where, key, 'missing (write the time as "10:00")')
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", value)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return dt.time(int(m.group(1)), int(m.group(2)))
    col.add(where, key, f'{value!r} is not a time (write it as "10:00", 24-hour clock)')
    return None


def _positive_int(table, key, where, col, default=1) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        col.add(where, key, f"must be a whole number of 1 or more, not {value!r}")
        return default
    return value


def _resolve(raw, folder: Path, where, key, col: Collector) -> Path | None:
    """A path relative to the manifest's folder that must stay inside its tree."""
    if not isinstance(raw, str) or not raw.strip():
        col.add(where, key, "must be a file path in quotes, relative to the manifest's folder")
        return None
    candidate = Path(raw.strip())
    if candidate.is_absolute():
        col.add(where, key, f"{raw}: use a path relative to the manifest's folder, not an absolute path")
        return None
    resolved = (folder / candidate).resolve()
    if not resolved.is_relative_to(folder):
        col.add(where, key, f"{raw}: is outside the manifest's folder ({folder}); "
                            "copy the file into the project")
        return None
    if not resolved.exists():
        col.add(where, key, f"{raw}: file not found")
        return None
    if resolved.is_dir():
        col.add(where, key, f"{raw}: is a folder, not a file")
        return None
    return resolved


def _check_pdf(path: Path, raw: str, where, col: Collector) -> None:
    try:
        head = path.read_bytes()[:1024]
    except OSError as exc:
        col.add(where, "pdf", f"{raw}: cannot be read: {exc.strerror}")
        return
    if b"%PDF-" not in head:
        kind = "an Excel workbook (use workbook = ...)" if head.startswith(b"PK") else "a PDF"
        col.add(where, "pdf", f"{raw}: is not a PDF" + ("" if kind == "a PDF" else f"; it looks like {kind}"))
        return
    import pikepdf  # heavy: only when a manifest names PDFs

    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                col.add(where, "pdf", f"{raw}: the PDF has no pages")
    except pikepdf.PasswordError:
        col.add(where, "pdf", f"{raw}: the PDF is password protected; save an unprotected copy")
    except Exception as exc:  # pikepdf raises several types for damaged files
        col.add(where, "pdf", f"{raw}: the PDF is damaged and cannot be read ({type(exc).__name__})")


def _check_workbook(path: Path, raw: str, where, col: Collector) -> None:
    if not zipfile.is_zipfile(path):
        col.add(where, "workbook", f"{raw}: is not an Excel .xlsx workbook")


def _access(doc: dict, where, col: Collector) -> tuple[bool, int | None] | None:
    """(is exempt, paragraph) or None when it cannot be decided."""
    raw = doc.get("access")
    paragraph = doc.get("paragraph")
    if raw is None:
        col.add(where, "access", 'missing: write access = "public" or access = "exempt" with paragraph = 1-7')
        return None
    if not isinstance(raw, str):
        col.add(where, "access", f'must be "public" or "exempt", not {raw!r}')
        return None
    value = "".join(raw.split()).lower()
    if value == "public":
        if paragraph is not None:
            col.add(where, "paragraph", 'a public document has no exemption paragraph: '
                                        'remove it or set access = "exempt"')
            return None
        return (False, None)
    if value in ("exempt", "part2", "restricted", "confidential"):
        if paragraph is None:
            col.add(where, "paragraph", "missing: an exempt document needs the paragraph (1-7) of "
                                        "Schedule 12A, Part 1, Local Government Act 1972 that applies")
            return None
        if isinstance(paragraph, str) and paragraph.strip().isdigit():
            paragraph = int(paragraph.strip())
        if isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph not in SCHEDULE_12A:
            col.add(where, "paragraph", f"{paragraph!r} is not a paragraph of Schedule 12A, Part 1 (1 to 7)")
            return None
        return (True, paragraph)
    col.add(where, "access", f'"{raw}" is neither "public" nor "exempt"{suggest(value, ("public", "exempt"))}')
    return None


def _document(doc, folder: Path, where: str, col: Collector) -> DocumentRef | None:
    if not isinstance(doc, dict):
        col.add(where, None, "must be a table ([[items.documents]])")
        return None
    unknown_keys(doc, DOCUMENT_KEYS, where, col)
    title = _text(doc, "title", where, col)
    access = _access(doc, where, col)
    late = doc.get("late", False)
    if not isinstance(late, bool):
        col.add(where, "late", f"must be true or false, not {late!r}")
        late = False
    has_pdf, has_wb = "pdf" in doc, "workbook" in doc
    path = kind = period = None
    if has_pdf == has_wb:
        col.add(where, None, "give exactly one of pdf = \"file.pdf\" (an existing PDF) or "
                             "workbook = \"file.xlsx\" (a report built by this pipeline)")
    elif has_pdf:
        kind = "pdf"
        path = _resolve(doc["pdf"], folder, where, "pdf", col)
        if path is not None:
            _check_pdf(path, doc["pdf"], where, col)
        if "period" in doc:
            col.add(where, "period", "only a workbook report has a period")
    else:
        kind = "workbook"
        path = _resolve(doc["workbook"], folder, where, "workbook", col)
        if path is not None:
            _check_workbook(path, doc["workbook"], where, col)
        if "period" in doc:
            try:
                period = parse_month(str(doc["period"]))
            except ValueError as exc:
                col.add(where, "period", str(exc))
    if access is None or path is None or not title:
        return None
    return DocumentRef(title=title, path=path, kind=kind, exempt_paragraph=access[1], late=late, period=period)


def read_manifest(path: str | os.PathLike) -> Manifest:
    """Read and validate the manifest at ``path``; every problem is reported at once."""
    path = Path(path)
    name = str(path)
    col = Collector(name)

    data, digest = read_toml(path, "a manifest file")
    folder = path.resolve().parent

    unknown_keys(data, TOP_KEYS, None, col)
    meeting = data.get("meeting")
    if not isinstance(meeting, dict):
        col.add("meeting", None, "missing [meeting] table (committee, date, time, venue, members)")
        meeting = {}
    unknown_keys(meeting, MEETING_KEYS, "meeting", col)
    committee = _text(meeting, "committee", "meeting", col)
    date = _date(meeting, "date", "meeting", col)
    time = _time(meeting, "time", "meeting", col)
    venue = _text(meeting, "venue", "meeting", col)
    members_raw = meeting.get("members", [])
    members: list[str] = []
    if not isinstance(members_raw, list) or not all(isinstance(m, str) and m.strip() for m in members_raw):
        col.add("meeting", "members", 'must be a list of names in quotes: members = ["Name", ...]')
    else:
        members = [" ".join(m.split()) for m in members_raw]
        for dup in sorted({m for m in members if members.count(m) > 1}):
            col.add("meeting", "members", f'"{dup}" is listed more than once')
    contact = _text(meeting, "contact", "meeting", col, required=False)
    telephone = _text(meeting, "telephone", "meeting", col, required=False)
    email = _text(meeting, "email", "meeting", col, required=False)
    first_page = _positive_int(meeting, "first_page", "meeting", col)

    items_raw = data.get("items")
    if not isinstance(items_raw, list) or not items_raw:
        col.add("items", None, "no agenda items: add [[items]] tables with number and title")
        items_raw = []
    items: list[Item] = []
    seen_numbers: dict[str, str] = {}
    seen_docs: dict[tuple, tuple[str, DocumentRef]] = {}
    by_digest: dict[str, tuple[str, DocumentRef]] = {}
    for i, raw_item in enumerate(items_raw, start=1):
        where = f"items[{i}]"
        if not isinstance(raw_item, dict):
            col.add(where, None, "must be a table ([[items]])")
            continue
        number = _text(raw_item, "number", where, col)
        if number:
            where = f"items[{i}] {number}"
            if not ITEM_NUMBER.match(number):
                col.add(where, "number", f'"{number}" is not an agenda item number (like "E3" or "5")')
            key = number.upper()
            if key in seen_numbers:
                col.add(where, "number", f'item {number} is listed twice (also {seen_numbers[key]})')
            else:
                seen_numbers[key] = where
        unknown_keys(raw_item, ITEM_KEYS, where, col)
        title = _text(raw_item, "title", where, col)
        docs_raw = raw_item.get("documents", [])
        if not isinstance(docs_raw, list):
            col.add(where, "documents", "must be [[items.documents]] tables")
            docs_raw = []
        docs: list[DocumentRef] = []
        for j, raw_doc in enumerate(docs_raw, start=1):
            dwhere = f"{where}, documents[{j}]"
            doc = _document(raw_doc, folder, dwhere, col)
            if doc is None:
                continue
            if any(other.identity == doc.identity for other in docs):
                col.add(dwhere, doc.kind, f"{doc.path.name} is listed twice in item {number or i}")
                continue
            docs.append(doc)
            earlier = seen_docs.get(doc.identity)
            if earlier is not None:
                other_where, other = earlier
                if other.exempt_paragraph != doc.exempt_paragraph:
                    col.add(dwhere, "access",
                            f"{doc.path.name} is also listed at {other_where} with different access "
                            f"({_access_label(other)} there, {_access_label(doc)} here): make them agree")
                elif other.late != doc.late:
                    col.add(dwhere, "late",
                            f"{doc.path.name} is also listed at {other_where} with a different late flag")
            else:
                seen_docs[doc.identity] = (dwhere, doc)
            if doc.kind == "pdf":
                digest = hashlib.sha256(doc.path.read_bytes()).hexdigest()
                twin = by_digest.get(digest)
                if twin is not None and twin[1].path != doc.path and twin[1].exempt_paragraph != doc.exempt_paragraph:
                    col.add(dwhere, "access",
                            f"{doc.path.name} is the same file as {twin[1].path.name} at {twin[0]} "
                            f"but with different access ({_access_label(doc)} here, {_access_label(twin[1])} there)")
                by_digest.setdefault(digest, (dwhere, doc))
        if number and title:
            items.append(Item(number=number, title=title, documents=tuple(docs)))

    supplement = None
    if "supplement" in data:
        supplement = _supplement(data["supplement"], col)
        if supplement is not None and date is not None and supplement.date > date:
            col.add("supplement", "date", f"the covering letter ({supplement.date.isoformat()}) is dated "
                                          f"after the meeting ({date.isoformat()})")

    if col.problems:
        raise InputProblems(name, col.problems)
    return Manifest(
        path=path.resolve(), folder=folder, committee=committee, date=date, time=time, venue=venue,
        members=tuple(members), items=tuple(items), contact=contact, telephone=telephone, email=email,
        first_page=first_page, supplement=supplement, digest=digest,
    )


def _access_label(doc: DocumentRef) -> str:
    return f"exempt, paragraph {doc.exempt_paragraph}" if doc.exempt else "public"


def _supplement(table, col: Collector) -> Supplement | None:
    where = "supplement"
    if not isinstance(table, dict):
        col.add(where, None, "must be a table ([supplement])")
        return None
    unknown_keys(table, SUPPLEMENT_KEYS, where, col)
    date = _date(table, "date", where, col)
    reason = _text(table, "reason", where, col)
    first_page = _positive_int(table, "first_page", where, col)
    fields = {k: _text(table, k, where, col, required=False)
              for k in ("enclosure", "contact", "telephone", "fax", "email", "signatory", "signatory_title")}
    if not fields["signatory"]:
        col.add(where, "signatory", "missing: who signs the covering letter")
    if not fields["signatory_title"]:
        fields["signatory_title"] = "Head of Democratic Services"
    if date is None or not reason:
        return None
    return Supplement(date=date, reason=reason, first_page=first_page, **fields)
