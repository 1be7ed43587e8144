"""``send`` when two runs meet, and the values that must never reach a mail server: two real
``send`` processes of one mailing at once against the real SMTP server of test_mail_send
(aiosmtpd on 127.0.0.1), a password outside ASCII, and line breaks in header values."""
from __future__ import annotations

import hmac
import os
import socket
import ssl
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from test_mail_send import (  # noqa: F401  (certs, project: fixtures used by name)
    COMMITTEE,
    MEETING_KEY,
    PASSWORD,
    SENDER,
    USER,
    Mailbox,
    certs,
    free_port,
    log_records,
    project,
    real,
    run,
    smtp_server,
)

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 4
RECIPIENTS = {"member.a@example.org", "member.b@example.org", "member.c@example.org", "press@example.org"}


def send_process(root: Path, port: int, certs: Path, password: str, env=None, out="output") -> subprocess.Popen:
    args = ["send", str(root / "meeting.toml"), "--members", str(root / "members.csv"),
            "--output-dir", str(root / out), "--from", SENDER, *real(port, certs)]
    environment = {k: v for k, v in os.environ.items() if k != "PIPELINE_MAIL_FROM"}
    environment.update({"PIPELINE_SMTP_PASSWORD": password, **(env or {})})
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --------------------------------------------------------------------------- two sends at once


def test_two_sends_of_one_mailing_at_once_mail_everyone_once(project, smtp_server, certs):
    root, files = project
    box, port = smtp_server()
    for round_ in range(ROUNDS):
        out = f"output-{round_}"
        start = len(box.received)
        procs = [send_process(root, port, certs, PASSWORD, out=out) for _ in range(2)]
        results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
        for stdout, stderr, code in results:
            assert code == 0, (round_, stdout, stderr)
        received = box.received[start:]
        per_recipient = Counter(rcpt for _, rcpts, *_ in received for rcpt in rcpts)
        assert per_recipient == Counter(RECIPIENTS), (round_, per_recipient)
        ids = [box.parsed()[start + i][1]["Message-ID"] for i in range(len(received))]
        assert len(ids) == len(set(ids))
        # exactly one of the two sent; the other found everything already sent
        sent_counts = sorted(int(stdout.split("Sent ", 1)[1].split(" ", 1)[0]) for stdout, _, _ in results)
        assert sent_counts == [0, len(RECIPIENTS)], results
        log = root / out / "send-log" / f"{MEETING_KEY}.jsonl"
        assert len([line for line in log.read_text().splitlines() if '"result": "sent"' in line]) == len(RECIPIENTS)
        # exempt papers went to committee members only, still once each
        exempt = Counter(rcpt[0] for rcpt, msg in box.parsed()[start:]
                         for part in msg.iter_attachments() if part.get_filename() == "contract.pdf")
        assert exempt == Counter({"member.a@example.org": 1, "member.b@example.org": 1, "member.c@example.org": 1})


def test_a_second_send_that_cannot_wait_names_the_first_and_sends_nothing(project, smtp_server, certs):
    from pipeline.infra.locks import hold
    root, files = project
    box, port = smtp_server()
    log = root / "output" / "send-log" / f"{MEETING_KEY}.jsonl"
    with hold(log, "the mailing"):
        proc = send_process(root, port, certs, PASSWORD, env={"COMMITTEE_PIPELINE_LOCK_WAIT": "0.3"})
        stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr
    assert "in use by another run" in stderr and f"process {os.getpid()}" in stderr
    assert "Traceback" not in stderr
    assert box.received == [] and log_records(root) == []
    # once the first run is over, the same command sends
    proc = send_process(root, port, certs, PASSWORD)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert Counter(r for _, rcpts, *_ in box.received for r in rcpts) == Counter(RECIPIENTS)


# --------------------------------------------------------------------------- passwords outside ASCII


NON_ASCII_PASSWORD = "Pa££word"


