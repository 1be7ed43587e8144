"""``send`` end to end against a real SMTP server started here (aiosmtpd on 127.0.0.1 only):
STARTTLS with a test CA, AUTH, a refused recipient, a connection dropped midway, re-runs.
Received messages are parsed back and their attachments compared byte for byte."""
import datetime as dt
import ipaddress
import json
import random
import socket
import ssl
import threading
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pikepdf
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipeline.cli import main

COMMITTEE = "Social Care and Public Health Cabinet Committee"
USER = "democratic.services"
PASSWORD = "s3cret-Pa55word-for-tests"
SENDER = "Democratic Services <democratic.services@example.org>"
KB = 1024

MEMBERS_CSV = f"""name,email,role,committees
Member A,member.a@example.org,Chairman,{COMMITTEE}
Member B,member.b@example.org,Vice-Chairman,{COMMITTEE}
Member C,member.c@example.org,Member,{COMMITTEE};Education Cabinet Committee
Member G,member.g@example.org,Member,Education Cabinet Committee
Press Desk,press@example.org,Public,{COMMITTEE}
"""


# --------------------------------------------------------------------------- certificates


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = tmp_path_factory.mktemp("certs")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pipeline test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(leaf.public_bytes(pem))
    (folder / "server.key").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return folder


# --------------------------------------------------------------------------- the server


