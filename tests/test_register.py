"""The register of published figures (pipeline.register.store) with real SQLite files: two
simulated months (publish, revise a figure, rebuild, find the note in the DOCX and PDF),
schema migrations from version 0, and two processes writing at once."""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from workbooks import series

from pipeline.register import store

COMMITTEE = "Test Cabinet Committee"
SENTENCE = ("The June figure has been revised from 72% to 74% since it was reported to this committee on "
            "5 September 2013.")


def month_book(make_book, name, period, meeting, june, more=()):
    """A report for ``period`` to COMMITTEE's meeting on ``meeting``; R1's June figure is ``june``."""
    months = ["2013-04", "2013-05", "2013-06", "2013-07", "2013-08", "2013-09"]
    months = [m for m in months if m <= period]
    actual = {"2013-04": 70, "2013-05": 71, "2013-06": june, "2013-07": 73, "2013-08": 72, "2013-09": 75}
    rows = series("R1", months, actual=[actual[m] for m in months], target=75, floor=60)
    commentary = [{"indicator_id": "R1", "period": period, "text": "Steady."}]
    return make_book(name, indicators=[{"id": "R1", "decimals": 0, "title": "Reviews completed on time",
                                        "data_notes": "Counted at month end."}],
                     values=rows + list(more), commentary=commentary,
                     report={"from": "A. Officer", "to": COMMITTEE, "committee": COMMITTEE,
                             "date": meeting, "meeting_date": meeting, "period": period,
                             "subject": f"Performance dashboard for {dt.date.fromisoformat(period + '-01'):%B %Y}"})


def manifest(folder: Path, workbook: Path, day: str, period: str) -> Path:
    path = folder / f"meeting_{day}.toml"
    path.write_text(f'''
[meeting]
committee = "{COMMITTEE}"
date = {day}
time = "10:00"
venue = "Council Chamber"
members = ["Member One"]

[[items]]
number = "B1"
title = "Performance dashboard"
[[items.documents]]
title = "Performance dashboard"
workbook = "{workbook.name}"
period = "{period}"
access = "public"
''')
    return path


def docx_text(path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(path).paragraphs) + "\n".join(
        cell.text for table in Document(path).tables for row in table.rows for cell in row.cells)