class CramMailbox(Mailbox):
    """A Mailbox whose server also offers CRAM-MD5 (RFC 2195), checked against a password."""

    password = NON_ASCII_PASSWORD.encode("utf-8")
    challenge = b"<1896.697170952@127.0.0.1>"

    async def auth_CRAM__MD5(self, server, args):
        answer = await server.challenge_auth(self.challenge)
        if not isinstance(answer, bytes) or b" " not in answer:
            return AuthResult(success=False, handled=False)
        login, digest = answer.rsplit(b" ", 1)
        expected = hmac.new(self.password, self.challenge, "md5").hexdigest().encode()
        return AuthResult(success=login == USER.encode() and hmac.compare_digest(digest, expected),
                          handled=False)


@pytest.fixture
def server_expecting(certs):
    """server_expecting(password, exclude=(...)) -> (mailbox, port): a STARTTLS + AUTH server
    that accepts USER with exactly this password (compared as UTF-8 bytes)."""
    started = []

    def start(password: str, exclude=()):
        box = CramMailbox()
        expected = password.encode("utf-8")
        box.logins = []

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
                and auth_data.password == expected
            box.logins.append((mechanism, ok))
            return AuthResult(success=ok, handled=False)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs / "server.pem", certs / "server.key")
        controller = Controller(box, hostname="127.0.0.1", port=free_port(), tls_context=context,
                                require_starttls=True, authenticator=authenticator, auth_required=True,
                                auth_exclude_mechanism=list(exclude))
        controller.start()
        started.append(controller)
        return box, controller.port

    yield start
    for controller in started:
        controller.stop()


@pytest.mark.parametrize("exclude", [(), ("PLAIN",), ("PLAIN", "LOGIN")],
                         ids=["plain", "login", "cram-md5"])
def test_a_password_outside_ascii_authenticates(project, server_expecting, certs, capsys, monkeypatch, exclude):
    root, files = project
    box, port = server_expecting(NON_ASCII_PASSWORD, exclude)
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs), password=NON_ASCII_PASSWORD)
    assert code == 0, err
    assert Counter(r for _, rcpts, *_ in box.received for r in rcpts) == Counter(RECIPIENTS)
    assert all(auth for *_, auth in box.received)
    assert NON_ASCII_PASSWORD not in out + err


def test_a_wrong_password_outside_ascii_is_refused_cleanly(project, server_expecting, certs, capsys, monkeypatch):
    root, files = project
    box, port = server_expecting(NON_ASCII_PASSWORD)
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs), password="Pa££w0rd")
    assert code == 3 and "refused the user name or password" in err and "nothing was sent" in err
    assert "Traceback" not in err and "Pa££w0rd" not in out + err
    assert box.received == [] and not any(r["result"] == "sent" for r in log_records(root))


def test_a_password_outside_ascii_with_no_mechanism_to_carry_it_is_a_clear_message(
        project, server_expecting, certs, capsys, monkeypatch):
    root, files = project
    box, port = server_expecting(NON_ASCII_PASSWORD, exclude=("PLAIN", "LOGIN", "CRAM-MD5"))
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs), password=NON_ASCII_PASSWORD)
    assert code == 3, err
    assert "outside ASCII" in err and "cannot carry" in err and "Traceback" not in err
    assert box.received == []


def test_an_ascii_password_still_goes_through_smtplib_login(project, server_expecting, certs, capsys, monkeypatch):
    root, files = project
    box, port = server_expecting("plain-ascii-Pa55")
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs), password="plain-ascii-Pa55")
    assert code == 0, err
    assert len(box.received) == len(RECIPIENTS)


# --------------------------------------------------------------------------- header values