class Mailbox:
    """aiosmtpd handler: keeps what it receives; can refuse a recipient or drop the line."""

    def __init__(self):
        self.received = []  # (mail_from, rcpt_tos, raw bytes, tls?, authenticated?)
        self.refuse = set()
        self.drop_after = None  # drop the connection at MAIL FROM once this many are received
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.abort()  # the line goes dead without a reply
            return "421 4.4.2 connection dropped"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                  session.ssl is not None, bool(session.authenticated)))
        return "250 2.0.0 accepted"

    def parsed(self):
        return [(rcpt, BytesParser(policy=policy.default).parsebytes(raw)) for _, rcpt, raw, _, _ in self.received]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(certs):
    started = []

    def start(tls=True):
        box = Mailbox()
        kwargs = {}
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certs / "server.pem", certs / "server.key")
            kwargs = dict(tls_context=context, require_starttls=True, authenticator=authenticator,
                          auth_required=True)
        controller = Controller(box, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return box, controller.port

    yield start
    for controller in started:
        controller.stop()


# --------------------------------------------------------------------------- the meeting


def make_pdf(path: Path, title: str, padding: int):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = title
    noise = random.Random(title).randbytes(padding)  # incompressible, so the size is what we ask
    pdf.Root.PaddingForTests = pikepdf.Stream(pdf, noise)
    pdf.save(path, deterministic_id=True)
    return path


@pytest.fixture
def project(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    files = {
        "appendix-a.pdf": make_pdf(papers / "appendix-a.pdf", "Appendix A", 50 * KB),
        "appendix-b.pdf": make_pdf(papers / "appendix-b.pdf", "Appendix B", 30 * KB),
        "contract.pdf": make_pdf(papers / "contract.pdf", "Contract", 20 * KB),
    }
    (tmp_path / "meeting.toml").write_text(f"""
[meeting]
committee = "{COMMITTEE}"
date = 2013-12-05
time = "10:00"
venue = "Darent Room, Sessions House, County Hall, Maidstone"
members = ["Member A", "Member B", "Member C", "Member Z"]

[[items]]
number = "E3"
title = "Families and Social Care Performance and Mid-Year Business Plan Monitoring"

[[items.documents]]
title = "Appendix A: Adult Social Care indicators"
pdf = "papers/appendix-a.pdf"
access = "public"

[[items.documents]]
title = "Appendix B: Children's indicators"
pdf = "papers/appendix-b.pdf"
access = "public"

[[items]]
number = "F1"
title = "Care home contract award"

[[items.documents]]
title = "Contract evaluation"
pdf = "papers/contract.pdf"
access = "exempt"
paragraph = 3
""", encoding="utf-8")
    (tmp_path / "members.csv").write_text(MEMBERS_CSV, encoding="utf-8")
    return tmp_path, {name: path.read_bytes() for name, path in files.items()}


MEETING_KEY = "social-care-and-public-health-cabinet-committee-2013-12-05"


def run(capsys, monkeypatch, root, *args, password=PASSWORD):
    monkeypatch.delenv("PIPELINE_MAIL_FROM", raising=False)
    if password is None:
        monkeypatch.delenv("PIPELINE_SMTP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("PIPELINE_SMTP_PASSWORD", password)
    argv = ["send", str(root / "meeting.toml"), "--members", str(root / "members.csv"),
            "--output-dir", str(root / "output"), "--from", SENDER, *args]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def real(port, certs, *extra):
    return ("--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-user", USER,
            "--smtp-ca-file", str(certs / "ca.pem"), *extra)


def log_records(root):
    path = root / "output" / "send-log" / f"{MEETING_KEY}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def everything_written(root) -> bytes:
    return b"".join(p.read_bytes() for p in (root / "output").rglob("*") if p.is_file())


# --------------------------------------------------------------------------- the tests


def test_sends_over_starttls_with_auth_and_attachments_arrive_intact(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server()
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs, "--max-size", "100KB"))
    assert code == 0, err
    assert all(tls and auth for *_, tls, auth in box.received)
    got = {}
    for rcpt, msg in box.parsed():
        assert len(rcpt) == 1
        assert msg["To"].addresses[0].addr_spec == rcpt[0]
        assert msg["Date"] is not None and msg["Message-ID"]
        for part in msg.iter_attachments():
            got.setdefault(rcpt[0], []).append((part.get_filename(), part.get_content()))
        assert len(msg.as_bytes()) <= 100 * KB + 2048  # as received (the server adds nothing much)
    members = ["member.a@example.org", "member.b@example.org", "member.c@example.org"]
    for address in members:
        assert sorted(got[address]) == sorted(files.items())  # byte for byte, each exactly once
    assert sorted(got["press@example.org"]) == [(n, files[n]) for n in ("appendix-a.pdf", "appendix-b.pdf")]
    assert "member.g@example.org" not in got
    # split into numbered parts under 100KB
    subjects = [msg["Subject"] for rcpt, msg in box.parsed() if rcpt == ["member.a@example.org"]]
    assert len(subjects) == 2 and subjects[0].endswith("(part 1 of 2)") and subjects[1].endswith("(part 2 of 2)")
    records = log_records(root)
    assert len(records) == len(box.received) and {r["result"] for r in records} == {"sent"}
    assert {r["message_id"] for r in records} == {m["Message-ID"] for _, m in box.parsed()}
    assert "Member Z is a member in the manifest but not on the members list" in err
    # the password appears nowhere we write or print
    assert PASSWORD not in out + err
    assert PASSWORD.encode() not in everything_written(root)

    # a full re-run sends nothing twice
    count = len(box.received)
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs, "--max-size", "100KB"))
    assert code == 0 and len(box.received) == count
    assert f"Sent 0 message(s); {count} already sent earlier" in out


def test_refused_recipient_is_recorded_and_the_rest_go(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server()
    box.refuse = {"member.b@example.org"}
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs))
    assert code == 1
    assert "Member B <member.b@example.org>: refused by the server: 550" in err
    assert sorted(r[0] for _, r, *_ in box.received) == [
        "member.a@example.org", "member.c@example.org", "press@example.org"]
    results = {r["recipient"]: r["result"] for r in log_records(root)}
    assert results["member.b@example.org"] == "refused"
    # the address is fixed on the server side; a re-run sends only Member B's message
    box.refuse = set()
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs))
    assert code == 0, err
    assert [r[0] for _, r, *_ in box.received[3:]] == ["member.b@example.org"]


