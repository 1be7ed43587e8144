"""Sending the planned messages over SMTP, recording each result in the send log.

The connection always uses STARTTLS with certificate verification, then authenticates; a
server that does not offer STARTTLS is refused before the password or any paper is sent.
The password is read from an environment variable (named by ``--password-env``) at the
moment of login and is never printed, logged or written anywhere. It may hold any character:
smtplib's own login encodes it as ASCII, so a password or user name outside ASCII
("Pa££word") is sent as UTF-8 with AUTH PLAIN (RFC 4616 defines it as UTF-8), LOGIN or
CRAM-MD5, whichever the server offers, through smtplib's public ``docmd``.

Each message's result is appended to the send log before the next message goes. A refused
recipient is recorded and the others continue; a dropped connection is recorded and stops
the run (exit status 3) so that a re-run sends only what did not go.
"""
from __future__ import annotations

import base64
import datetime as dt
import hmac
import os
import smtplib
import ssl
from dataclasses import dataclass, field

from pipeline.errors import PipelineError
from pipeline.mail.compose import MailingPlan, build_message, sender_address
from pipeline.mail.log import FAILED, NO_ADDRESS, REFUSED, SENT, LogRecord, SendLog

DEFAULT_PASSWORD_ENV = "PIPELINE_SMTP_PASSWORD"


class MailError(PipelineError):
    """The mail server could not be used (connection, TLS, authentication)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password_env: str = DEFAULT_PASSWORD_ENV
    ca_file: str | None = None  # extra trusted CA (PEM), e.g. the council's own
    timeout: float = 60.0
    local_hostname: str | None = None


def password_from_env(settings: SmtpSettings) -> str:
    password = os.environ.get(settings.password_env)
    if not password:
        raise MailError(f"the SMTP password is not set: put it in the environment variable "
                        f"{settings.password_env} (it is never read from a file or the command line)")
    return password


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"cannot load the CA file {settings.ca_file}: {exc}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An authenticated, encrypted connection, or MailError saying what went wrong."""
    where = f"{settings.host}:{settings.port}"
    password = password_from_env(settings)
    context = tls_context(settings)
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout,
                            local_hostname=settings.local_hostname)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"cannot connect to the mail server {where}: {_reason(exc)}") from None
    try:
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            raise MailError(f"the mail server {where} does not offer STARTTLS; refusing to send the "
                            "password or any paper unencrypted")
        try:
            smtp.starttls(context=context)
        except ssl.SSLCertVerificationError as exc:
            raise MailError(f"the mail server {where} presented a certificate that cannot be trusted "
                            f"({exc.verify_message}); give its CA with --smtp-ca-file") from None
        except ssl.SSLError as exc:
            raise MailError(f"TLS with the mail server {where} failed: {exc.reason or exc}") from None
        smtp.ehlo()
        if not smtp.has_extn("auth"):
            raise MailError(f"the mail server {where} does not offer authentication (AUTH)")
        try:
            login(smtp, settings, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"the mail server {where} refused the user name or password for "
                            f"{settings.user!r} ({exc.smtp_code}); nothing was sent") from None
        except smtplib.SMTPException as exc:
            raise MailError(f"authentication with {where} failed: {_reason(exc)}; nothing was sent") from None
        return smtp
    except MailError:
        _close(smtp)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        _close(smtp)
        raise MailError(f"the mail server {where} closed the connection before sending began: "
                        f"{_reason(exc)}; nothing was sent") from None


# mechanisms that can carry a UTF-8 user name and password, most preferred first
UTF8_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5")


def login(smtp: smtplib.SMTP, settings: SmtpSettings, password: str) -> None:
    """Authenticate. ASCII credentials go through smtplib's ``login``; others as UTF-8 (see
    the module's docstring). Raises SMTPAuthenticationError when the server refuses them,
    MailError when they cannot be sent to this server at all."""
    user = settings.user
    try:
        user_bytes, password_bytes = user.encode("utf-8"), password.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the environment (surrogate escapes)
        raise MailError(f"the SMTP user name or the password in {settings.password_env} is not valid "
                        "text (it holds bytes that are not UTF-8); set it again") from None
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    offered = (smtp.esmtp_features.get("auth") or "").upper().split()
    mechanism = next((m for m in UTF8_MECHANISMS if m in offered), None)
    if mechanism is None:
        raise MailError(f"the SMTP user name or password contains characters outside ASCII, and the mail "
                        f"server {settings.host}:{settings.port} offers only {' '.join(offered) or 'no'} "
                        f"authentication, which cannot carry them (it would need {', '.join(UTF8_MECHANISMS)}); "
                        "nothing was sent. Use a password of ASCII characters for this server.")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    if mechanism == "PLAIN":
        code, reply = smtp.docmd("AUTH", "PLAIN " + b64(b"\0" + user_bytes + b"\0" + password_bytes))
    elif mechanism == "LOGIN":
        code, reply = smtp.docmd("AUTH", "LOGIN " + b64(user_bytes))
        if code == 334:
            code, reply = smtp.docmd(b64(password_bytes))
    else:  # CRAM-MD5: the server's challenge, keyed with the password's UTF-8 bytes
        code, reply = smtp.docmd("AUTH", "CRAM-MD5")
        if code == 334:
            try:
                challenge = base64.b64decode(reply, validate=True)
            except ValueError:
                challenge = None
            if challenge is None:
                code, reply = smtp.docmd("*")  # abandon the exchange (RFC 4954)
            else:
                digest = hmac.new(password_bytes, challenge, "md5").hexdigest().encode("ascii")
                code, reply = smtp.docmd(b64(user_bytes + b" " + digest))
    if code == 334:  # the server wants more than this mechanism has to say: abandon it
        code, reply = smtp.docmd("*")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


