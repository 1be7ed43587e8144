"""A report read from several workbooks (pipeline/input/report_definition.py,
docs/report-definition.md): the sample split into a report workbook and three sources
builds the sample's report, validation across the files names each file, and commentary
goes back to the file it is kept in."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from commentary_helpers import EXPORTED, fill
from split_sample import split_sample, write_copy

from pipeline.errors import InputProblems
from pipeline.input.report_definition import read_input, read_report_input
from pipeline.rules.periods import Month

SEPTEMBER = Month(2013, 9)


@pytest.fixture
def split(sample_path, tmp_path):
    return split_sample(sample_path, tmp_path / "fsc")


def _pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def _problems(exc: InputProblems) -> list[tuple[str, str]]:
    return [(Path(p.file).name, str(p)) for p in exc.problems]


def _rewrite(definition: Path, text: str) -> Path:
    definition.write_text(text, encoding="utf-8")
    return definition


# ---------------------------------------------------------------------------------
# the same report


def test_three_sources_make_the_samples_dataset(split, sample_dataset):
    got = read_report_input(split["definition"])
    data = got.dataset
    assert data.sections == sample_dataset.sections
    assert [i.id for i in data.indicators] == [i.id for i in sample_dataset.indicators]
    assert [i.order for i in data.indicators] == list(range(len(data.indicators)))
    for ind in data.indicators:
        assert [(v.period, v.actual, v.target, v.floor) for v in data.values[ind.id]] == \
            [(v.period, v.actual, v.target, v.floor) for v in sample_dataset.values[ind.id]]
    assert sorted((c.indicator_id, c.period, c.text) for c in data.commentary) == \
        sorted((c.indicator_id, c.period, c.text) for c in sample_dataset.commentary)
    assert data.report == sample_dataset.report
    assert data.narrative == sample_dataset.narrative and data.contacts == sample_dataset.contacts
    # where each indicator comes from, and where its commentary is kept
    assert got.origins["ASC01"].name == "adults_a.xlsx" and got.origins["ASC06"].name == "adults_b.xlsx"
    assert got.origins["SCS01"].name == "children.xlsx"
    assert got.homes["ASC01"].name == "report.xlsx" and got.homes["SCS01"].name == "children.xlsx"
    assert data.origins["ASC06"].endswith("adults_b.xlsx")


def test_the_three_source_report_prints_the_samples_text(run_cli, split, sample_path, tmp_path):
    one = run_cli("build", sample_path, "--out", tmp_path / "one", "--format", "pdf")
    assert one.exit_code == 0, one.stderr
    three = run_cli("build", split["definition"], "--out", tmp_path / "three", "--format", "pdf")
    assert three.exit_code == 0, three.stderr
    built = Path(three.stdout.strip())
    assert built == tmp_path / "three" / "fsc_2013-09.pdf"  # named after the definition
    expected = _pdf_text(Path(one.stdout.strip()))
    assert len(expected) > 20
    assert _pdf_text(built) == expected


def test_validate_and_cards_take_a_definition(run_cli, split, sample_path):
    checked = run_cli("validate", split["definition"])
    assert checked.exit_code == 0, checked.stderr
    assert "23 indicators in 2 sections" in checked.stdout
    # each data-quality warning names the source its figures are in
    warned = [line for line in checked.stderr.splitlines() if line.startswith("warning: ")]
    assert warned and all(line.startswith(f"warning: {split['adults_a']}: ") or
                          line.startswith(f"warning: {split['adults_b']}: ") or
                          line.startswith(f"warning: {split['children']}: ") for line in warned)
    assert run_cli("cards", split["definition"], "--format", "json").stdout == \
        run_cli("cards", sample_path, "--format", "json").stdout


def test_the_shipped_definition_is_the_sample_split_by_section(sample_dataset):
    """inputs/definition/ (written by tools/make_sample_workbook.py, run by the docs' commands)
    reads as the sample workbook, each file holding only its own part."""
    shipped = Path(__file__).resolve().parents[1] / "inputs" / "definition" / "fsc_2013-09.toml"
    got = read_report_input(shipped)
    data = got.dataset
    assert [i.id for i in data.indicators] == [i.id for i in sample_dataset.indicators]
    def unplaced(rows):  # the rows as read, but for where they are in their file
        return sorted((dataclasses.replace(r, row=0) for r in rows), key=lambda r: (r.indicator_id, str(r.period)))

    assert {k: unplaced(v) for k, v in data.values.items()} == \
        {k: unplaced(v) for k, v in sample_dataset.values.items()}
    assert unplaced(data.commentary) == unplaced(sample_dataset.commentary)
    assert (data.report, data.narrative, data.contacts, data.sections, data.section_details) == \
        (sample_dataset.report, sample_dataset.narrative, sample_dataset.contacts, sample_dataset.sections,
         sample_dataset.section_details)
    assert {ind.id: got.origins[ind.id].name for ind in data.indicators} == \
        {ind.id: "adults.xlsx" if ind.section == "Adult Social Care" else "children.xlsx" for ind in data.indicators}
    assert {got.homes[ind.id].name for ind in data.indicators if ind.section == "Adult Social Care"} == {"report.xlsx"}
    assert {got.homes[ind.id].name for ind in data.indicators if ind.section != "Adult Social Care"} == \
        {"children.xlsx"}


def test_a_single_workbook_reads_as_before(sample_path, sample_dataset):
    assert read_input(sample_path) == sample_dataset


# ---------------------------------------------------------------------------------
# validation across the files: every message names its file


def test_an_indicator_defined_twice_names_both_files_and_rows(split, sample_path):
    # adults_b also gets ASC01 (row 2 of adults_a)
    write_copy(sample_path, split["adults_b"].parent / "adults_b.xlsx", ("indicators", "values"),
               keep_ids={"ASC01", "ASC06", "ASC07", "ASC08", "ASC09", "ASC10", "ASC11"})
    with pytest.raises(InputProblems) as caught:
        read_input(split["definition"])
    (file, text), = _problems(caught.value)
    assert file == "adults_b.xlsx"
    assert "indicators row 2, column id: indicator ASC01 is also defined in adults_a.xlsx, indicators row 2" in text
    report = caught.value.report()
    assert f"  {split['adults_b']}:" in report  # problems are listed under their file's name


def test_a_section_with_no_indicators_and_a_missing_source(split):
    text = split["definition"].read_text()
    text = text.replace('sections = ["Specialist Children\'s Services"]',
                        'sections = ["Specialist Childrens Services"]')
    text += '\n[[sources]]\npath = "nowhere.xlsx"\n'
    with pytest.raises(InputProblems) as caught:
        read_input(_rewrite(split["definition"], text))
    assert _problems(caught.value) == [
        ("fsc_2013-09.toml", "sources[4], column path: nowhere.xlsx: file not found")]
    # the missing source is a problem of the definition, found before any file is read;
    # once it is gone, the section the source does not have is found
    with pytest.raises(InputProblems) as caught:
        read_input(_rewrite(split["definition"], text.split("\n[[sources]]\npath = \"nowhere")[0]))
    (file, message), = _problems(caught.value)
    assert file == "fsc_2013-09.toml"
    assert message == ('sources[3], column sections: "Specialist Childrens Services": children.xlsx has no '
                       'indicators in this section (did you mean "Specialist Children\'s Services"?); its '
                       "sections are: Specialist Children's Services")


def test_unknown_keys_and_bad_values_in_the_definition(split):
    text = ('workbook = "report.xlsx"\ntitle = "x"\n\n[[sources]]\npath = "adults_a.xlsx"\nsection = ["A"]\n'
            'commentary = "yes"\nlag_months = -1\n\n[[sources]]\npath = "adults_a.xlsx"\n')
    with pytest.raises(InputProblems) as caught:
        read_input(_rewrite(split["definition"], text))
    got = sorted(m for _, m in _problems(caught.value))
    assert got == sorted([
        "column title: unknown key; allowed: workbook, sources",
        "sources[1], column section: unknown key (did you mean sections?); allowed: path, sections, commentary, "
        "lag_months",
        "sources[1], column commentary: must be true or false, not 'yes'",
        "sources[1], column lag_months: must be a whole number of months from 0 to 24, not -1",
        "sources[2], column path: adults_a.xlsx: is also sources[1]; list each source once",
    ])


def test_a_source_older_than_the_reports_month(split, sample_path):
    """Older means by its figures, not its file's date: the latest month with an actual (or a
    numerator) among the indicators the report takes from it, before the report's month."""
    from openpyxl import load_workbook

    path = split["adults_b"]
    wb = load_workbook(path)
    ws = wb["values"]
    for row in range(ws.max_row, 1, -1):
        if ws.cell(row, 2).value is not None and str(ws.cell(row, 2).value).startswith("2013-09") \
                or getattr(ws.cell(row, 2).value, "month", None) == 9 and ws.cell(row, 2).value.year == 2013:
            ws.delete_rows(row)
    wb.save(path)
    with pytest.raises(InputProblems) as caught:
        read_input(split["definition"])
    (file, message), = _problems(caught.value)
    assert file == "adults_b.xlsx"
    assert message.startswith("values: its latest figure is for August 2013, older than the report's month, "
                              "September 2013")
    # the same file is not old for August's report, nor with a month's lag allowed
    assert read_input(split["definition"], Month(2013, 8)).report is not None
    text = split["definition"].read_text().replace('path = "adults_b.xlsx"', 'path = "adults_b.xlsx"\nlag_months = 1')
    assert read_input(_rewrite(split["definition"], text)).indicators
    # its file's date plays no part
    import os
    os.utime(path, (0, 0))
    assert read_input(split["definition"]).indicators


