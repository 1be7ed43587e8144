"""Shared fixtures: the bundled sample (read once per session), a workbook factory and a CLI runner.

Keep this small and general; fixtures for one feature belong in that feature's test module.
"""
from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
if str(TESTS) not in sys.path:  # so test modules can `from workbooks import make_workbook`
    sys.path.insert(0, str(TESTS))

SAMPLE = ROOT / "inputs" / "fsc_performance_2013-09.xlsx"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """inputs/fsc_performance_2013-09.xlsx: seed 004's adult and children's indicators."""
    assert SAMPLE.exists(), f"the bundled sample is missing: {SAMPLE}"
    return SAMPLE


@pytest.fixture(scope="session")
def sample_dataset(sample_path):
    from pipeline.input.workbook import read_workbook

    return read_workbook(sample_path)


@pytest.fixture(scope="session")
def sample_cards(sample_dataset):
    """The sample's CardSet for September 2013."""
    from pipeline.cards.compute import compute_cards
    from pipeline.rules.periods import Month

    return compute_cards(sample_dataset, Month(2013, 9))


@pytest.fixture
def make_book(tmp_path):
    """make_book(**kwargs) -> path of a fresh test workbook (see tests/workbooks.py for kwargs)."""
    from workbooks import make_workbook

    counter = itertools.count(1)

    def make(name: str | None = None, **kwargs) -> Path:
        return make_workbook(tmp_path / (name or f"book{next(counter)}.xlsx"), **kwargs)

    return make


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """run_cli("validate", path) -> CliResult: the real entry point (pipeline.cli.main), in-process."""
    from pipeline.cli import main

    def run(*args) -> CliResult:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:  # main always exits; reaching here would be a bug in main
            raise AssertionError("pipeline.cli.main returned instead of exiting")
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