def test_dropped_connection_stops_and_a_rerun_sends_only_the_rest(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server()
    box.drop_after = 2
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs, "--max-size", "100KB"))
    assert code == 3
    assert "connection lost" in err and "Re-run the same command" in err
    assert len(box.received) == 2
    records = log_records(root)
    assert [r["result"] for r in records] == ["sent", "sent", "failed"]
    first_ids = {m["Message-ID"] for _, m in box.parsed()}

    box.drop_after = None
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs, "--max-size", "100KB"))
    assert code == 0, err
    ids = [m["Message-ID"] for _, m in box.parsed()]
    assert len(ids) == len(set(ids)) == 8  # (3 members + the press desk) x 2 parts, none twice
    assert first_ids <= set(ids)
    latest = {}
    for r in log_records(root):
        latest[r["message_id"]] = r["result"]
    assert set(latest) == set(ids) and set(latest.values()) == {"sent"}


def test_wrong_password_sends_nothing_and_records_nothing_as_sent(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server()
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs), password="wrong-password")
    assert code == 3
    assert "refused the user name or password for 'democratic.services'" in err
    assert "wrong-password" not in out + err
    assert box.received == [] and not any(r["result"] == "sent" for r in log_records(root))


def test_missing_password_is_a_clear_error(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server()
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs), password=None)
    assert code == 3 and "PIPELINE_SMTP_PASSWORD" in err and box.received == []


def test_server_without_starttls_is_refused(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server(tls=False)
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs))
    assert code == 3 and "does not offer STARTTLS" in err and box.received == []


def test_untrusted_certificate_is_refused(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server()
    args = [a for a in real(port, certs) if a not in ("--smtp-ca-file", str(certs / "ca.pem"))]
    code, out, err = run(capsys, monkeypatch, root, *args)
    assert code == 3 and "cannot be trusted" in err and "--smtp-ca-file" in err and box.received == []


def test_file_too_large_is_refused_before_anything_is_sent(project, smtp_server, certs, capsys, monkeypatch):
    root, files = project
    box, port = smtp_server()
    code, out, err = run(capsys, monkeypatch, root, *real(port, certs, "--max-size", "64KB"))
    assert code == 3
    assert "appendix-a.pdf" in err and "too large" in err and "nothing was sent" in err
    assert box.received == [] and log_records(root) == []


def test_dry_run_writes_reviewable_eml_files_and_reports_unreachable(project, capsys, monkeypatch):
    root, files = project
    with open(root / "members.csv", "a", encoding="utf-8") as fh:
        fh.write(f"Member Y,member.y@,Member,{COMMITTEE}\n")
    code, out, err = run(capsys, monkeypatch, root, "--dry-run", "--max-size", "100KB", password=None)
    assert code == 1  # everything written, but someone on the committee cannot be reached
    assert "Member Y (members list row 7): e-mail address 'member.y@'" in err
    outbox = root / "output" / "outbox" / MEETING_KEY
    names = sorted(p.name for p in outbox.iterdir())
    assert names == ["001-member-a-part-1-of-2.eml", "002-member-a-part-2-of-2.eml",
                     "003-member-b-part-1-of-2.eml", "004-member-b-part-2-of-2.eml",
                     "005-member-c-part-1-of-2.eml", "006-member-c-part-2-of-2.eml",
                     "007-press-desk-part-1-of-2.eml", "008-press-desk-part-2-of-2.eml"]
    first = {p.name: p.read_bytes() for p in outbox.iterdir()}
    press = [BytesParser(policy=policy.default).parsebytes(first[f"00{n}-press-desk-part-{n - 6}-of-2.eml"])
             for n in (7, 8)]
    assert {p.get_filename(): p.get_content() for m in press for p in m.iter_attachments()} == {
        n: files[n] for n in ("appendix-a.pdf", "appendix-b.pdf")}
    assert press[0]["Date"] is None  # no clock in a reviewable, reproducible file
    assert log_records(root) == []  # nothing sent, nothing logged
    # reproducible; a changed split leaves no stale files behind
    run(capsys, monkeypatch, root, "--dry-run", "--max-size", "100KB", password=None)
    assert {p.name: p.read_bytes() for p in outbox.iterdir()} == first
    run(capsys, monkeypatch, root, "--dry-run", password=None)
    assert sorted(p.name for p in outbox.iterdir()) == [
        "001-member-a.eml", "002-member-b.eml", "003-member-c.eml", "004-press-desk.eml"]


def test_problems_in_both_inputs_are_reported_together(project, capsys, monkeypatch):
    root, files = project
    (root / "members.csv").write_text("name,email,role,committees\nAnn,ann@example.org,Boss,X\n")
    text = (root / "meeting.toml").read_text().replace('access = "exempt"', 'access = "secret"')
    (root / "meeting.toml").write_text(text)
    code, out, err = run(capsys, monkeypatch, root, "--dry-run", password=None)
    assert code == 1
    assert "members.csv: 1 problem" in err and "Boss" in err
    assert "meeting.toml: 1 problem" in err and "secret" in err


def test_usage_errors(project, capsys, monkeypatch):
    root, files = project
    code, out, err = run(capsys, monkeypatch, root)
    assert code == 2 and "--dry-run or --smtp-host" in err
    code, out, err = run(capsys, monkeypatch, root, "--smtp-host", "127.0.0.1")
    assert code == 2 and "--smtp-user" in err
    code, out, err = run(capsys, monkeypatch, root, "--dry-run", "--max-size", "ten")
    assert code == 2


def pack_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in (".pdf", ".json")}


