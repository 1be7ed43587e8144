"""Composing the e-mails that carry a meeting's papers to its members.

Two steps, so that every problem is found before anything is sent:

* :func:`plan_mailing` decides, for each person on the members list, which documents they
  may receive (exempt documents only to members of the committee, never to a public
  recipient) and how those documents are split across numbered messages to stay under the
  size limit. It raises :class:`AttachmentTooLarge` if one file alone cannot fit. It reads the
  files once but builds no message, so planning a large mailing costs little memory.
* :func:`build_message` turns one planned message into an :class:`email.message.EmailMessage`.
  Everything in it is derived from the inputs (no clock, no random MIME boundary), so a dry
  run is reproducible and the Message-ID of a re-run matches the send log.

The meeting is described by the small :class:`MailMeeting` dataclass; :func:`meeting_from_manifest`
is the one place that knows the agenda manifest's shape.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import parseaddr
from pathlib import Path

from pipeline.errors import EXIT_PROBLEMS, PipelineError
from pipeline.mail.members import Member

DEFAULT_MAX_SIZE = 10 * 1024 * 1024  # bytes per message, as encoded on the wire
WIRE = policy.SMTP  # CRLF line endings: the size a server sees


class AttachmentTooLarge(PipelineError):
    """One document alone does not fit in a message under the size limit."""


class NothingToSend(PipelineError):
    """The mailing asked for has no document (all late, or none late for a supplement)."""

    exit_code = EXIT_PROBLEMS


class MissingDocument(PipelineError):
    """A document the manifest names has not been built (or cannot be read)."""


class HeaderValueProblem(PipelineError):
    """A value that goes into a message header holds a line break or another control
    character: it could end the header early (or add one, such as a Bcc). Nothing is sent."""

    exit_code = EXIT_PROBLEMS


# --------------------------------------------------------------------------- header values


def control_characters(value: str) -> list[str]:
    """The characters of ``value`` no header may carry: control characters (CR, LF, tab,
    NUL, ESC ...) and the Unicode line and paragraph separators."""
    return [ch for ch in value if unicodedata.category(ch) in ("Cc", "Zl", "Zp")]


def escaped(value: str) -> str:
    """``value`` quoted for a message, its control characters spelt out (\\r, \\n, \\x00)."""
    def show(ch: str) -> str:
        if not control_characters(ch):
            return ch
        return {"\r": "\\r", "\n": "\\n", "\t": "\\t"}.get(ch) or (
            f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
    return '"' + "".join(show(ch) for ch in value) + '"'


def check_header_value(what: str, value: str) -> None:
    """Refuse (HeaderValueProblem) a header value with a line break or control character."""
    if control_characters(value):
        raise HeaderValueProblem(
            f"{what} contains a line break or another control character: {escaped(value)}; "
            "nothing was sent. Write it on one line, without control characters.")


# --------------------------------------------------------------------------- the meeting


@dataclass(frozen=True)
class MailDocument:
    path: Path
    title: str
    exempt: bool = False
    paragraph: int | None = None  # Schedule 12A paragraph, for an exempt document
    public_version: bool = False  # sent only to public recipients (the public agenda pack)
    filename: str | None = None  # attachment name; default the file's own name


@dataclass(frozen=True)
class MailItem:
    number: str  # agenda number as printed, e.g. "E3"
    title: str
    documents: tuple[MailDocument, ...]


@dataclass(frozen=True)
class MailMeeting:
    committee: str
    date: dt.date
    items: tuple[MailItem, ...]
    time: str | None = None  # as the agenda prints it, e.g. "10.00 am"
    venue: str | None = None
    # --attach pack: the built packs are attached instead of the items' documents. The
    # members' pack is exempt when any document is; the public pack has public_version set.
    packs: tuple[MailDocument, ...] = ()
    # the supplementary mailing: the documents marked late, sent after the main one
    supplement: bool = False

    @property
    def key(self) -> str:
        """A file-name-safe name for this mailing: outbox folder, send log and message ids.
        The supplementary mailing has its own, so it is never taken for the main one."""
        return f"{slugify(self.committee)}-{self.date.isoformat()}" + ("-supplement" if self.supplement else "")

    @property
    def papers(self) -> str:
        return "supplementary papers" if self.supplement else "papers"

    @property
    def long_date(self) -> str:
        return f"{self.date:%A} {self.date.day} {self.date:%B %Y}"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def mailing_documents(manifest, supplement: bool = False) -> list:
    """The (item, document) pairs of the main mailing (not late) or the supplementary one
    (late), in agenda order: the same as the packs'. A mailing with no document is refused
    (:class:`NothingToSend`), before anything is built for it."""
    chosen = [(item, ref) for item, ref in manifest.documents() if ref.late == supplement]
    if not chosen:
        late = [f"{item.number} {ref.title}" for item, ref in manifest.documents() if ref.late]
        if supplement:
            raise NothingToSend("no document of this meeting is marked late (late = true): "
                                "there is nothing for a supplementary mailing")
        raise NothingToSend("every document of this meeting is marked late ("
                            + "; ".join(late) + "): send them with --supplement"
                            if late else "the manifest lists no documents: there is nothing to send")
    return chosen


def meeting_from_manifest(manifest, built_pdf=None, supplement: bool = False) -> MailMeeting:
    """Adapt the agenda manifest (:class:`pipeline.pack.manifest.Manifest`) to what the mailing
    needs: the one function that knows the manifest's shape.

    As with the packs, the main mailing carries the documents that are not marked late and
    the supplementary mailing (``supplement``) those that are (:func:`mailing_documents`).

    A document given as ``pdf`` is attached as it is. A report given as ``workbook`` is
    attached as the PDF the pipeline built from it: ``built_pdf(item, document)`` returns
    that path (the report ``pack`` built: :mod:`pipeline.mail.mailing`), so members receive
    exactly what was published. Without ``built_pdf``, a workbook document is a
    MissingDocument error."""
    mailing_documents(manifest, supplement)
    items = []
    unbuilt = []
    for item in manifest.items:
        docs = []
        for ref in item.documents:
            if ref.late != supplement:
                continue
            path = ref.path
            if ref.kind != "pdf":
                path = built_pdf(item, ref) if built_pdf else None
                if path is None:
                    unbuilt.append(f"  item {item.number}, {ref.title}: built from {ref.path.name}")
                    continue
            docs.append(MailDocument(
                path=Path(path), title=ref.title, exempt=ref.exempt, paragraph=ref.exempt_paragraph,
                # a built report is named for what it is, not for its workbook
                filename=None if ref.kind == "pdf" else f"{slugify(item.number)}-{slugify(ref.title)}.pdf"))
        if docs or not supplement:  # (the main mailing keeps the whole agenda for a pack's listing)
            items.append(MailItem(number=item.number, title=item.title, documents=tuple(docs)))
    if unbuilt:
        raise MissingDocument("these reports are built from workbooks and no built PDF was found:\n"
                              + "\n".join(unbuilt) + "\nRun `pack` for this manifest first.")
    time = manifest.time
    return MailMeeting(
        committee=manifest.committee, date=manifest.date, items=tuple(items),
        time=format_time(time) if isinstance(time, dt.time) else (time or None),
        venue=manifest.venue or None, supplement=supplement,
    )


def format_time(t: dt.time) -> str:
    """10:00 -> "10.00 am", as the council's agendas print it."""
    hour = t.hour % 12 or 12
    return f"{hour}.{t.minute:02d} {'am' if t.hour < 12 else 'pm'}"


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Attachment:
    item: MailItem | None  # None for an agenda pack
    document: MailDocument
    filename: str  # unique within the meeting
    data: bytes = field(repr=False)
    wire_size: int  # bytes this attachment adds to a message, encoded

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class PlannedMessage:
    recipient: Member
    part: int
    parts: int
    attachments: tuple[Attachment, ...]
    all_attachments: tuple[Attachment, ...]  # everything this recipient gets, all parts
    part_of: dict = field(repr=False)  # filename -> part number, for the body's list
    message_id: str

    @property
    def digest(self) -> str:
        """Fingerprint of what this message carries (recorded in the send log)."""
        h = hashlib.sha256()
        for a in self.attachments:
            h.update(a.filename.encode() + b"\0" + a.sha256.encode() + b"\0")
        return h.hexdigest()[:16]