@pytest.fixture
def listener():
    """A TCP port nobody answers on: after a run, any connection attempt is in its backlog."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def connections(sock) -> int:
    n = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


@pytest.mark.parametrize("sender, shown", [
    ("Democratic Services\r\nBcc: everyone@example.org <ds@example.org>", r"\r\nBcc: everyone"),
    ("Democratic Services <ds@example.org>\n", r"ds@example.org>\n"),
    ("Democratic\x00Services <ds@example.org>", r"Democratic\x00Services"),
    ("Democratic Services\u2028 <ds@example.org>", r"Services\u2028"),
    ("Democratic\tServices <ds@example.org>", r"Democratic\tServices"),
])
def test_a_line_break_in_from_is_refused_before_any_connection(project, certs, listener, capsys, monkeypatch,
                                                               sender, shown):
    root, files = project
    port = listener.getsockname()[1]
    args = [a for a in real(port, certs)]
    monkeypatch.setenv("PIPELINE_SMTP_PASSWORD", "x")
    from pipeline.cli import main

    with pytest.raises(SystemExit) as info:
        main(["send", str(root / "meeting.toml"), "--members", str(root / "members.csv"),
              "--output-dir", str(root / "output"), "--from", sender, *args])
    out, err = capsys.readouterr()
    assert info.value.code in (1, 2), err
    assert "Traceback" not in err and "the sender (--from)" in err and shown in err
    assert connections(listener) == 0
    assert not (root / "output" / "send-log").exists()


def test_a_from_on_one_line_with_unicode_still_works(project, capsys, monkeypatch):
    root, files = project
    monkeypatch.delenv("PIPELINE_MAIL_FROM", raising=False)
    from pipeline.cli import main

    with pytest.raises(SystemExit) as info:
        main(["send", str(root / "meeting.toml"), "--members", str(root / "members.csv"), "--dry-run",
              "--output-dir", str(root / "output"), "--from", "Zoë Services Démocratiques <ds@example.org>"])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err


def test_a_control_character_in_a_members_name_is_refused_with_its_row(project, capsys, monkeypatch):
    root, files = project
    with open(root / "members.csv", "a", encoding="utf-8") as fh:
        fh.write(f"Member\x1bX,member.x@example.org,Member,{COMMITTEE}\n")
    code, out, err = run(capsys, monkeypatch, root, "--dry-run", password=None)
    assert code == 1, err
    assert "row 7" in err and "control character" in err and "Traceback" not in err
    assert not (root / "output" / "outbox").exists()


def test_a_control_character_in_an_address_is_not_sendable_and_named(project, capsys, monkeypatch):
    root, files = project
    # (a line break in a quoted CSV field is joined into a space, and so refused as one)
    with open(root / "members.csv", "a", encoding="utf-8") as fh:
        fh.write(f'Member X,"member.x@example.org\x00",Member,{COMMITTEE}\n')
    code, out, err = run(capsys, monkeypatch, root, "--dry-run", password=None)
    assert code == 1, err
    assert "Member X (members list row 7)" in err and "control character" in err
    outbox = root / "output" / "outbox" / MEETING_KEY
    assert len(list(outbox.glob("*.eml"))) == len(RECIPIENTS)


def test_a_control_character_in_the_committee_name_is_refused(project, capsys, monkeypatch):
    """(The manifest joins line breaks into spaces; other control characters reach the subject.)"""
    root, files = project
    manifest = root / "meeting.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace(f'committee = "{COMMITTEE}"', f'committee = "{COMMITTEE}\\u001b[2J"'),
                        encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, root, "--dry-run", password=None)
    assert code == 1, err
    assert "committee's name" in err and r"Committee\x1b[2J" in err and "Traceback" not in err
    assert not (root / "output" / "outbox").exists()


def test_the_composer_refuses_a_bad_value_however_it_is_called(sample_path):
    """build_message checks every header value itself, for callers that skip plan_mailing."""
    import datetime as dt

    from pipeline.mail.compose import (
        HeaderValueProblem,
        MailDocument,
        MailItem,
        MailMeeting,
        PlannedMessage,
        build_message,
    )
    from pipeline.mail.members import Member

    meeting = MailMeeting(committee="Committee", date=dt.date(2013, 12, 5), items=(MailItem("E3", "Item", ()),),
                          packs=(MailDocument(Path("pack.pdf"), "Agenda pack"),))
    member = Member(name="Member\nBcc: x@y.org", email="a@example.org", role="Member",
                    committees=("Committee",), row=2)
    planned = PlannedMessage(member, 1, 1, (), (), {}, "<id@example.org>")
    with pytest.raises(HeaderValueProblem, match=r"Member\\nBcc"):
        build_message(meeting, planned, SENDER)
    member = Member(name="Member A", email="a@example.org", role="Member", committees=("Committee",), row=2)
    with pytest.raises(HeaderValueProblem, match=r"the sender"):
        build_message(meeting, PlannedMessage(member, 1, 1, (), (), {}, "<id@example.org>"), "A\r\n <a@b.org>")
