"""commentary export: the forms officers fill in, reopened with openpyxl."""
from __future__ import annotations

import pytest
from commentary_helpers import EXPORTED, copy_sample, form_row

from pipeline.commentary.forms import (
    KIND,
    REQUIRED_WORD,
    FormProblems,
    export_forms,
    master_identity,
    read_form,
)
from pipeline.rules.periods import Month


@pytest.fixture(scope="module")
def exported(sample_path, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    master = copy_sample(sample_path, tmp)
    return master, export_forms(master, tmp / "forms", now=EXPORTED)


def _rows(form):
    from openpyxl import load_workbook

    ws = load_workbook(form)["Commentary"]
    header = [c.value for c in ws[7]]
    return {ws.cell(r, 1).value: dict(zip(header, (c for c in ws[r]))) for r in range(8, ws.max_row + 1)}


def test_one_form_per_officer_listing_their_indicators(exported, sample_dataset):
    _, forms = exported
    assert [f.name for f in forms] == ["commentary-2013-09-steph-abbott.xlsx",
                                       "commentary-2013-09-maureen-robinson.xlsx"]
    owned = {f.name: sorted(_rows(f)) for f in forms}
    assert owned["commentary-2013-09-maureen-robinson.xlsx"] == [f"SCS{i:02d}" for i in range(1, 13)]
    assert owned["commentary-2013-09-steph-abbott.xlsx"] == sorted(
        i.id for i in sample_dataset.indicators if i.owner == "Steph Abbott")


def test_one_form_per_division(sample_path, tmp_path, sample_dataset):
    forms = export_forms(copy_sample(sample_path, tmp_path), tmp_path / "f", by="division", now=EXPORTED)
    divisions = {i.division for i in sample_dataset.indicators}
    assert len(forms) == len(divisions) == len({f.name for f in forms})
    listed = sorted(ident for f in forms for ident in _rows(f))
    assert listed == sorted(i.id for i in sample_dataset.indicators)


def test_form_shows_figures_rag_word_and_marks_red_as_requiring_commentary(exported, sample_cards):
    _, forms = exported
    rows = _rows(forms[1])
    scs02 = rows["SCS02"]
    assert scs02["Ref"].value == "SCS02"
    # seed 004: "the internal target of 90%"
    assert scs02["Latest figure"].value == "75.8%" and scs02["Target"].value == "90%"
    assert scs02["RAG"].value == "RED" and scs02["Direction"].value == "Worsened"
    assert scs02["Commentary"].value == REQUIRED_WORD
    assert rows["SCS01"]["RAG"].value == "AMBER" and rows["SCS01"]["Commentary"].value == "Optional"
    # pre-filled with this period's commentary from the master
    card = next(c for c in sample_cards.cards if c.indicator.id == "SCS02")
    assert scs02["Commentary for Sep-13 (type here)"].value == card.commentary.text


def test_only_commentary_and_author_cells_are_unlocked_and_the_sheet_is_protected(exported):
    from openpyxl import load_workbook

    _, forms = exported
    wb = load_workbook(forms[1])
    ws = wb["Commentary"]
    assert ws.protection.sheet
    unlocked = sorted(c.coordinate for row in ws.iter_rows() for c in row
                      if c.protection.locked is False)
    # each indicator's commentary (J) and actions being taken (K), and the author
    assert unlocked == sorted(["B5"] + [f"{col}{r}" for r in range(8, 20) for col in "JK"])
    for r in range(8, 20):
        assert ws.cell(r, 10).number_format == ws.cell(r, 11).number_format == "@"  # typed '=...' stays text


def test_hidden_sheet_records_master_period_fingerprints_and_original_text(exported, sample_dataset):
    from openpyxl import load_workbook

    _, forms = exported
    wb = load_workbook(forms[1])
    assert wb["_form"].sheet_state == "veryHidden"
    assert wb.active.title == "Commentary"
    form = read_form(forms[1])
    assert form.meta["kind"] == KIND
    assert form.meta["master_id"] == master_identity(sample_dataset)
    assert form.meta["exported_at"] == "2013-11-01T09:00:00"
    assert form.meta["tool_version"]
    assert form.period == Month(2013, 9)
    assert [r.indicator_id for r in form.rows] == [f"SCS{i:02d}" for i in range(1, 13)]
    assert all(len(r.fingerprint) == 64 and not r.changed for r in form.rows)
    assert form.rows[1].original.startswith("Please note change in RAG Levels")


def test_master_identity_ignores_the_path_but_not_the_indicators(sample_path, tmp_path, make_book):
    from pipeline.input.workbook import read_workbook

    moved = copy_sample(sample_path, tmp_path, "renamed elsewhere.xlsx")
    assert master_identity(read_workbook(moved)) == master_identity(read_workbook(sample_path))
    other = make_book(indicators=[{"id": "A1"}], values=[{"indicator_id": "A1", "period": "2013-09", "actual": 5}])
    assert master_identity(read_workbook(other)) != master_identity(read_workbook(sample_path))


def test_export_for_an_earlier_period_fingerprints_that_period(sample_path, tmp_path):
    forms = export_forms(copy_sample(sample_path, tmp_path), tmp_path / "f", period=Month(2013, 8), now=EXPORTED)
    assert forms[0].name == "commentary-2013-08-steph-abbott.xlsx"
    form = read_form(forms[1])
    assert form.period == Month(2013, 8)
    assert all(r.original == "" for r in form.rows)  # the sample's commentary is for September
    assert form_row(forms[1], "SCS02") == 9


def test_a_workbook_that_is_not_a_form_is_refused(sample_path, tmp_path):
    with pytest.raises(FormProblems, match="is not a commentary form"):
        read_form(sample_path)
    with pytest.raises(FormProblems, match="file not found"):
        read_form(tmp_path / "missing.xlsx")
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    with pytest.raises(FormProblems, match="not an Excel .xlsx workbook"):
        read_form(junk)


def test_cli_export(run_cli, sample_path, tmp_path):
    master = copy_sample(sample_path, tmp_path)
    result = run_cli("commentary", "export", master, "--by", "owner", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "Wrote 2 commentary forms" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "commentary-2013-09-maureen-robinson.xlsx", "commentary-2013-09-steph-abbott.xlsx"]
    bad = run_cli("commentary", "export", master, "--period", "Smarch", "--out", tmp_path / "x")
    assert bad.exit_code == 2 and "not a month" in bad.stderr


def test_the_same_export_gives_the_same_files(exported, tmp_path, monkeypatch):
    """Forms are outputs: exported again (seconds later) they are byte-identical, though
    openpyxl stamps every save with the time (tested by moving its clock on)."""
    import datetime as dt
    import zipfile

    master, forms = exported
    later = dt.datetime(2031, 5, 6, 7, 8, 9)

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return later if tz is None else later.replace(tzinfo=tz)

        @classmethod
        def utcnow(cls):
            return later

    monkeypatch.setattr(dt, "datetime", Clock)
    again = export_forms(master, tmp_path / "again", now=EXPORTED)
    for first, second in zip(forms, again):
        assert first.read_bytes() == second.read_bytes(), first.name
        with zipfile.ZipFile(second) as package:
            assert {info.date_time for info in package.infolist()} == {(2000, 1, 1, 0, 0, 0)}
            assert b"2031" not in package.read("docProps/core.xml")
