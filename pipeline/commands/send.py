"""``send``: e-mail a meeting's papers to the committee's members (see docs/send.md).

Everything that can be checked is checked before the first message goes: the manifest, the
members list, that every document exists, and that no single document is too large for the
size limit. Then either ``--dry-run`` writes each message as an .eml file for review, or the
messages are sent over SMTP (STARTTLS + AUTH), each result recorded in the meeting's send log.

Exit status: 0 everyone on the committee has their papers; 1 someone could not be reached
(no valid address, or the server refused them); 3 the run stopped (connection lost, server
unusable) or a message failed temporarily -- re-running sends only what did not go.
"""
from __future__ import annotations

import re

import click

from pipeline.errors import EXIT_FAILED, EXIT_OK, EXIT_PROBLEMS, PipelineError

DEFAULT_PASSWORD_ENV = "PIPELINE_SMTP_PASSWORD"  # = pipeline.mail.send.DEFAULT_PASSWORD_ENV
DRY_RUN_SENDER = "Democratic Services <democratic.services@example.org>"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]i?[bB]?|[bB])?\s*$")


def parse_size(ctx, param, value) -> int:
    if isinstance(value, int):
        return value
    m = _SIZE.match(str(value))
    if not m:
        raise click.BadParameter(f"{value!r} is not a size (write it as 10MB, 500KB or a number of bytes)")
    number, unit = float(m.group(1)), (m.group(2) or "b").lower()
    scale = {"k": 1024, "m": 1024 * 1024}.get(unit[0], 1)
    size = int(number * scale)
    if size < 64 * 1024:
        raise click.BadParameter("must be at least 64KB (a message carries headers and a covering note too)")
    return size


@click.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("--members", "members_csv", required=True, type=click.Path(dir_okay=False),
              help="MEMBERS.csv: name, email, role, committees (see docs/send.md).")
@click.option("--dry-run", is_flag=True,
              help="Write each message as an .eml file under OUTPUT-DIR/outbox/<meeting>/ and send nothing.")
@click.option("--smtp-host", help="Mail server to send through (STARTTLS and authentication are required).")
@click.option("--smtp-port", type=click.IntRange(1, 65535), default=587, show_default=True)
@click.option("--smtp-user", help="User name for the mail server.")
@click.option("--password-env", default=DEFAULT_PASSWORD_ENV, show_default=True,
              help="Name of the environment variable holding the SMTP password.")
@click.option("--smtp-ca-file", type=click.Path(dir_okay=False, exists=True),
              help="Extra CA certificate (PEM) to trust for the mail server.")
@click.option("--from", "sender", envvar="PIPELINE_MAIL_FROM",
              help='Sender, e.g. "Democratic Services <democratic.services@council.gov.uk>" '
                   "(default: $PIPELINE_MAIL_FROM, else the manifest's contact e-mail).")
@click.option("--max-size", default="10MB", show_default=True, callback=parse_size,
              help="Largest message, as encoded; larger sets of papers are split into numbered parts.")
@click.option("--attach", type=click.Choice(["appendices", "pack"]), default="appendices", show_default=True,
              help="Attach each document as its own PDF, or the built agenda pack.")
@click.option("--output-dir", "--out", "output_dir", default="output", show_default=True,
              type=click.Path(file_okay=False),
              help="Where the outbox (dry run), the send log and reports built for sending live.")