@dataclass(frozen=True)
class RecipientPlan:
    member: Member
    messages: tuple[PlannedMessage, ...]
    not_sent: str | None = None  # why this person gets nothing (shown in the summary)


@dataclass(frozen=True)
class MailingPlan:
    meeting: MailMeeting
    sender: str
    recipients: tuple[RecipientPlan, ...]
    max_size: int

    @property
    def messages(self) -> list[PlannedMessage]:
        return [m for r in self.recipients for m in r.messages]

    @property
    def unreachable(self) -> list[RecipientPlan]:
        return [r for r in self.recipients if r.not_sent]


def plan_mailing(meeting: MailMeeting, members: list[Member], sender: str,
                 max_size: int = DEFAULT_MAX_SIZE) -> MailingPlan:
    """Decide who gets which documents in which message. Raises MissingDocument or
    AttachmentTooLarge (listing every offending file) before anything is sent, and
    HeaderValueProblem if any value a header is made of holds a line break."""
    check_header_value("the sender (--from)", sender)
    sender_address(sender)  # validates
    check_header_value("the committee's name (in the manifest)", meeting.committee)
    for item in meeting.items:
        check_header_value(f"the agenda number of item {item.title!r}", item.number)
    attachments = _load_attachments(meeting)
    for a in attachments:
        check_header_value("the attachment name", a.filename)
    if not attachments:
        raise MissingDocument(f"the manifest for the {meeting.committee} on {meeting.long_date} "
                              "lists no documents to send")
    entitled_everything = tuple(a for a in attachments if not a.document.public_version)
    has_public_version = any(a.document.public_version for a in attachments)
    public_only = tuple(a for a in attachments if not a.document.exempt
                        and (a.document.public_version or not has_public_version))

    overhead = _overhead(meeting, sender, attachments)
    too_big = [a for a in attachments if overhead + a.wire_size > max_size]
    if too_big:
        lines = [f"  {a.filename}: {_mb(a.data.__len__())} on disk, {_mb(overhead + a.wire_size)} "
                 f"as an e-mail" for a in too_big]
        raise AttachmentTooLarge(
            f"{'a document is' if len(too_big) == 1 else f'{len(too_big)} documents are'} too large "
            f"to e-mail under the limit of {_mb(max_size)} per message; nothing was sent:\n"
            + "\n".join(lines)
            + "\nRaise --max-size if the members' mail servers accept larger messages, "
              "or publish the document and send a link.")

    recipients = []
    for member in members:
        if not member.sits_on(meeting.committee):
            continue
        mine = public_only if member.is_public else entitled_everything
        if member.email is None:
            recipients.append(RecipientPlan(member, (), not_sent=member.email_problem or "no e-mail address"))
            continue
        if not mine:
            recipients.append(RecipientPlan(member, (), not_sent="every document is exempt and this "
                                                                 "recipient is not a committee member"))
            continue
        groups = _split(mine, overhead, max_size)
        part_of = {a.filename: n for n, group in enumerate(groups, start=1) for a in group}
        messages = tuple(
            PlannedMessage(member, n, len(groups), tuple(group), mine, part_of,
                           message_id(meeting, member.email, n, sender))
            for n, group in enumerate(groups, start=1))
        recipients.append(RecipientPlan(member, messages))
    plan = MailingPlan(meeting, sender, tuple(recipients), max_size)
    for planned in plan.messages:
        _check_headers(meeting, planned)
    return plan