def test_attach_pack_sends_members_pack_to_members_and_public_pack_to_the_public(project, capsys, monkeypatch):
    from pipeline.pack.agenda import pack_paths
    from pipeline.pack.manifest import read_manifest

    root, files = project
    pack_dir = root / "out"
    paths = pack_paths(read_manifest(root / "meeting.toml"), pack_dir)
    # no pack yet: send builds it into --pack-dir (as `pack` would) and attaches those files
    code, out, err = run(capsys, monkeypatch, root, "--dry-run", "--attach", "pack", "--pack-dir", str(pack_dir),
                         password=None)
    assert code == 0, err
    assert f"building the agenda pack into {pack_dir} (not built)" in out
    packs = {"members": paths.members.read_bytes(), "public": paths.public.read_bytes()}
    outbox = root / "output" / "outbox" / MEETING_KEY
    emls = sorted(outbox.iterdir())
    assert len(emls) == 4
    for path in emls:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        [attachment] = list(msg.iter_attachments())
        expected = "public" if "press" in path.name else "members"
        assert attachment.get_content() == packs[expected], path.name
        text = msg.get_body(("plain",)).get_content()
        assert "F1" in text and ("EXEMPT INFORMATION" in text) == (expected == "members")
    assert not (root / "output" / "send-built").exists()


