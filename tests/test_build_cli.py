"""``build`` through the real entry point."""
from __future__ import annotations


def test_build_docx_prints_paths_and_timings(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path, "--format", "docx")
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "fsc_performance_2013-09.docx"
    assert result.stdout.strip().splitlines() == [str(written)]
    assert written.stat().st_size > 10_000
    timing = result.stderr.strip().splitlines()[-1]
    for stage in ("read", "cards", "assemble", "charts", "docx"):
        assert f"{stage} " in timing
    assert "(23)" in timing  # one chart per indicator
    assert "note: ASC07: latest figure is for Aug-13" in result.stderr


def confirmed_copy(source, dest, rows, months=()):
    """A copy of ``source`` whose values sheet marks ``rows`` confirmed (the data owner
    checked them: their data-quality warnings are settled), with a confirmed row without a
    figure added for each (indicator, month) of ``months`` (a gap confirmed)."""
    from openpyxl import load_workbook

    wb = load_workbook(source)
    ws = wb["values"]
    header = [c.value for c in ws[1]]
    column = ws.max_column + 1
    ws.cell(row=1, column=column, value="confirmed")
    for ident, month in months:
        row = ws.max_row + 1
        ws.cell(row=row, column=header.index("indicator_id") + 1, value=ident)
        ws.cell(row=row, column=header.index("period") + 1, value=month)
        rows = [*rows, row]
    for row in rows:
        ws.cell(row=row, column=column, value="Y")
    wb.save(dest)
    return dest


def test_strict_builds_the_sample_because_notices_never_block(run_cli, sample_path, tmp_path):
    """ASC07's latest figure is August in a September report, as the council published it:
    a note for the officer, not a reason to refuse the report. (The sample's two data-quality
    warnings, ASC02's rise in April 2013 and ASC06's missing April, are real: confirmed here,
    as their data owners would.)"""
    book = confirmed_copy(sample_path, tmp_path / "fsc_performance_2013-09.xlsx", [22], [("ASC06", "2013-04")])
    result = run_cli("build", book, "--out", tmp_path / "out", "--format", "docx", "--strict")
    assert result.exit_code == 0, result.stderr
    assert "note: ASC07: latest figure is for Aug-13" in result.stderr
    assert "warning:" not in result.stderr
    assert (tmp_path / "out" / "fsc_performance_2013-09.docx").exists()


def test_strict_refuses_the_sample_while_its_data_quality_warning_is_open(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path, "--format", "docx", "--strict")
    assert result.exit_code == 1
    assert "values row 22, column actual: ASC02 Apr-13: 25.0% is a rise of 3.3 points" in result.stderr
    assert "ASC06 Apr-13: has no figure for Apr-13" in result.stderr
    assert not list(tmp_path.iterdir())
    relaxed = run_cli("build", sample_path, "--out", tmp_path, "--format", "docx")
    assert relaxed.exit_code == 0 and "warning: values row 22, column actual: ASC02 Apr-13" in relaxed.stderr


def test_strict_refuses_red_without_commentary_and_writes_nothing(run_cli, make_book, tmp_path):
    book = make_book(indicators=[{"id": "R1", "polarity": "higher"}],
                     values=[{"indicator_id": "R1", "period": "2013-09", "actual": 50, "target": 80, "floor": 70}])
    out = tmp_path / "out"
    result = run_cli("build", book, "--out", out, "--format", "docx", "--strict")
    assert result.exit_code == 1
    assert "R1" in result.stderr and "RED" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() or not list(out.iterdir())
    relaxed = run_cli("build", book, "--out", out, "--format", "docx")
    assert relaxed.exit_code == 0 and "warning: R1" in relaxed.stderr


def test_bad_period_is_a_usage_error(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path, "--period", "Smarch-13")
    assert result.exit_code == 2
    assert "not a month" in result.stderr


def test_invalid_workbook_lists_problems(run_cli, make_book, tmp_path):
    book = make_book(indicators=[{"id": "A1", "polarity": "sideways"}], values=[])
    result = run_cli("build", book, "--out", tmp_path / "out", "--format", "docx")
    assert result.exit_code == 1
    assert "indicators" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_build_all_writes_docx_pdf_and_html(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    # (.cache holds the chart pictures kept between builds: issue 9; .NAME.lock the report's lock: issue 15)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in (".cache", ".fsc_performance_2013-09.lock")) \
        == ["fsc_performance_2013-09.docx", "fsc_performance_2013-09.html", "fsc_performance_2013-09.pdf"]
    assert "pdf " in result.stderr.splitlines()[-1] and "html " in result.stderr.splitlines()[-1]