def _check_headers(meeting: MailMeeting, planned: PlannedMessage) -> None:
    member = planned.recipient
    where = f"(members list row {member.row})"
    check_header_value(f"the name of a member {where}", member.name)
    check_header_value(f"the e-mail address of {member.name} {where}", member.email or "")
    check_header_value("the subject", subject(meeting, planned))


def _split(attachments, overhead: int, max_size: int) -> list[list[Attachment]]:
    """Keep agenda order; start a new message when the next file would pass the limit."""
    groups: list[list[Attachment]] = [[]]
    size = overhead
    for a in attachments:
        if groups[-1] and size + a.wire_size > max_size:
            groups.append([])
            size = overhead
        groups[-1].append(a)
        size += a.wire_size
    return groups


def _load_attachments(meeting: MailMeeting) -> tuple[Attachment, ...]:
    missing, out, used = [], [], set()
    sources = [(None, doc) for doc in meeting.packs] if meeting.packs else \
        [(item, doc) for item in meeting.items for doc in item.documents]
    for item, doc in sources:
        try:
            data = Path(doc.path).read_bytes()
        except OSError as exc:
            missing.append(f"  {f'item {item.number}, ' if item else ''}{doc.title}: {doc.path} "
                           f"({exc.strerror})")
            continue
        name = doc.filename or Path(doc.path).name
        if name.casefold() in used and item is not None:
            name = f"{slugify(item.number)}-{name}"
        n = 2
        base = name
        while name.casefold() in used:
            name = f"{Path(base).stem}-{n}{Path(base).suffix}"
            n += 1
        used.add(name.casefold())
        out.append(Attachment(item, doc, name, data, _attachment_wire_size(name, data)))
    if missing:
        raise MissingDocument("these documents cannot be read, so nothing was sent:\n" + "\n".join(missing)
                              + "\nSee docs/send.md for what `send` attaches and where it looks for it.")
    return tuple(out)