def test_a_current_pack_is_sent_as_it_is_and_a_stale_one_is_built_again(project, capsys, monkeypatch):
    """Current means built from the manifest and papers as they are now (their contents, not
    their times), by this code, and not altered since: anything else is built again."""
    import os

    from packpdfs import report_pdf
    from pypdf import PdfReader

    import pipeline.pack.agenda as agenda
    from pipeline.infra import fingerprint
    from pipeline.pack.manifest import read_manifest

    root, files = project
    pack_dir = root / "out"
    args = ("--dry-run", "--attach", "pack", "--pack-dir", str(pack_dir))
    paths = agenda.pack_paths(read_manifest(root / "meeting.toml"), pack_dir)
    first = agenda.build_pack(read_manifest(root / "meeting.toml"), pack_dir)
    built = pack_files(pack_dir)
    assert set(built) == {paths.members.name, paths.public.name, paths.record.name}
    builds = []
    real_build = agenda.build_pack
    monkeypatch.setattr(agenda, "build_pack", lambda *a, **k: builds.append(1) or real_build(*a, **k))

    def send_and_attached():
        code, out, err = run(capsys, monkeypatch, root, *args, password=None)
        assert code == 0, err
        msg = BytesParser(policy=policy.default).parsebytes(
            (root / "output" / "outbox" / MEETING_KEY / "001-member-a.eml").read_bytes())
        [attachment] = list(msg.iter_attachments())
        return out, attachment.get_content()

    out, attached = send_and_attached()  # current: sent as it is, nothing built
    assert not builds and "building" not in out and attached == first.paths["members"].read_bytes()
    later = paths.members.stat().st_mtime + 10
    os.utime(root / "papers" / "appendix-b.pdf", (later, later))  # touched, not changed: still current
    out, attached = send_and_attached()
    assert not builds and "building" not in out and pack_files(pack_dir) == built

    # a paper's contents changed (even with an older time): built again, the new paper sent
    report_pdf(root / "papers" / "appendix-b.pdf", "Corrected B", 1)
    os.utime(root / "papers" / "appendix-b.pdf", (1_000_000, 1_000_000))
    out, attached = send_and_attached()
    assert builds == [1] and "(appendix-b.pdf changed since it was built)" in out
    assert attached == paths.members.read_bytes() != built[paths.members.name]
    assert any("Corrected B page 1" in page.extract_text() for page in PdfReader(paths.members).pages)
    out, attached = send_and_attached()
    assert builds == [1]  # and now current again

    # the members' pack altered by hand since it was written
    with pikepdf.open(paths.members, allow_overwriting_input=True) as pdf:
        pdf.docinfo["/Title"] = "Edited"
        pdf.save(paths.members)
    out, attached = send_and_attached()
    assert builds == [1, 1] and f"({paths.members.name} changed since it was written)" in out
    # the record damaged, or missing
    paths.record.write_text("{not json", encoding="utf-8")
    out, attached = send_and_attached()
    assert builds == [1, 1, 1] and f"(its record {paths.record.name} cannot be read)" in out
    paths.public.unlink()
    out, attached = send_and_attached()
    assert builds == [1] * 4 and f"({paths.public.name} not found)" in out
    # another version of the pipeline (or of a library it draws with)
    monkeypatch.setattr(fingerprint, "fingerprint", lambda: "another release")
    out, attached = send_and_attached()
    assert builds == [1] * 5 and "built by another version of the pipeline" in out
    out, attached = send_and_attached()
    assert builds == [1] * 5


SAMPLE_MANIFEST = Path(__file__).resolve().parent.parent / "inputs" / "meeting_2013-12-05.toml"


def test_sample_manifest_through_dry_run(tmp_path, capsys):
    """inputs/ end to end: the main mailing carries the sample's PDF papers (the exempt one
    to members only) and needs no pack; E3's appendices are late (seed 004), so they go in
    the supplementary mailing, built from the sample workbook and attached."""
    import io

    from pypdf import PdfReader

    out_dir = tmp_path / "output"
    args = ["send", str(SAMPLE_MANIFEST), "--members", str(SAMPLE_MANIFEST.parent / "members.csv"),
            "--dry-run", "--output-dir", str(out_dir), "--pack-dir", str(out_dir)]
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    main_box = out_dir / "outbox" / MEETING_KEY
    sent = {p.name: sorted(a.get_filename() for a in
                           BytesParser(policy=policy.default).parsebytes(p.read_bytes()).iter_attachments())
            for p in main_box.glob("*.eml")}
    assert sent["001-member-a.eml"] == ["a4_minutes.pdf", "e1_appendix.pdf", "e1_report.pdf", "f1_exempt.pdf"]
    assert sent["007-public-papers-subscriber.eml"] == ["a4_minutes.pdf", "e1_appendix.pdf", "e1_report.pdf"]
    assert not list(out_dir.glob("*.pdf"))  # every paper of the main mailing is a PDF: no pack needed
    with pytest.raises(SystemExit) as info:
        main(args + ["--supplement"])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    outbox = out_dir / "outbox" / (MEETING_KEY + "-supplement")
    emls = sorted(outbox.glob("*.eml"))
    assert [p.name for p in emls] == ["001-member-a.eml", "002-member-b.eml", "003-member-c.eml",
                                      "004-member-d.eml", "005-member-e.eml", "006-member-f.eml",
                                      "007-public-papers-subscriber.eml"]  # Member G sits elsewhere
    # the report the supplementary pack built, beside the packs in --pack-dir (default: output):
    # the one copy there is, attached as it is
    report = out_dir / "social-care-and-public-health-cabinet-committee_2013-12-05_supplement_e3-appendices-a-and-b.pdf"
    built = report.read_bytes()
    assert f"building the supplementary pack into {out_dir} (not built)" in out
    assert not (out_dir / "send-built").exists()
    assert sorted(p.name for p in out_dir.glob("*.pdf")) == sorted(
        [report.name] + [report.name.replace("e3-appendices-a-and-b", v) for v in ("members", "public")])
    for path in emls:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        [attachment] = list(msg.iter_attachments())
        assert attachment.get_filename() == "e3-appendices-a-and-b.pdf"
        assert attachment.get_content() == built
        assert msg["Subject"] == f"{COMMITTEE} - Thursday 5 December 2013: supplementary papers for item E3"
        assert "supplementary papers, which were not available" in msg.get_body().get_content()
    text = PdfReader(io.BytesIO(built)).pages[0].extract_text()
    assert "Families and Social Care" in text


