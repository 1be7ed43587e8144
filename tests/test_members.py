"""MEMBERS.csv: every problem located and reported at once; a bad e-mail address is kept
(to be reported by send), not fatal and not dropped."""
from pathlib import Path

import pytest

from pipeline.errors import InputProblems
from pipeline.mail.members import committee_recipients, email_problem, read_members

SAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "members.csv"
COMMITTEE = "Social Care and Public Health Cabinet Committee"


def write(tmp_path, text, name="members.csv", bom=False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_sample_reads_and_is_fictional():
    members = read_members(SAMPLE)
    assert len(members) >= 5
    assert all(m.email.endswith("@example.org") for m in members)
    on = committee_recipients(members, COMMITTEE)
    assert {m.role for m in on} >= {"Chairman", "Vice-Chairman", "Member", "Public"}
    assert any(not m.sits_on(COMMITTEE) for m in members)  # someone on another committee only


def test_committees_split_on_semicolons_and_compare_loosely(tmp_path):
    path = write(tmp_path, "Name,E-mail,Role,Committee\n"
                           "Ann,ann@example.org,chair,  social care and public health   cabinet committee ;Education\n",
                 bom=True)
    [ann] = read_members(path)
    assert ann.role == "Chairman"
    assert ann.committees == ("social care and public health cabinet committee", "Education")
    assert ann.sits_on(COMMITTEE) and ann.sits_on("EDUCATION") and not ann.sits_on("Planning")


def test_every_problem_at_once_with_row_and_column(tmp_path):
    path = write(tmp_path, "name,email,role,committees\n"
                           ",a@example.org,Member,X\n"              # row 2: no name
                           "Bob,b@example.org,Overlord,X\n"          # row 3: unknown role
                           "Cat,c@example.org,Member,;\n"            # row 4: no committee
                           "Dan,A@example.org,Member,X\n")           # row 5: duplicate address
    with pytest.raises(InputProblems) as info:
        read_members(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(2, "name"), (3, "role"), (4, "committees"), (5, "email")}
    assert "row 2" in info.value.report() and "Overlord" in info.value.report()


def test_missing_and_unknown_columns(tmp_path):
    path = write(tmp_path, "name,mail,committees\nAnn,ann@example.org,X\n")
    with pytest.raises(InputProblems) as info:
        read_members(path)
    messages = {(p.column, p.message.split(" ")[0]) for p in info.value.problems}
    assert ("email", "required") in messages and ("role", "required") in messages
    assert ("mail", "unknown") in messages


def test_bad_address_is_kept_and_explained_not_fatal(tmp_path):
    path = write(tmp_path, "name,email,role,committees\n"
                           "Ann,ann@example.org,Member,X\n"
                           "Bob,,Member,X\n"
                           "Cat,cat at example.org,Member,X\n"
                           "Dan,dan@council,Member,X\n")
    ann, bob, cat, dan = read_members(path)
    assert ann.email == "ann@example.org" and ann.email_problem is None
    assert bob.email is None and bob.email_problem == "no e-mail address"
    assert cat.email is None and "space" in cat.email_problem
    assert dan.email is None and "not a valid address" in dan.email_problem
    assert dan.raw_email == "dan@council"


@pytest.mark.parametrize("address, ok", [
    ("member.a@example.org", True), ("o'brien+papers@kent.gov.uk", True),
    ("a@b@example.org", False), ("a..b@example.org", False), (".a@example.org", False),
    ("a@example.", False), ("a@-example.org", False), ("<a@example.org>", False), ("a@example.o", False),
])
def test_email_rules(address, ok):
    assert (email_problem(address) is None) is ok


def test_not_utf8_and_empty_files(tmp_path):
    bad = tmp_path / "latin.csv"
    bad.write_bytes("name,email,role,committees\nJos\xe9,j@example.org,Member,X\n".encode("latin-1"))
    with pytest.raises(InputProblems, match="1 problem"):
        read_members(bad)
    with pytest.raises(InputProblems):
        read_members(write(tmp_path, ""))
    with pytest.raises(InputProblems, match="1 problem"):
        read_members(write(tmp_path, "name,email,role,committees\n\n"))
    with pytest.raises(InputProblems):
        read_members(tmp_path / "missing.csv")