@click.option("--pack-dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="With --attach pack: the folder `pack --out` wrote the packs to.")
@click.option("--supplement", is_flag=True,
              help="Send the supplementary papers: the documents marked late (the main mailing leaves "
                   "them out, as the main pack does).")
@click.pass_context
def send(ctx, manifest, members_csv, dry_run, smtp_host, smtp_port, smtp_user, password_env, smtp_ca_file,
         sender, max_size, attach, output_dir, pack_dir, supplement):
    """Email the papers of the meeting in MANIFEST to the committee's members: one message
    per member (split into numbered parts over the size limit), exempt papers to committee
    members only."""
    from pipeline.mail.compose import plan_mailing
    from pipeline.mail.members import read_members
    from pipeline.pack.manifest import read_manifest

    if dry_run == bool(smtp_host):
        raise click.UsageError("give either --dry-run or --smtp-host (with --smtp-user) to send for real")
    if smtp_host and not smtp_user:
        raise click.UsageError("--smtp-user is required to send: the server must authenticate us")

    problems = []
    try:
        manifest_data = read_manifest(manifest)
    except PipelineError as exc:
        problems.append(exc)
    try:
        members = read_members(members_csv)
    except PipelineError as exc:
        problems.append(exc)
    if problems:  # show both files' problems at once
        for exc in problems[:-1]:
            click.echo(exc.report() if hasattr(exc, "report") else f"Error: {exc}", err=True)
        raise problems[-1]

    if not sender:
        if manifest_data.email:
            sender = f"{manifest_data.contact or 'Democratic Services'} <{manifest_data.email}>"
        elif dry_run:
            sender = DRY_RUN_SENDER
        else:
            raise click.UsageError("give the sender with --from (or PIPELINE_MAIL_FROM, or email in the manifest)")

    meeting = _meeting(manifest_data, attach, output_dir, pack_dir, supplement)
    plan = plan_mailing(meeting, members, sender, max_size)
    _report_plan(plan, manifest_data, members)

    if dry_run:
        status = _dry_run(plan, output_dir)
    else:
        from pipeline.mail.send import SmtpSettings

        settings = SmtpSettings(host=smtp_host, port=smtp_port, user=smtp_user, password_env=password_env,
                                ca_file=smtp_ca_file)
        status = _send(plan, settings, output_dir)
    ctx.exit(status)


def _meeting(manifest_data, attach: str, output_dir: str, pack_dir: str, supplement: bool):
    from pipeline.mail.compose import meeting_from_manifest

    if attach == "pack":
        return _pack_meeting(manifest_data, pack_dir, supplement)
    return meeting_from_manifest(manifest_data, built_pdf=_report_builder(manifest_data, output_dir),
                                 supplement=supplement)


def _report_builder(manifest_data, output_dir: str):
    """A report given as a workbook is attached as the PDF the pipeline builds from it
    (build_report is deterministic: the same PDF the pack contains). It is built into
    OUTPUT-DIR/send-built/<meeting>/ so the reviewer can open exactly what was sent."""
    from pathlib import Path

    from pipeline.mail.compose import slugify

    key = f"{slugify(manifest_data.committee)}-{manifest_data.date.isoformat()}"

    def built_pdf(item, ref):
        from pipeline.build import build_report

        folder = Path(output_dir) / "send-built" / key / slugify(item.number)
        click.echo(f"  building the report for item {item.number} from {ref.path.name} (PDF)")
        result = build_report(ref.path, folder, formats=("pdf",), period=ref.period)
        return result.paths["pdf"]

    return built_pdf


def _pack_meeting(manifest_data, pack_dir: str, supplement: bool):
    """Attach the packs `pack` built (`pack --supplement` for the supplementary mailing):
    the members' pack to committee members, the public pack to public recipients. They
    must exist and be newer than everything in them."""
    import dataclasses
    from pathlib import Path

    from pipeline.mail.compose import MailDocument, MissingDocument, meeting_from_manifest
    from pipeline.pack.agenda import output_names

    names = output_names(manifest_data, supplement=supplement)
    members_pack, public_pack = (Path(pack_dir) / names[v] for v in ("members", "public"))
    command = f"pack {manifest_data.path} --out {pack_dir}" + (" --supplement" if supplement else "")
    missing = [p for p in (members_pack, public_pack) if not p.is_file()]
    if missing:
        raise MissingDocument("the agenda pack has not been built: " + ", ".join(str(p) for p in missing)
                              + f" not found.\nRun `{command}` first (or give --pack-dir).")
    sources = [manifest_data.path] + [doc.path for _, doc in manifest_data.documents()]
    built = min(members_pack.stat().st_mtime, public_pack.stat().st_mtime)
    newer = [p.name for p in sources if p.stat().st_mtime > built]
    if newer:
        raise MissingDocument("the agenda pack is older than " + ", ".join(newer)
                              + f": it may not contain the current papers. Run `{command}` again.")
    any_exempt = any(doc.exempt for _, doc in manifest_data.documents() if doc.late == supplement)
    meeting = meeting_from_manifest(manifest_data, built_pdf=lambda item, ref: ref.path, supplement=supplement)
    title = "Supplementary agenda pack" if supplement else "Agenda pack"
    return dataclasses.replace(meeting, packs=(
        MailDocument(members_pack, f"{title} (members' version)" if any_exempt else title, exempt=any_exempt),
        MailDocument(public_pack, title, public_version=True),
    ))


def _report_plan(plan, manifest_data, members) -> None:
    meeting = plan.meeting
    on_committee = [r for r in plan.recipients]
    messages = plan.messages
    click.echo(f"{meeting.committee}, {meeting.long_date}: {len(on_committee)} on the members list for this "
               f"committee, {len(messages)} message{'s' if len(messages) != 1 else ''} "
               f"(limit {plan.max_size / 1048576:.1f} MB each)")
    # The manifest's membership and the members list should agree; say where they do not.
    listed = {" ".join(m.name.split()).casefold() for m in members if m.sits_on(meeting.committee)}
    for name in manifest_data.members:
        if " ".join(name.split()).casefold() not in listed:
            click.echo(f"  note: {name} is a member in the manifest but not on the members list "
                       "for this committee, so will not be sent the papers", err=True)


def _unreachable_lines(plan) -> list[str]:
    return [f"  {r.member.name} (members list row {r.member.row}): {r.not_sent}" for r in plan.unreachable]


def _dry_run(plan, output_dir: str) -> int:
    from pathlib import Path

    from pipeline.infra.atomic import write_bytes
    from pipeline.mail.compose import WIRE, build_message, slugify

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
    click.echo(f"Dry run: wrote {len(written)} message{'s' if len(written) != 1 else ''} to {folder}/ "
               "for review; nothing was sent.")
    unreachable = _unreachable_lines(plan)
    if unreachable:
        click.echo(f"NOT SENDABLE to {len(unreachable)} committee recipient(s):", err=True)
        click.echo("\n".join(unreachable), err=True)
        return EXIT_PROBLEMS
    return EXIT_OK


def _send(plan, settings, output_dir: str) -> int:
    from pipeline.mail.send import deliver
    from pipeline.mail.log import locked, log_path

    # The whole send holds the mailing's send log: a second send of this mailing waits for
    # this one, then reads what it recorded and sends only what is left (or refuses, naming
    # this run, if it is still sending when the wait is over). Nobody is mailed twice.
    what = f"the {plan.meeting.papers} mailing for {plan.meeting.committee}, {plan.meeting.long_date}"
    with locked(log_path(output_dir, plan.meeting.key), what) as log:
        if log.damaged_lines:
            click.echo(f"  note: ignored damaged line(s) {', '.join(map(str, log.damaged_lines))} of {log.path} "
                       "(a run was interrupted while writing)", err=True)
        report = deliver(plan, settings, log, progress=lambda text: click.echo(f"  {text}"))

    click.echo(f"Sent {len(report.sent)} message(s); {len(report.already_sent)} already sent earlier "
               f"(not sent again). Send log: {log.path}")
    for planned in report.changed_since_sent:
        click.echo(f"  note: {planned.recipient.name} (part {planned.part}) was sent different attachments "
                   "earlier; the papers have changed since and were NOT re-sent", err=True)
    status = EXIT_OK
    unreachable = _unreachable_lines(plan)
    if unreachable or report.refused:
        status = EXIT_PROBLEMS
        click.echo(f"NOT SENT to {len(unreachable) + len(report.refused)} recipient(s) (fix and re-run):", err=True)
        click.echo("\n".join(unreachable), err=True) if unreachable else None
        for planned, detail in report.refused:
            click.echo(f"  {planned.recipient.name} <{planned.recipient.email}>: refused by the server: {detail}",
                       err=True)
    if report.failed or report.connection_lost:
        status = EXIT_FAILED
        for planned, detail in report.failed:
            click.echo(f"  FAILED {planned.recipient.name} <{planned.recipient.email}>: {detail}", err=True)
        if report.not_attempted:
            click.echo(f"  {len(report.not_attempted)} message(s) were not attempted after the connection "
                       "was lost.", err=True)
        click.echo("Re-run the same command to send only the messages that did not go.", err=True)
    return status
