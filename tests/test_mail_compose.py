"""Composing the members' e-mails: who may receive what, splitting under the size limit,
reproducible messages. Messages are parsed back, never compared as text blobs."""
import datetime as dt
from email import policy
from email.parser import BytesParser

import pytest

from pipeline.mail.compose import (
    WIRE,
    AttachmentTooLarge,
    MailDocument,
    MailItem,
    MailMeeting,
    MissingDocument,
    build_message,
    format_time,
    plan_mailing,
)
from pipeline.mail.members import Member

COMMITTEE = "Social Care and Public Health Cabinet Committee"
SENDER = "Democratic Services <democratic.services@example.org>"
KB = 1024


def member(name, role="Member", committees=(COMMITTEE,), email=None, problem=None, row=2):
    address = None if problem else (email or f"{name.lower().replace(' ', '.')}@example.org")
    return Member(name=name, email=address, role=role, committees=tuple(committees), row=row,
                  email_problem=problem, raw_email=address or "")


def pdf_file(folder, name, size, seed):
    data = b"%PDF-1.4\n" + bytes((i * 7 + seed) % 256 for i in range(size))
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture
def meeting(tmp_path):
    docs = [pdf_file(tmp_path, n, s, i) for i, (n, s) in enumerate(
        [("appendix-a.pdf", 40 * KB), ("appendix-b.pdf", 30 * KB), ("contract.pdf", 20 * KB),
         ("appendix-a2.pdf", 10 * KB)])]
    return MailMeeting(
        committee=COMMITTEE, date=dt.date(2013, 12, 5), time="10.00 am",
        venue="Darent Room, Sessions House, County Hall, Maidstone",
        items=(
            MailItem("E3", "Families and Social Care Performance and Mid-Year Business Plan Monitoring",
                     (MailDocument(docs[0], "Appendix A: Adult Social Care indicators"),
                      MailDocument(docs[1], "Appendix B: Children's indicators"))),
            MailItem("F1", "Care home contract award",
                     (MailDocument(docs[2], "Contract evaluation", exempt=True, paragraph=3),)),
            MailItem("F2", "Staffing matter",
                     (MailDocument(docs[3], "Individual case", exempt=True, paragraph=1),)),
        ))


MEMBERS = [
    member("Member A", "Chairman"), member("Member B", "Vice-Chairman"), member("Member C"),
    member("Member D", "Substitute"), member("Member G", committees=("Education Cabinet Committee",)),
    member("Press Desk", "Public"), member("Member H", problem="no e-mail address"),
]


def parse(msg):
    return BytesParser(policy=policy.default).parsebytes(msg.as_bytes(policy=WIRE))


def body_text(parsed) -> str:
    return parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_exempt_papers_only_reach_committee_members(meeting):
    plan = plan_mailing(meeting, MEMBERS, SENDER)
    exempt = {d.path.read_bytes() for i in meeting.items for d in i.documents if d.exempt}
    received = {}
    for planned in plan.messages:
        parsed = parse(build_message(meeting, planned, SENDER))
        for part in parsed.iter_attachments():
            received.setdefault(planned.recipient.name, []).append(part.get_content())
    for name, blobs in received.items():
        got_exempt = [b for b in blobs if b in exempt]
        if name in ("Member A", "Member B", "Member C", "Member D"):
            assert len(got_exempt) == 2, name
        else:
            assert got_exempt == [], f"{name} must never receive an exempt paper"
    assert "Member G" not in received  # not on this committee: nothing at all
    assert len(received["Press Desk"]) == 2  # the public papers only
    [unreachable] = plan.unreachable
    assert unreachable.member.name == "Member H" and "no e-mail" in unreachable.not_sent


def test_public_recipient_with_only_exempt_papers_is_reported(meeting):
    only_exempt = MailMeeting(COMMITTEE, meeting.date, meeting.items[1:])
    plan = plan_mailing(only_exempt, [member("Press Desk", "Public"), member("Member A")], SENDER)
    [press] = plan.unreachable
    assert press.member.name == "Press Desk" and "exempt" in press.not_sent
    assert [m.recipient.name for m in plan.messages] == ["Member A"]


def test_message_names_member_committee_meeting_and_items(meeting):
    plan = plan_mailing(meeting, MEMBERS, SENDER)
    first = next(m for m in plan.messages if m.recipient.name == "Member A")
    parsed = parse(build_message(meeting, first, SENDER))
    assert parsed["To"].addresses[0].display_name == "Member A"
    assert parsed["To"].addresses[0].addr_spec == "member.a@example.org"
    assert parsed["Subject"] == f"{COMMITTEE} - Thursday 5 December 2013: papers for items E3, F1 and F2"
    text = body_text(parsed)
    assert text.startswith("Dear Member A,\n")
    assert "SOCIAL CARE AND PUBLIC HEALTH CABINET COMMITTEE - THURSDAY, 5 DECEMBER 2013" in text
    assert "Thursday 5 December 2013 at 10.00 am in Darent Room, Sessions House" in text
    for number, title in (("E3", "Families and Social Care Performance"), ("F1", "Care home contract award")):
        assert any(line.startswith(number) and title in line for line in text.splitlines())
    assert "Contract evaluation [EXEMPT] (contract.pdf, attached)" in text
    assert "paragraphs 1, 3 of Part 1 of Schedule 12A" in text
    press = next(m for m in plan.messages if m.recipient.name == "Press Desk")
    press_text = body_text(parse(build_message(meeting, press, SENDER)))
    assert "EXEMPT" not in press_text and "F1" not in press_text