_BOUNDARY_LEN = len("=_") + 32


def _attachment_wire_size(filename: str, data: bytes) -> int:
    part = MIMEPart(policy=WIRE)
    part.set_content(data, maintype="application", subtype="pdf", disposition="attachment",
                     filename=filename)
    # the part itself plus its "\r\n--boundary\r\n" delimiter line
    return len(part.as_bytes(policy=WIRE)) + _BOUNDARY_LEN + 6


def _overhead(meeting: MailMeeting, sender: str, attachments) -> int:
    """An upper bound of a message's size without its attachments: the body lists every
    document with the longest part labels, and the recipient is the longest one allowed."""
    probe = Member(name="X" * 80, email="x" * 64 + "@" + "x" * 60 + ".example", role="Member",
                   committees=(meeting.committee,), row=0)
    fake = PlannedMessage(probe, 999, 999, (), tuple(attachments),
                          {a.filename: 999 for a in attachments},
                          message_id(meeting, probe.email, 999, sender))
    msg = build_message(meeting, fake, sender, check_size=None)
    msg.add_attachment(b"", maintype="application", subtype="pdf", filename="x.pdf")
    msg.set_boundary("=_" + "0" * 32)
    return len(msg.as_bytes(policy=WIRE)) + 256  # + closing delimiter and slack for headers


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


# --------------------------------------------------------------------------- identities


def sender_address(sender: str) -> str:
    """The bare address of a From value like 'Democratic Services <ds@council.gov.uk>'."""
    from pipeline.mail.members import email_problem

    _, addr = parseaddr(sender)
    problem = email_problem(addr)
    if problem:
        raise PipelineError(f"the sender (--from) is not usable: {problem}")
    return addr


def message_id(meeting: MailMeeting, email: str, part: int, sender: str) -> str:
    """Deterministic: the same meeting, recipient and part always get the same id, so the
    send log recognises a message already sent. The address is hashed, not spelt out."""
    who = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:16]
    domain = sender_address(sender).split("@", 1)[1].lower()
    return f"<{meeting.key}.{who}.part{part}@{domain}>"


# --------------------------------------------------------------------------- the message


def subject(meeting: MailMeeting, planned: PlannedMessage) -> str:
    numbers = _listed_items(meeting, planned)
    numbers = [i.number for i in numbers]
    items = ("item " + numbers[0]) if len(numbers) == 1 else \
        "items " + ", ".join(numbers[:-1]) + " and " + numbers[-1]
    text = f"{meeting.committee} - {meeting.long_date}: {meeting.papers} for {items}"
    if planned.parts > 1:
        text += f" (part {planned.part} of {planned.parts})"
    return text


def _listed_items(meeting: MailMeeting, planned: PlannedMessage) -> list[MailItem]:
    if meeting.packs:
        return list(meeting.items)
    return list({id(a.item): a.item for a in planned.all_attachments}.values())