def pdf_text(path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return " ".join((page.extract_text() or "").replace("\n", " ") for page in pdf.pages)


def test_two_months_publish_revise_rebuild_and_the_note_is_in_the_paper(make_book, run_cli, tmp_path):
    out = tmp_path / "out"
    register = tmp_path / "shared" / "published.sqlite"
    # month 1: the August report goes to the meeting of 5 September 2013 in its pack
    august = month_book(make_book, "august.xlsx", "2013-08", "2013-09-05", june=72)
    packed = run_cli("pack", manifest(august.parent, august, "2013-09-05", "2013-08"), "--out", out,
                     "--register", register)
    assert packed.exit_code == 0, packed.stderr
    assert f"recorded 1 report in the register {register}" in packed.stderr
    with sqlite3.connect(register) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert db.execute("SELECT actual, actual_shown, rating FROM figure WHERE period = '2013-06'").fetchall() \
            == [("72", "72%", "AMBER")]
    # month 2: June is revised to 74% in September's workbook
    september = month_book(make_book, "september.xlsx", "2013-09", "2013-12-05", june=74)
    built = run_cli("build", september, "--out", out, "--register", register)
    assert built.exit_code == 0, built.stderr
    assert f"note: values row 4, column actual: R1 Jun-13: {SENTENCE}" in built.stderr
    docx, pdf = out / "september_2013-09.docx", out / "september_2013-09.pdf"
    assert SENTENCE in docx_text(docx)
    assert SENTENCE in pdf_text(pdf)
    assert "Counted at month end." in docx_text(docx)  # the officer's own data notes are kept
    # unrevised: no note. A build without the register, or with June back at 72%: no sentence
    plain = run_cli("build", september, "--out", tmp_path / "plain", "--format", "docx")
    assert plain.exit_code == 0 and "revised" not in docx_text(tmp_path / "plain" / "september_2013-09.docx")
    same = month_book(make_book, "same.xlsx", "2013-09", "2013-12-05", june=72)
    again = run_cli("build", same, "--out", out, "--register", register, "--format", "docx")
    assert again.exit_code == 0 and "revised" not in again.stderr
    assert "revised" not in docx_text(out / "same_2013-09.docx")
    # the December meeting's pack records September's figures; the history shows both, June revised
    packed = run_cli("pack", manifest(september.parent, september, "2013-12-05", "2013-09"), "--out", out,
                     "--register", register)
    assert packed.exit_code == 0, packed.stderr
    assert SENTENCE in packed.stderr  # the pack's report carries the note, and the officer is told
    history = run_cli("register", "history", "R1", "--register", register, "--format", "json")
    assert history.exit_code == 0, history.stderr
    june = [r for r in json.loads(history.stdout) if r["period"] == "2013-06"]
    assert [(r["meeting_date"], r["actual"], r["revised"]) for r in june] == [
        ("2013-09-05", "72%", []), ("2013-12-05", "74%", ["actual"])]
    table = run_cli("register", "history", "R1", "--register", register)
    assert table.exit_code == 0 and "2013-12-05" in table.stdout and "actual" in table.stdout
    # rebuilding the December pack compares with September, never with its own first build
    rebuilt = run_cli("build", september, "--out", tmp_path / "again", "--register", register, "--format", "docx")
    assert SENTENCE in rebuilt.stderr


def test_a_meeting_is_compared_only_with_earlier_meetings(make_book):
    from pipeline.cards.compute import compute_cards
    from pipeline.input.workbook import read_workbook
    from pipeline.quality.revisions import revisions
    from pipeline.rules.periods import Month

    def published(day, june):
        book = read_workbook(month_book(make_book, None, "2013-08", day, june=june))
        return compute_cards(book, Month(2013, 8))

    path = Path(make_book().parent) / "reg.sqlite"
    for day, june, committee in (("2013-09-05", 70, "Another Committee"), ("2013-10-05", 72, COMMITTEE),
                                 ("2013-12-05", 99, COMMITTEE), ("2014-01-05", 99, COMMITTEE)):
        store.record(path, committee=committee, meeting_date=dt.date.fromisoformat(day), kind="agenda",
                     access="public", workbook="x.xlsx", cardset=published(day, june))
    now = read_workbook(month_book(make_book, None, "2013-09", "2013-12-05", june=74))
    found = revisions(now, compute_cards(now, Month(2013, 9)), store.published(path))
    assert [r.note(Month(2013, 9)) for r in found] == [
        "The June figure has been revised from 72% to 74% since it was reported to this committee on 5 October 2013."]
    # an exempt paper's figure is never quoted: only public publications count
    store.record(path, committee=COMMITTEE, meeting_date=dt.date(2013, 11, 5), kind="agenda", access="exempt",
                 workbook="x.xlsx", cardset=published("2013-11-05", 73))
    found = revisions(now, compute_cards(now, Month(2013, 9)), store.published(path))
    assert [(r.old, r.published.meeting_date.isoformat()) for r in found] == [("72%", "2013-10-05")]
    # another committee is named
    rows = [r for r in store.published(path) if r.meeting_date.month == 9]
    found = revisions(now, compute_cards(now, Month(2013, 9)), rows)
    assert [r.note(Month(2013, 9)) for r in found] == [
        "The June figure has been revised from 70% to 74% since it was reported to the Another Committee on "
        "5 September 2013."]


# --- schema versions ------------------------------------------------------------------------------


def test_migration_from_version_0_to_current(tmp_path):
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).close()  # an empty SQLite file: user_version 0
    db = store.connect(path, create=False)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == 2
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
        assert {"publication", "figure", "figure_by_indicator"} <= tables
    finally:
        db.close()


def test_migration_from_version_1_keeps_the_rows(tmp_path):
    path = tmp_path / "v1.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    for step in store.MIGRATIONS[0][1]:
        db.execute(step)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO publication VALUES (1, 'C', '2013-09-05', 'agenda', 'public', 'w.xlsx', '2013-08', 'x')")
    db.execute("INSERT INTO figure VALUES (1, 'R1', '2013-06', 'percent', 0, '72', '75', '60', 'AMBER', 0)")
    db.close()
    rows = store.history(path, "R1")
    assert [(r.period.iso, r.actual, r.meeting_date.isoformat()) for r in rows] == [("2013-06", 72, "2013-09-05")]
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_register_from_a_newer_tool_is_refused_and_left_alone(tmp_path, run_cli):
    path = tmp_path / "new.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    with pytest.raises(store.RegisterError, match="schema version 99"):
        store.published(path)
    assert path.read_bytes() == before
    result = run_cli("register", "history", "R1", "--register", path)
    assert result.exit_code == 3 and "newer version" in result.stderr and "Traceback" not in result.stderr