class ConnectionLost(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def send_one(smtp: smtplib.SMTP, msg, from_addr: str, to_addr: str) -> tuple[str, str]:
    """(result, detail) for one message; ConnectionLost if the connection is gone."""
    try:
        refused = smtp.send_message(msg, from_addr=from_addr, to_addrs=[to_addr])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        return (REFUSED if code >= 500 else FAILED), f"{code} {_text(text)}"
    except smtplib.SMTPSenderRefused as exc:
        if exc.smtp_code == 421:
            raise ConnectionLost(f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        return FAILED, f"sender refused: {exc.smtp_code} {_text(exc.smtp_error)}"
    except smtplib.SMTPDataError as exc:
        if exc.smtp_code == 421:
            raise ConnectionLost(f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        return (REFUSED if exc.smtp_code >= 500 else FAILED), f"{exc.smtp_code} {_text(exc.smtp_error)}"
    except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError, ssl.SSLError) as exc:
        raise ConnectionLost(_reason(exc)) from None
    except smtplib.SMTPResponseException as exc:
        return FAILED, f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if refused:  # only possible with several recipients; kept for completeness
        code, text = next(iter(refused.values()))
        return REFUSED, f"{code} {_text(text)}"
    return SENT, "250 accepted"


@dataclass
class DeliveryReport:
    sent: list = field(default_factory=list)  # PlannedMessage sent in this run
    already_sent: list = field(default_factory=list)  # skipped: the log says they went
    refused: list = field(default_factory=list)  # (PlannedMessage, detail)
    failed: list = field(default_factory=list)  # (PlannedMessage, detail)
    not_attempted: list = field(default_factory=list)  # after a dropped connection
    changed_since_sent: list = field(default_factory=list)  # already sent, content differs now
    connection_lost: str | None = None


def deliver(plan: MailingPlan, settings: SmtpSettings, log: SendLog, progress=None) -> DeliveryReport:
    """Send every planned message not already recorded as sent. Raises MailError if the
    server cannot be used at all (nothing is then recorded as sent). Call it with the log's
    lock held (``with pipeline.mail.log.locked(path) as log``), so that a second send of
    the same mailing cannot send what this one is sending."""
    progress = progress or (lambda text: None)
    report = DeliveryReport()
    latest = log.latest()
    pending = []
    for planned in plan.messages:
        record = latest.get(planned.message_id)
        if record and record.result == SENT:
            report.already_sent.append(planned)
            if record.digest and record.digest != planned.digest:
                report.changed_since_sent.append(planned)
        else:
            pending.append(planned)
    _log_unreachable(plan, log)
    if not pending:
        return report

    from_addr = sender_address(plan.sender)
    smtp = connect(settings)
    try:
        for index, planned in enumerate(pending):
            msg = build_message(plan.meeting, planned, plan.sender, check_size=plan.max_size)
            msg["Date"] = dt.datetime.now(dt.UTC).astimezone()
            try:
                result, detail = send_one(smtp, msg, from_addr, planned.recipient.email)
            except ConnectionLost as exc:
                detail = f"connection lost: {exc.detail}; delivery not confirmed"
                log.append(_record(planned, FAILED, detail))
                report.failed.append((planned, detail))
                report.not_attempted = pending[index + 1:]
                report.connection_lost = exc.detail
                progress(f"FAILED   {_who(planned)}: {detail}")
                break
            log.append(_record(planned, result, detail))
            if result == SENT:
                report.sent.append(planned)
                progress(f"sent     {_who(planned)}")
            elif result == REFUSED:
                report.refused.append((planned, detail))
                progress(f"REFUSED  {_who(planned)}: {detail}")
            else:
                report.failed.append((planned, detail))
                progress(f"FAILED   {_who(planned)}: {detail}")
    finally:
        _quit(smtp)
    return report


def _log_unreachable(plan: MailingPlan, log: SendLog) -> None:
    """Record each committee member who could not be mailed at all, once per distinct reason."""
    seen = {(r.recipient, r.detail) for r in log.records if r.result == NO_ADDRESS}
    for r in plan.unreachable:
        key = (r.member.raw_email or f"(row {r.member.row})", r.not_sent)
        if key in seen:
            continue
        log.append(LogRecord(message_id=None, recipient=key[0], name=r.member.name, part=None, parts=None,
                             result=NO_ADDRESS, detail=r.not_sent))


def _record(planned, result: str, detail: str) -> LogRecord:
    return LogRecord(
        message_id=planned.message_id, recipient=planned.recipient.email, name=planned.recipient.name,
        part=planned.part, parts=planned.parts, result=result, detail=detail, digest=planned.digest,
        attachments=tuple(a.filename for a in planned.attachments),
    )


def _who(planned) -> str:
    part = f" (part {planned.part} of {planned.parts})" if planned.parts > 1 else ""
    return f"{planned.recipient.name} <{planned.recipient.email}>{part}"


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return _text(getattr(exc, "strerror", None) or exc) or type(exc).__name__


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.close()
    except OSError:
        pass