def body(meeting: MailMeeting, planned: PlannedMessage, sender: str) -> str:
    member = planned.recipient
    when = meeting.long_date
    if meeting.time:
        when += f" at {meeting.time}"
    where = f" in {meeting.venue}" if meeting.venue else ""
    lines = [
        f"Dear {member.name},",
        "",
        f"{meeting.committee.upper()} - {meeting.date:%A}, {meeting.date.day} {meeting.date:%B %Y}".upper(),
        "",
        f"I enclose, for consideration at the meeting of the {meeting.committee} on {when}{where}, "
        f"the following {meeting.papers}"
        + (", which were not available when the agenda was sent." if meeting.supplement else "."),
        "",
    ]
    width = max(len("Agenda No"), *(len(i.number) for i in _listed_items(meeting, planned)))
    lines.append(f"{'Agenda No'.ljust(width)}  Item")
    indent = " " * (width + 2)
    if meeting.packs:
        for item in meeting.items:
            lines.append(f"{item.number.ljust(width)}  {item.title}")
        lines.append("")
        for a in planned.all_attachments:
            where_is = "attached" if planned.part_of[a.filename] == planned.part else \
                f"in part {planned.part_of[a.filename]} of {planned.parts}"
            lines.append(f"{a.document.title} ({a.filename}, {where_is})")
    last_item = None
    for a in [] if meeting.packs else planned.all_attachments:
        if a.item is not last_item:
            lines.append(f"{a.item.number.ljust(width)}  {a.item.title}")
            last_item = a.item
        where_is = "attached" if planned.part_of[a.filename] == planned.part else \
            f"in part {planned.part_of[a.filename]} of {planned.parts}"
        mark = " [EXEMPT]" if a.document.exempt else ""
        lines.append(f"{indent}- {a.document.title}{mark} ({a.filename}, {where_is})")
    lines.append("")
    if planned.parts > 1:
        lines += [
            f"This is part {planned.part} of {planned.parts}. The papers are too large for one "
            f"e-mail, so they come in {planned.parts} messages with the same subject, numbered "
            "part 1, part 2 and so on.",
            "",
        ]
    exempt = [a for a in planned.attachments if a.document.exempt]
    if exempt:
        paragraphs = sorted({a.document.paragraph for a in exempt if a.document.paragraph})
        para = ""
        if paragraphs:
            para = (" paragraph " if len(paragraphs) == 1 else " paragraphs ") + \
                ", ".join(str(p) for p in paragraphs) + " of"
        lines += [
            "EXEMPT INFORMATION - NOT FOR PUBLICATION",
            f"The {'agenda pack includes papers that' if meeting.packs else 'papers marked [EXEMPT]'} "
            f"contain exempt information as defined in{para} Part 1 of "
            "Schedule 12A to the Local Government Act 1972. They are sent to you as a member of "
            "the committee: please do not forward them or disclose their contents.",
            "",
        ]
    display = parseaddr(sender)[0] or "Democratic Services"
    lines += ["Yours sincerely,", "", display, ""]
    return "\n".join(lines)


def build_message(meeting: MailMeeting, planned: PlannedMessage, sender: str,
                  check_size: int | None = DEFAULT_MAX_SIZE) -> EmailMessage:
    """The e-mail for one planned message. With ``check_size``, verify the encoded size."""
    member = planned.recipient
    text = subject(meeting, planned)
    # plan_mailing checked these already; a message built any other way is checked here
    # too, so a bad value is always this clear message, never email's ValueError
    for what, value in (("the sender (--from)", sender), ("the subject", text),
                        (f"the name of a member (members list row {member.row})", member.name),
                        (f"the e-mail address of {member.name}", member.email),
                        ("the Message-ID", planned.message_id),
                        *(("the attachment name", a.filename) for a in planned.attachments)):
        check_header_value(what, value)
    msg = EmailMessage(policy=policy.default)
    msg["From"] = sender
    local, domain = member.email.rsplit("@", 1)
    msg["To"] = Address(display_name=member.name, username=local, domain=domain)
    msg["Subject"] = text
    msg["Message-ID"] = planned.message_id
    msg.set_content(body(meeting, planned, sender), cte="quoted-printable")
    for a in planned.attachments:
        msg.add_attachment(a.data, maintype="application", subtype="pdf", filename=a.filename)
    if planned.attachments:
        msg.set_boundary("=_" + hashlib.sha256(planned.message_id.encode()).hexdigest()[:32])
    if check_size is not None:
        size = len(msg.as_bytes(policy=WIRE))
        if size > check_size:  # the planner's bound makes this unreachable; never send oversize
            raise PipelineError(f"internal error: message {planned.message_id} is {size} bytes, "
                                f"over the limit of {check_size}")
    return msg