def test_messages_are_reproducible_with_distinct_stable_ids(meeting):
    one = plan_mailing(meeting, MEMBERS, SENDER)
    two = plan_mailing(meeting, list(reversed(MEMBERS)), SENDER)
    by_id = {m.message_id: m for m in two.messages}
    ids = [m.message_id for m in one.messages]
    assert len(set(ids)) == len(ids) and set(ids) == set(by_id)
    for planned in one.messages:
        again = by_id[planned.message_id]
        assert build_message(meeting, planned, SENDER).as_bytes(policy=WIRE) == \
            build_message(meeting, again, SENDER).as_bytes(policy=WIRE)
    assert all(i.endswith("@example.org>") and "member" not in i for i in ids)  # address hashed


@pytest.mark.parametrize("limit_kb", [64, 70, 90, 120, 200])
def test_splitting_keeps_every_message_under_the_limit(meeting, limit_kb):
    limit = limit_kb * KB
    plan = plan_mailing(meeting, MEMBERS, SENDER, max_size=limit)
    for r in plan.recipients:
        if r.not_sent:
            continue
        seen = []
        for planned in r.messages:
            raw = build_message(meeting, planned, SENDER, check_size=limit).as_bytes(policy=WIRE)
            assert len(raw) <= limit
            parsed = BytesParser(policy=policy.default).parsebytes(raw)
            if planned.parts > 1:
                assert parsed["Subject"].endswith(f"(part {planned.part} of {planned.parts})")
                assert f"This is part {planned.part} of {planned.parts}." in \
                    body_text(parsed)
            seen += [p.get_filename() for p in parsed.iter_attachments()]
        assert sorted(seen) == sorted(a.filename for a in r.messages[0].all_attachments)  # each exactly once
    if limit_kb == 64:
        assert max(m.parts for m in plan.messages) >= 3
    if limit_kb == 200:
        assert all(m.parts == 1 for m in plan.messages)


def test_one_file_too_large_is_refused_before_anything(meeting, tmp_path):
    big = pdf_file(tmp_path, "huge.pdf", 80 * KB, 9)
    heavy = MailMeeting(COMMITTEE, meeting.date,
                        meeting.items + (MailItem("G1", "Big", (MailDocument(big, "Huge appendix"),)),))
    with pytest.raises(AttachmentTooLarge) as info:
        plan_mailing(heavy, MEMBERS, SENDER, max_size=100 * KB)
    assert "huge.pdf" in str(info.value) and "nothing was sent" in str(info.value)
    assert "appendix-a.pdf" not in str(info.value)


def test_missing_documents_are_all_listed(meeting, tmp_path):
    (tmp_path / "appendix-b.pdf").unlink()
    (tmp_path / "contract.pdf").unlink()
    with pytest.raises(MissingDocument) as info:
        plan_mailing(meeting, MEMBERS, SENDER)
    assert "appendix-b.pdf" in str(info.value) and "contract.pdf" in str(info.value)


def test_same_file_name_in_two_items_gets_distinct_attachment_names(tmp_path):
    (tmp_path / "e3").mkdir()
    (tmp_path / "e4").mkdir()
    a = pdf_file(tmp_path / "e3", "appendix-a.pdf", 1000, 1)
    b = pdf_file(tmp_path / "e4", "appendix-a.pdf", 1000, 2)
    meeting = MailMeeting(COMMITTEE, dt.date(2013, 12, 5), (
        MailItem("E3", "One", (MailDocument(a, "A"),)), MailItem("E4", "Two", (MailDocument(b, "A"),))))
    [planned] = plan_mailing(meeting, [member("Member A")], SENDER).messages
    parsed = parse(build_message(meeting, planned, SENDER))
    files = {p.get_filename(): p.get_content() for p in parsed.iter_attachments()}
    assert files == {"appendix-a.pdf": a.read_bytes(), "e4-appendix-a.pdf": b.read_bytes()}


def test_time_is_printed_as_the_council_does():
    assert format_time(dt.time(10, 0)) == "10.00 am"
    assert format_time(dt.time(14, 30)) == "2.30 pm"
    assert format_time(dt.time(12, 0)) == "12.00 pm"
