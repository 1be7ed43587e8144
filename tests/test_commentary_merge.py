"""commentary import: real forms written and read by openpyxl, merged into a copy of the sample."""
from __future__ import annotations

import shutil

import pytest
from commentary_helpers import (
    EXPORTED,
    IMPORTED,
    commentary_rows,
    copy_sample,
    fill,
    set_value,
    sheet_values,
)

from pipeline.commentary.forms import export_forms
from pipeline.commentary.merge import CommentaryConflict, FormsRefused, import_forms, plan_import
from pipeline.errors import ConflictError
from pipeline.input.workbook import read_workbook
from pipeline.rules.periods import Month

MULTI = ("Recruitment remains the main pressure.\n\n"
         "Actions this quarter:\n- agency staff reduced to 18%\n• a new “grow your own” scheme\n\n"
         "=Not a formula: see the workforce plan.")


@pytest.fixture
def setup(sample_path, tmp_path):
    """A master copied from the sample and its two freshly exported forms (Steph, Maureen)."""
    master = copy_sample(sample_path, tmp_path)
    steph, maureen = export_forms(master, tmp_path / "forms", now=EXPORTED)
    return master, steph, maureen


def _backups(master):
    return sorted(master.parent.glob(f"{master.stem}.backup-*"))


SEPTEMBER = Month(2013, 9)


def _text(master, ident, period=SEPTEMBER):
    return next((c for c in read_workbook(master).commentary
                 if c.indicator_id == ident and c.period == period), None)


def test_round_trip_keeps_the_text_author_and_date_and_only_the_commentary_changes(setup):
    master, _, maureen = setup
    before = sheet_values(master)
    original = master.read_bytes()
    fill(maureen, {"SCS02": MULTI, "SCS06": "Placement stability:\n• fewer moves\n• more foster carers"},
         author="Maureen Robinson (Head of Service)")
    plan, backup = import_forms(master, [maureen], now=IMPORTED)
    assert [c.indicator_id for c in plan.changes] == ["SCS02", "SCS06"]

    # the backup sits next to the master, named by the import time, holding the old master
    assert backup == master.with_name("fsc.backup-20131120T101530.xlsx")
    assert backup.read_bytes() == original

    note = _text(master, "SCS02")
    assert note.text == MULTI
    assert note.author == "Maureen Robinson (Head of Service)"
    assert note.updated == IMPORTED
    cell = commentary_rows(master)["SCS02"]["text"]
    assert cell.data_type == "s" and cell.value == MULTI  # stored as text, never a formula
    assert _text(master, "SCS06").text.endswith("• more foster carers")

    after = sheet_values(master)
    assert set(after) == set(before)
    for sheet in before:
        if sheet != "commentary":
            assert after[sheet] == before[sheet], sheet
    changed = [i for i, (a, b) in enumerate(zip(before["commentary"], after["commentary"])) if a[:5] != b[:5]]
    ids = [after["commentary"][i][0] for i in changed]
    assert ids == ["SCS02", "SCS06"]  # every other commentary row is untouched


def test_reimporting_the_same_file_changes_nothing(setup, run_cli):
    master, _, maureen = setup
    fill(maureen, {"SCS02": MULTI})
    import_forms(master, [maureen], now=IMPORTED)
    merged = master.read_bytes()
    plan, backup = import_forms(master, [maureen], now=IMPORTED.replace(hour=11))
    assert plan.changes == [] and backup is None
    assert plan.already == [(str(maureen), "SCS02")]
    assert master.read_bytes() == merged and len(_backups(master)) == 1
    result = run_cli("commentary", "import", maureen, "--into", master)
    assert result.exit_code == 0
    assert "already in the master" in result.stdout
    assert master.read_bytes() == merged and len(_backups(master)) == 1


