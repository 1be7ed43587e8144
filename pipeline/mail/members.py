"""Reading and validating the members list (MEMBERS.csv) that ``send`` emails.

One row per person: ``name``, ``email``, ``role``, ``committees`` (committee names separated
by ";"). Every structural problem is reported at once, located by row and column, as
:class:`~pipeline.errors.InputProblems`. A row whose e-mail address is missing or invalid is
*not* fatal: the member is kept with :attr:`Member.email_problem` set, so ``send`` reports
them in its summary instead of silently leaving them out.

The format is documented, with a sample, in docs/send.md.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputProblems, Problem

REQUIRED_COLUMNS = ("name", "email", "role", "committees")
COLUMN_ALIASES = {
    "member": "name", "councillor": "name", "full_name": "name",
    "e-mail": "email", "e_mail": "email", "email_address": "email", "e-mail_address": "email",
    "committee": "committees",
}

# role as written (case-insensitive) -> canonical role. ``public`` recipients (press,
# subscribers to the public papers) receive public documents only, never exempt ones.
ROLES = {
    "chairman": "Chairman", "chair": "Chairman", "chairwoman": "Chairman",
    "vice-chairman": "Vice-Chairman", "vice chairman": "Vice-Chairman", "vice-chair": "Vice-Chairman",
    "vice chair": "Vice-Chairman",
    "member": "Member", "committee member": "Member",
    "substitute": "Substitute", "substitute member": "Substitute",
    "public": "Public", "press": "Public", "observer": "Public",
}
MEMBER_ROLES = frozenset({"Chairman", "Vice-Chairman", "Member", "Substitute"})

# Deliberately plain: local part without spaces or angle brackets, a domain with a dot and
# sensible labels. It rejects what a typist gets wrong (missing @, spaces, "name@council",
# trailing dots), not every exotic address RFC 5322 allows.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


@dataclass(frozen=True)
class Member:
    name: str
    email: str | None  # None when missing or invalid; see email_problem
    role: str  # canonical, one of ROLES' values
    committees: tuple[str, ...]
    row: int  # the CSV row (header is row 1), for messages
    email_problem: str | None = None
    raw_email: str = ""

    @property
    def is_public(self) -> bool:
        """A public recipient never receives exempt documents."""
        return self.role not in MEMBER_ROLES

    def sits_on(self, committee: str) -> bool:
        wanted = committee_key(committee)
        return any(committee_key(c) == wanted for c in self.committees)


def committee_key(name: str) -> str:
    """Committee names compare case- and whitespace-insensitively ("Social Care and
    Public Health Cabinet Committee" == "social care and public health  cabinet committee")."""
    return " ".join(name.split()).casefold()


def _control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def email_problem(address: str) -> str | None:
    """Why ``address`` cannot be used, or None if it looks deliverable."""
    if not address:
        return "no e-mail address"
    if _control(address):
        return f"e-mail address {address!r} contains a line break or another control character"
    if any(ch.isspace() for ch in address):
        return f"e-mail address {address!r} contains a space"
    if address.count("@") != 1:
        return f"e-mail address {address!r} must contain exactly one @"
    local, domain = address.split("@")
    if len(address) > 254 or len(local) > 64:
        return f"e-mail address {address!r} is too long"
    if local.startswith(".") or local.endswith(".") or ".." in local or not _EMAIL.match(address):
        return f"e-mail address {address!r} is not a valid address"
    return None


def read_members(path: str | Path) -> list[Member]:
    """Read MEMBERS.csv. Raises InputProblems listing every structural problem at once."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputProblems(name, [Problem(name, None, None, None, f"cannot read the file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise InputProblems(name, [Problem(
            name, None, None, None,
            f"the file is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'")]) from None

    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputProblems(name, [Problem(name, None, 1, None,
                                           "no header row: expected columns " + ", ".join(REQUIRED_COLUMNS))])

    problems: list[Problem] = []
    header = [_normalise_header(h) for h in rows[0]]
    columns: dict[str, int] = {}
    for index, column in enumerate(header):
        if not column:
            continue
        if column in columns:
            problems.append(Problem(name, None, 1, column, "column appears twice"))
        elif column not in REQUIRED_COLUMNS:
            problems.append(Problem(name, None, 1, rows[0][index].strip(),
                                    "unknown column (expected " + ", ".join(REQUIRED_COLUMNS) + ")"))
        else:
            columns[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(Problem(name, None, 1, column, "required column is missing"))
    if problems:
        raise InputProblems(name, problems)

    members: list[Member] = []
    seen_emails: dict[str, int] = {}
    for row_number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are harmless

        def cell(column: str, cells: list[str] = cells) -> str:
            i = columns[column]
            return " ".join(cells[i].split()) if i < len(cells) else ""

        if len(cells) > len(rows[0]) and any(c.strip() for c in cells[len(rows[0]):]):
            problems.append(Problem(name, None, row_number, None,
                                    f"{len(cells)} cells but the header has {len(rows[0])} (a stray comma?)"))
        member_name = cell("name")
        if not member_name:
            problems.append(Problem(name, None, row_number, "name", "name is empty"))
        elif _control(member_name):  # line breaks are joined above; NUL, ESC ... are not
            problems.append(Problem(name, None, row_number, "name",
                                    f"name {member_name!r} contains a control character (it goes into "
                                    "the message's To header): retype it"))
        role_text = cell("role")
        role = ROLES.get(role_text.casefold())
        if role is None:
            problems.append(Problem(
                name, None, row_number, "role",
                f"unknown role {role_text!r} (expected one of Chairman, Vice-Chairman, Member, "
                "Substitute, Public)" if role_text else "role is empty"))
        committees = tuple(c for c in (" ".join(part.split()) for part in cell("committees").split(";")) if c)
        if not committees:
            problems.append(Problem(name, None, row_number, "committees",
                                    "no committee named (separate several with ';')"))
        raw_email = cell("email")
        problem = email_problem(raw_email)
        if problem is None:
            key = raw_email.casefold()
            if key in seen_emails:
                problems.append(Problem(name, None, row_number, "email",
                                        f"{raw_email} is already used on row {seen_emails[key]}"))
            seen_emails.setdefault(key, row_number)
        members.append(Member(
            name=member_name, email=raw_email if problem is None else None, role=role or "",
            committees=committees, row=row_number, email_problem=problem, raw_email=raw_email,
        ))
    if problems:
        raise InputProblems(name, problems)
    if not members:
        raise InputProblems(name, [Problem(name, None, None, None, "the file lists no members")])
    return members


def _normalise_header(text: str) -> str:
    key = "_".join(text.strip().lower().split())
    return COLUMN_ALIASES.get(key, key)


def committee_recipients(members: list[Member], committee: str) -> list[Member]:
    """Everyone on the list who sits on ``committee``, in file order."""
    return [m for m in members if m.sits_on(committee)]
