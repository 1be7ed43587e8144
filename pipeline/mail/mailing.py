"""A meeting's mailing, start to finish: what ``send`` does (see docs/send.md).

:func:`mail_papers` reads the manifest and the members list, decides what is attached, plans
the messages, then either writes them as .eml files (a dry run) or sends them over SMTP,
and returns the exit status. What it has to say goes to the ``say`` (stdout) and ``warn``
(stderr) callables it is given, as it goes, so a long send shows its progress.

What is attached comes from the pack (:mod:`pipeline.pack.agenda`), never built a second
time: with ``attach="pack"`` the members' and public packs themselves, with
``attach="appendices"`` each document on its own, a report built from a workbook being the
PDF ``pack`` kept beside the packs. Either way the pack set in ``pack_dir`` is used when it
is current (:func:`pipeline.pack.agenda.pack_status`: built from the manifest and documents
as they are now, by this code) and built first when it is missing or out of date. A mailing
whose documents are all PDFs, attached one by one, needs no pack.

Everything that can be checked is checked before the first message goes: the manifest, the
members list, that every document exists, and that no single document is too large for the
size limit.

Exit status: 0 everyone on the committee has their papers; 1 someone could not be reached
(no valid address, or the server refused them); 3 the run stopped (connection lost, server
unusable) or a message failed temporarily -- re-running sends only what did not go.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import EXIT_FAILED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, InputProblems, PipelineError
from pipeline.mail.compose import (
    DEFAULT_MAX_SIZE,
    WIRE,
    MailDocument,
    MailingPlan,
    MailMeeting,
    build_message,
    mailing_documents,
    meeting_from_manifest,
    plan_mailing,
    slugify,
)
from pipeline.mail.members import Member

DRY_RUN_SENDER = "Democratic Services <democratic.services@example.org>"
ATTACH = ("appendices", "pack")

Say = Callable[[str], None]


class NoSender(PipelineError):
    """No sender was given and the manifest names no e-mail address: a usage error."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class MailingRequest:
    """What ``send`` was asked to do."""

    manifest: Path
    members: Path
    output_dir: Path  # the outbox (dry run) and the send log
    pack_dir: Path  # the meeting's pack set (`pack --out`): used, or built, here
    smtp: object = None  # pipeline.mail.send.SmtpSettings to send for real; None for a dry run
    sender: str | None = None  # default: the manifest's contact and e-mail (a dry run: DRY_RUN_SENDER)
    max_size: int = DEFAULT_MAX_SIZE
    attach: str = "appendices"  # or "pack"
    supplement: bool = False

    @property
    def dry_run(self) -> bool:
        return self.smtp is None


def mail_papers(request: MailingRequest, *, say: Say, warn: Say) -> int:
    """Do the mailing ``request`` describes; the exit status (0, 1 or 3) is returned, errors
    that stop it before anything is sent are raised (the package's own types)."""
    if request.attach not in ATTACH:
        raise ValueError(f"attach must be one of {ATTACH}, not {request.attach!r}")
    manifest, members = _read_inputs(request, warn)
    sender = _sender(request, manifest)
    meeting = _meeting(request, manifest, say)
    plan = plan_mailing(meeting, members, sender, request.max_size)
    _report_plan(plan, manifest, members, say, warn)
    if request.dry_run:
        return _dry_run(plan, request.output_dir, say, warn)
    return _send(plan, request.smtp, request.output_dir, say, warn)


def _read_inputs(request: MailingRequest, warn: Say):
    from pipeline.mail.members import read_members
    from pipeline.pack.manifest import read_manifest

    problems: list[PipelineError] = []
    manifest = members = None
    try:
        manifest = read_manifest(request.manifest)
    except PipelineError as exc:
        problems.append(exc)
    try:
        members = read_members(request.members)
    except PipelineError as exc:
        problems.append(exc)
    if problems:  # show both files' problems at once
        for problem in problems[:-1]:
            warn(problem.report() if isinstance(problem, InputProblems) else f"Error: {problem}")
        raise problems[-1]
    return manifest, members


def _sender(request: MailingRequest, manifest) -> str:
    if request.sender:
        return request.sender
    if manifest.email:
        return f"{manifest.contact or 'Democratic Services'} <{manifest.email}>"
    if request.dry_run:
        return DRY_RUN_SENDER
    raise NoSender("give the sender with --from (or PIPELINE_MAIL_FROM, or email in the manifest)")


