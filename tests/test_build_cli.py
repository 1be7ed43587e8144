"""``build`` through the real entry point."""
from __future__ import annotations

import importlib.util

import pytest


def test_build_docx_prints_paths_and_timings(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path, "--format", "docx")
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "fsc_performance_2013-09.docx"
    assert result.stdout.strip().splitlines() == [str(written)]
    assert written.stat().st_size > 10_000
    timing = result.stderr.strip().splitlines()[-1]
    for stage in ("read", "cards", "assemble", "charts", "docx"):
        assert f"{stage} " in timing
    assert "(17)" in timing  # one chart per indicator
    assert "warning: ASC07: latest figure is for Aug-13" in result.stderr


def test_strict_stops_on_warnings_and_writes_nothing(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path, "--format", "docx", "--strict")
    assert result.exit_code == 3
    assert "ASC07" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


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


@pytest.mark.skipif(importlib.util.find_spec("pipeline.render_pdf") is None, reason="PDF renderer not landed")
def test_build_all_writes_both(run_cli, sample_path, tmp_path):
    result = run_cli("build", sample_path, "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fsc_performance_2013-09.docx",
                                                          "fsc_performance_2013-09.pdf"]
    assert "pdf " in result.stderr.splitlines()[-1]