def test_dry_run_reports_the_change_and_writes_nothing(setup, run_cli):
    master, steph, maureen = setup
    fill(maureen, {"SCS02": MULTI})
    original = master.read_bytes()
    result = run_cli("commentary", "import", steph, maureen, "--into", master, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "1 commentary to change" in result.stdout
    assert "SCS02 (Sep-13)" in result.stdout and "Recruitment remains the main pressure." in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert master.read_bytes() == original and _backups(master) == []
    result = run_cli("commentary", "import", steph, maureen, "--into", master)
    assert result.exit_code == 0 and "Backed up the master to" in result.stdout
    assert _text(master, "SCS02").text == MULTI


def test_two_files_changing_the_same_commentary_differently_conflict(setup, tmp_path, run_cli):
    master, _, maureen = setup
    copy = tmp_path / "maureen-deputy.xlsx"
    shutil.copyfile(maureen, copy)
    fill(maureen, {"SCS02": "Text from Maureen."})
    fill(copy, {"SCS02": "Text from her deputy.\n- with a bullet", "SCS01": "Unrelated change."})
    original = master.read_bytes()
    with pytest.raises(CommentaryConflict) as info:
        import_forms(master, [maureen, copy], now=IMPORTED)
    assert isinstance(info.value, ConflictError)
    [conflict] = info.value.conflicts
    assert conflict.indicator_id == "SCS02"
    assert sorted(t for _, t in conflict.texts) == ["Text from Maureen.", "Text from her deputy.\n- with a bullet"]
    result = run_cli("commentary", "import", maureen, copy, "--into", master)
    assert result.exit_code == 1
    assert "Text from Maureen." in result.stderr and "| - with a bullet" in result.stderr
    assert "maureen-deputy.xlsx" in result.stderr and "nothing was imported" in result.stderr
    assert master.read_bytes() == original and _backups(master) == []  # SCS01 was not written either


def test_two_files_making_the_same_change_agree(setup, tmp_path):
    master, _, maureen = setup
    fill(maureen, {"SCS02": "Agreed text."})
    copy = tmp_path / "again.xlsx"
    shutil.copyfile(maureen, copy)
    plan, _ = import_forms(master, [maureen, copy], now=IMPORTED)
    [change] = plan.changes
    assert change.sources == (maureen.name, "again.xlsx")
    assert _text(master, "SCS02").text == "Agreed text."


def test_a_form_changing_commentary_that_changed_in_the_master_since_export_conflicts(setup, tmp_path):
    master, _, maureen = setup
    late = tmp_path / "late.xlsx"
    shutil.copyfile(maureen, late)  # exported at the same time, returned later
    fill(maureen, {"SCS02": "First version, merged on Monday."})
    import_forms(master, [maureen], now=IMPORTED)
    fill(late, {"SCS02": "Second version, written without seeing the first."})
    merged = master.read_bytes()
    with pytest.raises(CommentaryConflict) as info:
        import_forms(master, [late], now=IMPORTED.replace(day=21))
    [conflict] = info.value.conflicts
    texts = dict(conflict.texts)
    assert any(where.startswith("the master workbook") for where in texts)
    assert "First version, merged on Monday." in texts.values()
    assert "Second version, written without seeing the first." in texts.values()
    assert master.read_bytes() == merged


def test_a_form_edited_outside_the_commentary_cells_is_refused_naming_the_cell(setup, run_cli):
    from openpyxl import load_workbook

    master, _, maureen = setup
    fill(maureen, {"SCS02": "Fine text."})
    wb = load_workbook(maureen)
    ws = wb["Commentary"]
    ws.protection.sheet = False  # an officer unprotects the sheet and "corrects" a figure
    ws["D9"] = "80.0%"
    ws["K20"] = "a note in the margin"
    wb.save(maureen)
    original = master.read_bytes()
    with pytest.raises(FormsRefused) as info:
        plan_import(master, [maureen])
    cells = sorted(p.column for p in info.value.problems)
    assert cells == ["D9", "K20"]
    result = run_cli("commentary", "import", maureen, "--into", master)
    assert result.exit_code == 1
    assert "D9" in result.stderr and '"75.8%"' in result.stderr and "only the yellow cells" in result.stderr
    assert master.read_bytes() == original


def test_a_form_for_another_period_is_refused(setup, tmp_path, run_cli):
    master = setup[0]
    _, august = export_forms(master, tmp_path / "aug", period=Month(2013, 8), now=EXPORTED)
    fill(august, {"SCS02": "August commentary."})
    result = run_cli("commentary", "import", august, "--into", master)
    assert result.exit_code == 1
    assert "was exported for August 2013" in result.stderr and "September 2013" in result.stderr
    # imported for the period it was exported for, it goes in
    plan, _ = import_forms(master, [august], now=IMPORTED, period=Month(2013, 8))
    assert _text(master, "SCS02", Month(2013, 8)).text == "August commentary."
    assert _text(master, "SCS02").text.startswith("Please note change in RAG Levels")


def test_a_form_exported_from_older_figures_is_refused_naming_the_indicator(setup, run_cli):
    master, _, maureen = setup
    fill(maureen, {"SCS02": "Written against 75.8%."})
    set_value(master, "SCS02", "2013-09", "actual", 77.4)
    original = master.read_bytes()
    result = run_cli("commentary", "import", maureen, "--into", master)
    assert result.exit_code == 1
    assert "the figures for SCS02 have changed since this form was exported" in result.stderr
    assert master.read_bytes() == original


def test_figures_changed_for_an_indicator_whose_commentary_was_not_touched_do_not_block(setup):
    master, _, maureen = setup
    fill(maureen, {"SCS02": "New text."})
    set_value(master, "SCS05", "2013-09", "actual", 18)
    plan, _ = import_forms(master, [maureen], now=IMPORTED)
    assert [c.indicator_id for c in plan.changes] == ["SCS02"]


def test_a_form_from_another_workbook_or_not_a_form_is_refused(setup, make_book, tmp_path):
    master = setup[0]
    other = make_book(indicators=[{"id": "SCS02"}],
                      values=[{"indicator_id": "SCS02", "period": "2013-09", "actual": 50, "target": 60}])
    [foreign] = export_forms(other, tmp_path / "other", now=EXPORTED)
    fill(foreign, {"SCS02": "Wrong workbook."})
    with pytest.raises(FormsRefused) as info:
        plan_import(master, [foreign, master, tmp_path / "nowhere.xlsx"])
    messages = "\n".join(str(p) for p in info.value.problems)
    assert "was exported from another workbook" in messages
    assert "is not a commentary form" in messages
    assert "file not found" in messages
    assert {p.file for p in info.value.problems} == {str(foreign), str(master), str(tmp_path / "nowhere.xlsx")}


def test_a_form_naming_an_indicator_the_master_no_longer_has_is_refused(setup):
    from openpyxl import load_workbook

    master, _, maureen = setup
    wb = load_workbook(maureen)
    meta = wb["_form"]
    for row in meta.iter_rows():
        if row[0].value == "indicator" and row[1].value == "SCS06":
            row[1].value = "SCS99"
    wb.save(maureen)
    with pytest.raises(FormsRefused, match="indicator SCS99 is not in fsc.xlsx"):
        plan_import(master, [maureen])


@pytest.mark.parametrize("text", [
    "=SUM(A1:A3)",
    "=",
    "+44 1622 694000 is the number to call",
    "@everyone please note",
    "Line one\nLine two\n\nA second paragraph",
    "- first bullet\n- second bullet\n• third bullet",
    # (emoji and CJK, which the report's font cannot draw, are refused by read_workbook with a
    # located problem: tests/test_input_trust.py)
    "Ünïcödé: Café, naïve, “quotes”, 5–10 £1,250 ≥ 95% €½ Ελληνικά Кириллица",
    "  leading spaces kept?\ttab inside",
])
def test_text_survives_the_round_trip_as_text(setup, text):
    master, _, maureen = setup
    fill(maureen, {"SCS03": text})
    import_forms(master, [maureen], now=IMPORTED)
    cell = commentary_rows(master)["SCS03"]["text"]
    assert cell.data_type == "s" and cell.value == text.rstrip()
    assert _text(master, "SCS03").text == text.rstrip()
    # and the next export shows it unchanged, still as text
    forms = export_forms(master, master.parent / "next", now=IMPORTED)
    from openpyxl import load_workbook

    ws = load_workbook(forms[1])["Commentary"]
    assert ws["J10"].value == text.rstrip() and ws["J10"].data_type == "s"


def test_a_formula_typed_into_a_commentary_cell_is_kept_as_its_text(setup):
    master, _, maureen = setup
    fill(maureen, {"SCS03": "=1+1"}, formula=True)
    import_forms(master, [maureen], now=IMPORTED)
    cell = commentary_rows(master)["SCS03"]["text"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_author_defaults_to_the_indicator_owner_and_new_rows_are_added(setup, tmp_path, sample_dataset):
    master, steph, _ = setup
    _, august = export_forms(master, tmp_path / "aug", period=Month(2013, 8), now=EXPORTED)
    fill(august, {"SCS01": "August: initial assessments."})
    import_forms(master, [august], now=IMPORTED, period=Month(2013, 8))
    note = _text(master, "SCS01", Month(2013, 8))
    assert note.author == "Maureen Robinson" and note.updated == IMPORTED
    assert len(read_workbook(master).commentary) == len(sample_dataset.commentary) + 1  # a new row for August


def test_clearing_a_commentary_is_reported_and_kept_in_the_backup(setup, run_cli):
    master, _, maureen = setup
    fill(maureen, {"SCS04": ""})
    result = run_cli("commentary", "import", maureen, "--into", master)
    assert result.exit_code == 0 and "-> (cleared)" in result.stdout
    assert _text(master, "SCS04") is None
    [backup] = _backups(master)
    assert _text(backup, "SCS04").text.startswith("Performance against this measure")


def test_a_master_without_a_commentary_sheet_gets_one_and_keeps_its_formulas(make_book, tmp_path):
    from openpyxl import load_workbook

    book = make_book(
        indicators=[{"id": "A1", "owner": "Sam Officer"}],
        values=[{"indicator_id": "A1", "period": "2013-09", "actual": 60, "target": 80, "floor": 70}],
        extra_sheets={"#workings": [["total"], ["=SUM(1,2)"]]},
        omit=["commentary"],
    )
    [form] = export_forms(book, tmp_path / "forms", now=EXPORTED)
    assert form.name == "commentary-2013-09-sam-officer.xlsx"
    fill(form, {"A1": "Below the minimum standard because:\n- reason one"})
    import_forms(book, [form], now=IMPORTED)
    note = _text(book, "A1")
    assert note.text == "Below the minimum standard because:\n- reason one" and note.author == "Sam Officer"
    wb = load_workbook(book)
    assert wb["#workings"]["A2"].value == "=SUM(1,2)" and wb["#workings"]["A2"].data_type == "f"


def test_a_changed_locked_cell_is_named_as_a_cell_not_a_column(setup):
    """A form's problem is located by its cell: 'cell D8', never 'column D8'."""
    from openpyxl import load_workbook

    master, _, maureen = setup
    wb = load_workbook(maureen)
    ws = wb.worksheets[0]
    ws["D8"] = "typed over a locked cell"
    wb.save(maureen)
    with pytest.raises(FormsRefused) as info:
        plan_import(master, [maureen])
    [problem] = [p for p in info.value.problems if p.column == "D8"]
    assert f"{ws.title}, cell D8: " in str(problem) and "column" not in str(problem).split(":")[0]