def test_a_file_that_is_not_a_register(tmp_path, run_cli):
    path = tmp_path / "published.sqlite"
    path.write_text("not a database at all, just some text that is long enough " * 20)
    result = run_cli("register", "history", "R1", "--register", path)
    assert result.exit_code == 3 and "not a register" in result.stderr and "Traceback" not in result.stderr


def test_reading_a_missing_register_creates_nothing(tmp_path):
    assert store.published(tmp_path / "none.sqlite") == []
    assert not (tmp_path / "none.sqlite").exists()


def test_a_failed_write_leaves_nothing_half_recorded(tmp_path, sample_cards):
    path = tmp_path / "r.sqlite"
    store.record(path, committee=COMMITTEE, meeting_date=dt.date(2013, 9, 5), kind="agenda", access="public",
                 workbook="a.xlsx", cardset=sample_cards)
    count = len(store.published(path))

    class Broken:
        period = sample_cards.period
        # the first card again at the end: its figures collide with those already inserted,
        # half-way through the transaction (publication row and every other card written)
        cards = sample_cards.cards + sample_cards.cards[:1]

    with pytest.raises(store.RegisterError, match="UNIQUE"):
        store.record(path, committee=COMMITTEE, meeting_date=dt.date(2013, 10, 5), kind="agenda",
                     access="public", workbook="a.xlsx", cardset=Broken())
    assert len(store.published(path)) == count
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM publication").fetchone()[0] == 1


# --- two processes at once -------------------------------------------------------------------------


def _writer(path, sample, rounds, start):
    from pipeline.cards.compute import compute_cards
    from pipeline.input.workbook import read_workbook
    from pipeline.rules.periods import Month

    cards = compute_cards(read_workbook(sample), Month(2013, 9))
    start.wait()
    for i in range(rounds):
        store.record(path, committee=COMMITTEE, meeting_date=dt.date(2013, 9, 1) + dt.timedelta(days=i),
                     kind="agenda", access="public", workbook=f"w{i}.xlsx", cardset=cards)


def test_two_processes_writing_at_once_leave_a_consistent_register(tmp_path, sample_path, sample_cards):
    path = tmp_path / "shared.sqlite"
    rounds = 8
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [context.Process(target=_writer, args=(path, sample_path, rounds, start)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=180)
        assert w.exitcode == 0
    per_publication = len(store.published(path)) // (2 * rounds)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM publication").fetchone()[0] == 2 * rounds
        counts = {n for (n,) in db.execute("SELECT COUNT(*) FROM figure GROUP BY publication_id")}
        assert counts == {per_publication} and per_publication > 100  # every publication whole
        assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION


def test_a_pack_whose_register_cannot_be_written_says_the_packs_were_written(make_book, run_cli, tmp_path):
    august = month_book(make_book, "august.xlsx", "2013-08", "2013-09-05", june=72)
    garbage = tmp_path / "published.sqlite"
    garbage.write_bytes(b"this is a spreadsheet someone saved over the register " * 40)
    # the build reads the register first: it stops there, before any pack is written
    result = run_cli("pack", manifest(august.parent, august, "2013-09-05", "2013-08"), "--out", tmp_path / "out",
                     "--register", garbage)
    assert result.exit_code == 3 and "Traceback" not in result.stderr and "not a register" in result.stderr
    assert not list((tmp_path / "out").glob("*.pdf"))
    # a register that breaks only when written (its folder is a file: reading finds nothing,
    # creating fails): the packs are there, and the message says so
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = run_cli("pack", manifest(august.parent, august, "2013-09-05", "2013-08"), "--out", tmp_path / "out",
                     "--register", blocker / "published.sqlite")
    assert result.exit_code == 3 and "Traceback" not in result.stderr
    message = result.stderr
    assert "the packs were written" in message and "cannot create the register" in message
    assert "run pack again to record them" in message
    assert len(list((tmp_path / "out").glob("*_agenda_members.pdf"))) == 1
    assert len(list((tmp_path / "out").glob("*_agenda_public.pdf"))) == 1