def test_sheets_a_file_holds_that_would_not_be_read(split, sample_path):
    # a source with a narrative and commentary it is not said to keep; the report workbook with figures
    write_copy(sample_path, split["adults_a"], ("indicators", "values", "narrative", "commentary"),
               keep_ids={"ASC01", "ASC02", "ASC03", "ASC04", "ASC05"})
    write_copy(sample_path, split["report"], ("report", "commentary", "narrative", "contacts", "values"),
               keep_ids={"ASC01"})
    with pytest.raises(InputProblems) as caught:
        read_input(split["definition"])
    got = {(f, m.split(":")[0]) for f, m in _problems(caught.value)}
    assert got == {("adults_a.xlsx", "narrative"), ("adults_a.xlsx", "commentary"), ("report.xlsx", "values")}
    messages = " ".join(m for _, m in _problems(caught.value))
    assert "does not say commentary = true for this source (sources[1])" in messages
    assert "report.xlsx is not one of the sources in fsc_2013-09.toml" in messages


def test_commentary_in_the_report_workbook_for_an_indicator_that_keeps_its_own(split, sample_path):
    write_copy(sample_path, split["report"], ("report", "commentary", "narrative", "contacts"), keep_ids=None)
    with pytest.raises(InputProblems) as caught:
        read_input(split["definition"])
    problems = _problems(caught.value)
    assert problems and all(f == "report.xlsx" for f, _ in problems)
    assert all("is kept in children.xlsx (commentary = true for it in fsc_2013-09.toml), not here" in m
               for _, m in problems)