def _meeting(request: MailingRequest, manifest, say: Say) -> MailMeeting:
    """The meeting as the mailing sees it, each attachment a file ``pack`` made (or a PDF
    the manifest names, attached as it is)."""
    chosen = mailing_documents(manifest, request.supplement)  # nothing to send: refused before building
    if request.attach == "appendices" and all(doc.kind == "pdf" for _, doc in chosen):
        return meeting_from_manifest(manifest, supplement=request.supplement)
    from pipeline.pack.agenda import current_pack

    kind = "supplementary pack" if request.supplement else "agenda pack"

    def building(reason: str) -> None:
        say(f"  building the {kind} into {request.pack_dir} ({reason})")

    pack = current_pack(manifest, request.pack_dir, supplement=request.supplement, on_build=building)
    meeting = meeting_from_manifest(manifest, built_pdf=lambda item, ref: pack.reports[ref.identity],
                                    supplement=request.supplement)
    if request.attach == "appendices":
        return meeting
    # the packs instead of the documents: the members' pack to committee members, the
    # public pack to public recipients
    any_exempt = any(doc.exempt for _, doc in chosen)
    title = "Supplementary agenda pack" if request.supplement else "Agenda pack"
    return dataclasses.replace(meeting, packs=(
        MailDocument(pack.members, f"{title} (members' version)" if any_exempt else title, exempt=any_exempt),
        MailDocument(pack.public, title, public_version=True),
    ))


def _report_plan(plan: MailingPlan, manifest, members: list[Member], say: Say, warn: Say) -> None:
    meeting = plan.meeting
    messages = plan.messages
    say(f"{meeting.committee}, {meeting.long_date}: {len(plan.recipients)} on the members list for this "
        f"committee, {len(messages)} message{'s' if len(messages) != 1 else ''} "
        f"(limit {plan.max_size / 1048576:.1f} MB each)")
    # The manifest's membership and the members list should agree; say where they do not.
    listed = {" ".join(m.name.split()).casefold() for m in members if m.sits_on(meeting.committee)}
    for name in manifest.members:
        if " ".join(name.split()).casefold() not in listed:
            warn(f"  note: {name} is a member in the manifest but not on the members list "
                 "for this committee, so will not be sent the papers")


def _unreachable_lines(plan: MailingPlan) -> list[str]:
    return [f"  {r.member.name} (members list row {r.member.row}): {r.not_sent}" for r in plan.unreachable]


def _dry_run(plan: MailingPlan, output_dir: Path, say: Say, warn: Say) -> int:
    from pipeline.infra.atomic import write_bytes

    folder = Path(output_dir) / "outbox" / plan.meeting.key
    written = []
    for number, planned in enumerate(plan.messages, start=1):
        msg = build_message(plan.meeting, planned, plan.sender, check_size=plan.max_size)
        name = f"{number:03d}-{slugify(planned.recipient.name)}"
        if planned.parts > 1:
            name += f"-part-{planned.part}-of-{planned.parts}"
        written.append(write_bytes(folder / f"{name}.eml", msg.as_bytes(policy=WIRE)))
    keep = {p.name for p in written}
    if folder.is_dir():  # messages left from an earlier dry run would mislead the reviewer
        for stale in folder.glob("*.eml"):
            if stale.name not in keep:
                stale.unlink()
    say(f"Dry run: wrote {len(written)} message{'s' if len(written) != 1 else ''} to {folder}/ "
        "for review; nothing was sent.")
    unreachable = _unreachable_lines(plan)
    if unreachable:
        warn(f"NOT SENDABLE to {len(unreachable)} committee recipient(s):")
        warn("\n".join(unreachable))
        return EXIT_PROBLEMS
    return EXIT_OK


def _send(plan: MailingPlan, settings, output_dir: Path, say: Say, warn: Say) -> int:
    from pipeline.mail.log import locked, log_path
    from pipeline.mail.send import deliver

    # The whole send holds the mailing's send log: a second send of this mailing waits for
    # this one, then reads what it recorded and sends only what is left (or refuses, naming
    # this run, if it is still sending when the wait is over). Nobody is mailed twice.
    what = f"the {plan.meeting.papers} mailing for {plan.meeting.committee}, {plan.meeting.long_date}"
    with locked(log_path(output_dir, plan.meeting.key), what) as log:
        if log.damaged_lines:
            warn(f"  note: ignored damaged line(s) {', '.join(map(str, log.damaged_lines))} of {log.path} "
                 "(a run was interrupted while writing)")
        report = deliver(plan, settings, log, progress=lambda text: say(f"  {text}"))

    say(f"Sent {len(report.sent)} message(s); {len(report.already_sent)} already sent earlier "
        f"(not sent again). Send log: {log.path}")
    for planned in report.changed_since_sent:
        warn(f"  note: {planned.recipient.name} (part {planned.part}) was sent different attachments "
             "earlier; the papers have changed since and were NOT re-sent")
    status = EXIT_OK
    unreachable = _unreachable_lines(plan)
    if unreachable or report.refused:
        status = EXIT_PROBLEMS
        warn(f"NOT SENT to {len(unreachable) + len(report.refused)} recipient(s) (fix and re-run):")
        if unreachable:
            warn("\n".join(unreachable))
        for planned, detail in report.refused:
            warn(f"  {planned.recipient.name} <{planned.recipient.email}>: refused by the server: {detail}")
    if report.failed or report.connection_lost:
        status = EXIT_FAILED
        for planned, detail in report.failed:
            warn(f"  FAILED {planned.recipient.name} <{planned.recipient.email}>: {detail}")
        if report.not_attempted:
            warn(f"  {len(report.not_attempted)} message(s) were not attempted after the connection was lost.")
        warn("Re-run the same command to send only the messages that did not go.")
    return status
