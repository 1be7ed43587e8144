"""``send``: e-mail a meeting's papers to the committee's members (see docs/send.md).

Options are parsed here; the mailing itself (what is attached, planning, dry run or SMTP,
the exit status) is :func:`pipeline.mail.mailing.mail_papers`.
"""
from __future__ import annotations

import re

import click

DEFAULT_PASSWORD_ENV = "PIPELINE_SMTP_PASSWORD"  # = pipeline.mail.send.DEFAULT_PASSWORD_ENV (not imported for --help)
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
              help="Attach each document as its own PDF (a report built from a workbook: the one the pack "
                   "built), or the agenda pack.")
@click.option("--output-dir", "--out", "output_dir", default="output", show_default=True,
              type=click.Path(file_okay=False),
              help="Where the outbox (dry run) and the send log live.")
@click.option("--pack-dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="The folder of the meeting's pack (`pack --out`): its packs and reports are attached; "
                   "it is built there first when missing or out of date.")
@click.option("--supplement", is_flag=True,
              help="Send the supplementary papers: the documents marked late (the main mailing leaves "
                   "them out, as the main pack does).")
@click.pass_context
def send(ctx, manifest, members_csv, dry_run, smtp_host, smtp_port, smtp_user, password_env, smtp_ca_file,
         sender, max_size, attach, output_dir, pack_dir, supplement):
    """Email the papers of the meeting in MANIFEST to the committee's members: one message
    per member (split into numbered parts over the size limit), exempt papers to committee
    members only."""
    from pathlib import Path

    from pipeline.mail.mailing import MailingRequest, mail_papers

    if dry_run == bool(smtp_host):
        raise click.UsageError("give either --dry-run or --smtp-host (with --smtp-user) to send for real")
    if smtp_host and not smtp_user:
        raise click.UsageError("--smtp-user is required to send: the server must authenticate us")
    smtp = None
    if smtp_host:
        from pipeline.mail.send import SmtpSettings

        smtp = SmtpSettings(host=smtp_host, port=smtp_port, user=smtp_user, password_env=password_env,
                            ca_file=smtp_ca_file)
    request = MailingRequest(manifest=Path(manifest), members=Path(members_csv), output_dir=Path(output_dir),
                             pack_dir=Path(pack_dir), smtp=smtp, sender=sender, max_size=max_size, attach=attach,
                             supplement=supplement)
    ctx.exit(mail_papers(request, say=click.echo, warn=lambda text: click.echo(text, err=True)))