def test_every_command_writes_under_output_by_default_and_takes_out():
    """build, pack and send agree on where things go: `--out`, default `output` (gitignored)."""
    from pipeline.commands.build import build
    from pipeline.commands.pack import pack
    from pipeline.commands.send import send

    for command in (build, pack, send):
        option = next(p for p in command.params if "--out" in p.opts)
        assert option.default == "output", command.name
    pack_dir = next(p for p in send.params if p.name == "pack_dir")
    assert pack_dir.default == "output"


def test_late_documents_go_in_the_supplementary_mailing_only(project, capsys, monkeypatch):
    """As with the packs: the main mailing leaves a late document out, the supplementary
    mailing carries only it, and each has its own outbox, send log and message ids."""
    root, files = project
    manifest = root / "meeting.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('pdf = "papers/appendix-b.pdf"\naccess = "public"',
                                     'pdf = "papers/appendix-b.pdf"\naccess = "public"\nlate = true'),
                        encoding="utf-8")
    for extra in ((), ("--supplement",)):
        code, out, err = run(capsys, monkeypatch, root, "--dry-run", *extra, password=None)
        assert code == 0, err
    main_box, supplement_box = (root / "output" / "outbox" / key for key in (MEETING_KEY, MEETING_KEY + "-supplement"))

    def sent(folder):
        out = {}
        for path in sorted(folder.glob("*.eml")):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            out[path.name] = (msg["Message-ID"], msg["Subject"],
                              sorted(a.get_filename() for a in msg.iter_attachments()))
        return out

    main_mail, supplement_mail = sent(main_box), sent(supplement_box)
    assert main_mail and supplement_mail
    assert all("appendix-b.pdf" not in names for _, _, names in main_mail.values())
    assert all(names == ["appendix-b.pdf"] for _, _, names in supplement_mail.values())
    assert all("supplementary papers for item E3" in subject for _, subject, _ in supplement_mail.values())
    assert not {i for i, _, _ in main_mail.values()} & {i for i, _, _ in supplement_mail.values()}


def test_attach_pack_with_supplement_sends_the_supplementary_pack(tmp_path, capsys):
    """The sample meeting (seed 004): `pack --supplement`, then `send --attach pack
    --supplement` mails that pack, named as the supplementary agenda pack."""
    from pipeline.pack.agenda import build_pack
    from pipeline.pack.manifest import read_manifest

    packs = build_pack(read_manifest(SAMPLE_MANIFEST), tmp_path / "packs", supplement=True)
    out_dir = tmp_path / "output"
    with pytest.raises(SystemExit) as info:
        main(["send", str(SAMPLE_MANIFEST), "--members", str(SAMPLE_MANIFEST.parent / "members.csv"),
              "--dry-run", "--out", str(out_dir), "--attach", "pack", "--supplement",
              "--pack-dir", str(tmp_path / "packs")])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    emls = sorted((out_dir / "outbox" / (MEETING_KEY + "-supplement")).glob("*.eml"))
    assert emls
    for path in emls:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        [attachment] = list(msg.iter_attachments())
        expected = "public" if "public" in path.name else "members"
        assert attachment.get_content() == packs.paths[expected].read_bytes(), path.name
        text = msg.get_body(("plain",)).get_content()
        assert "Supplementary agenda pack" in text and "E3" in text and "A1" not in text