def test_a_source_that_cannot_be_read_does_not_make_its_commentary_unknown(split):
    split["children"].write_bytes(b"not a workbook")
    with pytest.raises(InputProblems) as caught:
        read_input(split["definition"])
    assert _problems(caught.value) == [("children.xlsx", "is not an Excel .xlsx workbook")]


def test_the_cli_lists_each_files_problems_under_its_name(run_cli, split, sample_path):
    write_copy(sample_path, split["adults_b"], ("indicators", "values"),
               keep_ids={"ASC01", "ASC06", "ASC07", "ASC08", "ASC09", "ASC10", "ASC11"})
    split["children"].write_bytes(b"not a workbook")
    result = run_cli("validate", split["definition"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{split['definition']}: 2 problems"
    assert f"  {split['adults_b']}:" in lines and f"  {split['children']}:" in lines
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------
# commentary export and import: each officer's words go back to their file


def _bytes(split) -> dict[str, bytes]:
    return {k: p.read_bytes() for k, p in split.items()}


def _backups(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.backup-*"))


def test_commentary_round_trip_writes_each_officers_words_to_their_file(run_cli, split, tmp_path):
    from pipeline.commentary.forms import export_forms

    steph, maureen = export_forms(split["definition"], tmp_path / "forms", now=EXPORTED)
    assert "steph" in steph.name and "maureen" in maureen.name
    before = _bytes(split)

    fill(maureen, {"SCS02": "Fewer children waited this month."}, author="Maureen Robinson")
    result = run_cli("commentary", "import", maureen, "--into", split["definition"])
    assert result.exit_code == 0, result.stderr
    after = _bytes(split)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"children"}  # the children's indicators keep their own commentary
    assert len(_backups(split["children"].parent)) == 1 and _backups(split["children"].parent)[0].startswith(
        "children.backup-")
    backup = split["children"].parent / _backups(split["children"].parent)[0]
    assert backup.read_bytes() == before["children"]
    assert f"wrote {split['children']}" in result.stdout
    assert "in " + str(split["children"]) + ":" in result.stdout  # the plan names the file

    fill(steph, {"ASC01": "Reviews are back on track.", "ASC06": "Two teams short."}, author="Steph Abbott")
    result = run_cli("commentary", "import", steph, "--into", split["definition"])
    assert result.exit_code == 0, result.stderr
    again = _bytes(split)
    assert {k for k in after if after[k] != again[k]} == {"report"}

    data = read_input(split["definition"])
    texts = {c.indicator_id: c.text for c in data.commentary if c.period == SEPTEMBER}
    assert texts["SCS02"] == "Fewer children waited this month."
    assert texts["ASC01"] == "Reviews are back on track." and texts["ASC06"] == "Two teams short."
    # the words are in the file they belong in, and only there
    from pipeline.input.workbook import read_parts

    kids = read_parts(split["children"], ("indicators", "values", "commentary")).commentary
    assert any(c.text == "Fewer children waited this month." for c in kids)
    rep = read_parts(split["report"], ("commentary",), indicators=data.indicators).commentary
    assert not any(c.indicator_id.startswith("SCS") for c in rep)
    # re-importing changes nothing, and the build sees no stale commentary
    result = run_cli("commentary", "import", maureen, steph, "--into", split["definition"])
    assert result.exit_code == 0 and _bytes(split) == again


def test_one_import_writing_two_files_and_a_conflict_writing_none(run_cli, split, tmp_path):
    from pipeline.commentary.forms import export_forms

    steph, maureen = export_forms(split["definition"], tmp_path / "forms", now=EXPORTED)
    fill(maureen, {"SCS01": "Maureen's words."})
    fill(steph, {"ASC02": "Steph's words."})
    before = _bytes(split)
    result = run_cli("commentary", "import", steph, maureen, "--into", split["definition"])
    assert result.exit_code == 0, result.stderr
    after = _bytes(split)
    assert {k for k in before if before[k] != after[k]} == {"children", "report"}
    assert result.stdout.count("Backed up ") == 2

    # a second export, and the same commentary changed in the file in the meantime: a conflict
    steph2, maureen2 = export_forms(split["definition"], tmp_path / "forms2", now=EXPORTED)
    fill(maureen2, {"SCS01": "A newer text."})
    from openpyxl import load_workbook

    wb = load_workbook(split["children"])
    ws = wb["commentary"]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value == "SCS01" and ws.cell(row, 3).value == "Maureen's words.":
            ws.cell(row, 3).value = "Typed into the file."
    wb.save(split["children"])
    typed = _bytes(split)
    result = run_cli("commentary", "import", maureen2, "--into", split["definition"])
    assert result.exit_code == 1
    assert "conflict" in result.stderr and "Typed into the file." in result.stderr
    assert _bytes(split) == typed


def test_a_read_only_commentary_file_refuses_the_whole_import(run_cli, split, tmp_path):
    from pipeline.commentary.forms import export_forms

    steph, maureen = export_forms(split["definition"], tmp_path / "forms", now=EXPORTED)
    fill(maureen, {"SCS01": "Maureen's words."})
    fill(steph, {"ASC02": "Steph's words."})
    split["children"].chmod(0o444)
    before = _bytes(split)
    result = run_cli("commentary", "import", steph, maureen, "--into", split["definition"])
    assert result.exit_code == 3
    assert "read-only" in result.stderr and str(split["children"]) in result.stderr
    assert _bytes(split) == before and _backups(split["report"].parent) == []


def test_a_definition_moved_with_its_files_still_reads(split, tmp_path):
    moved = tmp_path / "moved"
    shutil.copytree(split["definition"].parent, moved)
    assert read_input(moved / split["definition"].name).indicators


def test_a_source_with_its_months_across_gives_the_same_report(run_cli, sample_path, tmp_path):
    """A source workbook may keep its values with the months across (docs/workbook.md) and
    its own sections sheet: read through the same readers, the report is the sample's."""
    wide_sample = Path(__file__).resolve().parent.parent / "inputs" / "wide" / "fsc_performance_2013-09.xlsx"
    folder = tmp_path / "wide"
    folder.mkdir()
    write_copy(sample_path, folder / "report.xlsx", ("report", "commentary", "narrative", "contacts"))
    write_copy(wide_sample, folder / "all.xlsx", ("indicators", "values", "sections"))
    definition = _rewrite(folder / "fsc_2013-09.toml", 'workbook = "report.xlsx"\n\n[[sources]]\npath = "all.xlsx"\n')
    data = read_input(definition)
    assert data.section_details and data.section_details[0].cabinet_member == "Jenny Whittle"
    one = run_cli("build", sample_path, "--out", tmp_path / "one", "--format", "pdf")
    assert one.exit_code == 0, one.stderr
    built = run_cli("build", definition, "--out", tmp_path / "two", "--format", "pdf")
    assert built.exit_code == 0, built.stderr
    assert _pdf_text(Path(built.stdout.strip())) == _pdf_text(Path(one.stdout.strip()))
